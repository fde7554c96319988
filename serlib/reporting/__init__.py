"""Reporting (every notebook, run_all.py): the run context, progress, results, the literature and the audit.

- :mod:`serlib.reporting.run_context` - :class:`RunContext` (figures, tables, metrics, provenance of a run).
- :mod:`serlib.reporting.progress` - progress bars to run_all's terminal, noise stripped from notebooks.
- :mod:`serlib.reporting.results` - headline tables for the README and the notebooks, from ``metrics.json``.
- :mod:`serlib.reporting.formatting` - one definition of a percentage in tables and text.
- :mod:`serlib.reporting.literature` - the paper's Table 1 as data.
- :mod:`serlib.reporting.claims` - the paper's reported values and the claims audit (notebook 07)."""
