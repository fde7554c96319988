"""Reading measured values from ``metrics.json`` (dotted keys) and formatting them into an audit row.

Serves notebook 07_claims_audit through :mod:`serlib.reporting.claims.rules`."""

from __future__ import annotations

import math
from typing import Any, Mapping

from serlib.reporting.claims.reported import Claim
from serlib.reporting.claims.verdicts import NOT_REPRODUCED, REPRODUCED
from serlib.reporting.formatting import pct as _pct
from serlib.reporting.metrics_keys import notebook_of
from serlib.targets import CLAIM_TOLERANCE as TOLERANCE


class _Lookup:
    """Reads dotted keys from the merged metrics; remembers the missing ones."""

    def __init__(self, metrics: Mapping):
        self.metrics = metrics
        self.missing: list[str] = []

    def get(self, key: str, *, required: bool = True):
        node: Any = self.metrics
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                if required and key not in self.missing:
                    self.missing.append(key)
                return None
            node = node[part]
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            node = float(node)
            if not math.isfinite(node):
                if required and key not in self.missing:
                    self.missing.append(key)
                return None
        return node

    def has(self, key: str) -> bool:
        return self.get(key, required=False) is not None


def _ci(ci) -> str:
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(v, (int, float)) for v in ci):
        return f" [95 % CI {100 * ci[0]:.1f} to {100 * ci[1]:.1f}]"  # "to": a dash would read as minus
    return ""


def _ci_of(lk: "_Lookup", key: str):
    """The 95 % CI stored beside a metric (``<key>_ci95`` as notebooks 04/05 write it, or ``<key>_ci``)."""
    ci = lk.get(key + "_ci95", required=False)
    return ci if ci is not None else lk.get(key + "_ci", required=False)


def _within(measured: float, reported: float) -> str:
    """Two-sided rule: reproduced when ``|measured - reported| <= TOLERANCE``."""
    return REPRODUCED if abs(measured - reported) <= TOLERANCE + 1e-12 else NOT_REPRODUCED


def _at_least(measured: float, reported: float) -> str:
    return REPRODUCED if measured >= reported - TOLERANCE - 1e-12 else NOT_REPRODUCED


def _missing_note(keys: list[str]) -> str:
    nbs = sorted({notebook_of(k) for k in keys})
    return f"missing metrics key(s): {', '.join(keys)} (written by notebook {', '.join(nbs)})"


def _title(corpus: str | None) -> str:
    from serlib.reporting.run_context import corpus_title

    return corpus_title(corpus) if corpus else "n/a"


#: ``corpus`` column of claims that do not depend on a corpus (the response time).
NOT_CORPUS_SPECIFIC = "not corpus-specific"


def _row(claim: Claim, corpus: str | None, paper: str, honest: str, verdict: str | None, note: str,
         paper_num=None, honest_num=None, reported_num=None) -> dict:
    return {"claim": claim.summary, "paper_value": claim.reported_text, "measured_paper_protocol": paper,
            "measured_honest_protocol": honest, "verdict": verdict, "note": note, "claim_id": claim.claim_id,
            "corpus": corpus if corpus else NOT_CORPUS_SPECIFIC, "source": claim.source, "rule": claim.rule,
            "paper_value_num": reported_num if reported_num is not None else _first_number(claim.reported),
            "measured_paper_num": paper_num, "measured_honest_num": honest_num}


def _first_number(x):
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], (int, float)):
        return float(x[0])
    return None


def _fmt(lk: _Lookup, key: str, fmt=_pct) -> str:
    v = lk.get(key, required=False)
    return fmt(v) if v is not None else f"not measured (missing {key})"


