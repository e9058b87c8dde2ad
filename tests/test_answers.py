"""check_answer_ko and check_numbers_ko: hand-checked Korean cases, notebook parity on ASCII, robustness."""

from __future__ import annotations

import pickle
import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from korean_rewards import NOTEBOOK_TAGS, Tags
from korean_rewards.answers import CheckAnswerKo, CheckNumbersKo, check_answer_ko, check_numbers_ko
from korean_rewards.numbers import ANSWER_WINDOW
from korean_rewards.numbers.final_answer import read_answer_span
from korean_rewards.numbers.math_answer import is_inside_word

# The notebook's rewards, re-implemented plainly from its published regexes: benchmarks/notebook_reference.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import notebook_reference as notebook  # noqa: E402

REASONING_END, SOLUTION_START, SOLUTION_END, EOS = (
    notebook.REASONING_END,
    notebook.SOLUTION_START,
    notebook.SOLUTION_END,
    notebook.EOS_TOKEN,
)


def solution(answer: str, tail: str = "") -> str:
    return f"풀이를 합니다.{REASONING_END}{SOLUTION_START}{answer}{SOLUTION_END}{tail}"


# -- check_numbers_ko: hand-checked cases ------------------------------------------------------------------------

NUMBERS_CASES = [
    # (completion, gold, score)
    ("<SOLUTION>350</SOLUTION>", "350", 3.5),
    ("<SOLUTION>삼백오십</SOLUTION>", "350", 3.5),
    ("<SOLUTION>삼백오십 개</SOLUTION>", "350", 3.5),
    ("<SOLUTION>350개</SOLUTION>", "삼백오십", 3.5),
    ("<SOLUTION>350</SOLUTION>", "350개", 3.5),
    ("<SOLUTION>350</SOLUTION>", " 350 ", 3.5),
    ("<SOLUTION>1,234</SOLUTION>", "1234", 3.5),
    ("<SOLUTION>1234</SOLUTION>", "1,234", 3.5),  # the notebook cannot read this gold (0.0)
    ("<SOLUTION>3만 5천 원</SOLUTION>", "35000", 3.5),
    ("<SOLUTION>1억2천만</SOLUTION>", "120000000", 3.5),
    ("<SOLUTION>2.5억</SOLUTION>", "250000000", 3.5),
    ("<SOLUTION>1,500만 원</SOLUTION>", "15000000", 3.5),
    ("<SOLUTION>스무 살</SOLUTION>", "20", 3.5),
    ("<SOLUTION>열두 개</SOLUTION>", "12", 3.5),
    ("<SOLUTION>三百五十</SOLUTION>", "350", 3.5),
    ("<SOLUTION>１２３</SOLUTION>", "123", 3.5),
    ("<SOLUTION>영점오</SOLUTION>", "0.5", 3.5),
    ("<SOLUTION>3분의 1</SOLUTION>", "1/3", 3.5),
    ("<SOLUTION>1/3</SOLUTION>", "3분의 1", 3.5),
    (r"<SOLUTION>$\frac{1}{3}$</SOLUTION>", "1/3", 3.5),
    ("<SOLUTION>2와 3분의 1</SOLUTION>", "7/3", 3.5),
    ("<SOLUTION>−5</SOLUTION>", "-5", 3.5),
    ("<SOLUTION>마이너스 5</SOLUTION>", "-5", 3.5),
    ("<SOLUTION>영하 5도</SOLUTION>", "-5", 3.5),
    ("<SOLUTION>-5</SOLUTION>", "-5", 3.5),
    ("<SOLUTION> -5</SOLUTION>", "-5", 3.5),
    ("<SOLUTION>50%</SOLUTION>", "0.5", 3.5),  # a percentage equals its value ...
    ("<SOLUTION>50%</SOLUTION>", "50", 3.5),  # ... and its number of percent
    ("<SOLUTION>50</SOLUTION>", "50%", 3.5),
    ("<SOLUTION>0.5</SOLUTION>", "50%", 3.5),
    ("<SOLUTION>5</SOLUTION>", "50%", -1.5),
    ("<SOLUTION>정답은 삼백오십 개입니다.</SOLUTION>", "350", 3.5),
    ("<SOLUTION>정답. 350</SOLUTION>", "350", 3.5),  # a full stop after Korean text is not a number
    ("<SOLUTION>351</SOLUTION>", "350", -1.5),
    ("<SOLUTION>삼백</SOLUTION>", "350", -1.5),
    # issue 21: an equation's result is the answer (the notebook reads its first number, 3), a sign may stand
    # apart, a range or an expression that is no number is wrong
    ("<SOLUTION>3 + 5 = 8</SOLUTION>", "8", 3.5),
    ("<SOLUTION>3 + 5 = 8</SOLUTION>", "3", -1.5),
    ("<SOLUTION>6 × 7 = 42</SOLUTION>", "42", 3.5),
    ("<SOLUTION>6 × 7 = 42개</SOLUTION>", "6", -1.5),
    ("<SOLUTION>- 3</SOLUTION>", "-3", 3.5),
    ("<SOLUTION>- 3</SOLUTION>", "3", -1.5),
    ("<SOLUTION>15~16개</SOLUTION>", "15", -1.5),
    ("<SOLUTION>15 ~ 16</SOLUTION>", "16", -1.5),
    (r"<SOLUTION>$4\sqrt{2}$</SOLUTION>", "4", -1.5),
    ("<SOLUTION>4√2</SOLUTION>", "4", -1.5),
    (r"<SOLUTION>\pm 7</SOLUTION>", "7", -1.5),
    ("<SOLUTION>3x</SOLUTION>", "3", -1.5),
    (r"<SOLUTION>\frac{3}{4}</SOLUTION>", "0.75", 3.5),
    (r"<SOLUTION>32,\! 349</SOLUTION>", "32349", 3.5),
    ("<SOLUTION>42</SOLUTION>", "정답: 42", 3.5),  # a gold written as a sentence
    ("<SOLUTION>42</SOLUTION>", "답은 42개입니다.", 3.5),
    ("<SOLUTION>x.y</SOLUTION>", "1", 0.0),  # the notebook captures "." and cannot convert it
    ("<SOLUTION>1.2.3</SOLUTION>", "1.2", 0.0),
    ("<SOLUTION>,</SOLUTION>", "1", 0.0),
    ("<SOLUTION>모르겠습니다</SOLUTION>", "350", -2.5),
    ("정답은 350", "350", -2.5),  # no tag
    ("", "350", -2.5),
    ("<SOLUTION>", "350", -2.5),
    ("<SOLUTION>350", "350", 3.5),  # no closing tag needed, as in the notebook
    ("앞 350 <SOLUTION>351</SOLUTION>", "350", -1.5),  # only what follows the tag counts
    ("<SOLUTION>350</SOLUTION> 추가 <SOLUTION>7</SOLUTION>", "350", 3.5),  # the first tag
]


@pytest.mark.parametrize(("completion", "gold", "score"), NUMBERS_CASES)
def test_check_numbers_ko(completion: str, gold: str, score: float) -> None:
    assert check_numbers_ko(completions=[completion], answer=[gold]) == [score]


@pytest.mark.parametrize("gold", ["서울", "", "  ", "정답 없음", None, "inf", "nan"])
def test_check_numbers_ko_is_not_applicable_without_a_numeric_gold(gold: Any) -> None:
    assert check_numbers_ko(completions=["<SOLUTION>350</SOLUTION>"], answer=[gold]) == [None]


@pytest.mark.parametrize(
    ("gold", "score"),
    [(350, 3.5), (350.0, 3.5), (0.5, -1.5), ("350", 3.5), (b"350", 3.5)],
)
def test_check_numbers_ko_numeric_golds(gold: Any, score: float) -> None:
    assert check_numbers_ko(completions=["<SOLUTION>350</SOLUTION>"], answer=[gold]) == [score]


def test_check_numbers_ko_relative_tolerance() -> None:
    lenient = CheckNumbersKo(rel_tol=0.01)
    batch = ["<SOLUTION>100.9</SOLUTION>", "<SOLUTION>99</SOLUTION>", "<SOLUTION>101.5</SOLUTION>", "<SOLUTION>0</SOLUTION>"]
    assert lenient(completions=batch, answer=["100", "100", "100", "0"]) == [3.5, 3.5, -1.5, 3.5]
    assert check_numbers_ko(completions=batch[:1], answer=["100"]) == [-1.5]
    # the tolerance is exact: 1% of 100 is 1, so 101 is in and 101.0000001 is out
    assert lenient(completions=["<SOLUTION>101</SOLUTION>", "<SOLUTION>101.0000001</SOLUTION>"], answer=["100", "100"]) == [
        3.5,
        -1.5,
    ]


def test_check_numbers_ko_without_tags_reads_the_answer_number() -> None:
    reward = CheckNumbersKo(tags=None)
    cases = [
        ("3 + 5 = 8이고 두 배 하면 16. 따라서 답은 16개입니다. 검산: 2 × 8", "16", 3.5),
        (r"그러므로 \boxed{\frac{7}{2}}", "3.5", 3.5),
        ("사과는 모두 삼백오십 개", "350", 3.5),
        ("정답은 12입니다", "13", -1.5),
        ("숫자가 없습니다", "1", -2.5),
        (r"\boxed{x+y}", "1", 0.0),  # an answer was given, but it is not a number
    ]
    assert reward(completions=[c for c, _, _ in cases], answer=[g for _, g, _ in cases]) == [s for _, _, s in cases]


def test_check_numbers_ko_custom_tags_and_scores() -> None:
    tags = Tags(reasoning_end="</think>", solution_start="<answer>", solution_end="</answer>", eos_token=None)
    reward = CheckNumbersKo(tags=tags, correct=1.0, wrong=0.0, no_number=-1.0, unparseable=-0.5)
    batch = ["</think><answer>스물다섯</answer>", "<answer>24</answer>", "<SOLUTION>25</SOLUTION>", "<answer>.</answer>"]
    assert reward(completions=batch, answer=["25"] * 4) == [1.0, 0.0, -1.0, -0.5]


# -- check_answer_ko: hand-checked cases -------------------------------------------------------------------------

ANSWER_CASES = [
    # (answer between the tags, gold, score)
    ("350", "350", 5.0),
    (" 350 ", "350", 3.5),
    ("350", " 350", 3.5),
    ("삼백오십", "350", 3.5),
    ("삼백오십 개", "350", 3.5),
    ("350개", "350", 3.5),
    ("350 개", "350", 3.5),
    ("1,000", "1000", 3.5),  # the notebook cannot convert "1,000" (-4.5)
    ("1000", "1,000", 3.5),
    ("３５０", "350", 3.5),
    ("약 350", "350", 3.5),
    ("350", "삼백오십", 3.5),
    ("三百五十", "350", 3.5),
    ("3분의 1", "1/3", 3.5),
    ("50%", "0.5", 3.5),
    ("50%", "50", 3.5),
    ("서울 특별시", "서울  특별시", 3.5),  # whitespace collapsed
    ("ＡＢＣ", "ABC", 3.5),  # NFKC
    ("350.0", "350", 2.0),  # two float literals: the notebook's ratio bands
    ("340", "350", 2.0),
    ("삼백사십", "350", 2.0),
    ("385", "350", 2.0),
    ("300", "350", 1.5),
    ("420", "350", 1.5),
    ("삼백", "350", 1.5),
    ("100", "350", -2.5),
    ("-350", "350", -2.5),
    ("백", "350", -2.5),
    ("45%", "50", 2.0),  # 45 percent vs 50: ratio 0.9
    ("서울", "부산", -4.5),
    ("모르겠습니다", "350", -4.5),
    ("350", "서울", -4.5),
    ("서울", "서울", 5.0),
    # zero gold: no division by zero
    ("0", "0", 5.0),
    ("0.0", "0", 2.0),
    ("영", "0", 3.5),
    ("0.1", "0", -2.5),
    ("영점일", "0", -2.5),
    ("1", "0.0", -2.5),
]


@pytest.mark.parametrize(("answer", "gold", "score"), ANSWER_CASES)
def test_check_answer_ko(answer: str, gold: str, score: float) -> None:
    assert check_answer_ko(completions=[solution(answer)], answer=[gold]) == [score]


@pytest.mark.parametrize(
    ("completion", "score"),
    [
        ("<end_working_out><SOLUTION>350</SOLUTION>", 5.0),
        ("<end_working_out><SOLUTION>350</SOLUTION><|endoftext|>", 5.0),
        ("<end_working_out><SOLUTION>350</SOLUTION>  \n", 5.0),
        ("<end_working_out><SOLUTION>350</SOLUTION>\n다음 줄", 5.0),
        ("<end_working_out><SOLUTION>350</SOLUTION> 끝", -2.0),  # text on the same line: no exact format
        ("<SOLUTION>350</SOLUTION>", -2.0),
        ("<end_working_out><SOLUTION></SOLUTION>", -2.0),
        ("정답은 350", -2.0),
        ("", -2.0),
    ],
)
def test_check_answer_ko_needs_the_exact_format(completion: str, score: float) -> None:
    assert check_answer_ko(completions=[completion], answer=["350"]) == [score]


def test_check_answer_ko_golds_of_other_types() -> None:
    batch = [solution("350")] * 4
    assert check_answer_ko(completions=batch, answer=[350, 350.0, 350.5, None]) == [5.0, 5.0, 2.0, None]


def test_check_answer_ko_without_tags_takes_the_whole_completion() -> None:
    reward = CheckAnswerKo(tags=None)
    assert reward(completions=["350", "삼백오십 개", "340", "모름"], answer=["350"] * 4) == [5.0, 3.5, 2.0, -4.5]


def test_check_answer_ko_custom_scores() -> None:
    reward = CheckAnswerKo(exact=1, normalized=0.8, close=0.5, near=0.25, wrong=0, unparseable=-1, no_answer=-2)
    batch = [solution("350"), solution("350개"), solution("340"), solution("300"), solution("1"), solution("x"), "350"]
    assert reward(completions=batch, answer=["350"] * 7) == [1.0, 0.8, 0.5, 0.25, 0.0, -1.0, -2.0]


# -- notebook parity on ASCII ------------------------------------------------------------------------------------

ASCII_PIECES = st.sampled_from(
    [SOLUTION_START, SOLUTION_END, REASONING_END, EOS, "-", "--", ",", ".", " ", "  ", "\n", "\t", "x", "abc", "e",
     "E", "_", "(", ")", "=", "+", "*", ":", "!", "?", "'", "[", "]", "{", "}", "<", ">", "#", "$", "~", "0", "1",
     "5", "12", "007", "3.5", "1,234", "999"]
)  # fmt: skip
ASCII_COMPLETIONS = st.lists(ASCII_PIECES, max_size=14).map("".join)
FLOAT_GOLDS = st.one_of(
    st.integers(-(10**9), 10**9).map(str),
    st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(["0", "-0", " 5 ", "5.0", ".5", "5.", "1e3", "1_000", "+7", "1234", "0.5", "-5", "12", "3.5"]),
)


def _significant_digits(text: str) -> int:
    return len(re.sub(r"[^0-9]", "", text.lower().partition("e")[0]).lstrip("0"))


@settings(max_examples=500, deadline=None)
@given(ASCII_COMPLETIONS, FLOAT_GOLDS, st.data())
def test_check_numbers_ko_matches_the_notebook_on_ascii(completion: str, gold: str, data: st.DataObject) -> None:
    capture = notebook.number_regex().search(completion)
    if capture is not None and data.draw(st.booleans()):
        gold = capture.group(1).replace(",", "") or gold  # hit the "correct" branch often
    try:
        float(gold)
    except ValueError:
        assume(False)
    # exact rationals and floats agree on numbers of up to 15 significant digits
    assume(_significant_digits(gold) <= 15)
    assume(capture is None or _significant_digits(capture.group(1)) <= 15)
    # issue 21's rules read an answer tag that holds an expression, an equation, a range or a sign set apart as a
    # whole (3 + 5 = 8 is 8, x0 is no number); everywhere else the notebook's first number holds
    tag = completion.find(SOLUTION_START)
    if tag >= 0:
        content = completion[tag + len(SOLUTION_START) :]
        end = content.find(SOLUTION_END)
        assume(read_answer_span(content[: end if end >= 0 else 400]) is None)
        assume(
            capture is None
            or not any(c.isdigit() for c in capture.group(1))
            or not is_inside_word(completion, capture.start(1), capture.end(1))
        )  # AZYUK2A: a digit inside a word is no number
    expected = notebook.check_numbers(None, [completion], [gold])
    assert check_numbers_ko(completions=[completion], answer=[gold]) == expected


ANSWER_PIECES = st.sampled_from(
    ["0", "1", "2", "5", "9", "10", "350", "0.5", ".", "-", "+", "e", "E", " ", ",", "x", "_", "00", "3.5", "1e2"]
)
ASCII_ANSWERS = st.lists(ANSWER_PIECES, min_size=1, max_size=6).map("".join)
ANSWER_TAILS = st.sampled_from(["", EOS, " ", "\n", "  \n", EOS + "\n", "\nmore text", " tail", "x"])


@settings(max_examples=500, deadline=None)
@given(ASCII_ANSWERS, st.one_of(ASCII_ANSWERS, FLOAT_GOLDS), ANSWER_TAILS, st.sampled_from(["", "reasoning ", "12 "]))
def test_check_answer_ko_matches_the_notebook_on_ascii(answer: str, gold: str, tail: str, head: str) -> None:
    completion = f"{head}{REASONING_END}{SOLUTION_START}{answer}{SOLUTION_END}{tail}"
    expected = notebook.check_answer(None, [completion], [gold])[0]
    ours = check_answer_ko(completions=[completion], answer=[gold])[0]
    try:
        zero_gold = float(gold) == 0
    except ValueError:
        zero_gold = False
    if zero_gold and expected == -4.5:
        # the notebook divides by zero inside its try: -4.5 even for a right answer; ours has a zero rule
        assert ours in (5.0, 3.5, 2.0, -2.5, -4.5)
        return
    if expected != -4.5:
        assert ours == expected
    else:
        # where the notebook cannot convert, Korean normalization may still read both (e.g. "1,000" vs "1000")
        assert ours == -4.5 or " ".join(answer.split()) == " ".join(gold.split()) or ours in (3.5, 2.0, 1.5, -2.5)


def test_parity_examples_from_the_notebook_facts() -> None:
    cases = ["<SOLUTION>x.y", "<SOLUTION>3 + 5 = 8", "<SOLUTION> -5", "<SOLUTION>1,234,567", "<SOLUTION>--5", "a<SOLUTION>b"]
    golds = ["0", "8", "-5", "1234567", "-5", "1"]
    # the notebook reads the first number of "3 + 5 = 8" (3, so gold 8 scores -1.5); the result of an equation in
    # the answer tag is its answer here (issue 21), the one deliberate difference on these canonical cases
    expected = notebook.check_numbers(None, cases, golds)
    assert expected[1] == -1.5
    expected[1] = 3.5
    assert check_numbers_ko(completions=cases, answer=golds) == expected == [0.0, 3.5, 3.5, 3.5, 3.5, -2.5]


# -- robustness ----------------------------------------------------------------------------------------------------

MB = 1_000_000
ADVERSARIAL = {
    "format repeat": "<end_working_out><SOLUTION>x</SOLUTION>y" * (MB // 39),
    "solution tags": "<SOLUTION>" * (MB // 10),
    "digits and commas": "<end_working_out><SOLUTION>" + "1," * (MB // 2) + "</SOLUTION>",
    "Korean numerals": "<end_working_out><SOLUTION>" + "삼백" * (MB // 2) + "</SOLUTION>",
    "boxed": "\\boxed{" * (MB // 7),
    "minus signs": "<end_working_out><SOLUTION>" + "- " * (MB // 2),
    "dots after Korean": "<SOLUTION>" + "정답." * (MB // 3),
    "closing and spaces": "<end_working_out><SOLUTION>42</SOLUTION>" + " " * MB,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_megabyte_completions_are_scored(name: str) -> None:
    text = ADVERSARIAL[name]
    numbers = check_numbers_ko(completions=[text], answer=["42"])[0]
    answer = check_answer_ko(completions=[text], answer=["42"])[0]
    expected_numbers = {
        "format repeat": -2.5,
        "solution tags": -2.5,
        "digits and commas": -1.5,  # a 500,000-digit number (the notebook's float is inf): wrong
        "Korean numerals": -2.5,
        "boxed": -2.5,
        "minus signs": -2.5,
        "dots after Korean": -2.5,
        "closing and spaces": 3.5,
    }[name]
    assert numbers == expected_numbers
    # the exact format holds when the closing tag ends the text; the megabyte answer is then not a number
    expected_answer = {"closing and spaces": 5.0, "digits and commas": -4.5, "Korean numerals": -4.5}.get(name, -2.0)
    assert answer == expected_answer
    assert CheckNumbersKo(tags=None)(completions=[text], answer=["42"])[0] in (3.5, -1.5, -2.5, 0.0)


# words that look like numerals but are not numbers where they stand, shuffled so that no period repeats:
# each one costs the reader real work, so a megabyte of them is the reader's worst case
LOOK_ALIKES = ["천오천가 ", "경이가 ", "삼십개다 ", "스무가 ", "세대 ", "두통 ", "열대 ", "구십가 ", "팔십다 ", "삼백가 ",
               "이 ", "사과 ", "네 생각 ", "천만에요 ", "만약 ", "가, ", "이. ", "만일, "]  # fmt: skip


def shuffled_look_alikes(head: str, seed: int = 0) -> str:
    rng = random.Random(seed)
    return head + "".join(rng.choice(LOOK_ALIKES) for _ in range(MB // 4))


@pytest.mark.parametrize("head", ["<end_working_out><SOLUTION>", ""], ids=["after the tag", "no tag"])
def test_megabyte_of_shuffled_numeral_look_alikes(head: str) -> None:
    text = shuffled_look_alikes(head)
    assert check_numbers_ko(completions=[text], answer=["42"]) == [-2.5]  # no number
    assert CheckNumbersKo(tags=None)(completions=[text], answer=["42"]) == [-2.5]
    assert check_answer_ko(completions=[text], answer=["42"]) == [-2.0]  # not the exact format
    answered = text + "따라서 답은 42"
    assert CheckNumbersKo(tags=None)(completions=[answered], answer=["42"]) == [3.5]


def test_check_numbers_ko_reads_korean_numerals_near_the_tag() -> None:
    filler = "계속 생각합니다. " * (ANSWER_WINDOW // 10 + 10)
    assert len(filler) > ANSWER_WINDOW
    tag = REASONING_END + SOLUTION_START
    # within ANSWER_WINDOW characters after the tag: Korean numerals are read
    assert check_numbers_ko(completions=[tag + filler[: ANSWER_WINDOW - 50] + " 삼백오십"], answer=["350"]) == [3.5]
    # past it: only digits, read whole when they begin a Korean number
    assert check_numbers_ko(completions=[tag + filler + "삼백오십"], answer=["350"]) == [-2.5]
    assert check_numbers_ko(completions=[tag + filler + "3만 5천 원"], answer=["35000"]) == [3.5]
    assert check_numbers_ko(completions=[tag + filler + "1,234"], answer=["1234"]) == [3.5]
    # a run without a digit counts only in the window (the notebook would read "." here and score 0.0)
    assert check_numbers_ko(completions=[tag + "x" * ANSWER_WINDOW + "x.y 42"], answer=["42"]) == [3.5]
    assert check_numbers_ko(completions=[tag + "x" * 100 + "x.y 42"], answer=["42"]) == [0.0]
    assert notebook.check_numbers(None, [tag + "x" * 100 + "x.y 42"], ["42"]) == [0.0]


@pytest.mark.parametrize(
    "completion",
    [None, b"<SOLUTION>350", bytearray(b"x"), 350, 3.5, object(), [], {}, [{"role": "assistant", "content": None}],
     [{"role": "assistant", "content": [{"type": "text", "text": "<SOLUTION>350"}]}], "\x00\ud800", "\\"],
)  # fmt: skip
def test_model_output_never_raises(completion: Any) -> None:
    for reward in (check_numbers_ko, check_answer_ko, CheckNumbersKo(tags=None), CheckAnswerKo(tags=None)):
        scores = reward(completions=[completion], answer=["350"])
        assert len(scores) == 1 and isinstance(scores[0], float)


def test_conversational_completions() -> None:
    batch = [[{"role": "assistant", "content": solution("350")}], [{"role": "assistant", "content": solution("삼백오십")}]]
    assert check_answer_ko(completions=batch, answer=["350", "350"]) == [5.0, 3.5]
    assert check_numbers_ko(completions=batch, answer=["350", "350"]) == [3.5, 3.5]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=4), st.data())
def test_one_float_or_none_per_completion(completions: list[str], data: st.DataObject) -> None:
    golds = data.draw(st.lists(st.one_of(st.text(max_size=10), FLOAT_GOLDS), min_size=len(completions), max_size=len(completions)))
    for reward in (check_numbers_ko, check_answer_ko):
        scores = reward(completions=completions, answer=golds)
        assert len(scores) == len(completions)
        assert all(score is None or isinstance(score, float) for score in scores)


def test_misuse_raises_clear_errors() -> None:
    with pytest.raises(ValueError, match="answer"):
        check_numbers_ko(completions=["<SOLUTION>1"], reference=["1"])
    with pytest.raises(ValueError, match="answer"):
        check_answer_ko(completions=["<SOLUTION>1"])
    with pytest.raises(ValueError, match="1 completions but 2"):
        check_numbers_ko(completions=["<SOLUTION>1"], answer=["1", "2"])
    with pytest.raises(TypeError):
        check_answer_ko(completions="<SOLUTION>1", answer=["1"])
    with pytest.raises(ValueError, match="rel_tol"):
        CheckNumbersKo(rel_tol=-0.1)
    with pytest.raises(ValueError, match="rel_tol"):
        CheckNumbersKo(rel_tol=float("nan"))
    with pytest.raises(TypeError, match="rel_tol"):
        CheckNumbersKo(rel_tol="0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tags"):
        CheckAnswerKo(tags="<SOLUTION>")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="correct"):
        CheckNumbersKo(correct="high")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exact"):
        CheckAnswerKo(exact=float("inf"))
    with pytest.raises(TypeError, match="answer_key"):
        CheckAnswerKo(answer_key="")


def test_answer_key_option() -> None:
    reward = CheckNumbersKo(answer_key="solution")
    assert reward(completions=["<SOLUTION>7"], solution=["일곱"]) == [3.5]


def test_logs_what_was_extracted() -> None:
    logged: dict[str, list[Any]] = {}

    def log_extra(column: str, values: list[Any]) -> None:
        logged[column] = values

    batch = [solution("삼백오십 개"), "no tags", "<SOLUTION>x.y"]
    check_numbers_ko(completions=batch, answer=["350"] * 3, log_extra=log_extra)
    check_answer_ko(completions=batch, answer=["350"] * 3, log_extra=log_extra)
    assert logged["check_numbers_ko/extracted"] == ["삼백오십 개", None, "."]  # the answer tag read whole
    assert logged["check_answer_ko/extracted"] == ["삼백오십 개", None, None]


def test_names_defaults_pickling_and_configure() -> None:
    assert check_numbers_ko.__name__ == "check_numbers_ko"
    assert check_answer_ko.__name__ == "check_answer_ko"
    assert check_numbers_ko.tags is NOTEBOOK_TAGS
    assert (check_numbers_ko.correct, check_numbers_ko.wrong, check_numbers_ko.no_number, check_numbers_ko.unparseable) == (
        3.5,
        -1.5,
        -2.5,
        0.0,
    )
    lenient = check_numbers_ko.configure(rel_tol=0.05)
    assert lenient.__name__.startswith("check_numbers_ko(rel_tol=0.05")
    assert lenient.score("<SOLUTION>104", "100") == 3.5 and check_numbers_ko.score("<SOLUTION>104", "100") == -1.5
    for reward in (check_numbers_ko, check_answer_ko, lenient):
        clone = pickle.loads(pickle.dumps(reward))
        batch = [solution("삼백오십"), solution("340")]
        assert clone(completions=batch, answer=["350", "350"]) == reward(completions=batch, answer=["350", "350"])
