"""Run sizes: the ``quick`` / ``demo`` / ``full`` budgets and the parameters each gives a notebook.

Serves ``run_all.py``."""

from __future__ import annotations

#: Budgets a run can use. ``full``: every notebook's own defaults (the reference run). ``demo``: the notebook
#: parameters in :data:`DEMO_PARAMETERS`, sized so that the default ``python run_all.py`` on the embedded
#: synthetic corpus stays near 10 minutes on 2 CPU cores. ``--quick`` is separate (tiny subsets).
BUDGETS = ("auto", "full", "demo")

#: Parameter overrides of the ``demo`` budget, per notebook (only parameters the notebook declares are passed).
#: Every figure and table of a demo run still comes from that run; they are smaller experiments, and the
#: notebooks print the budget they ran with.
DEMO_PARAMETERS: dict[str, dict] = {
    "03_gan_augmentation": {"n_seeds": 1, "n_folds": 2, "max_epochs": 8, "gan_steps": 400},
    "04_cnn_lstm": {"max_epochs": 10, "n_folds": 2, "run_ablation": False, "run_alternatives": False,
                    "leaderboard_max_epochs": 8},
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
    parameters the notebook ``declared``. ``full`` and ``quick`` override nothing."""
    if budget != "demo":
        return {}
    return {k: v for k, v in DEMO_PARAMETERS.get(notebook, {}).items() if k in declared}
