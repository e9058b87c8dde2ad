"""The official Malpyeong split / normalization / exact match, and the template format reward."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from korean_rewards import (
    MalpyeongEMReward,
    MalpyeongFormatReward,
    malpyeong_em_reward,
    malpyeong_format_reward,
    normalize_answer,
    split_answer_reason,
)
from korean_rewards.malpyeong import answer_alternatives, exact_match, template_parts

SAMPLE = json.loads((Path(__file__).parent / "data" / "malpyeong_sample.json").read_text(encoding="utf-8"))
SAMPLE_GOLDS = [item["output"]["answer"] for item in SAMPLE]


# -- split_answer_reason ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "answer", "reason"),
    [
        ('"나는 학교에 갔다."가 옳다. 주어와 서술어가 호응한다.', '"나는 학교에 갔다."가 옳다', "주어와 서술어가 호응한다."),
        ('"덤핑"이 옳다. 원어 발음을 따른다.', '"덤핑"이 옳다', "원어 발음을 따른다."),
        # the first 가 옳다 wins even when it sits in the reason and an 이 옳다 comes first
        ('"덤핑"이 옳다. 그래서 \'덤핑\'가 옳다. 끝', "\"덤핑\"이 옳다. 그래서 '덤핑'가 옳다", "끝"),
        # 가 옳다 only inside the reason: the answer swallows part of the reason
        ('"[학생(초등)]"처럼 쓴다. 바깥쪽 괄호가 옳다.', '"[학생(초등)]"처럼 쓴다. 바깥쪽 괄호가 옳다', ""),
        # a space before 가 stays in the answer
        ('"떡볶이를 먹었다." 가 옳다. 어간을 밝혀 적는다.', '"떡볶이를 먹었다." 가 옳다', "어간을 밝혀 적는다."),
        # the 으가 typo: 가 옳다 is still found
        ('"사과·배"으가 옳다. 가운뎃점을 쓴다.', '"사과·배"으가 옳다', "가운뎃점을 쓴다."),
        # nested quotes
        ('"그가 "야호!"라고 외쳤다."가 옳다. 인용.', '"그가 "야호!"라고 외쳤다."가 옳다', "인용."),
        # leading '.', ',' and spaces of the reason go, other punctuation stays
        ('"가"가 옳다 .,. , 이유', '"가"가 옳다', "이유"),
        ('"가"가 옳다. !이유', '"가"가 옳다', "!이유"),
        # missing reason, no pattern, empty text, whitespace only
        ('"깨끗이"가 옳다.', '"깨끗이"가 옳다', ""),
        ("  깨끗이  ", "깨끗이", ""),
        ("", "", ""),
        (" \n ", "", ""),
        # the pattern needs the space: 가옳다 is not a verdict
        ('"가"가옳다. 이유', '"가"가옳다. 이유', ""),
        # bug for bug: strip() runs before lstrip('., '), so a newline right after the period survives
        ('\n"가"가 옳다.\n첫째.\n둘째.\n', '"가"가 옳다', "\n첫째.\n둘째."),
        ('"가"가 옳다\n첫째.', '"가"가 옳다', "첫째."),
    ],
)
def test_split_table(text: str, answer: str, reason: str) -> None:
    assert split_answer_reason(text) == (answer, reason)


def test_split_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="expects a string"):
        split_answer_reason(None)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('가이 옳다."\',#XY\n')), max_size=40))
def test_split_properties(text: str) -> None:
    answer, reason = split_answer_reason(text)
    assert answer == answer.strip()
    assert not reason.startswith((".", ",", " ")) and reason == reason.rstrip()
    if "가 옳다" in text:
        assert answer.endswith("가 옳다") and "가 옳다" not in answer[:-1]
    elif "이 옳다" in text:
        assert answer.endswith("이 옳다") and "이 옳다" not in answer[:-1]
    else:
        assert (answer, reason) == (text.strip(), "")
    # nothing but the stripped characters is lost
    assert len(answer) + len(reason) <= len(text)


# -- normalize_answer ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "official", "strict"),
    [
        ('"나는 학교에 갔다."가 옳다', "나는 학교에 갔다.가 옳다", "나는 학교에 갔다.가 옳다"),
        ("'나는' \"학교\"", "나는 학교", "나는 학교"),
        ("“나는 학교에 갔다.”가 옳다", "“나는 학교에 갔다.”가 옳다", "나는 학교에 갔다.가 옳다"),
        ("‘나는’", "‘나는’", "나는"),
        ('"나는  학교에\t갔다." 가 옳다', "나는  학교에\t갔다. 가 옳다", "나는 학교에 갔다.가 옳다"),
        ("＂나는＂가 옳다", "＂나는＂가 옳다", "나는가 옳다"),  # fullwidth quotes: NFKC only in strict mode
        ("  X  ", "X", "X"),
        ("", "", ""),
    ],
)
def test_normalize_table(text: str, official: str, strict: str) -> None:
    assert normalize_answer(text) == official
    assert normalize_answer(text, strict=True) == strict


def test_normalize_keeps_the_particle() -> None:
    assert normalize_answer('"X"가 옳다') != normalize_answer('"X"이 옳다')
    assert normalize_answer('"X"가 옳다', strict=True) != normalize_answer('"X"이 옳다', strict=True)


# -- exact match -----------------------------------------------------------------------------------------------
GOLD = '"나는 학교에 갔다."가 옳다. 주어와 서술어가 호응한다.'


@pytest.mark.parametrize(
    ("prediction", "official", "strict"),
    [
        ('"나는 학교에 갔다."가 옳다. 전혀 다른 이유.', 1.0, 1.0),
        ("'나는 학교에 갔다.'가 옳다.", 1.0, 1.0),  # ASCII single quotes are removed too
        ("나는 학교에 갔다.가 옳다", 1.0, 1.0),  # no quotes at all: same normalized answer
        ('  "나는 학교에 갔다."가 옳다  ', 1.0, 1.0),
        ('"나는 학교에 갔다."이 옳다. 이유', 0.0, 0.0),  # the particle matters
        ("“나는 학교에 갔다.”가 옳다. 이유", 0.0, 1.0),  # curly quotes: only strict accepts
        ('"나는 학교에 갔다." 가 옳다. 이유', 0.0, 1.0),  # space before 가: only strict accepts
        ('"나는  학교에 갔다."가 옳다.', 0.0, 1.0),  # inner double space
        ('"나는 학교에 갔다."', 0.0, 0.0),  # no verdict
        ("", 0.0, 0.0),
        ('"나는 학교에 간다."가 옳다. 이유', 0.0, 0.0),
    ],
)
def test_em_table(prediction: str, official: float, strict: float) -> None:
    assert malpyeong_em_reward(completions=[prediction], answer=[GOLD]) == [official]
    assert MalpyeongEMReward(strict=True)(completions=[prediction], answer=[GOLD]) == [strict]


def test_em_hash_alternatives() -> None:
    gold = '"초·중학교"#"초, 중학교"가 옳다. 쉼표를 쓸 수도 있다.'
    # official order: answer part first, then normalize, then split on '#'
    assert answer_alternatives(gold) == ["초·중학교", "초, 중학교가 옳다"]
    assert malpyeong_em_reward(
        completions=['"초·중학교"', '"초, 중학교"가 옳다. 이유', '"초·중학교"가 옳다.', '"초"가 옳다'],
        answer=[gold] * 4,
    ) == [1.0, 1.0, 0.0, 0.0]
    # a '#' inside the reason is not an alternative
    assert answer_alternatives('"가"가 옳다. 이유 #"나"가 옳다') == ["가가 옳다"]
    # alternatives are stripped on both sides
    assert exact_match(' "가" ', '"가" # "나"가 옳다. 이유')


def test_em_the_inline_alternative_gold_needs_the_whole_phrase() -> None:
    gold = next(g for g in SAMPLE_GOLDS if "혹은" in g)
    assert malpyeong_em_reward(completions=[gold, '"초·중학교"가 옳다.'], answer=[gold, gold]) == [1.0, 0.0]


def test_em_gold_vs_gold_on_sample_data() -> None:
    assert malpyeong_em_reward(completions=SAMPLE_GOLDS, answer=SAMPLE_GOLDS) == [1.0] * len(SAMPLE_GOLDS)
    assert MalpyeongEMReward(strict=True)(completions=SAMPLE_GOLDS, answer=SAMPLE_GOLDS) == [1.0] * len(
        SAMPLE_GOLDS
    )


def test_em_gold_as_official_output_dict_and_custom_column() -> None:
    reward = MalpyeongEMReward(answer_key="output")
    outputs = [item["output"] for item in SAMPLE]
    assert reward(completions=SAMPLE_GOLDS, output=outputs) == [1.0] * len(SAMPLE)
    assert reward.__name__.startswith("malpyeong_em_reward(answer_key=output")


def test_em_completion_formats_and_non_strings() -> None:
    messages = [{"role": "assistant", "content": GOLD}]
    parts = [{"role": "assistant", "content": [{"type": "text", "text": GOLD}]}]
    scores = malpyeong_em_reward(completions=[messages, parts, None, 42, b'"x"'], answer=[GOLD] * 5)
    assert scores == [1.0, 1.0, 0.0, 0.0, 0.0]


def test_em_missing_gold_column_names_it() -> None:
    with pytest.raises(ValueError, match="'answer'.*answer_key"):
        malpyeong_em_reward(completions=[GOLD], reference=[GOLD])
    assert malpyeong_em_reward(completions=[GOLD], solution=[GOLD]) == [1.0]  # TRL's name for the gold column
    with pytest.raises(ValueError, match="'gold'"):
        MalpyeongEMReward(answer_key="gold")(completions=[GOLD], answer=[GOLD])


def test_em_bad_gold_values_and_options() -> None:
    assert malpyeong_em_reward(completions=[GOLD, GOLD], answer=[None, GOLD]) == [None, 1.0]  # no gold: None
    assert malpyeong_em_reward(completions=[GOLD], answer=[42]) == [0.0]  # a number is read as its text
    with pytest.raises(ValueError, match="2 completions but 1 values"):
        malpyeong_em_reward(completions=[GOLD, GOLD], answer=[GOLD])
    with pytest.raises(TypeError, match="answer_key"):
        MalpyeongEMReward(answer_key="")


def test_em_logs_the_normalized_answer() -> None:
    logged: dict[str, list] = {}
    scores = malpyeong_em_reward(
        completions=['"나는 학교에 갔다."가 옳다. 이유', "모름"],
        answer=[GOLD, GOLD],
        log_extra=lambda column, values: logged.__setitem__(column, values),
    )
    assert scores == [1.0, 0.0]
    assert logged == {"malpyeong_em_reward/answer": ["나는 학교에 갔다.가 옳다", "모름"]}


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('가이 옳다."\'XY\n“”')), max_size=30))
def test_em_gold_vs_itself(text: str) -> None:
    # a gold whose answer part has no '#' always matches itself, officially and strictly
    if "#" not in split_answer_reason(text)[0]:
        assert exact_match(text, text) and exact_match(text, text, strict=True)


# -- format ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ('"나는 학교에 갔다."가 옳다. 주어와 서술어가 호응한다.', (True, True, True)),
        ('"덤핑"이 옳다. 원어 발음.', (True, True, True)),
        ('"그가 "야호!"라고 외쳤다."가 옳다. 인용.', (True, True, True)),  # nested quotes
        ('"초·중학교" 혹은 "초, 중학교"가 옳다. 이유', (True, True, True)),
        ('"깨끗이"가 옳다.', (True, True, False)),  # missing reason
        ('"깨끗이"가 옳다 ., ', (True, True, False)),
        ('"떡볶이를 먹었다." 가 옳다. 이유', (True, False, True)),  # space before 가
        ('"사과·배"으가 옳다. 이유', (True, False, True)),  # the 으가 typo
        ("“깨끗이”가 옳다. 이유", (True, False, True)),  # curly quotes (off by default)
        ("깨끗이가 옳다. 이유", (True, False, True)),  # no quotes
        ('""가 옳다. 이유', (True, False, True)),  # empty quoted sentence
        ('" "가 옳다. 이유', (True, False, True)),
        ('"가 옳다. 이유', (True, False, True)),  # a lone quote
        ('정답: "깨끗이"가 옳다. 이유', (True, False, True)),  # text before the quote
        ('"X"이 옳다. 그러므로 Y가 옳다. 끝', (True, False, True)),  # the official split takes the later 가 옳다
        ("깨끗이", (False, False, False)),
        ("", (False, False, False)),
    ],
)
def test_template_parts_table(text: str, parts: tuple[bool, bool, bool]) -> None:
    assert template_parts(text) == parts


def test_format_reward_default_and_partial_credit() -> None:
    texts = ['"깨끗이"가 옳다. 이유', '"깨끗이"가 옳다.', "깨끗이가 옳다. 이유", "깨끗이", ""]
    assert malpyeong_format_reward(completions=texts) == [1.0, 0.0, 0.0, 0.0, 0.0]
    partial = MalpyeongFormatReward(verdict_credit=0.2, quoted_credit=0.3, reason_credit=0.1)
    assert partial(completions=texts) == pytest.approx([1.0, 0.5, 0.3, 0.0, 0.0])
    assert MalpyeongFormatReward(full_credit=2.0).score(texts[0]) == 2.0


def test_format_reward_curly_quotes_option() -> None:
    text = "“깨끗이”가 옳다. 이유"
    assert malpyeong_format_reward.score(text) == 0.0
    assert MalpyeongFormatReward(curly_quotes=True).score(text) == 1.0


def test_format_reward_on_sample_golds() -> None:
    scores = malpyeong_format_reward(completions=SAMPLE_GOLDS)
    irregular = {"s3", "s4", "s7"}  # a space before 가, the 으가 typo, the verdict only inside the reason
    assert scores == [0.0 if item["id"] in irregular else 1.0 for item in SAMPLE]


def test_format_reward_never_raises_and_handles_huge_inputs() -> None:
    huge = ['"' + "가 옳다" * 200_000, '"' * 500_000 + "가 옳다. x", "이 옳다 " * 100_000, None, 3.5, [{"x": 1}]]
    scores = malpyeong_format_reward(completions=huge)
    assert len(scores) == len(huge) and all(score in (0.0, 1.0) for score in scores)
    assert scores[1] == 1.0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_format_reward_is_total(text: str) -> None:
    score = malpyeong_format_reward.score(text)
    assert score in (0.0, 1.0)
    # a full-credit completion always splits into a clean quoted answer and a reason
    if score == 1.0:
        answer, reason = split_answer_reason(text)
        assert answer.startswith('"') and reason


def test_format_reward_rejects_bad_credit_options() -> None:
    with pytest.raises(TypeError, match="quoted_credit"):
        MalpyeongFormatReward(quoted_credit="high")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="full_credit"):
        MalpyeongFormatReward(full_credit=float("nan"))


# -- TRL contract ----------------------------------------------------------------------------------------------
def test_rewards_pickle_and_have_stable_names() -> None:
    for reward in (malpyeong_em_reward, malpyeong_format_reward, MalpyeongEMReward(strict=True)):
        clone = pickle.loads(pickle.dumps(reward))
        assert clone.__name__ == reward.__name__
        assert clone(completions=[GOLD], answer=[GOLD]) == reward(completions=[GOLD], answer=[GOLD])
    assert malpyeong_em_reward.__name__ == "malpyeong_em_reward"
    assert malpyeong_format_reward.__name__ == "malpyeong_format_reward"
    a, b = MalpyeongEMReward(strict=True), MalpyeongEMReward(strict=True)
    assert a.__name__ == b.__name__ and "strict=True" in a.__name__  # the name follows the options only
    assert MalpyeongEMReward(strict=True, name="em_strict").__name__ == "em_strict"
