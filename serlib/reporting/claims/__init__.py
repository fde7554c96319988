"""The claims audit (notebook 07): the paper's reported values, the verdict rules, and the audit.

- :mod:`serlib.reporting.claims.reported` - every reported value with its source in the paper.
- :mod:`serlib.reporting.claims.verdicts` - the verdict names and the table of rules.
- :mod:`serlib.reporting.claims.rules` - one function per kind of claim, reading ``metrics.json``.
- :mod:`serlib.reporting.claims.deployment_rules` - the rules for response time, real-time use and overhead.
- :mod:`serlib.reporting.claims.audit` - :func:`audit_claims`: every claim beside what a run measured."""

from serlib.reporting.claims.audit import (  # noqa: F401
    audit_claims,
    emotion_gender_corpus,
    reported_vs_measured,
    verdict_counts,
    verdict_lines,
)
from serlib.reporting.claims.measured import NOT_CORPUS_SPECIFIC  # noqa: F401
from serlib.reporting.claims.reported import (  # noqa: F401
    PAPER_CLAIMS,
    PAPER_DATASETS,
    REPORTED_TRAINING_REPORTS,
    Claim,
    reported_training_report,
    reported_values_table,
)
from serlib.reporting.claims.rules import _KINDS  # noqa: F401
from serlib.reporting.claims.verdicts import (  # noqa: F401
    AUDIT_COLUMNS,
    CSV_COLUMNS,
    JUDGED,
    KEY_NOTEBOOK,
    NOT_COMPARABLE,
    NOT_MEASURED,
    NOT_REPRODUCED,
    NOT_TESTABLE,
    ORDERING_ONLY,
    QUICK_ONLY,
    REPRODUCED,
    REPRODUCED_WITHOUT_AUGMENTATION,
    SYNTHETIC_ONLY,
    VERDICT_RULES,
)
from serlib.targets import CLAIM_GAN_MIN_GAIN as GAN_MIN_GAIN  # noqa: F401
from serlib.targets import CLAIM_LATENCY_TOLERANCE as LATENCY_TOLERANCE  # noqa: F401
from serlib.targets import CLAIM_TOLERANCE as TOLERANCE  # noqa: F401
