"""The paper's reported values, each with its source, and the audit that puts our measurements beside them.

Serves notebook 07_claims_audit (and notebook 05_baselines, which shows the paper's Figures 5-6 reports).

This is the only place in the project where numbers are typed in by hand, and they are all *reported* values
from the paper (Patil et al., "Development of Smart Emotion Recognition System based on Hybrid Deep Learning
Models"), each with the table, figure or section it comes from. Every *measured* value of the audit is read
from the run's merged ``metrics.json``; a missing key never raises: the claim's verdict says which key is
missing.

Verdicts (:data:`VERDICT_RULES` states them as a table for the notebook):

- ``reproduced`` / ``not reproduced``: the claim's rule (below) applied to the value measured under the
  *paper's* protocol (random 80/20 split over utterances; training-set reports where the paper shows
  training-set reports). A number claim is reproduced when the measured value is at least the reported one
  minus :data:`TOLERANCE` (3 percentage points), or better; a latency claim when the measured time is at most
  the reported one plus :data:`LATENCY_TOLERANCE` (25 %); a comparison claim ("A beats B") when the measured
  ordering is the same. Claims the paper states without a number (noise robustness, generalisation across
  datasets, the GAN's improvement) get an operational criterion stated in :data:`PAPER_CLAIMS` (ours, not
  the paper's). The honest protocol (speaker-independent folds) is shown beside it and commented in the note.
- ``not testable here``: the claim needs a corpus that is not in this run (CREMA-D, or two corpora for
  cross-corpus).
- ``not measured in this run``: a metrics key the rule needs is missing (the note names it and its notebook).
- ``synthetic corpus only: not evidence``: the only measurement comes from the embedded synthetic corpus.
- ``quick run: not evidence (rule gives: ...)``: a ``--quick`` run (subsets, few epochs).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from serlib.reporting.claims.measured import _Lookup, _missing_note, _row, _title
from serlib.reporting.claims.reported import PAPER_CLAIMS, Claim
from serlib.reporting.claims.rules import _KINDS
from serlib.reporting.claims.verdicts import CSV_COLUMNS, JUDGED, NOT_MEASURED, NOT_TESTABLE, QUICK_ONLY, SYNTHETIC_ONLY
from serlib.reporting.run_context import is_synthetic


def _is_synthetic(corpus: str | None, metrics: Mapping) -> bool:
    if not corpus:
        return False
    names = [n.strip() for n in str(corpus).replace("->", "+").split("+")]
    flagged = lambda n: is_synthetic(n) or bool(  # noqa: E731
        isinstance(metrics.get("data"), Mapping) and isinstance(metrics["data"].get(n), Mapping)
        and metrics["data"][n].get("synthetic"))
    return any(flagged(n) for n in names)


def emotion_gender_corpus(metrics: Mapping, corpora: Sequence[str]) -> str | None:
    """Corpus of the 16-class emotion x gender task: RAVDESS if in the run, else the one notebook 05 used."""
    if "ravdess" in corpora:
        return "ravdess"
    done = metrics.get("baselines_emotion_gender", {})
    used = sorted({c for m in done.values() if isinstance(m, Mapping) for c in m} & set(corpora))
    return used[0] if used else None


def _targets(claim: Claim, metrics: Mapping, corpora: Sequence[str]):
    """(target, reason it is not testable or None) pairs: the corpora (or corpus pairs) a claim is audited on."""
    if claim.kind in ("latency", "overhead", "real_time"):
        return [(None, None)]
    if claim.kind == "complementary":
        done = metrics.get("leaderboard_ablation")
        with_ablation = [c for c in corpora if isinstance(done, Mapping) and c in done]
        return [(c, None) for c in (with_ablation or list(corpora)[:1])]
    if claim.kind == "cross_corpus":
        if len(corpora) < 2:
            return [("+".join(corpora) or "none",
                     f"needs two corpora with shared emotions; this run has only {', '.join(corpora) or 'none'}")]
        return [((a, b), None) for a in corpora for b in corpora if a != b]
    if claim.kind.startswith("eg_"):
        c = emotion_gender_corpus(metrics, corpora)
        if c is None:
            return [("ravdess", "the paper's Figures 3-6 data look like RAVDESS, which is not in this run, and no other "
                                "corpus with both genders was used for the 16-class task")]
        return [(c, None)]
    if claim.corpus is not None:
        if claim.corpus in corpora:
            return [(claim.corpus, None)]
        extra = " (the embedded synthetic corpus only imitates its file layout)" if claim.corpus == "crema-d" else ""
        return [(claim.corpus, f"{_title(claim.corpus)} is not in this run{extra}")]
    return [(c, None) for c in corpora]


def audit_claims(metrics: Mapping, corpora: Sequence[str] | None = None, *, quick: bool = False,
                 claims: Sequence[Claim] = PAPER_CLAIMS) -> pd.DataFrame:
    """Put every claim of the paper beside what this run measured, with a verdict.

    Serves notebook 07_claims_audit. Pure: reads only ``metrics`` (the run's merged ``metrics.json``).

    Args:
        metrics: merged metrics dict.
        corpora: corpus names of the run (default: ``metrics["run"]["corpora"]``, else the corpora in
            ``metrics["data"]``, else ``["embedded"]``).
        quick: the run was a ``--quick`` run (verdicts become "quick run: not evidence (rule gives: ...)").
        claims: the claims to audit.

    Returns:
        DataFrame with :data:`AUDIT_COLUMNS`, then ``claim_id, corpus, source, rule`` and the numbers
        ``paper_value_num, measured_paper_num, measured_honest_num`` (NaN where none) and ``missing_keys`` (the
        metrics keys the rule needed and did not find, ``;``-separated), one row per claim and
        corpus (claims without a named corpus are audited on every corpus of the run; cross-corpus on every
        ordered pair).
    """
    if not isinstance(metrics, Mapping):
        raise ValueError(f"metrics must be a dict (the merged metrics.json), got {type(metrics).__name__}")
    if corpora is None:
        from serlib.reporting.results import run_corpora

        corpora = run_corpora(metrics) or ["embedded"]
    corpora = [str(c) for c in corpora]
    rows = []
    for claim in claims:
        if claim.kind not in _KINDS:
            raise ValueError(f"claim {claim.claim_id!r} has unknown kind {claim.kind!r}")
        for target, untestable in _targets(claim, metrics, corpora):
            corpus_label = "+".join(target) if isinstance(target, tuple) else target
            if untestable:
                row = _row(claim, corpus_label, "not testable here", "not testable here", NOT_TESTABLE, untestable)
                rows.append(row)
                continue
            lk = _Lookup(metrics)
            row = _KINDS[claim.kind](claim, lk, target, corpora)
            notes = [row["note"]] if row["note"] else []
            if row["verdict"] is None:  # a key the rule needs is missing
                row["verdict"] = NOT_MEASURED
            row["missing_keys"] = ";".join(lk.missing)
            if lk.missing:
                notes.insert(0, _missing_note(lk.missing))
            if _is_synthetic(row["corpus"], metrics):
                notes.insert(0, "SYNTHETIC corpus: every measured value here comes from synthetic speech")
                if row["verdict"] in JUDGED:
                    row["verdict"] = SYNTHETIC_ONLY
            if quick and row["verdict"] in JUDGED:
                row["verdict"] = f"{QUICK_ONLY} (rule gives: {row['verdict']})"
            if quick:
                notes.insert(0, "QUICK run: small subsets and few epochs, numbers are not meaningful")
            row["note"] = "; ".join(notes)
            rows.append(row)
    out = pd.DataFrame(rows, columns=CSV_COLUMNS + ["paper_value_num", "measured_paper_num", "measured_honest_num",
                                                    "missing_keys"])
    out["missing_keys"] = out["missing_keys"].fillna("")
    for col in ("paper_value_num", "measured_paper_num", "measured_honest_num"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def verdict_counts(audit: pd.DataFrame) -> pd.Series:
    """How many rows got each verdict (quick-run verdicts grouped)."""
    v = audit["verdict"].str.replace(r" \(rule gives: .*\)$", "", regex=True)
    return v.value_counts()


def reported_vs_measured(audit: pd.DataFrame) -> pd.DataFrame:
    """The audited claims with a reported number and a measured one (notebook 07's figure): ``label``
    (claim and corpus), ``reported``, ``paper_protocol`` and ``honest`` as fractions, and ``corpus``. The
    response time is left out (milliseconds, not a fraction)."""
    from serlib.reporting.run_context import corpus_title

    num = audit.dropna(subset=["paper_value_num"])
    num = num[num[["measured_paper_num", "measured_honest_num"]].notna().any(axis=1)]
    num = num[num["claim_id"] != "response_time_3_2_ms"]
    return pd.DataFrame({"label": num["claim_id"] + " (" + num["corpus"].map(corpus_title) + ")",
                         "reported": num["paper_value_num"], "paper_protocol": num["measured_paper_num"],
                         "honest": num["measured_honest_num"], "corpus": num["corpus"]})


def verdict_lines(audit: pd.DataFrame, run_corpora, *, quick: bool) -> list[str]:
    """Markdown bullets of notebook 07's summary: rows per verdict, the claims under each judged verdict, the
    rows that missing metrics left unjudged, and the QUICK / SYNTHETIC caveats."""
    from serlib.reporting.claims.verdicts import NOT_MEASURED, NOT_TESTABLE, VERDICT_RULES
    from serlib.reporting.run_context import is_synthetic

    lines = [f"- {n} row(s): **{v}**" for v, n in verdict_counts(audit).items()]
    for verdict in VERDICT_RULES["verdict"]:
        rows = audit[audit["verdict"] == verdict]
        if len(rows) and verdict not in (NOT_MEASURED, NOT_TESTABLE):
            lines.append(f"- {verdict}: " + "; ".join(f"{r.claim_id} ({r.corpus})" for r in rows.itertuples()))
    missing = audit[audit["verdict"] == NOT_MEASURED]
    if len(missing):
        lines.append(f"- {len(missing)} row(s) could not be judged because a notebook's metrics are missing from "
                     "this run.")
    if quick:
        lines.append("- This was a QUICK run: every verdict is marked as not evidence.")
    if any(is_synthetic(c) for c in run_corpora):
        lines.append("- Rows measured on the embedded SYNTHETIC corpus are never evidence for or against the paper.")
    return lines
