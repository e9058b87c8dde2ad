"""One reward from several: :func:`combine` and the team's Malpyeong reward.

(The leaderboard's final score, :func:`~korean_rewards.malpyeong.malpyeong_final_score`, lives with the other
말평 rules in :mod:`korean_rewards.malpyeong`; it stays importable from here.)

:func:`combine` turns weighted TRL reward callables (ours or anyone's) into a single TRL reward callable whose
value is the weighted sum. Use it when the weighted total should be *one* reward (one ``rewards/<name>/mean``
curve, one value for GRPO's advantage), and still see every component: when the trainer passes ``log_metric``
and ``log_extra`` (TRL >= 1.0), the combined reward logs each component's batch mean as
``<name>/<component>`` and its per-sample values as a ``<name>/<component>`` column of the completions table.
On older TRL releases (0.22-0.29), which pass neither, the means go straight into the trainer's own metrics under
the same ``<name>/<component>`` keys (so ``trainer.state.log_history``, W&B and TensorBoard show them on every
stack, ``None`` / NaN skipped); the per-sample columns cannot be shown there, which a one-time warning says.

``None`` values (a component that cannot score a sample; a NaN counts as ``None``) follow the ``none`` policy:

- ``"worst"`` (default): a ``None`` counts as that component's worst score, the lowest of its ``score_range``
  (the highest for a negative weight), so that no completion gains by making a component return ``None``.
  The range comes from ``ranges={reward: (low, high)}``, else the reward's ``score_range`` attribute (every
  reward of this library has one; set ``my_reward.score_range = (0.0, 1.0)`` on your own function). A component
  with no declared range counts a ``None`` as the worst score it gave in the same call (TRL scores a whole
  generation batch in one call), or 0.0 when it gave none. ``None`` when every component is ``None``, or when
  a component of this library that reads a gold column has none for the sample (TRL then ignores the sample:
  "does not apply");
- ``"skip"``: leave the component out of that sample and rescale the rest by
  ``sum(|w| of all components) / sum(|w| of the components present)``, so the scale of the total stays the same;
  ``None`` when every component is ``None``. **Risk:** the missing component is filled, in effect, with the mean
  per-weight score of the others, which can lie far above the component's own maximum: when the model controls
  the ``None`` (no reasoning, no letters), GRPO learns to produce it. Use it only for components that return
  ``None`` because of the data, never because of what the model wrote; ``korean-rewards audit`` finds such holes;
- ``"zero"``: count a ``None`` as 0.0 (a gain for the model when 0.0 lies above the component's lowest score);
- ``"propagate"``: the sample's total is ``None`` as soon as one component is ``None``.

The per-component values that the combined reward logs are the components' own, ``None`` left out, whatever the
policy.

Logging across processes: TRL reduces each ``log_metric`` name with collective operations keyed by name, so
every rank must log the same names in every batch or the ranks hang or mix metrics up. The combined reward
therefore logs every component on every call. A component whose whole local batch is ``None`` logs ``NaN``,
the same convention TRL uses for its own ``rewards/<name>/mean``: that step's cross-rank mean becomes NaN,
and TRL (1.16) drops NaN entries when it averages a logging window; logging 0.0 instead would bias the curve.

Example:
    >>> from korean_rewards import malpyeong_em_reward, malpyeong_format_reward
    >>> reward = combine({malpyeong_em_reward: 2.0, malpyeong_format_reward: 1.0}, name="em_and_format")
    >>> gold = '"깨끗이"가 옳다. 어근이 ㅅ 받침이다.'
    >>> reward(completions=['"깨끗이"가 옳다. 이유', '"깨끗히"가 옳다.'], answer=[gold, gold])
    [3.0, 0.0]
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._trainer import calling_trainer, check_unique_reward_names, record_metrics, warn_no_extra_columns
from ._trl import RewardFunction, gold_texts
from .malpyeong import BLEURT_MISSING, malpyeong_final_score  # noqa: F401 - importable from here, as before

__all__ = [
    "NONE_POLICIES",
    "combine",
    "CombinedReward",
    "check_range",
    "declared_range",
    "malpyeong_reward",
]

#: Accepted values of ``none`` (see the module docstring).
NONE_POLICIES = ("worst", "skip", "zero", "propagate")

#: The team formula ``(BERT + EM + (Format + 3*ROUGE)/2) / 3`` as weights.
MALPYEONG_WEIGHTS = {"bertscore": 1 / 3, "em": 1 / 3, "format": 1 / 6, "rouge1": 1 / 2}


def _check_weight(weight: Any, where: str) -> float:
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
        raise TypeError(f"the weight of {where} must be a finite number, got {weight!r}")
    return float(weight)


def _check_component(fn: Any) -> Any:
    if isinstance(fn, str):
        raise TypeError(
            f"combine takes reward callables, got the string {fn!r}: load reward models yourself and pass them "
            "to GRPOTrainer(reward_funcs=...) directly"
        )
    if not callable(fn):
        raise TypeError(f"combine takes reward callables (fn(prompts, completions, **kwargs)), got {fn!r}")
    if hasattr(fn, "forward") and hasattr(fn, "parameters"):
        raise TypeError("combine cannot wrap a reward model (nn.Module): pass it to GRPOTrainer(reward_funcs=...)")
    if inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None)):
        raise TypeError(f"combine needs synchronous reward functions; {_component_name(fn)} is async")
    return fn


def _component_name(fn: Any) -> str:
    name = getattr(fn, "__name__", None)
    if isinstance(name, str) and name:
        return name
    return type(fn).__name__


def _render_weight(weight: float) -> str:
    return f"{weight:.4g}"


def check_range(value: Any, where: str) -> tuple[float, float]:
    """A declared score range ``(low, high)`` as floats; ``TypeError``/``ValueError`` naming ``where`` otherwise.

    Example:
        >>> check_range((0, 1), "my_reward")
        (0.0, 1.0)
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"the score range of {where} must be a pair (low, high), got {value!r}")
    low, high = (_check_weight(bound, f"the score range of {where}") for bound in value)
    if low > high:
        raise ValueError(f"the score range of {where} must be (low, high) with low <= high, got {value!r}")
    return low, high


def declared_range(fn: Any) -> tuple[float, float] | None:
    """The score range a reward callable declares through a ``score_range`` attribute, or ``None``.

    Example:
        >>> from korean_rewards import check_numbers_ko
        >>> declared_range(check_numbers_ko)
        (-2.5, 3.5)
        >>> def plain(completions, **kwargs):
        ...     return [1.0 for _ in completions]
        >>> declared_range(plain) is None
        True
        >>> plain.score_range = (0, 1)
        >>> declared_range(plain)
        (0.0, 1.0)
    """
    try:
        value = getattr(fn, "score_range", None)
    except Exception:  # noqa: BLE001 - a property that fails declares nothing
        return None
    if value is None:
        return None
    return check_range(value, _component_name(fn))


def _as_value(value: Any, component: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # numpy / torch scalars
        except (TypeError, ValueError):
            raise TypeError(f"the reward {component} returned {value!r}; rewards must be numbers or None") from None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass(eq=False)
class CombinedReward:
    """A TRL reward callable: the weighted sum of other reward callables (build it with :func:`combine`).

    ``components`` is a tuple of ``(reward, weight)``; ``none`` is the ``None`` policy (``"worst"``, ``"skip"``,
    ``"zero"`` or ``"propagate"``); ``ranges`` gives the score range of components by reward (it wins over their
    own ``score_range``); ``name`` becomes ``__name__`` (else a formula of the components); ``log_components=False``
    turns the per-component logging off. Each component is called once per batch with exactly the arguments
    the trainer passed, so their own ``log_extra`` / ``log_metric`` calls still reach the trainer.
    Picklable when its components are.

    Example:
        >>> from korean_rewards import malpyeong_format_reward
        >>> reward = CombinedReward(((malpyeong_format_reward, 0.5),), name="half_format")
        >>> reward.__name__, reward(completions=['"가"가 옳다. 이유'])
        ('half_format', [0.5])
    """

    components: tuple[tuple[Any, float], ...]
    none: str = "worst"
    name: str | None = None
    log_components: bool = True
    ranges: Any = None
    component_names: tuple[str, ...] = field(init=False, repr=False)
    component_ranges: tuple[tuple[float, float] | None, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.components, Mapping) or not isinstance(self.components, Iterable):
            raise TypeError("CombinedReward.components must be a tuple of (reward, weight) pairs; use combine()")
        pairs = []
        for item in self.components:
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise TypeError(f"each component must be a (reward, weight) pair, got {item!r}")
            fn, weight = item
            fn = _check_component(fn)
            pairs.append((fn, _check_weight(weight, _component_name(fn))))
        if not pairs:
            raise ValueError("combine needs at least one (reward, weight) pair")
        seen: set[int] = set()
        for fn, _ in pairs:
            if id(fn) in seen:
                raise ValueError(f"the reward {_component_name(fn)} is listed twice: list it once with the summed weight")
            seen.add(id(fn))
        if self.none not in NONE_POLICIES:
            raise ValueError(f"none must be one of {NONE_POLICIES}, got {self.none!r}")
        if self.name is not None and (not isinstance(self.name, str) or not self.name):
            raise TypeError(f"name must be a non-empty string, got {self.name!r}")
        self.components = tuple(pairs)
        names: list[str] = []
        for fn, _ in pairs:
            component = _component_name(fn)
            if component in names:
                raise ValueError(
                    f"two components of this combine are named {component!r}, so their logged means "
                    f"(<name>/{component}) would be mixed up: give one its own name, e.g. "
                    f"CheckNumbersKo(..., name='{component}_strict')"
                )
            names.append(component)
        self.component_names = tuple(names)
        self.component_ranges = self._resolve_ranges(pairs, names)
        self.__name__ = self.name or self._derive_name()

    def _resolve_ranges(self, pairs: list[tuple[Any, float]], names: list[str]) -> tuple[tuple[float, float] | None, ...]:
        given: dict[int, tuple[float, float]] = {}
        if self.ranges is not None:
            if not isinstance(self.ranges, Mapping):
                raise TypeError(f"ranges must be a dict {{reward: (low, high)}}, got {type(self.ranges).__name__}")
            listed = {id(fn) for fn, _ in pairs}
            for fn, value in self.ranges.items():
                if id(fn) not in listed:
                    raise ValueError(f"ranges names {_component_name(fn)}, which is not a component of this combine")
                given[id(fn)] = check_range(value, _component_name(fn))
        return tuple(given.get(id(fn)) or declared_range(fn) for (fn, _), name in zip(pairs, names))

    @property
    def score_range(self) -> tuple[float, float] | None:
        """The range of the combined score: the weighted sum of the components' ranges (``None`` if one is unknown).

        With ``none="skip"`` the rescaling can leave this range, so it is ``None`` then.

        Example:
            >>> from korean_rewards import malpyeong_em_reward, malpyeong_format_reward
            >>> combine({malpyeong_em_reward: 2.0, malpyeong_format_reward: -1.0}).score_range
            (-1.0, 2.0)
        """
        if self.none == "skip" or any(r is None for r in self.component_ranges):
            return None
        low = sum(min(w * r[0], w * r[1]) for (_, w), r in zip(self.components, self.component_ranges))  # type: ignore[index]
        high = sum(max(w * r[0], w * r[1]) for (_, w), r in zip(self.components, self.component_ranges))  # type: ignore[index]
        return low, high

    def _derive_name(self) -> str:
        terms = []
        for (_, weight), component in zip(self.components, self.component_names):
            term = f"{_render_weight(abs(weight))}*{component}"
            terms.append(("-" if weight < 0 else "+") + term if terms else ("-" if weight < 0 else "") + term)
        return f"combine({''.join(terms)})"

    @property
    def weights(self) -> dict[str, float]:
        """The weight of each component, by component name.

        Example:
            >>> from korean_rewards import malpyeong_format_reward
            >>> combine([(malpyeong_format_reward, 0.25)]).weights
            {'malpyeong_format_reward': 0.25}
        """
        return {name: weight for name, (_, weight) in zip(self.component_names, self.components)}

    def __call__(
        self,
        prompts: Any = None,
        completions: Any = None,
        completion_ids: Any = None,
        **kwargs: Any,
    ) -> list[float | None]:
        if completions is None:
            raise TypeError(f"{self.__name__} was called without `completions`")
        trainer = calling_trainer(kwargs)
        if trainer is not None:
            check_unique_reward_names(trainer)
        n = len(completions)
        columns: list[list[float | None]] = []
        for (fn, _), component in zip(self.components, self.component_names):
            output = fn(prompts=prompts, completions=completions, completion_ids=completion_ids, **kwargs)
            values = [_as_value(value, component) for value in output]
            if len(values) != n:
                raise ValueError(f"the reward {component} returned {len(values)} values for {n} completions")
            columns.append(values)
        weights = [weight for _, weight in self.components]
        total_abs = sum(abs(weight) for weight in weights)
        worst = self.worst_values(columns) if self.none == "worst" else []
        no_gold = self._rows_without_gold(kwargs, n) if self.none == "worst" else set()
        combined = [
            None if index in no_gold else self._combine_row(row, weights, total_abs, worst)
            for index, row in enumerate(zip(*columns))
        ]
        if self.log_components:
            self._log(columns, kwargs, trainer)
        return combined

    def _rows_without_gold(self, kwargs: dict[str, Any], n: int) -> set[int]:
        """Rows without a gold for a component of this library that reads one ("does not apply"), as the one
        gold reader (:func:`korean_rewards._trl.gold_texts`) sees them; a nested combine asks its components."""
        rows: set[int] = set()
        for fn, _ in self.components:
            if isinstance(fn, CombinedReward):
                if fn.none in ("worst", "propagate"):
                    rows |= fn._rows_without_gold(kwargs, n)
            elif isinstance(fn, RewardFunction) and fn.needs_gold:
                golds = gold_texts(kwargs, getattr(fn, "answer_key", "answer"), n, fn.__name__)
                rows.update(i for i, gold in enumerate(golds) if gold is None)
        return rows

    def worst_values(self, columns: Sequence[Sequence[float | None]]) -> list[float]:
        """What a ``None`` counts as for each component under ``"worst"``, given each component's values in one
        call (``columns``, in component order): the end of its declared range that lowers the total, else the
        worst value it gave in this call (0.0 if it gave none).

        Example:
            >>> def loud(completions, **kwargs):
            ...     return [1.0 if "!" in text else None for text in completions]
            >>> loud.score_range = (0.0, 2.0)
            >>> def quiet(completions, **kwargs):
            ...     return [0.5 if "." in text else None for text in completions]
            >>> combine({loud: 1.0, quiet: -2.0}).worst_values([[1.0, None], [0.5, None]])
            [0.0, 0.5]
        """
        worst = []
        weights = [weight for _, weight in self.components]
        for values, weight, declared in zip(columns, weights, self.component_ranges):
            if declared is not None:
                low, high = declared
            else:
                present = [value for value in values if value is not None]
                low, high = (min(present), max(present)) if present else (0.0, 0.0)
            worst.append(low if weight >= 0 else high)
        return worst

    def _combine_row(
        self, row: tuple[float | None, ...], weights: list[float], total_abs: float, worst: list[float]
    ) -> float | None:
        total = 0.0
        present_abs = 0.0
        missing = False
        for value, weight in zip(row, weights):
            if value is None:
                missing = True
                continue
            total += weight * value
            present_abs += abs(weight)
        if not missing or self.none == "zero":
            return total
        if self.none == "propagate":
            return None
        if self.none == "worst":
            if all(value is None for value in row):
                return None
            return total + sum(weight * low for value, weight, low in zip(row, weights, worst) if value is None)
        # "skip"
        if all(value is None for value in row):
            return None
        if present_abs == 0.0:  # only zero-weight components are present: they contribute nothing
            return 0.0
        return total * (total_abs / present_abs)

    def _log(self, columns: list[list[float | None]], kwargs: dict[str, Any], trainer: Any) -> None:
        log_metric = kwargs.get("log_metric")
        log_extra = kwargs.get("log_extra")
        keys = [f"{self.__name__}/{component}" for component in self.component_names]
        if trainer is not None and not callable(log_metric):
            # TRL < 1.0 passes neither hook: the means go in the trainer's own metrics under the same keys
            record_metrics(trainer, dict(zip(keys, columns)))
        if trainer is not None and not callable(log_extra):
            warn_no_extra_columns(keys[0])
        for key, values in zip(keys, columns):
            if callable(log_metric):
                present = [value for value in values if value is not None]
                log_metric(key, sum(present) / len(present) if present else math.nan)
            if callable(log_extra):
                log_extra(key, list(values))

    def load(self) -> CombinedReward:
        """Load every component that loads a model (``load()``) now, and return ``self``.

        Call it before building the trainer, so a wrong model path fails at once rather than at the first step.

        Example:
            >>> from korean_rewards import malpyeong_format_reward
            >>> reward = combine({malpyeong_format_reward: 1.0}, name="fmt")
            >>> reward.load() is reward   # nothing to load: rule rewards have no model
            True
        """
        for fn, _ in self.components:
            load = getattr(fn, "load", None)
            if callable(load):
                load()
        return self

    def __repr__(self) -> str:
        return f"<reward {self.__name__}>"


def combine(
    weighted: Mapping[Callable[..., Any], float] | Iterable[tuple[Callable[..., Any], float]],
    *,
    name: str | None = None,
    none: str = "worst",
    ranges: Mapping[Callable[..., Any], tuple[float, float]] | None = None,
    log_components: bool = True,
) -> CombinedReward:
    """Combine reward callables into one TRL reward callable: the weighted sum of their values.

    ``weighted`` is ``[(reward, weight), ...]`` or ``{reward: weight}``; any TRL reward callable works (a
    function ``f(completions, **kwargs)`` or a reward object), async functions and reward models do not.
    ``none`` is the policy for ``None`` values (``"worst"``, the default, ``"skip"``, ``"zero"``,
    ``"propagate"``; see the module docstring): by default a ``None`` counts as the component's lowest score,
    so dodging a component never pays. ``ranges={reward: (low, high)}`` declares the score range of
    components that have no ``score_range`` attribute (plain functions); without one, a ``None`` counts as the
    lowest value that component gave in the same call. The result's ``__name__`` is ``name`` or a readable
    formula such as ``combine(1*malpyeong_em_reward+0.5*malpyeong_format_reward)``; it depends only on the
    components and weights.

    Example:
        >>> def length_bonus(completions, **kwargs):
        ...     return [min(len(c), 10) / 10 for c in completions]
        >>> def maybe(completions, **kwargs):  # 1.0 for a "!", None when there is no text
        ...     return [float("!" in c) if c else None for c in completions]
        >>> reward = combine([(length_bonus, 1.0), (maybe, 1.0)], ranges={maybe: (-1.0, 1.0)})
        >>> reward.__name__
        'combine(1*length_bonus+1*maybe)'
        >>> reward(completions=["abcde!", ""])  # the None counts as maybe's lowest score, -1.0
        [1.6, -1.0]
        >>> combine([(length_bonus, 1.0), (maybe, 1.0)], none="skip")(completions=["abcde!", ""])  # risky
        [1.6, 0.0]
        >>> combine([(length_bonus, 1.0), (maybe, 1.0)])(completions=["abcde!", "ab", ""])  # no range: worst seen
        [1.6, 0.2, 0.0]
    """
    if isinstance(weighted, Mapping):
        pairs = tuple(weighted.items())
    elif isinstance(weighted, (str, bytes)) or not isinstance(weighted, Iterable):
        raise TypeError("combine takes [(reward, weight), ...] or {reward: weight}")
    else:
        pairs = tuple(weighted)
    return CombinedReward(pairs, none=none, name=name, log_components=log_components, ranges=ranges)


def malpyeong_reward(
    bertscore_model: str = "bert-base-multilingual-cased",
    num_layers: int | None = None,
    answer_key: str = "answer",
    *,
    name: str = "malpyeong_reward",
    none: str = "propagate",
    **scorer_options: Any,
) -> CombinedReward:
    """The team reward ``(BERT + EM + (Format + 3*ROUGE)/2) / 3`` as one combined reward (maximum 4/3).

    Weights: BERTScore 1/3, exact match 1/3, format 1/6, ROUGE-1 1/2. BERTScore and ROUGE-1 compare the reasons,
    EM the normalized answers (official rules), Format checks the answer template. The BERTScore component is
    :class:`korean_rewards.bertscore.BERTScoreReward` built with ``model_type=bertscore_model``,
    ``num_layers`` (``None``: bert-score's default layer for that model), ``answer_key`` and
    ``**scorer_options``; it loads no model until its first call. A completion without a reason gets 0.0 from
    BERTScore and ROUGE-1, as in the formula; a component gives ``None`` only for a row without a gold answer, and
    ``none="propagate"`` (default) makes the total ``None`` then ("does not apply", as from every reward). Needs
    the ``[bertscore]`` and ``[rouge]`` extras.

    Example:
        >>> reward = malpyeong_reward()  # builds the components; loads no model yet
        >>> reward.__name__.startswith("malpyeong_reward"), reward.weights["malpyeong_format_reward"]
        (True, 0.16666666666666666)
    """
    from .bertscore import BERTScoreReward
    from .malpyeong import MalpyeongEMReward, malpyeong_em_reward, malpyeong_format_reward
    from .rouge import Rouge1Reward, rouge1_reward

    bertscore = BERTScoreReward(
        model_type=bertscore_model, num_layers=num_layers, answer_key=answer_key, **scorer_options
    )
    em = malpyeong_em_reward if answer_key == "answer" else MalpyeongEMReward(answer_key=answer_key)
    rouge = rouge1_reward if answer_key == "answer" else Rouge1Reward(answer_key=answer_key)
    return combine(
        [
            (bertscore, MALPYEONG_WEIGHTS["bertscore"]),
            (em, MALPYEONG_WEIGHTS["em"]),
            (malpyeong_format_reward, MALPYEONG_WEIGHTS["format"]),
            (rouge, MALPYEONG_WEIGHTS["rouge1"]),
        ],
        name=name,
        none=none,
    )
