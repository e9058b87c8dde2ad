"""One reward from several: :func:`combine`, the team's Malpyeong reward, and the leaderboard's final score.

:func:`combine` turns weighted TRL reward callables (ours or anyone's) into a single TRL reward callable whose
value is the weighted sum. Use it when the weighted total should be *one* reward (one ``rewards/<name>/mean``
curve, one value for GRPO's advantage), and still see every component: when the trainer passes ``log_metric``
and ``log_extra`` (TRL >= 1.0), the combined reward logs each component's batch mean as
``<name>/<component>`` and its per-sample values as a ``<name>/<component>`` column of the completions table.
On older TRL releases (0.22-0.29), which pass neither, the means go straight into the trainer's own metrics under
the same ``<name>/<component>`` keys (so ``trainer.state.log_history``, W&B and TensorBoard show them on every
stack, ``None`` / NaN skipped); the per-sample columns cannot be shown there, which a one-time warning says.

``None`` values (a component that cannot score a sample; a NaN counts as ``None``) follow the ``none`` policy:

- ``"skip"`` (default): leave the component out of that sample and rescale the rest by
  ``sum(|w| of all components) / sum(|w| of the components present)``, so the scale of the total stays the same;
  ``None`` when every component is ``None`` (TRL then ignores the sample);
- ``"zero"``: count a ``None`` as 0.0;
- ``"propagate"``: the sample's total is ``None`` as soon as one component is ``None``.

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
    >>> malpyeong_final_score(em=45.5823, rouge1=34.9636, bertscore=73.9318, bleurt=43.7260)  # doctest: +ELLIPSIS
    48.228...
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._trainer import calling_trainer, check_unique_reward_names, record_metrics, warn_no_extra_columns

__all__ = ["NONE_POLICIES", "combine", "CombinedReward", "malpyeong_reward", "malpyeong_final_score"]

#: Accepted values of ``none`` (see the module docstring).
NONE_POLICIES = ("skip", "zero", "propagate")

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

    ``components`` is a tuple of ``(reward, weight)``; ``none`` is the ``None`` policy (``"skip"``, ``"zero"``
    or ``"propagate"``); ``name`` becomes ``__name__`` (else a formula of the components); ``log_components=False``
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
    none: str = "skip"
    name: str | None = None
    log_components: bool = True
    component_names: tuple[str, ...] = field(init=False, repr=False)

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
        self.__name__ = self.name or self._derive_name()

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
        combined = [self._combine_row(row, weights, total_abs) for row in zip(*columns)] if n else []
        if self.log_components:
            self._log(columns, kwargs, trainer)
        return combined

    def _combine_row(self, row: tuple[float | None, ...], weights: list[float], total_abs: float) -> float | None:
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
    none: str = "skip",
    log_components: bool = True,
) -> CombinedReward:
    """Combine reward callables into one TRL reward callable: the weighted sum of their values.

    ``weighted`` is ``[(reward, weight), ...]`` or ``{reward: weight}``; any TRL reward callable works (a
    function ``f(completions, **kwargs)`` or a reward object), async functions and reward models do not.
    ``none`` is the policy for ``None`` values (``"skip"``, ``"zero"``, ``"propagate"``; see the module
    docstring). The result's ``__name__`` is ``name`` or a readable formula such as
    ``combine(1*malpyeong_em_reward+0.5*malpyeong_format_reward)``; it depends only on the components and weights.

    Example:
        >>> def length_bonus(completions, **kwargs):
        ...     return [min(len(c), 10) / 10 for c in completions]
        >>> def no_score(completions, **kwargs):
        ...     return [None for _ in completions]
        >>> reward = combine([(length_bonus, 1.0), (no_score, 1.0)])
        >>> reward.__name__
        'combine(1*length_bonus+1*no_score)'
        >>> reward(completions=["abcde"])  # no_score is skipped and the rest rescaled by 2/1
        [1.0]
        >>> combine([(length_bonus, 1.0), (no_score, 1.0)], none="zero")(completions=["abcde"])
        [0.5]
    """
    if isinstance(weighted, Mapping):
        pairs = tuple(weighted.items())
    elif isinstance(weighted, (str, bytes)) or not isinstance(weighted, Iterable):
        raise TypeError("combine takes [(reward, weight), ...] or {reward: weight}")
    else:
        pairs = tuple(weighted)
    return CombinedReward(pairs, none=none, name=name, log_components=log_components)


def malpyeong_reward(
    bertscore_model: str = "bert-base-multilingual-cased",
    num_layers: int | None = None,
    answer_key: str = "answer",
    *,
    name: str = "malpyeong_reward",
    none: str = "zero",
    **scorer_options: Any,
) -> CombinedReward:
    """The team reward ``(BERT + EM + (Format + 3*ROUGE)/2) / 3`` as one combined reward (maximum 4/3).

    Weights: BERTScore 1/3, exact match 1/3, format 1/6, ROUGE-1 1/2. BERTScore and ROUGE-1 compare the reasons,
    EM the normalized answers (official rules), Format checks the answer template. The BERTScore component is
    :class:`korean_rewards.bertscore.BERTScoreReward` built with ``model_type=bertscore_model``,
    ``num_layers`` (``None``: bert-score's default layer for that model), ``answer_key`` and
    ``**scorer_options``; it loads no model until its first call. ``none="zero"`` (default) counts a component's
    ``None`` (e.g. no reason to compare) as 0, as the formula does. Needs the ``[bertscore]`` and ``[rouge]`` extras.

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


BLEURT_MISSING = ("raise", "average_of_two")


def malpyeong_final_score(
    em: float,
    rouge1: float,
    bertscore: float,
    bleurt: float | None = None,
    *,
    bleurt_missing: str = "raise",
) -> float:
    """The leaderboard score: ``(EM + (ROUGE-1 + BERTScore + BLEURT) / 3) / 2``.

    Pass the four corpus values on one scale (all in points 0-100, or all fractions 0-1); the result is on
    that scale. BLEURT (the TensorFlow ``BLEURT-20`` checkpoint) is not part of this library: compute it with
    your own BLEURT and pass it in. Without it (``bleurt=None``) the function raises ``ValueError``, unless
    ``bleurt_missing="average_of_two"``, which averages only ROUGE-1 and BERTScore,
    ``(EM + (ROUGE-1 + BERTScore) / 2) / 2``: a stand-in that is *not* comparable with leaderboard numbers.

    Example:
        >>> round(malpyeong_final_score(45.5823, 34.9636, 73.9318, 43.7260), 5)  # published as 48.2281
        48.22805
        >>> malpyeong_final_score(0.5, 0.3, 0.7, bleurt_missing="average_of_two")
        0.5
    """
    values = {"em": em, "rouge1": rouge1, "bertscore": bertscore}
    if bleurt is not None:
        values["bleurt"] = bleurt
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"malpyeong_final_score: {key} must be a finite number, got {value!r}")
    if bleurt_missing not in BLEURT_MISSING:
        raise ValueError(f"bleurt_missing must be one of {BLEURT_MISSING}, got {bleurt_missing!r}")
    if bleurt is None:
        if bleurt_missing == "raise":
            raise ValueError(
                "the official final score needs BLEURT: pass bleurt=<corpus BLEURT-20 score>, or "
                "bleurt_missing='average_of_two' to average ROUGE-1 and BERTScore only (not comparable with the "
                "leaderboard)"
            )
        descriptive = (rouge1 + bertscore) / 2
    else:
        descriptive = (rouge1 + bertscore + bleurt) / 3
    return (em + descriptive) / 2
