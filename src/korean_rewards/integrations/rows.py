"""Score engine rows with any reward of this library: one fixed set of numeric keys per reward, never ``None``.

The RL engines want a number for every sample and the same extra keys for every sample (verl takes the key set
of its first sample and raises ``KeyError`` when a later one lacks a key; OpenRLHF turns every ``extra_logs``
value into a tensor). :class:`RowScorer` calls a TRL reward on a batch of :class:`Row` and returns, per row::

    {"score": float, <component>: float, ..., "gold_missing": 0.0 or 1.0}

- ``score``: the reward's value. Where the reward gives ``None``: ``missing_gold_score`` (default 0.0) when the
  row has no readable gold and the reward reads one ("does not apply"; ``gold_missing`` is 1.0 then), else
  ``none_score`` (default: the lowest score of the reward's ``score_range``, 0.0 when it declares none), so a
  ``None`` the model provoked never pays more than an honest answer.
- ``<component>``: for a :func:`~korean_rewards.combine` reward, every component under its own name, as the
  combined reward used it: a component's ``None`` is reported as the value ``combine`` counted for it under its
  ``none`` policy (``"worst"``: its lowest declared score, else the lowest it gave in the same batch; ``"zero"``:
  0.0; ``"skip"``: the value the rescaling gave it, ``sign(weight) * total / sum(|weights|)``; ``"propagate"``,
  which counts none: the ``"worst"`` value).
- ``gold_missing``: 1.0 for a row whose gold is missing (``None``, NaN, ``{"answer": None}``), else 0.0.

Example:
    >>> from korean_rewards import combine, check_numbers_ko, match_format_exactly
    >>> scorer = RowScorer(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix"))
    >>> scorer.keys
    ('score', 'check_numbers_ko', 'match_format_exactly', 'gold_missing')
    >>> rows = [Row("<SOLUTION>42</SOLUTION>", gold="42"), Row("<SOLUTION>42</SOLUTION>", gold=None)]
    >>> [r["score"] for r in scorer.score_rows(rows)], scorer.score_rows(rows)[1]["gold_missing"]
    ([3.5, 0.0], 1.0)
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._trl import gold_text
from ..combining import CombinedReward, declared_range

__all__ = ["Row", "RowScorer", "load_reward", "loads_model", "RESERVED_KEYS"]

#: Keys of every result row; a component of a ``combine`` may not use them as its name.
RESERVED_KEYS = ("score", "gold_missing")


def load_reward(reward: Any) -> Any:
    """A reward callable from a spec (``check_numbers_ko``, ``name(option=value)``, ``module:attr``,
    ``path/to/file.py:attr``) or as given.

    Specs go through the library's one reward resolver, :func:`korean_rewards.registry.resolve_reward`, the same
    as ``korean-rewards score --reward``; a spec that names several rewards raises its ``SpecError`` (combine them
    into one reward).

    Example:
        >>> load_reward("check_numbers_ko(rel_tol=0.01)").__name__
        'check_numbers_ko(rel_tol=0.01)'
        >>> from korean_rewards import match_format_exactly
        >>> load_reward(match_format_exactly) is match_format_exactly
        True
    """
    if not isinstance(reward, str):
        if not callable(reward):
            raise TypeError(f"a reward must be a TRL reward callable or a spec string, got {reward!r}")
        return reward
    from ..registry import resolve_reward

    return resolve_reward(reward)


def loads_model(reward: Any) -> bool:
    """Whether a reward runs a model (it has ``load()``) or is async: its calls are worth batching.

    Example:
        >>> from korean_rewards import check_numbers_ko, bertscore_reward, combine
        >>> loads_model(check_numbers_ko), loads_model(bertscore_reward)
        (False, True)
        >>> loads_model(combine({check_numbers_ko: 1.0, bertscore_reward: 1.0}))
        True
    """
    if isinstance(reward, CombinedReward):
        return any(loads_model(fn) for fn, _ in reward.components)
    if inspect.iscoroutinefunction(reward) or inspect.iscoroutinefunction(getattr(reward, "__call__", None)):
        return True
    return callable(getattr(reward, "load", None))


@dataclass(frozen=True)
class Row:
    """One sample: the completion text, its gold value, other dataset columns, and the prompt (if known).

    Example:
        >>> Row("<SOLUTION>3</SOLUTION>", gold="3", columns={"level": 2}).columns
        {'level': 2}
    """

    completion: str
    gold: Any = None
    columns: Mapping[str, Any] = field(default_factory=dict)
    prompt: Any = None


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        value = float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"the reward {where} returned {value!r}; rewards must be numbers or None") from None
    return None if math.isnan(number) else number


class RowScorer:
    """Calls a TRL reward on batches of :class:`Row` and returns one dict of floats per row (see the module).

    ``reward`` is a reward callable or a spec string (:func:`load_reward`). The gold goes to every gold column
    the reward reads (its ``answer_key``, its components' ones, and ``answer``); ``Row.columns`` are passed as
    dataset columns, ``None`` where a row lacks one. Calls are not thread-safe for rewards that are not;
    :class:`~korean_rewards.integrations.batching.BatchedScorer` calls from one thread.

    Example:
        >>> from korean_rewards import check_numbers_ko
        >>> scorer = RowScorer(check_numbers_ko, missing_gold_score=-1.0)
        >>> scorer.score_rows([Row("정답은 42", gold=None)])
        [{'score': -1.0, 'gold_missing': 1.0}]
    """

    def __init__(self, reward: Any, *, missing_gold_score: float = 0.0, none_score: float | None = None) -> None:
        reward = load_reward(reward)
        if isinstance(reward, CombinedReward) and not reward.log_components:
            reward = dataclasses.replace(reward, log_components=True)  # its per-component values are our keys
        self.reward = reward
        self.name: str = getattr(reward, "__name__", type(reward).__name__)
        self.missing_gold_score = self._finite(missing_gold_score, "missing_gold_score")
        declared = declared_range(reward)
        if none_score is None:
            none_score = declared[0] if declared is not None else 0.0
        self.none_score = self._finite(none_score, "none_score")
        self.components: tuple[str, ...] = reward.component_names if isinstance(reward, CombinedReward) else ()
        clash = [name for name in self.components if name in RESERVED_KEYS]
        if clash:
            raise ValueError(
                f"a component of {self.name} is named {clash[0]!r}, which is a key of every result: "
                "give it another name (name=...)"
            )
        self.keys: tuple[str, ...] = ("score", *self.components, "gold_missing")
        self.gold_keys: tuple[str, ...] = self._gold_keys(reward)
        self.reads_gold: bool = self._reads_gold(reward)

    @staticmethod
    def _finite(value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"{where} must be a finite number, got {value!r}")
        return float(value)

    @staticmethod
    def _gold_keys(reward: Any) -> tuple[str, ...]:
        rewards = [fn for fn, _ in reward.components] if isinstance(reward, CombinedReward) else [reward]
        keys = ["answer"]
        for fn in rewards:
            key = getattr(fn, "answer_key", None)
            if isinstance(key, str) and key and key not in keys:
                keys.append(key)
        return tuple(keys)

    @staticmethod
    def _reads_gold(reward: Any) -> bool:
        """Whether a ``None`` from the reward can mean "no gold": a reward of this library that reads a gold
        column (``needs_gold``), or a plain function with an ``answer`` / ``answer_key`` parameter."""
        rewards = [fn for fn, _ in reward.components] if isinstance(reward, CombinedReward) else [reward]
        for fn in rewards:
            needs = getattr(fn, "needs_gold", None)
            if needs is not None:
                if needs:
                    return True
                continue
            try:
                parameters = inspect.signature(fn).parameters
            except (TypeError, ValueError):
                continue
            if "answer" in parameters or getattr(fn, "answer_key", None) in parameters:
                return True
        return False

    def score_rows(self, rows: Sequence[Row]) -> list[dict[str, float]]:
        """Score a batch of rows with one reward call: one dict with :attr:`keys` per row."""
        if not rows:
            return []
        n = len(rows)
        names = sorted({key for row in rows for key in row.columns} - set(self.gold_keys))
        columns: dict[str, Any] = {name: [row.columns.get(name) for row in rows] for name in names}
        for key in self.gold_keys:
            columns[key] = [row.gold for row in rows]
        logged: dict[str, list[Any]] = {}
        columns["log_extra"] = lambda key, values: logged.__setitem__(key, list(values))
        columns["log_metric"] = lambda key, value: None
        output = self.reward(prompts=[row.prompt for row in rows], completions=[row.completion for row in rows],
                             **columns)
        if inspect.isawaitable(output):  # an async reward: we run in a worker thread, never inside a loop
            output = asyncio.run(_awaited(output))
        scores = [_number(value, self.name) for value in output]
        if len(scores) != n:
            raise ValueError(f"the reward {self.name} returned {len(scores)} values for {n} completions")
        results = []
        for index, (row, score) in enumerate(zip(rows, scores)):
            gold_missing = gold_text(row.gold) is None  # the one missing-gold rule of every reward
            if score is None:
                score = self.missing_gold_score if gold_missing and self.reads_gold else self.none_score
            results.append({"score": score, "gold_missing": float(gold_missing)})
        if self.components:
            self._add_components(results, scores, logged)
        return [{key: result[key] for key in self.keys} for result in results]

    def _add_components(
        self, results: list[dict[str, float]], totals: list[float | None], logged: dict[str, list[Any]]
    ) -> None:
        reward: CombinedReward = self.reward
        weights = [weight for _, weight in reward.components]
        total_abs = sum(abs(weight) for weight in weights)
        columns = []
        for component in self.components:
            values = [_number(value, component) for value in logged.get(f"{reward.__name__}/{component}", [])]
            if len(values) != len(results):
                raise RuntimeError(f"{reward.__name__} logged no per-sample values for {component}")
            columns.append(values)
        worst_values = reward.worst_values(columns)  # combine's own rule for what a None counts as
        for component, weight, values, worst in zip(self.components, weights, columns, worst_values):
            for result, value, total in zip(results, values, totals):
                if value is None:
                    if reward.none == "zero":
                        value = 0.0
                    elif reward.none == "skip" and total is not None and total_abs > 0:
                        value = math.copysign(1.0, weight) * total / total_abs
                    else:
                        value = worst
                result[component] = value


async def _awaited(awaitable: Any) -> Any:
    return await awaitable

