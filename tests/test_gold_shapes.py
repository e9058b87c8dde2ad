"""One gold reader for every reward: the same rows in every gold shape give the same scores.

A row's gold may come as a plain string, as the official 말평 ``{"answer": ...}`` shape, in TRL's ``solution``
column instead of ``answer``, or be missing (``None``, a pandas NaN, ``{"answer": None}``). Every public reward,
``combine`` and ``audit_rewards`` read it through ``korean_rewards._trl.gold_text``: the first three shapes must
score identically, and a missing gold must give ``None`` ("does not apply") from every reward that reads one.
"""

from __future__ import annotations

import asyncio
import math
import warnings
from typing import Any

import pytest

import korean_rewards
from korean_rewards import (
    AccuracyRewardKo,
    CombinedReward,
    RewardFunction,
    accuracy_reward_ko,
    audit_rewards,
    check_numbers_ko,
    combine,
    match_format_exactly,
)
from korean_rewards._trl import ColumnError, gold_text, gold_texts

MALPYEONG_GOLD = '"나는 학교에 갔다."가 옳다. 주어와 서술어가 자연스럽게 호응하기 때문이다.'
MALPYEONG_GOLD_2 = '"깨끗이"가 옳다. 어간의 끝음절이 ㅅ 받침이면 -이로 적는다.'
MATH_GOLD = "84"
GSM8K_GOLD = "한 상자에 12개씩 7상자이므로 12 × 7 = 84개입니다.\n#### 84"

# (completion, gold): right, wrong and degenerate completions against 말평 and math golds
ROWS: list[tuple[Any, str]] = [
    (MALPYEONG_GOLD, MALPYEONG_GOLD),
    ('"나는 학교에 갔다."가 옳다.', MALPYEONG_GOLD),
    ('"깨끗히"가 옳다. 어간의 끝음절이 ㅅ 받침이면 -이로 적는다.', MALPYEONG_GOLD_2),
    ([{"role": "assistant", "content": MALPYEONG_GOLD_2}], MALPYEONG_GOLD_2),
    ("12 × 7 = 84<end_working_out><SOLUTION>84</SOLUTION>", MATH_GOLD),
    ("계산하면 80<end_working_out><SOLUTION>팔십사</SOLUTION>", GSM8K_GOLD),
    ("<think>12 × 7</think>따라서 정답은 85입니다.", MATH_GOLD),
    ("", GSM8K_GOLD),
]
COMPLETIONS = [completion for completion, _ in ROWS]
GOLDS = [gold for _, gold in ROWS]


def _call(reward: Any, **columns: Any) -> list[float | None]:
    result = reward(prompts=["문제"] * len(COMPLETIONS), completions=COMPLETIONS, **columns)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return list(result)


def _shapes() -> dict[str, dict[str, list[Any]]]:
    return {
        "string": {"answer": list(GOLDS)},
        "answer_dict": {"answer": [{"answer": gold} for gold in GOLDS]},
        "solution_column": {"solution": list(GOLDS)},
    }


def _public_rewards(tiny_bert: str, tiny_bleurt: str) -> dict[str, Any]:
    """Every public reward: the default instances, each public reward class with its defaults, the team reward
    and combines; BERTScore and BLEURT on tiny random models (nothing is downloaded)."""
    tiny = {
        "bertscore_reward": korean_rewards.BERTScoreReward(model_type=tiny_bert, num_layers=2, device="cpu"),
        "BERTScoreReward": korean_rewards.BERTScoreReward(model_type=tiny_bert, num_layers=2, device="cpu"),
        "bleurt_reward": korean_rewards.BLEURTReward(checkpoint=tiny_bleurt, device="cpu"),
        "BLEURTReward": korean_rewards.BLEURTReward(checkpoint=tiny_bleurt, device="cpu"),
    }
    rewards: dict[str, Any] = {}
    for name in korean_rewards.__all__:
        value = getattr(korean_rewards, name)
        if name in tiny:
            rewards[name] = tiny[name]
        elif isinstance(value, type) and issubclass(value, RewardFunction) and value is not RewardFunction:
            rewards[name] = value()
        elif isinstance(value, (RewardFunction, CombinedReward)):
            rewards[name] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # older TRL: "does not await async rewards"; called directly here
        rewards["AsyncBERTScoreReward"] = korean_rewards.AsyncBERTScoreReward(
            model_type=tiny_bert, num_layers=2, device="cpu"
        )
    rewards["malpyeong_reward"] = korean_rewards.malpyeong_reward(bertscore_model=tiny_bert, num_layers=2, device="cpu")
    rewards["combine(math)"] = combine({accuracy_reward_ko: 1.0, match_format_exactly: 1.0, check_numbers_ko: 0.5})
    rewards["combine(skip)"] = combine({korean_rewards.check_answer_ko: 1.0, match_format_exactly: 1.0}, none="skip")
    return rewards


def _reads_gold(reward: Any) -> bool:
    if isinstance(reward, CombinedReward):
        return any(_reads_gold(fn) for fn, _ in reward.components)
    return bool(getattr(reward, "needs_gold", False))


@pytest.fixture(scope="module")
def public_rewards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("torch")
    pytest.importorskip("mecab_ko")
    from korean_rewards.testing import save_tiny_bert, save_tiny_bleurt

    tiny_bert = save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))
    tiny_bleurt = save_tiny_bleurt(tmp_path_factory.mktemp("tiny-bleurt"))
    return _public_rewards(tiny_bert, tiny_bleurt)


def test_every_public_reward_is_covered(public_rewards: dict[str, Any]) -> None:
    defaults = [name for name in korean_rewards.__all__ if isinstance(getattr(korean_rewards, name), RewardFunction)]
    assert set(defaults) <= set(public_rewards)
    assert {"bertscore_reward", "bleurt_reward", "rouge1_reward", "accuracy_reward_ko"} <= set(public_rewards)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_gold_shape_gives_the_same_scores(public_rewards: dict[str, Any]) -> None:
    for name, reward in public_rewards.items():
        by_shape = {shape: _call(reward, **columns) for shape, columns in _shapes().items()}
        reference = by_shape["string"]
        assert len(reference) == len(ROWS), name
        for shape, scores in by_shape.items():
            assert scores == pytest.approx(reference, abs=1e-6, nan_ok=True), f"{name}: {shape} differs from string"
        if _reads_gold(reward) and name not in ("combine(skip)",):
            # a reward that reads the gold scores something for these rows (the gold is there and readable)
            assert any(score is not None for score in reference), name


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("missing", [None, math.nan, {"answer": None}], ids=repr)
def test_a_missing_gold_does_not_apply_for_every_reward(public_rewards: dict[str, Any], missing: Any) -> None:
    golds = list(GOLDS)
    gone = {1, 4, 7}
    for index in gone:
        golds[index] = missing
    for name, reward in public_rewards.items():
        full = _call(reward, answer=list(GOLDS))
        for column in ("answer", "solution"):
            scores = _call(reward, **{column: golds})
            for index, (score, expected) in enumerate(zip(scores, full)):
                if index not in gone:
                    assert score == pytest.approx(expected, abs=1e-6), (name, column, index)
                elif _reads_gold(reward) and not (isinstance(reward, CombinedReward) and reward.none == "skip"):
                    assert score is None, (name, column, index, score)
                elif not _reads_gold(reward):
                    assert score == pytest.approx(expected, abs=1e-6), (name, column, index)


def test_the_issue_examples() -> None:
    mix = combine({accuracy_reward_ko: 1, match_format_exactly: 1})
    completion = ["<end_working_out><SOLUTION>3</SOLUTION>"]
    assert mix(completions=completion, answer=[None]) == [None]
    assert mix(completions=completion, solution=[None]) == [None]
    assert mix(completions=completion, solution=["3"]) == mix(completions=completion, answer=["3"]) == [4.0]
    em = korean_rewards.malpyeong_em_reward
    assert em(completions=[MALPYEONG_GOLD], answer=[{"answer": MALPYEONG_GOLD}]) == [1.0]


def test_answer_column_wins_over_solution_and_custom_keys_get_no_alias() -> None:
    assert check_numbers_ko(completions=["<SOLUTION>3</SOLUTION>"], answer=["3"], solution=["4"]) == [3.5]
    with pytest.raises(ColumnError, match="'gold'.*answer_key") as caught:
        AccuracyRewardKo(answer_key="gold")(completions=["3"], solution=["3"])
    assert caught.value.parameter == "answer_key" and caught.value.column == "gold"
    assert caught.value.available == ["solution"]


def test_gold_text_reads_each_shape() -> None:
    assert gold_text("84") == gold_text({"answer": "84"}) == gold_text(84) == gold_text(84.0) == "84"
    assert gold_text(b"\xec\x82\xac") == "사" and gold_text(0.5) == "0.5"
    assert gold_text([{"role": "assistant", "content": "답"}]) == gold_text({"role": "assistant", "content": "답"}) == "답"
    for missing in (None, math.nan, {"answer": None}, {"answer": math.nan}):
        assert gold_text(missing) is None
    assert gold_text("  ") == "  "  # a blank gold is a gold (the notebook scores it as unreadable, -4.5)
    with pytest.raises(ValueError, match="'answer' key.*question"):
        gold_text({"question": "q"})
    assert gold_texts({"solution": ["1", None]}, "answer", 2) == ["1", None]


def test_audit_reads_every_gold_shape_alike() -> None:
    rows = [
        {"prompt": "사과가 12개씩 7상자 있습니다. 모두 몇 개입니까?", "answer": GSM8K_GOLD},
        {"prompt": "연필 한 자루는 350원입니다. 네 자루는 얼마입니까?", "answer": "1400"},
    ]
    shapes = {
        "string": rows,
        "answer_dict": [{**row, "answer": {"answer": row["answer"]}} for row in rows],
        "solution_column": [{"prompt": row["prompt"], "solution": row["answer"]} for row in rows],
    }
    mix = [match_format_exactly, check_numbers_ko.configure(several_numbers=-2.5), accuracy_reward_ko]
    reports = {shape: audit_rewards(mix, data).to_dict() for shape, data in shapes.items()}
    assert reports["string"] == reports["answer_dict"] == reports["solution_column"]
    assert reports["string"]["honest"] == pytest.approx(3.0 + 3.5 + 1.0)
