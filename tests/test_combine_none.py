"""``combine`` cannot be gamed through ``None``: the default policy counts a ``None`` as the component's worst score.

- every reward of the library declares its ``score_range``, and its scores stay inside it;
- ``none="worst"`` (default) fills a ``None`` with the low end of the declared range (high end for a negative
  weight), else with the worst value the component gave in the same call; a sample whose components are all
  ``None`` stays ``None``;
- a property (hypothesis): for any scores and any pattern of ``None``, the default never ranks a completion that
  dodged a component above the same completion scored at that component's minimum;
- ``none="skip"`` (the old default) is still there, and does pay for dodging (that is why it is not the default).
"""

from __future__ import annotations

import math
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import korean_rewards
from korean_rewards import (
    CheckAnswerKo,
    CheckNumbersKo,
    LanguageConsistencyKo,
    MalpyeongFormatReward,
    MatchFormatApproximately,
    ReasoningLength,
    check_answer_ko,
    check_numbers_ko,
    combine,
    language_consistency_ko,
    malpyeong_em_reward,
    malpyeong_format_reward,
)
from korean_rewards.combining import NONE_POLICIES, check_range, declared_range


class Fixed:
    """A plain reward callable that returns fixed values (no declared range unless given one)."""

    def __init__(self, values: list[float | None], name: str, score_range: tuple[float, float] | None = None) -> None:
        self.values = values
        self.__name__ = name
        if score_range is not None:
            self.score_range = score_range

    def __call__(self, prompts: Any = None, completions: Any = None, **kwargs: Any) -> list[float | None]:
        return list(self.values)


# -- declared ranges ------------------------------------------------------------------------------------------------


def test_every_library_reward_declares_a_range() -> None:
    assert check_numbers_ko.score_range == (-2.5, 3.5)
    assert check_answer_ko.score_range == (-4.5, 5.0)
    assert korean_rewards.match_format_exactly.score_range == (0.0, 3.0)
    assert korean_rewards.match_format_approximately.score_range == (-3.0, 1.5)
    assert MatchFormatApproximately(start_tag="count").score_range == (-4.0, 2.0)
    assert language_consistency_ko.score_range == (0.0, 1.0)
    assert korean_rewards.repetition_penalty_ko.score_range == (-1.0, 0.0)
    assert malpyeong_em_reward.score_range == (0.0, 1.0)
    assert korean_rewards.accuracy_reward_ko.score_range == (0.0, 1.0)
    assert korean_rewards.AccuracyRewardKo(correct=2.0, wrong=-1.0).score_range == (-1.0, 2.0)
    assert malpyeong_format_reward.score_range == (0.0, 1.0)
    assert MalpyeongFormatReward(verdict_credit=-0.5, quoted_credit=0.25).score_range == (-0.5, 1.0)
    assert korean_rewards.rouge1_reward.score_range == (0.0, 1.0)
    assert korean_rewards.bertscore_reward.score_range == (-1.0, 1.0)
    assert korean_rewards.reasoning_length.score_range == (-1.0, 0.0)
    assert CheckNumbersKo(several_numbers=-9.0).score_range == (-9.0, 3.5)
    assert CheckAnswerKo(exact=10.0).score_range == (-4.5, 10.0)


COMPLETIONS = [
    "",
    "<end_working_out><SOLUTION>84</SOLUTION>",
    "사과가 12개씩 7상자이므로 84개입니다.<end_working_out><SOLUTION>84</SOLUTION>",
    "<end_working_out><SOLUTION>84 또는 85</SOLUTION>",
    "<SOLUTION>.</SOLUTION>",
    "English only reasoning<end_working_out><SOLUTION>eighty</SOLUTION></SOLUTION>",
    '"깨끗이"가 옳다. 어간 끝이 ㅅ 받침이면 -이로 적는다.',
    "답 " * 50,
]


@pytest.mark.parametrize(
    "reward",
    [
        korean_rewards.match_format_exactly,
        korean_rewards.match_format_approximately,
        check_answer_ko,
        check_numbers_ko,
        CheckNumbersKo(several_numbers=-4.0, unparseable=-3.0),
        language_consistency_ko,
        LanguageConsistencyKo(mode="threshold"),
        malpyeong_em_reward,
        malpyeong_format_reward,
        ReasoningLength(min_chars=5, max_chars=30),
    ],
    ids=lambda reward: reward.__name__,
)
def test_scores_stay_inside_the_declared_range(reward: Any) -> None:
    low, high = reward.score_range
    golds = ["84"] * 6 + ['"깨끗이"가 옳다. 어간 끝이 ㅅ 받침이면 -이로 적는다.'] * 2
    values = reward(completions=COMPLETIONS, answer=golds)
    assert all(value is not None for value in values[:6])  # the number checkers give None for a gold that is no number
    assert all(low <= value <= high for value in values if value is not None)


def test_ranges_are_checked() -> None:
    assert check_range([0, 1], "r") == (0.0, 1.0)
    with pytest.raises(ValueError, match="low <= high"):
        check_range((1, 0), "r")
    with pytest.raises(TypeError, match="pair"):
        check_range(1.0, "r")
    with pytest.raises(TypeError, match="finite number"):
        check_range((0, math.inf), "r")
    stranger = Fixed([1.0], "stranger")
    with pytest.raises(ValueError, match="not a component"):
        combine({Fixed([1.0], "a"): 1.0}, ranges={stranger: (0, 1)})
    with pytest.raises(TypeError, match="ranges must be a dict"):
        combine({stranger: 1.0}, ranges=[(stranger, (0, 1))])
    assert declared_range(stranger) is None


# -- the default policy ---------------------------------------------------------------------------------------------


def test_default_is_worst() -> None:
    assert NONE_POLICIES[0] == "worst"
    assert combine({Fixed([1.0], "a"): 1.0}).none == "worst"


def test_a_none_counts_as_the_declared_minimum() -> None:
    answer = Fixed([3.0, 3.0], "answer", (-2.0, 3.0))
    reasoning = Fixed([0.8, None], "reasoning", (-1.0, 1.0))
    assert combine({answer: 1.0, reasoning: 2.0})(completions=["a", "b"]) == [pytest.approx(4.6), 1.0]


def test_a_negative_weight_takes_the_top_of_the_range() -> None:
    penalty = Fixed([0.5, None], "penalty", (0.0, 1.0))  # weight -1: its worst is its highest value
    bonus = Fixed([1.0, 1.0], "bonus", (0.0, 1.0))
    assert combine({bonus: 1.0, penalty: -1.0})(completions=["a", "b"]) == [0.5, 0.0]


def test_ranges_argument_wins_over_the_attribute() -> None:
    dodgeable = Fixed([None], "dodgeable", (0.0, 1.0))
    base = Fixed([1.0], "base", (0.0, 1.0))
    assert combine({base: 1.0, dodgeable: 1.0})(completions=["a"]) == [1.0]
    assert combine({base: 1.0, dodgeable: 1.0}, ranges={dodgeable: (-5.0, 1.0)})(completions=["a"]) == [-4.0]


def test_undeclared_component_takes_the_worst_value_of_the_call() -> None:
    plain = Fixed([0.2, 0.9, None], "plain")
    base = Fixed([1.0, 1.0, 1.0], "base", (0.0, 1.0))
    out = combine({base: 1.0, plain: 1.0})(completions=["a", "b", "c"])
    assert out == [1.2, pytest.approx(1.9), 1.2]  # the None never beats the worst completion that was scored
    # nothing scored in the call: the component adds 0.0 to every sample alike
    assert combine({base: 1.0, Fixed([None] * 3, "absent"): 1.0})(completions=["a", "b", "c"]) == [1.0, 1.0, 1.0]


def test_all_none_stays_none_and_logging_keeps_its_meaning() -> None:
    a, b = Fixed([None, 1.0], "a", (0.0, 1.0)), Fixed([None, 0.5], "b", (0.0, 1.0))
    metrics: list[tuple[str, float]] = []
    reward = combine({a: 1.0, b: 1.0}, name="both_none")
    assert reward(completions=["x", "y"], log_metric=lambda k, v: metrics.append((k, v))) == [None, 1.5]
    assert metrics == [("both_none/a", 1.0), ("both_none/b", 0.5)]  # the component's own values, None left out


def test_a_gold_of_none_gives_none_not_the_worst_score() -> None:
    mix = combine({check_numbers_ko: 1.0, malpyeong_em_reward: 1.0})
    assert mix(completions=["<SOLUTION>84</SOLUTION>", "x"], answer=[None, None]) == [None, None]
    # a component that needs no gold does not make the row apply
    with_format = combine({check_numbers_ko: 1.0, malpyeong_format_reward: 1.0})
    assert with_format(completions=['"가"가 옳다. 이유'] * 2, answer=[None, float("nan")]) == [None, None]
    assert with_format(completions=['"가"가 옳다. 이유'], answer=["84"]) == [-1.5]


def test_language_consistency_no_longer_pays_for_skipping_the_reasoning() -> None:
    # the case: with none="skip", no reasoning got 10.0 against 6.0 for an honest Korean solution
    honest = "사과가 열두 개씩 일곱 상자이므로 모두 84개입니다.<end_working_out><SOLUTION>84</SOLUTION>"
    dodge = "<end_working_out><SOLUTION>84</SOLUTION>"
    for none in NONE_POLICIES:
        mix = combine({check_answer_ko: 1.0, language_consistency_ko: 1.0}, none=none)
        good, bad = mix(completions=[honest, dodge], answer=["84", "84"])
        assert good == 6.0 and bad == 5.0


def test_skip_still_pays_for_a_dodge_and_is_explicit() -> None:
    dodgeable = Fixed([1.0, None], "dodgeable", (0.0, 1.0))
    answer = Fixed([5.0, 5.0], "answer", (-2.0, 5.0))
    assert combine({answer: 1.0, dodgeable: 1.0}, none="skip")(completions=["a", "b"]) == [6.0, 10.0]
    assert combine({answer: 1.0, dodgeable: 1.0})(completions=["a", "b"]) == [6.0, 5.0]


def test_combined_score_range_and_pickling() -> None:
    mix = combine({check_numbers_ko: 1.0, language_consistency_ko: -2.0})
    assert mix.score_range == (-4.5, 3.5)
    assert combine({check_numbers_ko: 1.0}, none="skip").score_range is None
    assert combine({Fixed([1.0], "plain"): 1.0}).score_range is None
    clone = pickle.loads(pickle.dumps(combine({check_numbers_ko: 1.0}, ranges={check_numbers_ko: (-3, 4)})))
    assert clone.component_ranges == ((-3.0, 4.0),)


# -- the property ---------------------------------------------------------------------------------------------------

_score = st.floats(min_value=-10, max_value=10, allow_nan=False)


@st.composite
def _mixes(draw: st.DrawFn) -> tuple[list[tuple[float, float]], list[float], list[list[float]], list[list[bool]]]:
    k = draw(st.integers(1, 4))
    n = draw(st.integers(1, 6))
    ranges = []
    for _ in range(k):
        a, b = draw(_score), draw(_score)
        ranges.append((min(a, b), max(a, b)))
    weights = [draw(st.floats(min_value=-5, max_value=5, allow_nan=False)) for _ in range(k)]
    scores = [[draw(st.floats(min_value=low, max_value=high)) for low, high in ranges] for _ in range(n)]
    dodged = [[draw(st.booleans()) for _ in range(k)] for _ in range(n)]
    return ranges, weights, scores, dodged


@settings(max_examples=300, deadline=None)
@given(_mixes(), st.booleans())
def test_dodging_a_component_never_ranks_above_its_minimum(mix: Any, declared: bool) -> None:
    ranges, weights, scores, dodged = mix
    k, n = len(ranges), len(scores)
    # batch: each sample twice, once with the model's None pattern, once with every dodged component at its minimum
    # (for an undeclared component: the lowest value it gave in the call, which the minimum version provides)
    with_none = [[None if dodged[i][j] else scores[i][j] for j in range(k)] for i in range(n)]
    at_minimum = [
        [(ranges[j][0] if weights[j] >= 0 else ranges[j][1]) if dodged[i][j] else scores[i][j] for j in range(k)]
        for i in range(n)
    ]
    rows = with_none + at_minimum
    components = [
        Fixed([row[j] for row in rows], f"c{j}", ranges[j] if declared else None) for j in range(k)
    ]
    reward = combine([(component, weight) for component, weight in zip(components, weights)])
    totals = reward(completions=["x"] * len(rows))
    for i in range(n):
        dodging, honest = totals[i], totals[n + i]
        if all(dodged[i]):
            assert dodging is None  # nothing applies: "does not apply", not a score
            continue
        assert dodging is not None and honest is not None
        assert dodging <= honest + 1e-9 * (1 + abs(honest))
