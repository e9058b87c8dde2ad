"""What a reward needs to know of the ``GRPOTrainer`` that calls it, on every supported TRL release.

TRL 1.x passes ``log_metric`` and ``log_extra`` to reward functions; TRL 0.22-0.29 pass neither. So that the
logs are the same on every stack, this module finds the calling trainer and

- records a scalar metric straight into the trainer's own metric store (``trainer._metrics[mode][name]``, which
  every TRL release averages over a logging window and hands to ``Trainer.log``), under exactly the key that
  ``log_metric`` would use (:func:`record_metrics`);
- warns once per process where extra completion columns cannot be shown (:func:`warn_no_extra_columns`);
- refuses two rewards with the same name in one trainer, whose curves would be mixed up
  (:func:`check_unique_reward_names`).

The trainer is found by walking a few frames up from the reward call (:func:`find_in_stack`, once per
training run: :func:`calling_trainer` remembers it by TRL's ``trainer_state``), and only when the call carries
``trainer_state`` (every TRL release passes it), so a reward called directly costs nothing extra.
"""

from __future__ import annotations

import math
import sys
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._util import warn_once

__all__ = ["calling_trainer", "check_unique_reward_names", "find_in_stack", "record_metrics", "warn_no_extra_columns"]

_MAX_DEPTH = 16
_checked_trainers: weakref.WeakSet[Any] = weakref.WeakSet()
# trainer_state -> weak reference to the trainer that passed it (weak both ways: no trainer is kept alive here)
_trainer_of_state: weakref.WeakKeyDictionary[Any, weakref.ref[Any]] = weakref.WeakKeyDictionary()


def find_in_stack(matches: Callable[[Any], bool], depth: int = _MAX_DEPTH) -> Any | None:
    """The first ``self`` up the call stack (from the caller of this function, ``depth`` frames at most) for which
    ``matches(self)`` is true, else ``None``: the one stack walker of the library (the reward-side trainer lookup
    below and the evaluation callback's own trainer lookup use it).

    Example:
        >>> class Owner:
        ...     def run(self):
        ...         return find_in_stack(lambda candidate: isinstance(candidate, Owner))
        >>> owner = Owner()
        >>> owner.run() is owner, find_in_stack(lambda candidate: isinstance(candidate, Owner)) is None
        (True, True)
    """
    frame = sys._getframe(1)
    try:
        for _ in range(depth):
            if frame is None:
                return None
            candidate = frame.f_locals.get("self")
            if candidate is not None and matches(candidate):
                return candidate
            frame = frame.f_back
    finally:
        del frame
    return None


def _is_reward_trainer(candidate: Any) -> bool:
    """What the reward plumbing of every TRL release has: a ``reward_funcs`` list and a ``_metrics`` dict."""
    return isinstance(getattr(candidate, "_metrics", None), dict) and isinstance(
        getattr(candidate, "reward_funcs", None), list
    )


def calling_trainer(kwargs: Mapping[str, Any]) -> Any | None:
    """The GRPO-style trainer up the call stack of a reward call, or ``None`` (always ``None`` outside a trainer).

    A trainer is recognised by what the reward plumbing of every TRL release has: a ``reward_funcs`` list and a
    ``_metrics`` dict. Only calls that carry TRL's ``trainer_state`` keyword are looked at, and the stack is walked
    once per ``trainer_state`` object (the trainer's ``state``, the same object in every call of a training run):
    the other rewards of the batch, the components of a :func:`~korean_rewards.combine` and later batches find
    the trainer without walking the stack again.

    Example:
        >>> calling_trainer({"answer": ["3"]}) is None   # a direct call: no trainer_state, no search
        True
        >>> class FakeTrainer:
        ...     reward_funcs, _metrics = [], {"train": {}}
        ...     def step(self):
        ...         return calling_trainer({"trainer_state": None})
        >>> trainer = FakeTrainer()
        >>> trainer.step() is trainer
        True
    """
    if "trainer_state" not in kwargs:
        return None
    state = kwargs["trainer_state"]
    try:
        known = _trainer_of_state.get(state)
    except TypeError:  # None or an object without weak references: walk every time
        known = None
    trainer = known() if known is not None else None
    if trainer is not None:
        return trainer
    trainer = find_in_stack(_is_reward_trainer)
    if trainer is not None:
        try:
            _trainer_of_state[state] = weakref.ref(trainer)
        except TypeError:
            pass
    return trainer


def record_metrics(trainer: Any, values: Mapping[str, Sequence[float | None]]) -> None:
    """Log each batch mean of ``values`` (``{metric name: per-sample values}``) in ``trainer``'s metric store.

    This is the fallback for ``log_metric`` on TRL releases that do not pass it: the key is the same, the value
    is the batch mean of the present values (``None`` and NaN skipped), averaged over processes like TRL 1.x
    does, and a metric with no present value in any process is skipped for the batch (no NaN in the logs).
    Every process must call it with the same names in the same order (a reward runs on every rank, so it does).

    Example:
        >>> class FakeTrainer:
        ...     class model:
        ...         training = True
        ...     _metrics = {"train": {}, "eval": {}}
        >>> trainer = FakeTrainer()
        >>> record_metrics(trainer, {"mix/em": [1.0, 0.0, None], "mix/bleurt": [None, None, None]})
        >>> trainer._metrics["train"]
        {'mix/em': [0.5]}
    """
    names = list(values)
    local: list[tuple[float, int]] = []
    for name in names:
        present = [float(v) for v in values[name] if v is not None and not math.isnan(float(v))]
        local.append((sum(present) / len(present), 1) if present else (0.0, 0))
    per_rank = [local]
    accelerator = getattr(trainer, "accelerator", None)
    if accelerator is not None and getattr(accelerator, "num_processes", 1) > 1:
        from accelerate.utils import gather_object

        per_rank = gather_object([local])
    model = getattr(trainer, "model", None)
    mode = "train" if getattr(model, "training", True) else "eval"
    store = trainer._metrics.setdefault(mode, {})
    for index, name in enumerate(names):
        total = sum(rank[index][0] for rank in per_rank)
        count = sum(rank[index][1] for rank in per_rank)
        if count:
            store.setdefault(name, []).append(total / count)


def warn_no_extra_columns(reward_name: str) -> None:
    """Warn once per process that this TRL release cannot show a reward's extra completion columns.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_no_extra_columns("doc_example_reward")
        ...     warn_no_extra_columns("doc_example_reward")
        >>> len(caught)
        1
    """
    warn_once(
        "trl-passes-no-log-extra",
        f"this TRL release passes no `log_extra` to reward functions (TRL 1.0 added it), so the extra "
        f"completion-table columns of korean-rewards (e.g. {reward_name}/extracted) are not shown; rewards and "
        f"per-component means are logged as usual. Upgrade TRL to see them."
    )


def check_unique_reward_names(trainer: Any) -> None:
    """Raise ``ValueError`` when two of ``trainer``'s reward functions share a name (checked once per trainer).

    TRL logs each reward as ``rewards/<name>/mean``: two rewards with one name would mix their curves.

    Example:
        >>> class FakeTrainer:
        ...     reward_func_names = ["check_numbers_ko", "check_numbers_ko"]
        >>> check_unique_reward_names(FakeTrainer())
        Traceback (most recent call last):
        ...
        ValueError: two reward functions passed to the trainer are named 'check_numbers_ko', so their logged curves (rewards/check_numbers_ko/mean) would be mixed up: give each its own name, e.g. CheckNumbersKo(..., name='check_numbers_ko_strict') or combine(..., name='...')
    """
    try:
        if trainer in _checked_trainers:
            return
    except TypeError:  # not weak-referenceable: check every time
        pass
    names = list(getattr(trainer, "reward_func_names", None) or [])
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(
                f"two reward functions passed to the trainer are named {name!r}, so their logged curves "
                f"(rewards/{name}/mean) would be mixed up: give each its own name, e.g. "
                f"CheckNumbersKo(..., name='{name}_strict') or combine(..., name='...')"
            )
        seen.add(name)
    try:
        _checked_trainers.add(trainer)
    except TypeError:
        pass
