"""The work budget: a deterministic cap on how many number readings one completion may cost (issue 17).

Reading numbers is bounded by construction (see ``docs/number-parsing.md``, "Work bound"): every candidate
position is read with bounded look-ahead and the answer readers look at a fixed number of spans. The budget is
the safety net under that bound, should a future rule break it: each reading attempt (one call of
:func:`~korean_rewards.numbers.reading._readings`, the only place where a number is read) spends one step plus
one per reading it returns. Once a completion's budget is spent, every further attempt reads nothing, so the
rest of the scan runs at regex speed and ends; the reward gives that completion its worst score and warns once
with its length and a hash. There are no signals and no clocks: the count is the same in the main thread, in
threads and in forked workers (the budget lives in a :class:`contextvars.ContextVar`, one per thread).

Outside a reward (a direct call of :func:`~korean_rewards.numbers.find_numbers` and friends) there is no budget:
the bound by construction alone applies, so a megabyte of numbers is still read whole.

Example:
    >>> from korean_rewards.numbers import find_numbers
    >>> with work_budget(10) as budget:
    ...     small = find_numbers("3개와 5개")
    >>> [m.value for m in small], budget.exhausted
    ([Fraction(3, 1), Fraction(5, 1)], False)
    >>> with work_budget(10) as budget:
    ...     many = find_numbers("1 2 3 4 5 6 7 8 9 10 11 12")
    >>> len(many) < 12, budget.exhausted
    (True, True)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from .._util import warn

__all__ = ["DEFAULT_WORK_BUDGET", "WorkBudget", "set_work_budget", "work_budget"]

#: Reading attempts one completion may cost in a reward. The rewards read at most a few windows of 4,096
#: characters and a few dozen answer spans of 400 characters, about 50,000 attempts at the very worst (a few
#: hundred milliseconds), so an honest completion never reaches this; it only stops a reading that a future rule
#: made unbounded, after a few seconds at most.
DEFAULT_WORK_BUDGET = 1_000_000

_default = DEFAULT_WORK_BUDGET
_current: ContextVar[WorkBudget | None] = ContextVar("korean_rewards_work_budget", default=None)
T = TypeVar("T")


class WorkBudget:
    """The reading attempts left to one completion; ``exhausted`` once they ran out.

    Example:
        >>> budget = WorkBudget(2)
        >>> budget.spend(1), budget.spend(1), budget.spend(1), budget.exhausted
        (True, True, False, True)
    """

    __slots__ = ("limit", "left", "exhausted")

    def __init__(self, limit: int) -> None:
        self.limit, self.left, self.exhausted = limit, limit, False

    def spend(self, steps: int) -> bool:
        """Take ``steps`` from the budget; False (and ``exhausted``) once it is spent."""
        self.left -= steps
        if self.left < 0:
            self.exhausted = True
        return not self.exhausted


def _spend(steps: int) -> bool:
    """Spend ``steps`` of the current budget, if any; False when reading must stop."""
    budget = _current.get()
    return budget is None or budget.spend(steps)


def set_work_budget(steps: int) -> int:
    """Set the work budget of every reward's reading of one completion (reading attempts); returns the old one.

    Example:
        >>> old = set_work_budget(50_000)
        >>> set_work_budget(old)
        50000
    """
    global _default
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(
            f"set_work_budget: steps must be a positive int (default {DEFAULT_WORK_BUDGET}), got {steps!r}"
        )
    old, _default = _default, steps
    return old


@contextmanager
def work_budget(steps: int | None = None) -> Iterator[WorkBudget]:
    """A fresh budget of ``steps`` reading attempts (default: :func:`set_work_budget`'s) for the code inside.

    Example:
        >>> from korean_rewards.numbers import last_number
        >>> with work_budget() as budget:
        ...     value = last_number("답은 삼백오십").value
        >>> value, budget.exhausted
        (Fraction(350, 1), False)
    """
    budget = WorkBudget(_default if steps is None else steps)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def _read_within_budget(reward: str, text: str, read: Callable[..., T], *args: Any) -> tuple[T | None, bool]:
    """``read(*args)`` under a fresh budget: ``(result, False)``, or ``(None, True)`` after one warning that names
    the completion by its length and a hash, when reading it ran out of budget (the caller then gives its worst
    score)."""
    with work_budget() as budget:
        result = read(*args)
    if not budget.exhausted:
        return result, False
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16] if isinstance(text, str) else "-"
    size = len(text) if isinstance(text, str) else 0
    warn(
        f"{reward}: reading the numbers of a completion of {size} characters (sha256 {digest}) ran past the work "
        f"budget of {budget.limit} reading attempts; it gets this reward's worst score. Please report the text "
        "(korean_rewards.numbers.set_work_budget changes the budget).",
        RuntimeWarning,
    )
    return None, True
