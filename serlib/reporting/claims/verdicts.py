"""Verdict names, the audit's columns, and the table of verdict rules (one place for every rule).

Serves notebook 07_claims_audit."""

from __future__ import annotations

import pandas as pd

from serlib.reporting.metrics_keys import SECTION_NOTEBOOK
from serlib.targets import CLAIM_LATENCY_TOLERANCE as LATENCY_TOLERANCE
from serlib.targets import CLAIM_TOLERANCE as TOLERANCE

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
#: The number claim is reached, but by a system without the component the claim credits (augmentation).
REPRODUCED_WITHOUT_AUGMENTATION = "reached without augmentation"
#: A comparison claim whose ordering holds while the reported values are far from the measured ones.
ORDERING_ONLY = "ordering reproduced, values not"
#: The claim's quantity is undefined in the paper, or our system is not the one the claim describes.
NOT_COMPARABLE = "not comparable"
NOT_TESTABLE = "not testable here"
NOT_MEASURED = "not measured in this run"
SYNTHETIC_ONLY = "synthetic corpus only: not evidence"
QUICK_ONLY = "quick run: not evidence"

#: Verdicts that judge a claim from a measurement (replaced on synthetic and quick runs, which are no evidence).
JUDGED = (REPRODUCED, NOT_REPRODUCED, REPRODUCED_WITHOUT_AUGMENTATION, ORDERING_ONLY)

#: Required columns of ``claims_audit.csv``, in order.
AUDIT_COLUMNS = ["claim", "paper_value", "measured_paper_protocol", "measured_honest_protocol", "verdict", "note"]
#: Columns written to ``claims_audit.csv`` (the required ones, then identification).
CSV_COLUMNS = AUDIT_COLUMNS + ["claim_id", "corpus", "source", "rule"]

#: Which notebook writes each top-level metrics key (named in "not measured" notes); the contract's own table.
KEY_NOTEBOOK = SECTION_NOTEBOOK


VERDICT_RULES = pd.DataFrame([
    {"verdict": REPRODUCED, "when": "the claim's rule holds for the value measured under the paper's protocol "
                                    f"(numbers: measured >= reported - {TOLERANCE:.2f}, or better; latency: "
                                    f"<= reported x {1 + LATENCY_TOLERANCE:.2f}; comparisons: same ordering)"},
    {"verdict": NOT_REPRODUCED, "when": "the rule does not hold"},
    {"verdict": REPRODUCED_WITHOUT_AUGMENTATION,
     "when": "a number claimed for the augmented system is reached by our CNN-LSTM trained without augmentation "
             "(so the number does not show what augmentation adds)"},
    {"verdict": ORDERING_ONLY, "when": f"a comparison whose ordering holds while a measured value is more than "
                                       f"{TOLERANCE:.2f} from the reported one"},
    {"verdict": NOT_COMPARABLE, "when": "the paper does not define the quantity (response time, overhead), reports "
                                        "no number for it, describes a system ours cannot match (a tree of "
                                        "unknown depth), or the data cannot pose the question (no emotion is "
                                        "rarer than another); the measured values are shown"},
    {"verdict": NOT_TESTABLE, "when": "the claim needs a corpus (or two corpora) that this run does not have"},
    {"verdict": NOT_MEASURED, "when": "a metrics key the rule needs is missing from metrics.json (named in the "
                                      "note, with the notebook that writes it)"},
    {"verdict": SYNTHETIC_ONLY, "when": "the measurement comes from the embedded synthetic corpus only"},
    {"verdict": QUICK_ONLY + " (rule gives: ...)", "when": "a --quick run (small subsets, few epochs)"},
])
