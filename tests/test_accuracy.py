"""accuracy_reward_ko on the labelled set (tests/data/accuracy_ko.jsonl), its invariances, and the numerals table."""

from __future__ import annotations

import json
import time
import warnings
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from korean_rewards import AccuracyRewardKo, accuracy_reward_ko, check_numbers_ko, parse_korean_number
from korean_rewards.numbers import extract_answer_number
from korean_rewards.numbers.final_answer import find_final_answer

ROWS = [json.loads(line) for line in (Path(__file__).parent / "data" / "accuracy_ko.jsonl").read_text("utf-8").splitlines() if line.strip()]


def _verdicts(completions: list, golds: list) -> list[bool]:
    return [score == 1.0 for score in accuracy_reward_ko(completions=completions, answer=golds)]


def _rates(rows: list[dict], verdicts: list[bool]) -> tuple[float, float]:
    right = sum(v == r["correct"] for r, v in zip(rows, verdicts))
    paid = [r["correct"] for r, v in zip(rows, verdicts) if v]
    return right / len(rows), (sum(paid) / len(paid) if paid else 1.0)


def test_the_labelled_set_is_large_and_balanced() -> None:
    assert len(ROWS) >= 300
    for shape in ("tags", "think", "plain"):
        rows = [r for r in ROWS if r["shape"] == shape]
        assert len(rows) >= 90 and any(r["correct"] for r in rows) and not all(r["correct"] for r in rows)


def test_accuracy_and_precision_overall_and_per_shape() -> None:
    verdicts = _verdicts([r["completion"] for r in ROWS], [r["gold"] for r in ROWS])
    accuracy, precision = _rates(ROWS, verdicts)
    assert accuracy >= 0.97 and precision >= 0.985, (accuracy, precision)
    for shape in ("tags", "think", "plain"):
        pairs = [(r, v) for r, v in zip(ROWS, verdicts) if r["shape"] == shape]
        shape_accuracy, shape_precision = _rates([r for r, _ in pairs], [v for _, v in pairs])
        assert shape_accuracy >= 0.95 and shape_precision >= 0.95, (shape, shape_accuracy, shape_precision)


def _gsm8k(gold: str) -> str:
    value = parse_korean_number(gold)
    if "####" in gold or value is None or value.denominator != 1:
        return gold
    return f"풀이: 문제의 수들을 차례로 계산한다.\n#### {value}"


def test_same_verdicts_with_gsm8k_gold_and_conversational_completions() -> None:
    plain = accuracy_reward_ko(completions=[r["completion"] for r in ROWS], answer=[r["gold"] for r in ROWS])
    gsm8k = accuracy_reward_ko(completions=[r["completion"] for r in ROWS], answer=[_gsm8k(r["gold"]) for r in ROWS])
    chat = accuracy_reward_ko(
        completions=[[{"role": "assistant", "content": r["completion"]}] for r in ROWS], answer=[r["gold"] for r in ROWS]
    )
    solution = accuracy_reward_ko(completions=[r["completion"] for r in ROWS], solution=[r["gold"] for r in ROWS])
    assert plain == gsm8k == chat == solution


def test_scores_are_trl_style() -> None:
    reward = AccuracyRewardKo()
    assert reward.score("<SOLUTION>72</SOLUTION>", "72") == 1.0
    assert reward.score("<SOLUTION>73</SOLUTION>", "72") == 0.0
    assert reward.score("아무 숫자도 없음", "72") == 0.0
    assert reward.score("<SOLUTION>72</SOLUTION>", "모름") is None
    assert reward.score("<SOLUTION>72</SOLUTION>", None) is None
    assert accuracy_reward_ko.__name__ == "accuracy_reward_ko"
    with pytest.raises(ValueError, match="answer"):
        accuracy_reward_ko(completions=["1"], gold=["1"])
    logged = {}
    accuracy_reward_ko(completions=["답: 7"], answer=["7"], log_extra=lambda k, v: logged.update({k: v}))
    assert logged == {"accuracy_reward_ko/extracted": ["7"]}


@pytest.mark.parametrize(
    ("completion", "gold", "score"),
    [
        ("정답은 24가 아닌 25입니다.", "25", 1.0),
        ("답은 7이 아니라 9", "9", 1.0),
        ("정답은 (3) 64", "64", 1.0),
        ("따라서 360의 절반인 180이 답이다.", "180", 1.0),
        ("2번째 방법으로 구하면 답은 56", "56", 1.0),
        (r"$\boxed{3^4}$", "81", 1.0),
        (r"\boxed{\sqrt{16}}", "4", 1.0),
        (r"\boxed{2\frac{1}{2}}", "5/2", 1.0),
        (r"\boxed{\dfrac{3}{4}}", "0.75", 1.0),
        ("답: - 3", "-3", 1.0),
        ("넓이는 64 cm^2", "64", 1.0),
        ("할인율은 50%입니다.", "0.5", 1.0),
        ("할인율은 50%입니다.", "50", 1.0),
        ("<SOLUTION>일조</SOLUTION>", "1000000000000", 1.0),
        ("<SOLUTION>스물 다섯</SOLUTION>", "25", 1.0),
        ("정답은 25 또는 26입니다.", "25", 0.0),
        ("정답은 1, 2, 3 중 하나", "2", 0.0),
        ("<SOLUTION>25</SOLUTION> <SOLUTION>26</SOLUTION>", "26", 0.0),
        ("<SOLUTION>26</SOLUTION> <SOLUTION>26개</SOLUTION>", "26", 1.0),
        ("<think>계산 중 3 + 4 = 7", "7", 0.0),  # never closed its reasoning: no answer
    ],
)
def test_answer_location_cases(completion: str, gold: str, score: float) -> None:
    assert accuracy_reward_ko.score(completion, gold) == score


def test_a_megabyte_adversary_scores_fast() -> None:
    text = "<think>" + "이 조 조 만일 1 2 3 정답은 " * 40_000 + "</think> 답: 7"
    start = time.perf_counter()
    assert accuracy_reward_ko.score(text, "7") == 1.0
    assert time.perf_counter() - start < 2.0  # generous here; benchmarks/bench_accuracy.py measures


def test_check_numbers_ko_reads_gsm8k_gold_and_warns_once_without_tags() -> None:
    assert check_numbers_ko.score("<SOLUTION>72</SOLUTION>", "풀이 … #### 72") == 3.5
    from korean_rewards import answers

    answers._warned.discard("tags")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_numbers_ko(completions=["답: 7", "답: 8"], answer=["7", "8"])
        check_numbers_ko(completions=["답: 7"], answer=["7"])
    messages = [str(w.message) for w in caught if "no <SOLUTION>" in str(w.message)]
    assert len(messages) == 1 and "accuracy_reward_ko" in messages[0]


# -- properties ---------------------------------------------------------------------------------------------------

FILLER = st.lists(st.sampled_from(["먼저 문제를 읽는다.", "차근차근 생각해 보자.", "조건을 정리하면 다음과 같다.", "Let us think.", "\n"]), max_size=6)
ANSWERS = st.integers(min_value=-10_000, max_value=10_000)
SHAPES = st.sampled_from(["<SOLUTION>{}</SOLUTION>", "<think>생각</think>\n정답은 {}입니다.", "따라서 답은 {}개입니다.", r"$\boxed{{{}}}$"])


@settings(max_examples=200, deadline=None)
@given(FILLER, ANSWERS, SHAPES)
def test_number_free_reasoning_before_the_answer_changes_nothing(filler: list[str], value: int, shape: str) -> None:
    answer = shape.format(value)
    with_filler = answer if shape.startswith("<think>") else " ".join(filler) + " " + answer
    assert find_final_answer(with_filler).value == find_final_answer(answer).value == value


@settings(max_examples=200, deadline=None)
@given(ANSWERS, ANSWERS, ANSWERS, st.sampled_from(["{} 또는 {}", "<SOLUTION>{}</SOLUTION><SOLUTION>{}</SOLUTION>", "답: {}\n답: {}"]))
def test_a_second_different_answer_never_turns_wrong_into_right(first: int, second: int, gold: int, form: str) -> None:
    single = accuracy_reward_ko.score(f"<SOLUTION>{first}</SOLUTION>" if "SOLUTION" in form else f"답: {first}", str(gold))
    double = accuracy_reward_ko.score(form.format(first, second), str(gold))
    if single == 0.0:
        assert double == 0.0
    if first != second:
        assert double == 0.0


# -- the numeral table (issue 12, item 5) ------------------------------------------------------------------------

NUMERALS = [
    ("일조", F(10**12)), ("삼조 이억 팔천만", F(3 * 10**12 + 28 * 10**7)), ("칠경", F(7 * 10**16)),
    ("스물 다섯", F(25)), ("서른 두 개", F(32)), ("삼 백 오 십", F(350)), ("2천 500", F(2500)), ("1만 1", F(10001)),
    ("5萬", F(50000)), ("金壹萬圓整", F(10000)), ("일금 삼만오천 원정", F(35000)), ("第一", F(1)), ("③", F(3)),
    ("공 점 오", F(1, 2)), ("이와 삼분의 일", F(7, 3)), ("백서른넷", F(134)), ("- 3", F(-3)), ("64 cm^2", F(64)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), NUMERALS)
def test_numerals_read_whole_and_as_an_answer(text: str, value: F) -> None:
    assert parse_korean_number(text) == value
    assert extract_answer_number(f"정답은 {text}입니다.") == value
    assert accuracy_reward_ko.score(f"<SOLUTION>{text}</SOLUTION>", str(value)) == 1.0


@pytest.mark.parametrize(("text", "value"), [("정답은 ③번", F(3)), ("삼조 이억 팔천만 원", F(3 * 10**12 + 28 * 10**7)), ("5萬 원", F(50000)), ("第一", F(1))])
def test_numerals_in_running_text(text: str, value: F) -> None:
    assert extract_answer_number(text) == value


def test_words_stay_words() -> None:
    for text in ["구조를 보면", "백조가 날아간다", "조만간 갈게", "경이로운 일", "공부를 했다", "이와 같이"]:
        assert extract_answer_number(text) is None, text
