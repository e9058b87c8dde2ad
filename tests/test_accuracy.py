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


def _prefixed(completion: str) -> str:
    for opening in ("<think>", "<start_working_out>"):
        if completion.startswith(opening):
            return opening + "문제를 읽어 봅시다.\n" + completion[len(opening) :]
    return "문제를 읽어 봅시다.\n" + completion


@pytest.mark.parametrize(
    "change",
    [lambda c: c + "<|endoftext|>", lambda c: c + "<|im_end|>\n", lambda c: c + "\n\n", lambda c: c.rstrip().rstrip("."), _prefixed],
    ids=["eos", "im_end", "newlines", "no-final-period", "prefixed-sentence"],
)
def test_verdicts_survive_harmless_changes(change) -> None:  # type: ignore[no-untyped-def]
    golds = [r["gold"] for r in ROWS]
    before = accuracy_reward_ko(completions=[r["completion"] for r in ROWS], answer=golds)
    after = accuracy_reward_ko(completions=[change(r["completion"]) for r in ROWS], answer=golds)
    assert before == after


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
    from korean_rewards import _util

    _util._warned.discard("answers: no answer tags")  # the warning is once per process: start afresh
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_numbers_ko(completions=["답: 7", "답: 8"], answer=["7", "8"])
        check_numbers_ko(completions=["답: 7"], answer=["7"])
    messages = [str(w.message) for w in caught if "no <SOLUTION>" in str(w.message)]
    assert len(messages) == 1 and "accuracy_reward_ko" in messages[0]


# traps: dates, steps, restated question numbers, units, negation, hedges, corrections (completion, gold, paid)
OWN_CASES = [
    ("2024년 3월 15일에 시작해서 10일 동안 하루 5개씩 만들었으므로 총 50개를 만들었습니다.", "50", 1),
    ("2024년 3월 15일에 시작해서 10일 동안 하루 5개씩 만들었으므로 총 50개를 만들었습니다.", "2024", 0),
    ("1단계: 사과 3개\n2단계: 배 4개\n3단계: 합계 7개", "7", 1),
    ("1단계: 사과 3개\n2단계: 배 4개\n3단계: 합계 7개", "3", 0),
    ("문제에서 철수는 사과 12개를 가지고 있고 5개를 먹었다고 했습니다. 남은 사과는 7개입니다.", "7", 1),
    ("답은 약 3.14입니다", "3.14", 1),
    ("정답은 3/4입니다.", "0.75", 1),
    ("정답은 4분의 3입니다.", "3/4", 1),
    ("정답: -12", "-12", 1),
    ("정답: 12", "-12", 0),
    ("온도는 영하 5도이다. 따라서 답은 -5", "-5", 1),
    ("<think>\n5 × 4 = 20\n</think>\n\n정답은 **20**입니다.", "20", 1),
    ("<think>\n5 × 4 = 20\n</think>\n\n정답은 **21**입니다.", "20", 0),
    ("<think>\n5 × 4 = 20이므로 답은 20\n</think>\n\n", "20", 0),
    ("<think>\n계산\n</think>\n\n최종 답: $\\boxed{1,250}$", "1250", 1),
    ("<think>\n계산\n</think>\n\nThe answer is $\\frac{1}{2}$.", "0.5", 1),
    ("<start_working_out>풀이<end_working_out><SOLUTION>정답은 42개입니다</SOLUTION>", "42", 1),
    ("<start_working_out>풀이<end_working_out><SOLUTION>42명</SOLUTION>", "사십이", 1),
    ("<start_working_out>풀이<end_working_out><SOLUTION></SOLUTION>", "42", 0),
    ("<start_working_out>풀이 42<end_working_out><SOLUTION>모르겠음</SOLUTION>", "42", 0),
    ("<start_working_out>풀이<end_working_out><SOLUTION>40에서 45 사이</SOLUTION>", "42", 0),
    ("<start_working_out>풀이<end_working_out><SOLUTION>42~43</SOLUTION>", "42", 0),
    ("답: 40% 할인", "40", 1),
    ("따라서 할인된 가격은 12,000원입니다.", "12000", 1),
    ("따라서 할인된 가격은 1만 2천 원입니다.", "12000", 1),
    ("따라서 할인된 가격은 만 이천 원입니다.", "12000", 1),
    ("총 시간은 2시간 30분입니다.", "150", 1),  # one amount: 2 h 30 min is 150 min (issue 21: the unit the gold asks)
    ("총 시간은 2시간 30분입니다.", "30", 0),
    ("답은 첫 번째 상자입니다.", "1", 1),
    ("그러므로 x = 7이다.", "7", 1),
    ("x = 7, y = 3이므로 x + y = 10이다.", "10", 1),
    ("정답은 10이 아닌 12입니다", "10", 0),
    ("정답은 3번 선택지인 64입니다", "64", 1),
    ("답: 25, 26", "25", 0),
    ("정답은 25나 26입니다", "25", 0),
    ("정답은 25입니다. 아, 다시 계산해 보니 정답은 26입니다.", "26", 1),
    ("정답은 25입니다. 검산: 5 × 5 = 25 (맞음).", "25", 1),
    ("Answer: 72", "풀이\n#### 72", 1),
    ("결과적으로 모두 96명이 참석했다.", "96", 1),
    ("각 학생이 3개씩 받으면 24명에게 줄 수 있습니다.", "24", 1),
    ("정답은 세 개입니다.", "3", 1),
    ("정답은 열다섯 마리입니다.", "15", 1),
    ("정답은 이천이십사입니다", "2024", 1),
    ("정답은 0.5, 즉 50%입니다.", "0.5", 1),
    ("정답은 2와 1/2입니다", "5/2", 1),
    ("길이는 3.5 m이다.", "3.5", 1),
    ("넓이는 16 cm²입니다", "16", 1),
    ("부피는 27cm^3이다", "27", 1),
    ("답은 2^5 = 32이다", "32", 1),
    ("정답은 \\(\\frac{5}{8}\\)입니다.", "5/8", 1),
    ("그래서 구하는 값은 180도이다.", "180", 1),
    # an alternative offered right after the answer is a hedge; a check line is not
    ("정답은 12입니다. 혹은 15일 수도 있습니다.", "12", 0),
    ("정답은 12입니다. 하지만 15일 수도 있습니다.", "12", 0),
    ("<SOLUTION>12</SOLUTION>\n혹은 15", "12", 0),
    ("\\boxed{12}. 혹은 \\boxed{15}", "12", 0),
    ("답: 12 (또는 15)", "12", 0),
    ("정답은 3에서 5 사이입니다", "4", 0),
    ("정답은 12개입니다.\n\n검산: 3 × 4 = 12이므로 맞습니다. 또는 2 × 6으로도 구할 수 있습니다.", "12", 1),
    ("정답은 12입니다. 또는 다른 방법으로 풀어도 12입니다.", "12", 1),
    ("합계: 10, 20, 30을 더하면 60", "60", 1),
    ("답변: 42개입니다. 6개씩 7묶음이므로.", "42", 1),
    ("<think>\nx\n</think>\n\n## 풀이\n1. 6 × 7 = 42\n2. 42 - 2 = 40\n\n## 답\n40", "40", 1),
    ("그러므로 답은 40이며, 이는 2의 20배이다.", "40", 1),
    ("정답은 6개씩 7상자이므로 42개입니다", "42", 1),
    ("정답은 3개이므로 충분합니다", "3", 1),
    # cut off before the answer: no answer, even when the last number equals the gold
    ("먼저 12 × 6 = 72를 계산하고, 다음으로", "72", 0),
    ("<think>\n계산\n</think>\n\n6 × 12 =", "12", 0),
    ("사과는 72개이고", "72", 0),
]


@pytest.mark.parametrize(("completion", "gold", "paid"), OWN_CASES)
def test_own_cases(completion: str, gold: str, paid: int) -> None:
    assert accuracy_reward_ko.score(completion, gold) == float(paid)


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


# every documented numeral form, read whole, after an answer cue and inside answer tags
FORMS = [  # fmt: skip
    ("구십구",99),("백",100),("천",1000),("만",10000),("십만",100000),("백만",10**6),("천만",10**7),("일억",10**8),("십억",10**9),("백억",10**10),("천억",10**11),("일조",10**12),("십조",10**13),("일경",10**16),
("삼천오백",3500),("이만 삼천사백오십육",23456),("구억 구천구백구십구만 구천구백구십구",999999999),("칠만 칠",70007),("오백만 원",5*10**6),
("하나",1),("둘",2),("셋",3),("넷",4),("다섯",5),("여섯",6),("일곱",7),("여덟",8),("아홉",9),("열",10),("열하나",11),("열둘",12),("스물",20),("스물하나",21),("서른다섯",35),("마흔",40),("쉰",50),("예순",60),("일흔",70),("여든",80),("아흔아홉",99),
("한 개",1),("두 개",2),("세 마리",3),("네 명",4),("스무 살",20),("스물한 살",21),("서른세 개",33),
("1.5",F(3,2)),("0.25",F(1,4)),("삼 점 일사",F(314,100)),("영점 이오",F(1,4)),("1/4",F(1,4)),("사분의 일",F(1,4)),("4분의 1",F(1,4)),("삼분의 이",F(2,3)),("1과 2분의 1",F(3,2)),("일과 이분의 일",F(3,2)),
("50%",F(1,2)),("오십 퍼센트",F(1,2)),("25프로",F(1,4)),
("-7",-7),("마이너스 칠",-7),("영하 10도",-10),("−3",-3),
("3만 5천",35000),("1억 2천만",120000000),("2.5억",250000000),("1,500만",15000000),("12만",120000),("3천만 원",30000000),
("一",1),("十",10),("百",100),("千",1000),("一萬",10000),("三百五十",350),("二千二十四",2024),("壹萬",10000),("五萬",50000),
("첫째",1),("둘째",2),("셋째",3),("세 번째",3),("제5",5),("5번째",5),
("①",1),("⑩",10),("½",F(1,2)),("2½",F(5,2)),
("약 300",300),("300개 정도",300),("대략 1,000명",1000),("이십오입니다",25),("25개입니다.",25),("12,345원",12345),
("스물 세 개",23),("백 스물",120),("천 이백",1200),("삼 천",3000),("1천 2백",1200),("1만2천",12000),("일만",10000),("만 오천",15000),
("공",0),("영",0),("0",0),("제로",0),
]
NUMERALS += [(text, F(value)) for text, value in FORMS]


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
