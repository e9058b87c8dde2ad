"""Korean numeral forms of issue 21 (item 5): units past 경, 플러스, a leading 점, Sino-Korean with a native numeral
glued on, spaced digit groups, old counters and measures -- and the ordinary words they must not swallow.

Each table holds cases of one kind, written for this test (the issue quotes only a few samples of each kind).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from korean_rewards import accuracy_reward_ko, check_numbers_ko
from korean_rewards.numbers import extract_answer_number, find_numbers, last_number, parse_korean_number

E20, E24, E28, E36, E40, E44, E48 = (10**k for k in (20, 24, 28, 36, 40, 44, 48))

# -- units past 경: 해 10^20, 자 10^24, 양 10^28, (구 10^32 is the digit 9), 간 10^36, 정 10^40, 재 10^44, 극 10^48 --

HUGE_WHOLE = [
    ("일해", E20), ("삼해", 3 * E20), ("이십자", 20 * E24), ("오천양", 5000 * E28), ("칠간", 7 * E36),
    ("구정", 9 * E40), ("삼재", 3 * E44), ("일극", E48), ("천극", 1000 * E48), ("백이십삼해", 123 * E20),
    ("1해", E20), ("2.5해", Fraction(5, 2) * E20), ("12자", 12 * E24), ("1해 2000경", E20 + 2000 * 10**16),
    ("일해 이천경", E20 + 2000 * 10**16), ("삼해 오천조 원", 3 * E20 + 5000 * 10**12),
    ("1자 2345해 6789경", E24 + 2345 * E20 + 6789 * 10**16), ("사극 삼재 이정 일간", 4 * E48 + 3 * E44 + 2 * E40 + E36),
    ("만해", 10**4), ("해", None), ("자", None), ("극", None), ("해해", None),
]  # fmt: skip


@pytest.mark.parametrize("text, value", HUGE_WHOLE)
def test_units_past_gyeong_in_a_text_that_is_one_number(text: str, value: int | Fraction | None) -> None:
    assert parse_korean_number(text) == value


HUGE_RUNNING = [
    ("총 1해 2000경 원이 필요하다", [E20 + 2000 * 10**16]),
    ("우주의 별은 약 일해 이천경 개이다", [E20 + 2000 * 10**16]),
    ("합은 삼해 오천조 원", [3 * E20 + 5000 * 10**12]),
    ("3해 동안 살았다", [3]),  # 해 = year: a unit past 경 ends no number in running text
    ("300자 이내로 쓰시오", [300]),  # 자 = letters
    ("제3자 입장에서", [3]),
    ("오해가 있었다", []), ("이해하기 쉽다", []), ("일정을 잡자", []), ("사정이 있다", []), ("이자는 낮다", []),
    ("일정이 바쁘다", []), ("오양이 운다", []), ("사자 일간 신문", []), ("오해 이해 일정 사정 이자", []), ("1해2000경", [E20 + 2000 * 10**16]),
    ("사자와 양", []), ("일간 신문", []), ("삼자 회담", []), ("양극과 음극", []), ("구간을 나누면", []),
]  # fmt: skip


@pytest.mark.parametrize("text, values", HUGE_RUNNING)
def test_units_past_gyeong_in_running_text(text: str, values: list[int]) -> None:
    assert [m.value for m in find_numbers(text)] == values
    assert last_number(text) == (find_numbers(text)[-1] if values else None)


def test_gu_is_the_digit_nine_never_the_unit_10_to_the_32() -> None:
    assert parse_korean_number("구") == 9
    assert parse_korean_number("일구") != 10**32
    assert parse_korean_number("구십구") == 99
    assert parse_korean_number("一垓") is None  # Hanja units past 京 are not read


# -- 플러스 / 마이너스 -------------------------------------------------------------------------------------------

SIGNS = [
    ("플러스 5", 5), ("플러스5", 5), ("플러스 오", 5), ("플러스 삼십 점 오", Fraction(61, 2)), ("플러스 1/2", Fraction(1, 2)),
    ("마이너스 5", -5), ("마이너스 삼십", -30), ("마이너스 점오", Fraction(-1, 2)), ("플러스 스물다섯 개", 25),
    ("플러스", None), ("플러스 알파", None), ("마이너스", None),
]  # fmt: skip


@pytest.mark.parametrize("text, value", SIGNS)
def test_sign_words(text: str, value: int | Fraction | None) -> None:
    assert parse_korean_number(text) == value


def test_sign_words_in_running_text() -> None:
    found = find_numbers("기온은 플러스 3도에서 마이너스 2도로, 다시 플러스 오 도로 바뀌었다")
    assert [(m.value, m.text) for m in found] == [(3, "플러스 3"), (-2, "마이너스 2"), (5, "플러스 오")]
    assert find_numbers("플러스 알파가 있다") == []
    assert extract_answer_number("답: 플러스 칠") == 7


# -- a leading 점 -------------------------------------------------------------------------------------------------

POINTS = [
    ("점오", Fraction(1, 2)), ("점 오", Fraction(1, 2)), ("점이오", Fraction(1, 4)), ("점영오", Fraction(1, 20)),
    ("점삼삼", Fraction(33, 100)), ("점오 배", Fraction(1, 2)), ("점오입니다", Fraction(1, 2)), ("점", None),
    ("점수", None), ("점점", None),
]  # fmt: skip


@pytest.mark.parametrize("text, value", POINTS)
def test_a_leading_decimal_point(text: str, value: Fraction | None) -> None:
    assert parse_korean_number(text) == value


@pytest.mark.parametrize(
    "text, values",
    [
        ("답: 점오", [Fraction(1, 2)]),
        ("확률은 점이오입니다.", [Fraction(1, 4)]),
        ("점오 배로 줄이면", [Fraction(1, 2)]),
        ("점이 세 개 있다", [3]),  # 점이: the particle, not 0.2
        ("점수는 높다", []),
        ("점점 커진다", []),
        ("점심을 먹고", []),
        ("앞날을 점칠 수 없다", []),
    ],
)
def test_a_leading_decimal_point_in_running_text(text: str, values: list[Fraction]) -> None:
    assert [m.value for m in find_numbers(text)] == values


# -- Sino-Korean with a native numeral glued on, and mixed digit / Hangul spacing ----------------------------------

MIXED = [
    ("만 이천삼백사십다섯", 12345), ("이천삼백사십다섯", 2345), ("사십다섯", 45), ("구십아홉", 99), ("백스물", 120),
    ("백서른넷", 134), ("천아흔아홉", 1099), ("삼천백열두 개", 3112), ("만 하나", 10001), ("이만 삼천스물한 명", 23021),
    ("1만 2천3백4십5", 12345), ("1만 2천 3백 4십 5", 12345), ("만 2345", 12345), ("1만 2345", 12345),
    ("3억 8141만 2", 381410002), ("3억 8141만 2 개", 381410002), ("2천 500", 2500), ("12만 3천", 123000),
]  # fmt: skip


@pytest.mark.parametrize("text, value", MIXED)
def test_mixed_numerals_in_a_text_that_is_one_number(text: str, value: int) -> None:
    assert parse_korean_number(text) == value


@pytest.mark.parametrize(
    "text, values",
    [
        ("참석자는 모두 만 이천삼백사십다섯 명이다.", [12345]),
        ("사과가 사십다섯 개 있다", [45]),
        ("삼천백열두 개를 팔았다", [3112]),
        ("백스물 살까지 산다", [120]),
        ("인구는 3억 8141만 2 명이다", [381410002]),
        ("모두 1만 2345명", [12345]),
        ("백열등이 켜졌다", []),  # 백열: incandescent, not 110
        ("만두 두 개", [2]),
        ("백세 시대", []),
        ("만세 삼창", []),
    ],
)
def test_mixed_numerals_in_running_text(text: str, values: list[int]) -> None:
    assert [m.value for m in find_numbers(text)] == values


# -- old counters and measures --------------------------------------------------------------------------------------

OLD_COUNTERS = [
    ("열 냥", 10), ("열냥", 10), ("백 냥", 100), ("천냥", 1000), ("닷 냥", 5), ("닷냥", 5), ("엿 되", 6), ("한 되", 1),
    ("한 근", 1), ("두 근", 2), ("천 리", 1000), ("구만리", 90000), ("삼십 리", 30), ("칠 푼", 7), ("한 필", 1),
    ("두 첩", 2), ("세 마지기", 3), ("네 홉", 4), ("스무 냥", 20), ("석 냥", 3),
]  # fmt: skip


@pytest.mark.parametrize("text, value", OLD_COUNTERS)
def test_old_counters_glued_or_spaced(text: str, value: int) -> None:
    assert parse_korean_number(text) == value
    assert [m.value for m in find_numbers(f"값은 {text}이었다")] == [value]


@pytest.mark.parametrize(
    "text",
    ["네 말이 맞아", "네 돈을 줘", "한 섬에 산다", "일 말고 다른 것", "오리가 간다", "일리 있는 말", "만리장성에 갔다",
     "서 말", "너 말 잘했다", "너 시간 있어?", "엿 먹어", "닷새 뒤"],  # fmt: skip
)
def test_words_that_old_counters_must_not_make_numbers(text: str) -> None:
    assert find_numbers(text) == []


# -- through the rewards --------------------------------------------------------------------------------------------


def test_the_new_forms_are_paid_by_the_rewards() -> None:
    completions = [
        "<SOLUTION>만 이천삼백사십다섯</SOLUTION>",
        "<SOLUTION>플러스 5</SOLUTION>",
        "<SOLUTION>점오</SOLUTION>",
        "<SOLUTION>일해 이천경</SOLUTION>",
        "<SOLUTION>닷 냥</SOLUTION>",
    ]
    golds = ["12345", "5", "0.5", str(10**20 + 2 * 10**19), "5"]
    assert accuracy_reward_ko(completions=completions, answer=golds) == [1.0] * 5
    assert check_numbers_ko(completions=completions, answer=golds) == [3.5] * 5
    assert accuracy_reward_ko(completions=["정답은 점오입니다."], answer=["1/2"]) == [1.0]
