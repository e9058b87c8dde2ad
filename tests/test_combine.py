"""combine(): weighted sums of TRL reward callables, None policies, logging; the Malpyeong presets."""

from __future__ import annotations

import asyncio
import math
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from korean_rewards import (
    CombinedReward,
    combine,
    malpyeong_em_reward,
    malpyeong_final_score,
    malpyeong_format_reward,
    malpyeong_reward,
    rouge1_reward,
    split_answer_reason,
)


@dataclass(eq=False)
class Fixed:
    """A reward returning preset values (picklable: a module-level dataclass), counting its calls."""

    values: list[Any]
    __name__: str = "fixed"
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, prompts=None, completions=None, completion_ids=None, **kwargs):  # noqa: ANN001
        self.calls.append({"prompts": prompts, "completions": completions, **kwargs})
        return list(self.values)


def reason_char_overlap(completions: list[Any], answer: list[str], **kwargs: Any) -> list[float]:
    """A stand-in for BERTScore in the formula test: Jaccard overlap of the reasons' characters."""
    scores = []
    for completion, gold in zip(completions, answer):
        a, b = set(split_answer_reason(completion)[1]), set(split_answer_reason(gold)[1])
        scores.append(len(a & b) / len(a | b) if a | b else 0.0)
    return scores


GOLD = '"그 일은 깨끗이 잊었다."가 옳다. 어근이 ㅅ 받침으로 끝나면 부사는 -이로 적는다.'
COMPLETIONS = [
    GOLD,
    '"그 일은 깨끗이 잊었다."가 옳다. 부사는 -이로 적는다.',
    '"그 일은 깨끗히 잊었다."가 옳다. 어근이 ㅅ 받침으로 끝난다.',
    '"그 일은 깨끗이 잊었다."가 옳다.',
    "모르겠다",
    "",
]


# -- the weighted sum --------------------------------------------------------------------------------------------
def test_team_formula_with_a_stand_in_bertscore() -> None:
    reward = combine(
        [(reason_char_overlap, 1 / 3), (malpyeong_em_reward, 1 / 3), (malpyeong_format_reward, 1 / 6), (rouge1_reward, 1 / 2)]
    )
    golds = [GOLD] * len(COMPLETIONS)
    bert = reason_char_overlap(COMPLETIONS, golds)
    em = malpyeong_em_reward(completions=COMPLETIONS, answer=golds)
    fmt = malpyeong_format_reward(completions=COMPLETIONS)
    rouge = rouge1_reward(completions=COMPLETIONS, answer=golds)
    expected = [(b + e + (f + 3 * r) / 2) / 3 for b, e, f, r in zip(bert, em, fmt, rouge)]
    assert reward(prompts=[None] * len(golds), completions=COMPLETIONS, answer=golds) == pytest.approx(expected, abs=1e-12)
    assert reward(completions=[GOLD], answer=[GOLD]) == pytest.approx([4 / 3])  # the maximum
    assert 0.0 < expected[1] < expected[0]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda k: st.tuples(
            st.lists(st.floats(-5, 5, allow_nan=False), min_size=k, max_size=k),
            st.integers(min_value=1, max_value=6).flatmap(
                lambda n: st.lists(st.lists(st.floats(-10, 10, allow_nan=False), min_size=n, max_size=n), min_size=k, max_size=k)
            ),
        )
    )
)
def test_combined_equals_the_hand_computed_weighted_sum(case: tuple[list[float], list[list[float]]]) -> None:
    weights, columns = case
    components = [Fixed(values, __name__=f"c{i}") for i, values in enumerate(columns)]
    reward = combine(list(zip(components, weights)))
    n = len(columns[0])
    expected = [sum(w * column[j] for w, column in zip(weights, columns)) for j in range(n)]
    assert reward(completions=["x"] * n) == pytest.approx(expected, abs=1e-9)
    assert all(len(component.calls) == 1 for component in components)  # each component called once per batch


def test_dict_input_and_kwargs_pass_through() -> None:
    a, b = Fixed([1.0, 2.0], __name__="a"), Fixed([10.0, 20.0], __name__="b")
    reward = combine({a: 0.5, b: 0.1})
    state = object()
    out = reward(prompts=["p1", "p2"], completions=["c1", "c2"], answer=["g1", "g2"], trainer_state=state)
    assert out == pytest.approx([1.5, 3.0])
    for component in (a, b):
        (call,) = component.calls
        assert call["prompts"] == ["p1", "p2"] and call["completions"] == ["c1", "c2"]
        assert call["answer"] == ["g1", "g2"] and call["trainer_state"] is state


# -- None policies -----------------------------------------------------------------------------------------------
def _three() -> tuple[Fixed, Fixed, Fixed]:
    return (
        Fixed([1.0, None, None, 2.0], __name__="x"),
        Fixed([1.0, 1.0, None, float("nan")], __name__="y"),
        Fixed([1.0, 1.0, None, 1.0], __name__="z"),
    )


def test_none_skip_renormalizes_by_the_weights_present() -> None:
    x, y, z = _three()
    out = combine([(x, 2.0), (y, 1.0), (z, 1.0)], none="skip")(completions=list("abcd"))
    # row 0: all present; row 1: x missing -> (1+1) * 4/2; row 2: all missing; row 3: y is NaN -> (4+1) * 4/3
    assert out[0] == 4.0 and out[1] == 4.0 and out[2] is None
    assert out[3] == pytest.approx(5.0 * 4 / 3)


def test_none_skip_uses_absolute_weights_for_penalties() -> None:
    bonus, penalty = Fixed([1.0, None], __name__="bonus"), Fixed([0.5, 0.5], __name__="penalty")
    out = combine([(bonus, 1.0), (penalty, -1.0)], none="skip")(completions=["a", "b"])
    assert out == [0.5, -1.0]  # row 1: -0.5 rescaled by (1+1)/1


def test_none_zero_and_propagate() -> None:
    x, y, z = _three()
    zero = combine([(x, 2.0), (y, 1.0), (z, 1.0)], none="zero")(completions=list("abcd"))
    assert zero == [4.0, 2.0, 0.0, 5.0]
    x, y, z = _three()
    propagate = combine([(x, 2.0), (y, 1.0), (z, 1.0)], none="propagate")(completions=list("abcd"))
    assert propagate == [4.0, None, None, None]


def test_only_zero_weight_components_present_gives_zero() -> None:
    out = combine([(Fixed([None], __name__="a"), 1.0), (Fixed([3.0], __name__="b"), 0.0)], none="skip")(completions=["x"])
    assert out == [0.0]


# -- logging -----------------------------------------------------------------------------------------------------
class Recorder:
    def __init__(self) -> None:
        self.metrics: list[tuple[str, float]] = []
        self.extra: dict[str, list[Any]] = {}

    def log_metric(self, name: str, value: float) -> None:
        self.metrics.append((name, value))

    def log_extra(self, column: str, values: list[Any]) -> None:
        self.extra[column] = values


def test_logs_every_component_mean_and_values() -> None:
    rec = Recorder()
    reward = combine([(malpyeong_em_reward, 1.0), (malpyeong_format_reward, 0.5)], name="em_fmt")
    golds = [GOLD] * 3
    reward(completions=COMPLETIONS[:3], answer=golds, log_metric=rec.log_metric, log_extra=rec.log_extra)
    assert rec.metrics == [("em_fmt/malpyeong_em_reward", pytest.approx(2 / 3)), ("em_fmt/malpyeong_format_reward", 1.0)]
    assert rec.extra["em_fmt/malpyeong_em_reward"] == [1.0, 1.0, 0.0]
    assert rec.extra["em_fmt/malpyeong_format_reward"] == [1.0, 1.0, 1.0]
    # the components' own log_extra calls still reach the trainer
    assert rec.extra["malpyeong_em_reward/answer"][0] == "그 일은 깨끗이 잊었다.가 옳다"


def test_an_all_none_component_still_logs_its_key_as_nan() -> None:
    rec = Recorder()
    reward = combine(
        [(Fixed([None, None], __name__="absent"), 1.0), (Fixed([1.0, 0.0], __name__="b"), 1.0)], name="c", none="skip"
    )
    assert reward(completions=["a", "b"], log_metric=rec.log_metric, log_extra=rec.log_extra) == [2.0, 0.0]
    names = [name for name, _ in rec.metrics]
    assert names == ["c/absent", "c/b"]  # the same keys on every rank, whatever the batch holds
    assert math.isnan(rec.metrics[0][1]) and rec.metrics[1][1] == 0.5
    assert rec.extra["c/absent"] == [None, None]


def test_logging_can_be_turned_off() -> None:
    rec = Recorder()
    combine([(malpyeong_format_reward, 1.0)], log_components=False)(completions=["x"], log_metric=rec.log_metric)
    assert rec.metrics == []


# -- names, pickling, misuse -------------------------------------------------------------------------------------
def test_combine_stays_callable_after_its_module_is_imported() -> None:
    # the function `combine` lives in the module `combining`, so importing that module never hides it
    code = (
        "from korean_rewards import malpyeong_final_score, malpyeong_format_reward\n"
        "import korean_rewards, korean_rewards.combining\n"
        "from korean_rewards import combine\n"
        "r = combine([(malpyeong_format_reward, 2.0)])\n"
        "assert korean_rewards.combine([(malpyeong_format_reward, 1.0)]).__class__ is r.__class__\n"
        "print(type(r).__name__, r(completions=['\"가\"가 옳다. 이유']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "CombinedReward [2.0]"


def test_names_are_readable_and_stable() -> None:
    first = combine([(malpyeong_em_reward, 1.0), (malpyeong_format_reward, -0.5)])
    second = combine([(malpyeong_em_reward, 1.0), (malpyeong_format_reward, -0.5)])
    assert first.__name__ == "combine(1*malpyeong_em_reward-0.5*malpyeong_format_reward)"
    assert second.__name__ == first.__name__  # the name depends on the configuration only, not on build order
    assert combine([(malpyeong_em_reward, 1.0)], name="mine").__name__ == "mine"


def test_two_components_with_one_name_are_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"named 'f'.*name="):
        combine([(Fixed([1.0], __name__="f"), 1.0), (Fixed([2.0], __name__="f"), 1.0)])
    from korean_rewards import CheckNumbersKo

    with pytest.raises(ValueError, match=r"check_numbers_ko\(rel_tol=0.1\)"):
        combine([(CheckNumbersKo(rel_tol=0.1), 1.0), (CheckNumbersKo(rel_tol=0.1), 1.0)])
    named = combine([(CheckNumbersKo(rel_tol=0.1), 1.0), (CheckNumbersKo(rel_tol=0.1, name="loose"), 1.0)])
    assert named.component_names == ("check_numbers_ko(rel_tol=0.1)", "loose")


def test_pickles_with_its_components() -> None:
    reward = combine([(malpyeong_em_reward, 1.0), (rouge1_reward, 0.5)], name="pickled")
    clone = pickle.loads(pickle.dumps(reward))
    assert isinstance(clone, CombinedReward) and clone.__name__ == "pickled"
    assert clone(completions=COMPLETIONS, answer=[GOLD] * 6) == reward(completions=COMPLETIONS, answer=[GOLD] * 6)


async def _async_reward(completions: list[Any], **kwargs: Any) -> list[float]:
    await asyncio.sleep(0)
    return [1.0 for _ in completions]


def test_misuse_raises_clear_errors() -> None:
    with pytest.raises(ValueError, match="at least one"):
        combine([])
    with pytest.raises(ValueError, match="listed twice"):
        combine([(malpyeong_em_reward, 1.0), (malpyeong_em_reward, 2.0)])
    with pytest.raises(TypeError, match="finite number"):
        combine([(malpyeong_em_reward, float("inf"))])
    with pytest.raises(TypeError, match="finite number"):
        combine([(malpyeong_em_reward, "1")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="string"):
        combine([("some/reward-model", 1.0)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="callables"):
        combine([(42, 1.0)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="async"):
        combine([(_async_reward, 1.0)])
    with pytest.raises(TypeError, match=r"\(reward, weight\)"):
        combine([malpyeong_em_reward])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="none must be one of"):
        combine([(malpyeong_em_reward, 1.0)], none="ignore")
    with pytest.raises(TypeError, match="without `completions`"):
        combine([(malpyeong_em_reward, 1.0)])(answer=[GOLD])


def test_bad_component_output_names_the_component() -> None:
    short = combine([(Fixed([1.0], __name__="short"), 1.0)])
    with pytest.raises(ValueError, match="short returned 1 values for 2 completions"):
        short(completions=["a", "b"])
    wordy = combine([(Fixed(["high"], __name__="wordy"), 1.0)])
    with pytest.raises(TypeError, match="wordy returned 'high'"):
        wordy(completions=["a"])


def test_missing_gold_column_error_comes_from_the_component() -> None:
    with pytest.raises(ValueError, match="'answer'"):
        combine([(malpyeong_em_reward, 1.0)])(completions=[GOLD], reference=[GOLD])


def test_non_string_completions_get_scores() -> None:
    reward = combine([(malpyeong_em_reward, 1.0), (malpyeong_format_reward, 1.0), (rouge1_reward, 1.0)])
    completions = [None, 3, [{"role": "assistant", "content": GOLD}]]
    assert reward(completions=completions, answer=[GOLD] * 3) == [0.0, 0.0, 3.0]


# -- the leaderboard formula -------------------------------------------------------------------------------------
def test_final_score_matches_the_published_example() -> None:
    # the published inputs and output are each rounded to 4 decimals, hence a tolerance of 1e-4
    assert malpyeong_final_score(45.5823, 34.9636, 73.9318, 43.7260) == pytest.approx(48.2281, abs=1e-4)
    assert malpyeong_final_score(45.5823, 34.9636, 73.9318, 43.7260) == pytest.approx(45.5823 / 2 + 152.6214 / 6)
    assert malpyeong_final_score(em=0.5, rouge1=0.2, bertscore=0.8, bleurt=0.5) == pytest.approx(0.5)


def test_final_score_without_bleurt() -> None:
    with pytest.raises(ValueError, match="needs BLEURT"):
        malpyeong_final_score(45.0, 35.0, 74.0)
    assert malpyeong_final_score(40.0, 30.0, 70.0, bleurt_missing="average_of_two") == 45.0
    # with BLEURT given, the option changes nothing
    assert malpyeong_final_score(40.0, 30.0, 70.0, 20.0, bleurt_missing="average_of_two") == 40.0
    with pytest.raises(ValueError, match="bleurt_missing"):
        malpyeong_final_score(40.0, 30.0, 70.0, 20.0, bleurt_missing="ignore")
    with pytest.raises(TypeError, match="rouge1"):
        malpyeong_final_score(40.0, None, 70.0, 20.0)  # type: ignore[arg-type]


# -- the team reward preset (real BERTScore on a tiny local BERT) -------------------------------------------------
def test_malpyeong_reward_preset(tiny_bert_path: str) -> None:
    from korean_rewards.bertscore import BERTScoreReward

    reward = malpyeong_reward(bertscore_model=tiny_bert_path, num_layers=2)
    assert reward.__name__.startswith("malpyeong_reward")
    assert list(reward.weights.values()) == pytest.approx([1 / 3, 1 / 3, 1 / 6, 1 / 2])
    bert = reward.components[0][0]
    assert isinstance(bert, BERTScoreReward)
    golds = [GOLD] * len(COMPLETIONS)
    rec = Recorder()
    out = reward(completions=COMPLETIONS, answer=golds, log_metric=rec.log_metric, log_extra=rec.log_extra)
    bert_scores = bert(completions=COMPLETIONS, answer=golds)
    em = malpyeong_em_reward(completions=COMPLETIONS, answer=golds)
    fmt = malpyeong_format_reward(completions=COMPLETIONS)
    rouge = rouge1_reward(completions=COMPLETIONS, answer=golds)
    expected = [((b or 0.0) + e + (f + 3 * r) / 2) / 3 for b, e, f, r in zip(bert_scores, em, fmt, rouge)]
    assert out == pytest.approx(expected, abs=1e-6)
    assert out[0] == pytest.approx(4 / 3, abs=1e-5)  # the gold itself gets the maximum
    assert len(rec.metrics) == 4 and all(name.startswith(reward.__name__ + "/") for name, _ in rec.metrics)


def test_malpyeong_reward_custom_gold_column(tiny_bert_path: str) -> None:
    reward = malpyeong_reward(bertscore_model=tiny_bert_path, num_layers=2, answer_key="output")
    out = reward(completions=[GOLD], output=[GOLD])
    assert out == pytest.approx([4 / 3], abs=1e-5)
    with pytest.raises(ValueError, match="'output'"):
        reward(completions=[GOLD], answer=[GOLD])
