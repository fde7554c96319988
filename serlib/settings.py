"""Run sizes: the ``quick`` / ``demo`` / ``full`` budgets and the parameters each gives a notebook.

One mechanism: a budget is a set of notebook-parameter overrides (:data:`RUN_SIZES`), passed by ``run_all.py``
through papermill; the notebooks hold no size ternaries of their own. ``full`` is every notebook's own defaults.

Serves ``run_all.py``."""

from __future__ import annotations

#: Budgets a run can use. ``full``: every notebook's own defaults (the reference run). ``demo``: the notebook
#: parameters in ``RUN_SIZES["demo"]``, sized so that the default ``python run_all.py`` on the embedded
#: synthetic corpus stays near 10 minutes on 2 CPU cores. ``--quick`` selects ``RUN_SIZES["quick"]``.
BUDGETS = ("auto", "full", "demo")

#: Utterances per (speaker, emotion) the demo budget's training notebooks (03-05) keep: about 4 of the embedded
#: corpus's 10 (``serlib.data.corpus_config.load_corpora``'s ``per_group``).
DEMO_PER_GROUP = 4

#: Parameter overrides of each budget, per notebook (only parameters the notebook declares are passed).
#: ``demo``: every figure and table still comes from the run; they are smaller experiments (a subset of each
#: speaker's utterances, one seed, so their intervals resample speakers only; notebook 03 trains four of its
#: conditions; notebook 06 times tens of calls, not hundreds), and the notebooks print the budget they ran with.
#: ``quick`` (``--quick``, CI): tiny subsets (``load_corpora(quick=True)``), one seed, a few epochs; numbers are
#: not meaningful.
RUN_SIZES: dict[str, dict[str, dict]] = {
    "quick": {
        "03_gan_augmentation": {"n_seeds": 1, "n_folds": 2, "max_epochs": 3, "gan_steps": 120, "n_boot": 300},
        "04_cnn_lstm": {"n_seeds": 1, "max_epochs": 3, "n_boot": 200, "n_folds": 2, "snr_levels": [10, 0]},
    },
    "demo": {
        "03_gan_augmentation": {"per_group": DEMO_PER_GROUP, "n_seeds": 1, "n_folds": 2, "max_epochs": 6,
                                "gan_steps": 300, "n_boot": 300,
                                "conditions": ["none", "classic", "gan", "gan_filtered_100pct"]},
        "04_cnn_lstm": {"per_group": DEMO_PER_GROUP, "n_seeds": 1, "max_epochs": 8, "n_folds": 2,
                        "run_ablation": False, "run_alternatives": False, "leaderboard_max_epochs": 6,
                        "snr_levels": [10, 0], "n_boot": 300},
        "05_baselines": {"per_group": DEMO_PER_GROUP, "n_seeds": 1, "n_boot": 300},
        "06_latency_comparison": {"short_timing": True},
    },
}


def resolve_budget(budget: str, corpora: dict[str, str] | None, quick: bool) -> str:
    """The budget a run actually uses: ``auto`` is ``demo`` on the embedded corpus and ``full`` otherwise.

    Serves ``run_all.py``. Quick runs report ``quick`` (their own subsets and epochs apply).

    Raises:
        ValueError: an unknown budget name.
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    if quick:
        return "quick"
    if budget == "auto":
        embedded_only = not corpora or set(corpora) == {"embedded"}
        return "demo" if embedded_only else "full"
    return budget


def budget_parameters(notebook: str, budget: str, declared) -> dict:
    """Parameter overrides of ``budget`` for ``notebook`` (a stem like ``"04_cnn_lstm"``), restricted to the
    parameters the notebook ``declared``. ``full`` overrides nothing."""
    return {k: v for k, v in RUN_SIZES.get(budget, {}).get(notebook, {}).items() if k in declared}
