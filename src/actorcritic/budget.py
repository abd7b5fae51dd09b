"""The one switch between the book's full budget and CI's quick one.

Every chapter asks ``pick(full=..., quick=...)`` for its sizes (steps, seeds,
episodes). The environment variable ``ACTORCRITIC_BUDGET`` chooses: unset or
``full`` gives the full budget (the book, the learning tests); ``quick`` gives
tiny sizes so that CI can check that a notebook runs top to bottom.
"""

from __future__ import annotations

import os
from typing import TypeVar

ENV_VAR = "ACTORCRITIC_BUDGET"
BUDGETS = ("full", "quick")

T = TypeVar("T")


def budget() -> str:
    """Return ``"full"`` or ``"quick"``, read from ``ACTORCRITIC_BUDGET``."""
    value = os.environ.get(ENV_VAR, "full").strip().lower() or "full"
    if value not in BUDGETS:
        raise ValueError(f"{ENV_VAR} must be one of {BUDGETS}, got {value!r}")
    return value


def is_quick() -> bool:
    """True when the quick (CI) budget is selected."""
    return budget() == "quick"


def pick(full: T, quick: T) -> T:
    """Return ``full`` or ``quick`` according to the selected budget."""
    return quick if is_quick() else full
