"""Every public reward scores a 1 MB completion, and gets the right value (speed is in benchmarks/, not here).

Also: a gold of ``None`` (or a NaN from a pandas table) gives ``None`` from every reward that reads a gold, and a
message whose ``role`` is not a string gets an error that names the field.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

import korean_rewards
from korean_rewards import (
    check_answer_ko,
    check_numbers_ko,
    combine,
    language_consistency_ko,
    malpyeong_em_reward,
    malpyeong_format_reward,
    match_format_approximately,
    match_format_exactly,
    reasoning_length,
    repetition_penalty_ko,
)

MB = 1_000_000
TAIL = "<end_working_out><SOLUTION>84</SOLUTION>"
GOLD_REASON = "어간 끝이 ㅅ 받침이면 부사화 접미사 -이를 붙여 적는다."
MALPYEONG_GOLD = f'"깨끗이"가 옳다. {GOLD_REASON}'


def _fill(unit: str, size: int = MB) -> str:
    return unit * (size // len(unit))


# 1 MB reasonings of different shapes, each followed by the right answer in the notebook's format
REASONINGS = {
    "korean words": _fill("사과를 세어 봅니다 "),
    "one syllable": _fill("가"),
    "random-ish run": "".join(chr(0xAC00 + (i * 7919) % 11172) for i in range(MB)),
    "digits": _fill("7"),
    "tags inside": _fill("<SOLUTION>1</SOLUTION>x"),
}


@pytest.mark.parametrize("shape", list(REASONINGS))
def test_rule_rewards_on_a_megabyte(shape: str) -> None:
    completion = REASONINGS[shape] + TAIL
    assert match_format_exactly.score(completion) == 3.0
    assert match_format_exactly.score(completion + "trailing") == 0.0
    assert check_answer_ko.score(completion, "84") == 5.0
    assert reasoning_length.score(completion) == -1.0  # far past 8,000 characters
    if shape != "tags inside":
        assert match_format_approximately.score(completion) == 1.5
        assert check_numbers_ko.score(completion, "84") == 3.5
        assert check_numbers_ko.score(completion, "85") == -1.5
    else:  # the solution tags occur many times (-1.0 each), the reasoning end once (+0.5); the first number is 1
        assert match_format_approximately.score(completion) == -1.5
        assert check_numbers_ko.score(completion, "1") == 3.5
    korean = language_consistency_ko.score(completion)
    expected = {"korean words": 1.0, "one syllable": 1.0, "random-ish run": 1.0, "digits": 0.0, "tags inside": 0.0}
    assert korean == expected[shape]


def test_repetition_penalty_on_a_megabyte() -> None:
    assert repetition_penalty_ko.score(REASONINGS["korean words"] + TAIL) < -0.9  # a loop
    assert repetition_penalty_ko.score(REASONINGS["digits"]) < -0.9  # one digit run, cut into repeating pieces
    assert -1.0 <= repetition_penalty_ko.score(REASONINGS["random-ish run"]) <= 0.0


MALPYEONG_REASONS = {
    "gold reason repeated": _fill(GOLD_REASON + " "),
    "one syllable": _fill("가"),
    "digits": _fill("7"),
    "spaces": "가" + " " * MB + "나",
}


@pytest.mark.parametrize("shape", list(MALPYEONG_REASONS))
def test_malpyeong_rule_rewards_on_a_megabyte(shape: str) -> None:
    completion = f'"깨끗이"가 옳다. {MALPYEONG_REASONS[shape]}'
    assert malpyeong_em_reward.score(completion, MALPYEONG_GOLD) == 1.0
    assert malpyeong_format_reward.score(completion) == 1.0


def test_rouge1_on_a_megabyte() -> None:
    pytest.importorskip("mecab_ko")
    from korean_rewards import rouge1_f1, rouge1_reward
    from korean_rewards.rouge import MAX_WORDS

    repeated = MALPYEONG_REASONS["gold reason repeated"]
    value = rouge1_reward.score(f'"깨끗이"가 옳다. {repeated}', MALPYEONG_GOLD)
    # the official rule keeps the first 1,000 words: the megabyte scores as its first 1,000 words do
    first_words = " ".join(repeated.split()[:MAX_WORDS])
    assert value == pytest.approx(rouge1_f1(first_words, GOLD_REASON))
    assert 0.0 < value < 0.1  # every morpheme matches, but 1,000 words against 11 give a low precision
    assert rouge1_reward.score('"깨끗이"가 옳다. ' + MALPYEONG_REASONS["digits"], MALPYEONG_GOLD) == 0.0
    run = rouge1_reward.score('"깨끗이"가 옳다. ' + MALPYEONG_REASONS["one syllable"], MALPYEONG_GOLD)
    assert 0.0 <= run < 0.01
    content = korean_rewards.Rouge1Reward(content_only=True).score(f'"깨끗이"가 옳다. {repeated}', MALPYEONG_GOLD)
    assert 0.0 < content < 0.1


def test_bertscore_on_a_megabyte_equals_the_truncated_text(tiny_bert_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    import korean_rewards.scorers.bert as bertscore_module  # the BERT plumbing: where the cut is made

    reward = korean_rewards.BERTScoreReward(model_type=tiny_bert_path, num_layers=2, cache_size_mb=0)
    repeated = MALPYEONG_REASONS["gold reason repeated"]
    with pytest.warns(UserWarning, match="truncated"):
        huge = reward.score(f'"깨끗이"가 옳다. {repeated}', MALPYEONG_GOLD)
    # the first 30,000 characters already hold far more than 512 tokens: truncated, they are the same tokens
    prefix = reward.score(f'"깨끗이"가 옳다. {repeated[:30_000]}', MALPYEONG_GOLD)
    assert huge == pytest.approx(prefix, abs=1e-6)
    # and the cheap cut changes nothing on a text that is merely over the limit
    ordinary = f'"깨끗이"가 옳다. {repeated[:20_000]}'
    cut = reward.score(ordinary, MALPYEONG_GOLD)
    monkeypatch.setattr(bertscore_module, "CHARS_PER_TOKEN", 10**9)
    monkeypatch.setattr(bertscore_module, "MAX_CHARS_PER_TOKEN", 10**9)
    assert reward.score(ordinary, MALPYEONG_GOLD) == pytest.approx(cut, abs=1e-6)
    for shape in ("one syllable", "digits", "spaces"):
        value = reward.score(f'"깨끗이"가 옳다. {MALPYEONG_REASONS[shape]}', MALPYEONG_GOLD)
        assert value is not None and math.isfinite(value)


def test_a_combined_reward_on_a_megabyte() -> None:
    mix = combine({check_answer_ko: 1.0, language_consistency_ko: 1.0, reasoning_length: 1.0})
    assert mix(completions=[REASONINGS["korean words"] + TAIL], answer=["84"]) == [5.0]


# -- gold None ------------------------------------------------------------------------------------------------------


def _gold_rewards(tiny_bert_path: str) -> list[Any]:
    rewards: list[Any] = [check_answer_ko, check_numbers_ko, malpyeong_em_reward]
    try:
        import mecab_ko  # noqa: F401

        rewards += [korean_rewards.rouge1_reward, korean_rewards.Rouge1Reward(content_only=True)]
    except ImportError:
        pass
    rewards.append(korean_rewards.BERTScoreReward(model_type=tiny_bert_path, num_layers=2))
    return rewards


@pytest.mark.parametrize("missing", [None, float("nan")], ids=["None", "NaN"])
def test_a_missing_gold_gives_none_from_every_reward(tiny_bert_path: str, missing: Any) -> None:
    for reward in _gold_rewards(tiny_bert_path):
        scores = reward(completions=[MALPYEONG_GOLD, MALPYEONG_GOLD], answer=[missing, MALPYEONG_GOLD])
        assert scores[0] is None, reward.__name__
        if reward is not check_numbers_ko:  # the 말평 gold is not a number
            assert scores[1] is not None, reward.__name__


def test_a_missing_gold_gives_none_from_the_combined_rewards(tiny_bert_path: str) -> None:
    pytest.importorskip("mecab_ko")
    team = korean_rewards.malpyeong_reward(bertscore_model=tiny_bert_path, num_layers=2)
    assert team(completions=[MALPYEONG_GOLD, MALPYEONG_GOLD], answer=[None, MALPYEONG_GOLD])[0] is None
    mix = combine({malpyeong_em_reward: 1.0, malpyeong_format_reward: 1.0, korean_rewards.rouge1_reward: 1.0})
    assert mix(completions=[MALPYEONG_GOLD, MALPYEONG_GOLD], answer=[None, MALPYEONG_GOLD]) == [None, 3.0]


def test_a_role_that_is_not_a_string_is_named() -> None:
    with pytest.raises(TypeError, match="'role' must be a string"):
        match_format_exactly(completions=[[{"role": ["assistant"], "content": "x"}]])
    with pytest.raises(TypeError, match="'role' must be a string"):
        korean_rewards.completion_text([{"role": 3, "content": "x"}])
    with pytest.raises(TypeError, match="must be a list of completions"):
        match_format_exactly(completions=42)
    assert match_format_exactly(completions=[[{"role": None, "content": TAIL}]]) == [3.0]
