"""Hand-checked cases for the Korean number reader: every documented form, every trap, every decision."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from korean_rewards.numbers import (
    ANSWER_WINDOW,
    NumberMatch,
    extract_answer_number,
    find_numbers,
    first_number,
    last_number,
    parse_korean_number,
)

# -- parse_korean_number: one expression ------------------------------------------------------------------------

PARSE_CASES = [
    # ASCII and full-width digits, thousands groups, decimals
    ("350", F(350)),
    ("0", F(0)),
    ("007", F(7)),
    ("1,234", F(1234)),
    ("12,345,678", F(12345678)),
    ("1,234.5", F(2469, 2)),
    ("3.14", F(314, 100)),
    (".5", F(1, 2)),
    ("１２３", F(123)),
    ("１，２３４", F(1234)),
    ("３．５", F(7, 2)),
    # Python float literals are read exactly
    ("1e5", F(100000)),
    ("2.5E-3", F(1, 400)),
    ("1_000", F(1000)),
    ("+5", F(5)),
    # Sino-Korean
    ("영", F(0)),
    ("일", F(1)),
    ("십", F(10)),
    ("십일", F(11)),
    ("이십", F(20)),
    ("삼백오십", F(350)),
    ("천", F(1000)),
    ("일천", F(1000)),
    ("구천구백구십구", F(9999)),
    ("만", F(10000)),
    ("일만", F(10000)),
    ("만 이천", F(12000)),
    ("일만 이천", F(12000)),
    ("만이천", F(12000)),
    ("십만", F(100000)),
    ("백만", F(10**6)),
    ("천만", F(10**7)),
    ("삼천오백만", F(35_000_000)),
    ("이억 삼천만", F(230_000_000)),
    ("일억", F(10**8)),
    ("억", F(10**8)),
    ("삼조 오천억", F(3_500_000_000_000)),
    ("이경", F(2 * 10**16)),
    ("오백육십칠만 팔천구백", F(5_678_900)),
    ("삼천 오백", F(3500)),
    ("육십", F(60)),
    ("십륙", F(16)),
    # digits with units
    ("3만 5천", F(35000)),
    ("3만5천", F(35000)),
    ("1억2천만", F(120_000_000)),
    ("1억 2천만", F(120_000_000)),
    ("2.5억", F(250_000_000)),
    ("1,500만", F(15_000_000)),
    ("3천", F(3000)),
    ("3만 5000", F(35000)),
    ("1만2345", F(12345)),
    ("3만오천", F(35000)),
    ("１０만", F(100000)),
    ("3조", F(3 * 10**12)),
    # native Korean
    ("하나", F(1)),
    ("둘", F(2)),
    ("셋", F(3)),
    ("넷", F(4)),
    ("다섯", F(5)),
    ("아홉", F(9)),
    ("열", F(10)),
    ("열하나", F(11)),
    ("열둘", F(12)),
    ("스물", F(20)),
    ("스물다섯", F(25)),
    ("서른", F(30)),
    ("마흔둘", F(42)),
    ("쉰", F(50)),
    ("예순", F(60)),
    ("일흔일곱", F(77)),
    ("여든여덟", F(88)),
    ("아흔아홉", F(99)),
    # attributive forms with counters
    ("한 개", F(1)),
    ("두 명", F(2)),
    ("세 마리", F(3)),
    ("석 달", F(3)),
    ("네 권", F(4)),
    ("넉 달", F(4)),
    ("스무 살", F(20)),
    ("스물한 살", F(21)),
    ("열두 자루", F(12)),
    ("한개", F(1)),
    # Hanja, financial forms, zero
    ("一", F(1)),
    ("十", F(10)),
    ("十一", F(11)),
    ("三百五十", F(350)),
    ("一萬二千", F(12000)),
    ("萬", F(10000)),
    ("三億", F(300_000_000)),
    ("一兆", F(10**12)),
    ("壹萬", F(10000)),
    ("貳拾", F(20)),
    ("參佰", F(300)),
    ("壹仟貳佰參拾肆", F(1234)),
    ("一百零五", F(105)),
    ("二〇二四", F(2024)),
    ("〇", F(0)),
    ("零", F(0)),
    # decimals written in Korean
    ("삼 점 일사", F(314, 100)),
    ("삼점일사", F(314, 100)),
    ("영점오", F(1, 2)),
    ("영 점 오", F(1, 2)),
    ("이십오 점 오", F(51, 2)),
    ("일 점 공오", F(105, 100)),
    # fractions
    ("3분의 1", F(1, 3)),
    ("3 분의 1", F(1, 3)),
    ("삼분의 일", F(1, 3)),
    ("사분의 삼", F(3, 4)),
    ("이분의 일", F(1, 2)),
    ("백분의 일", F(1, 100)),
    ("2와 3분의 1", F(7, 3)),
    ("이와 삼분의 일", F(7, 3)),
    ("1/3", F(1, 3)),
    ("10/4", F(5, 2)),
    ("1⁄3", F(1, 3)),
    (r"\frac{1}{3}", F(1, 3)),
    (r"\dfrac{1}{3}", F(1, 3)),
    (r"\tfrac{2}{4}", F(1, 2)),
    (r"\frac13", F(1, 3)),
    (r"\frac{-1}{3}", F(-1, 3)),
    (r"\frac{1.5}{3}", F(1, 2)),
    (r"2\frac{1}{3}", F(7, 3)),
    (r"$\frac{7}{2}$", F(7, 2)),
    (r"\( \frac{7}{2} \)", F(7, 2)),
    ("½", F(1, 2)),
    ("¾", F(3, 4)),
    ("2½", F(5, 2)),
    # signs
    ("-5", F(-5)),
    ("−5", F(-5)),
    ("－５", F(-5)),
    ("-3.5", F(-7, 2)),
    ("마이너스 5", F(-5)),
    ("마이너스5", F(-5)),
    ("마이너스 삼", F(-3)),
    ("영하 5도", F(-5)),
    ("영하 오 도", F(-5)),
    ("영하5도", F(-5)),
    (r"-\frac{1}{2}", F(-1, 2)),
    ("-1/3", F(-1, 3)),
    # percent: value / 100
    ("50%", F(1, 2)),
    ("50 %", F(1, 2)),
    ("５０％", F(1, 2)),
    ("12.5%", F(1, 8)),
    ("50퍼센트", F(1, 2)),
    ("50 퍼센트", F(1, 2)),
    ("오십 퍼센트", F(1, 2)),
    ("50프로", F(1, 2)),
    ("삼십 프로", F(3, 10)),
    (r"50\%", F(1, 2)),
    # ordinals
    ("첫째", F(1)),
    ("첫 번째", F(1)),
    ("첫번째", F(1)),
    ("둘째", F(2)),
    ("두 번째", F(2)),
    ("셋째", F(3)),
    ("세 번째", F(3)),
    ("열두 번째", F(12)),
    ("제3", F(3)),
    ("제 3", F(3)),
    ("제삼", F(3)),
    ("3번째", F(3)),
    ("제3회", F(3)),
    # hedges, counters, units, copulas, punctuation, wrappers
    ("약 350", F(350)),
    ("대략 3만 원", F(30000)),
    ("거의 100개", F(100)),
    ("about 42", F(42)),
    ("approximately 3.5 kg", F(7, 2)),
    ("~5", F(5)),
    ("≈ 0.5", F(1, 2)),
    ("350개", F(350)),
    ("350 개", F(350)),
    (" 삼백오십 개 ", F(350)),
    ("350원", F(350)),
    ("$350", F(350)),
    ("₩1,000", F(1000)),
    ("5명", F(5)),
    ("3마리", F(3)),
    ("7살", F(7)),
    ("2번", F(2)),
    ("6개월", F(6)),
    ("2024년", F(2024)),
    ("4권", F(4)),
    ("3자루", F(3)),
    ("36.5도", F(73, 2)),
    ("95점", F(95)),
    ("구십 점", F(90)),
    ("5 km", F(5)),
    ("12 cm²", F(12)),
    ("350개입니다", F(350)),
    ("350개입니다.", F(350)),
    ("350입니다", F(350)),
    ("삼백오십이다", F(350)),
    ("100개쯤", F(100)),
    ("100개 정도", F(100)),
    ("**42**", F(42)),
    ("'42'", F(42)),
    ("42.", F(42)),
    ("\\boxed{42}", F(42)),
    ("$\\boxed{1,234}$", F(1234)),
    ("350\\text{개}", F(350)),
    ("1{,}000", F(1000)),
    ("3 \\times 10^{5}", F(300000)),
    ("2.5 × 10^3", F(2500)),
    ("\t\n 42 \n", F(42)),
    # single syllables are read when the whole text is the number
    ("이", F(2)),
    ("삼", F(3)),
    ("만", F(10000)),
    ("세", F(3)),
    ("네", F(4)),
    ("한", F(1)),
]


@pytest.mark.parametrize(("text", "value"), PARSE_CASES)
def test_parse_korean_number(text: str, value: F) -> None:
    result = parse_korean_number(text)
    assert result == value
    assert isinstance(result, F)


NOT_ONE_NUMBER = [
    # ordinary words that contain numeral syllables
    "사과",
    "사과이",
    "그것이",
    "사람",
    "이상",
    "이유",
    "오늘",
    "천만에요",
    "천만의 말씀",
    "삼각형",
    "구름",
    "육지",
    "팔다",
    "만약",
    "만들다",
    "일어나다",
    "백성",
    "십자가",
    "사실",
    "천천히",
    "사이",
    # not one number
    "",
    "   ",
    "abc",
    "5 이상",
    "5 또는 6",
    "1,2,3",
    "1, 2",
    "12,34",
    "3 + 5",
    "정답은 5",
    "삼백삼백",
    "1.2.3",
    "--5",
    "inf",
    "nan",
    "-inf",
    "1e99999",
    "1/0",
    r"\frac{1}{0}",
    "3분의 0 분의",
    "5사과",
    "오 사과",
    "x",
    "<SOLUTION>",
]


@pytest.mark.parametrize("text", NOT_ONE_NUMBER)
def test_parse_rejects_what_is_not_one_number(text: str) -> None:
    assert parse_korean_number(text) is None


@pytest.mark.parametrize("value", [None, 42, 3.5, b"42", ["42"], {"a": 1}, F(1, 2), object()])
def test_parse_non_strings_give_none(value: object) -> None:
    assert parse_korean_number(value) is None  # type: ignore[arg-type]


def test_parse_surrounding_whitespace_is_allowed_but_long_texts_are_not_numbers() -> None:
    assert parse_korean_number(" " * 100_000 + "42" + "\n" * 100_000) == 42
    assert parse_korean_number("4" + " " * 2000 + "2") is None


# -- finding numbers in running text ------------------------------------------------------------------------------


def values(text: str) -> list[F]:
    return [m.value for m in find_numbers(text)]


def texts(text: str) -> list[str]:
    return [m.text for m in find_numbers(text)]


TRAP_TEXTS = [
    "사과이 맛있다",
    "그것이 문제다",
    "사람이 많다",
    "이상한 일",
    "이유가 있다",
    "오늘은 맑다",
    "천만에요, 별말씀을요",
    "천만의 말씀입니다",
    "삼각형의 넓이",
    "구름이 많다",
    "육지와 바다",
    "물건을 팔다",
    "만약 비가 오면",
    "케이크를 만들다",
    "일찍 일어나다",
    "백성을 사랑한",
    "십자가를 지다",
    "사실은 그렇다",
    "이 문제를 풀자",  # 이 = this
    "이를 닦다",
    "이번에는 다르다",
    "이분이 선생님이다",
    "이월 상품",  # 이월 = carried over (이 alone is never a number)
    "일을 많이 했다",  # 일 = work
    "인삼과 삼을 먹었다",  # 삼 = ginseng
    "그 사이에 끼었다",
    "이사를 했다",
    "오이가 싱싱하다",
    "일일이 확인했다",
    "3개만 주세요 그것만 있으면",  # 만 = only (the 3 is a number)
    "만세를 불렀다",
    "만점을 받았다",
    "십분 활용하다",
    "세상에, 세금이 올랐다",
    "세대 차이",
    "세월이 흘렀다",
    "네, 맞습니다",  # 네 = yes
    "네 생각은 어때",  # 네 = your
    "한국 사람이 한다",
    "두고 보자",
    "두통이 심하다",
    "열이 나다",  # 열 = fever
    "열심히 공부한다",
    "쉰 목소리로",  # 쉰 = hoarse (no counter)
    "구조를 조사했다",
    "백조가 날아간다",
    "구경을 갔다",
    "이만 가 보겠습니다",
    "만일 그렇다면",
    "천사가 내려왔다",
    "제일 큰 수",
    "제곱을 구하시오",
    "제삼자의 입장",
    "오! 정말 놀랍다",
    "오, 그렇구나",
    "10년 만에 만났다",
    "한층 더 어렵다",
    "오만한 태도",
    "천천히 읽어라",
    "구하시오",
    "일반적으로 그렇다",
    "일부는 맞다",
    "일본 여행",
]


@pytest.mark.parametrize("text", TRAP_TEXTS)
def test_words_that_are_not_numbers(text: str) -> None:
    found = [m.text for m in find_numbers(text) if m.text != "3" and m.text != "10"]
    assert found == []


FIND_CASES = [
    ("사과 3개와 배 다섯 개", ["3", "다섯"], [3, 5]),
    ("합계 1,500원", ["1,500"], [1500]),
    ("답: 삼.", ["삼"], [3]),
    ("답은 오", ["오"], [5]),
    ("일 년 후", ["일"], [1]),
    ("오 분 뒤", ["오"], [5]),
    ("천원짜리", ["천"], [1000]),
    ("만 원", ["만"], [10000]),
    ("삼년 전", ["삼"], [3]),
    ("구월에", ["구"], [9]),
    ("십만 원", ["십만"], [100000]),
    ("사천 명", ["사천"], [4000]),
    ("한 개, 두 명, 세 마리", ["한", "두", "세"], [1, 2, 3]),
    ("석 달 넉 달", ["석", "넉"], [3, 4]),
    ("스무 살, 열두 번", ["스무", "열두"], [20, 12]),
    ("열 개, 쉰 살", ["열", "쉰"], [10, 50]),
    ("하나, 둘, 셋", ["하나", "둘", "셋"], [1, 2, 3]),
    ("둘이서 갔다", ["둘"], [2]),
    ("하나의 방법", ["하나"], [1]),
    ("셋째 딸", ["셋"], [3]),
    ("첫 번째 문제", ["첫"], [1]),
    ("첫째로", ["첫"], [1]),
    ("두 번째", ["두"], [2]),
    ("정답은 삼입니다.", ["삼"], [3]),
    ("오이다", ["오"], [5]),  # 5 + copula (not 오이 cucumber: that needs a particle)
    ("이십이 개", ["이십이"], [22]),
    ("삼십일", ["삼십일"], [31]),
    ("이십이다", ["이십"], [20]),
    ("삼백이 넘는다", ["삼백이"], [302]),  # maximal munch
    ("삼백을 넘는다", ["삼백"], [300]),
    ("오십오는", ["오십오"], [55]),
    ("백만 명", ["백만"], [10**6]),
    ("만 이천 원", ["만 이천"], [12000]),
    ("삼천 오백 원", ["삼천 오백"], [3500]),
    ("삼십 일 동안", ["삼십"], [30]),
    ("3만 5천 원", ["3만 5천"], [35000]),
    ("3만 5000원", ["3만 5000"], [35000]),
    ("1억 2천만 명", ["1억 2천만"], [120_000_000]),
    ("2.5억 원", ["2.5억"], [250_000_000]),
    ("1,500만 원", ["1,500만"], [15_000_000]),
    ("삼조 원", ["삼조"], [3 * 10**12]),
    ("3조 원", ["3조"], [3 * 10**12]),
    ("이만 원", ["이만"], [20000]),
    ("천사 원, 만일 개", ["천사", "만일"], [1004, 10001]),
    ("3만큼", ["3"], [3]),
    ("3조각", ["3"], [3]),
    ("영하 5도", ["영하 5"], [-5]),
    ("마이너스 삼", ["마이너스 삼"], [-3]),
    ("−7과 (−2)", ["−7", "−2"], [-7, -2]),
    ("x-5", ["5"], [5]),  # a dash after a letter is not a sign
    ("5-3=2", ["5", "3", "2"], [5, 3, 2]),
    ("= -4", ["-4"], [-4]),
    ("이분의 일", ["이분의 일"], [F(1, 2)]),
    ("삼분의 이", ["삼분의 이"], [F(2, 3)]),
    ("3분의 1", ["3분의 1"], [F(1, 3)]),
    ("2와 3분의 1", ["2와 3분의 1"], [F(7, 3)]),
    ("10분의 시간", ["10"], [10]),
    ("3분 동안", ["3"], [3]),
    ("1/3 컵", ["1/3"], [F(1, 3)]),
    ("2024/01/05", ["2024", "01", "05"], [2024, 1, 5]),
    ("90점이다", ["90"], [90]),
    ("구십 점이다", ["구십"], [90]),
    ("삼 점 일사", ["삼 점 일사"], [F(314, 100)]),
    ("영점오", ["영점오"], [F(1, 2)]),
    ("50%, 50 퍼센트, 삼십 프로", ["50%", "50 퍼센트", "삼십 프로"], [F(1, 2), F(1, 2), F(3, 10)]),
    ("프로그램 3개", ["3"], [3]),
    ("三百五十 元", ["三百五十"], [350]),
    ("二〇二四年", ["二〇二四"], [2024]),
    ("一般的", [], []),
    (r"\frac{1}{3}, -\dfrac{2}{5}, 2\frac{1}{2}, \frac13", [r"\frac{1}{3}", r"-\dfrac{2}{5}", r"2\frac{1}{2}", r"\frac13"], [F(1, 3), F(-2, 5), F(5, 2), F(1, 3)]),
    ("½컵과 2½컵", ["½", "2½"], [F(1, 2), F(5, 2)]),
    ("１２３개", ["１２３"], [123]),
    ("제3회, 제 3장", ["제3", "제 3"], [3, 3]),
    ("1.2.3", ["1.2", "3"], [F(6, 5), 3]),
    ("1,2,3", ["1", "2", "3"], [1, 2, 3]),
    ("12345678901234567890123456789012345678901234567890", [], []),  # over 40 digits: not read
    ("값은 .5이다", [".5"], [F(1, 2)]),
]


@pytest.mark.parametrize(("text", "expected_texts", "expected_values"), FIND_CASES)
def test_find_numbers(text: str, expected_texts: list[str], expected_values: list[object]) -> None:
    matches = find_numbers(text)
    assert [m.text for m in matches] == expected_texts
    assert [m.value for m in matches] == [F(v) for v in expected_values]  # type: ignore[arg-type]
    for m in matches:
        assert text[m.start : m.end] == m.text
        assert isinstance(m.value, F)


def test_number_match_fields() -> None:
    m = first_number("할인율은 25%입니다")
    assert m == NumberMatch(F(1, 4), 5, 8, "25%", True)
    assert first_number("합계 25개").percent is False


def test_first_and_last_number() -> None:
    text = "사과 3개, 배 다섯 개, 그리고 감 이십 개"
    assert first_number(text).value == 3
    assert last_number(text).value == 20
    assert first_number(text, 5).value == 5
    assert first_number("숫자 없음") is None
    assert last_number("숫자 없음") is None
    assert last_number("") is None
    assert first_number(None) is None  # type: ignore[arg-type]
    assert last_number(12) is None  # type: ignore[arg-type]


def test_last_number_reads_a_whole_expression_across_its_chunks() -> None:
    # the last number starts long before the end and spans spaces: it must be read whole
    text = "가" * 5000 + " 3만 5천" + " 끝" * 3000
    assert last_number(text).value == 35000
    text = "1, " * 3000 + "삼천 오백" + "." * 2047
    assert last_number(text).text == "삼천 오백"


def test_find_numbers_range() -> None:
    text = "1 2 3 4"
    assert [m.value for m in find_numbers(text, 2)] == [2, 3, 4]
    assert [m.value for m in find_numbers(text, 0, 3)] == [1, 2]


# -- the answer number of a free-text solution -----------------------------------------------------------------

EXTRACT_CASES = [
    # boxed wins, the last one
    (r"처음엔 \boxed{3}이라 생각했지만 다시 풀면 \boxed{5}이다. 검산: 7", F(5)),
    (r"\boxed{\frac{7}{2}}", F(7, 2)),
    (r"$\boxed{1,234}$ 입니다", F(1234)),
    (r"\boxed{350\text{개}}", F(350)),
    (r"\boxed{x = 5}", F(5)),
    (r"\boxed{-3}", F(-3)),
    (r"\boxed {12}", F(12)),
    (r"\boxed{삼백오십}", F(350)),
    # answer cues: the first number after the last cue
    ("3 + 5 = 8이고, 두 배 하면 16이다. 따라서 답은 16개입니다. 검산: 2 × 8", F(16)),
    ("정답은 42입니다. 풀이에 7단계가 걸렸다.", F(42)),
    ("정답: 12", F(12)),
    ("정답 : 12 (검산 완료, 3회)", F(12)),
    ("답은 여덟 개입니다. 처음에 3개였다.", F(8)),
    ("답: 삼백오십 원, 거스름돈 50원", F(350)),
    ("최종 답 7, 부가 설명 9", F(7)),
    ("최종답은 7이고 9는 오답", F(7)),
    ("따라서 답은 마이너스 3이다. 확인: 1", F(-3)),
    ("The answer is 1,234. Checked with 2 methods.", F(1234)),
    ("Answer: 5, computed in 3 steps", F(5)),
    ("FINAL ANSWER: 6 (not 7)", F(6)),
    ("정답은 1이라고 했지만, 다시 보니 정답은 2이다. 3번 확인", F(2)),
    ("정답은 3분의 1이다. 분모는 3", F(1, 3)),
    # a cue without a number in its sentence is skipped
    ("답은 자연수이다. 따라서 구하는 값은 12이고 검산하면 12 + 0 = 12.", F(12)),
    ("정답은 350입니다. 그런데 답은 자연수여야 한다. 7", F(350)),
    ("정답은:\n42", F(42)),
    ("정답은 50%입니다. 100명 중", F(1, 2)),
    # no cue: the last number
    ("사과 3개와 배 5개가 있으므로 모두 8개", F(8)),
    ("사과는 모두 삼백오십 개", F(350)),
    ("x = 2, y = -4", F(-4)),
    ("대답은 5, 결과는 7", F(7)),  # 대답은 is "the reply is", not an answer cue
    ("나머지는 영하 3도", F(-3)),
    ("no numbers here", None),
    ("숫자가 없는 문장입니다", None),
    ("", None),
    (r"\boxed{x+y}", None),  # a boxed answer that has no number
]


@pytest.mark.parametrize(("text", "expected"), EXTRACT_CASES)
def test_extract_answer_number(text: str, expected: F | None) -> None:
    assert extract_answer_number(text) == expected


@pytest.mark.parametrize("value", [None, 42, b"42", ["42"], object()])
def test_extract_non_strings_give_none(value: object) -> None:
    assert extract_answer_number(value) is None  # type: ignore[arg-type]


# -- the documented decisions, one assertion each -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("이 문제", []),  # 이 alone: never
        ("이십 명", [20]),  # but 이 inside a numeral is fine
        ("이 점 오", [F(5, 2)]),
        ("일을 했다", []),  # 일 + particle: work
        ("일 년", [1]),  # 일 + counter: one
        ("일입니다", []),  # 일 + copula: "it is work"
        ("삼입니다", [3]),  # other singles + copula: a number
        ("삼을 먹다", []),  # 삼 + particle: ginseng
        ("3개만", [3]),  # 만 = only
        ("만 원", [10000]),
        ("3년 만입니다", [3]),  # 만 = after (not 10000)
        ("세 개", [3]),
        ("세금", []),
        ("이십 세", [20]),  # 세 after a number: the age counter
        ("네 개", [4]),
        ("네,", []),
        ("삼조 원", [3 * 10**12]),
        ("구조", []),
        ("사이", []),
        ("이십이", [22]),  # maximal munch
        ("삼십일", [31]),
        ("삼십 일", [30]),  # 일 after a space: the day counter
        ("50%", [F(1, 2)]),  # percent is value / 100
    ],
)
def test_documented_decisions(text: str, expected: list[object]) -> None:
    assert values(text) == [F(v) for v in expected]  # type: ignore[arg-type]


# -- adversarial inputs: linear time, right answer ----------------------------------------------------------------

MB = 1_000_000


@pytest.mark.parametrize(
    ("text", "answer", "first"),
    [
        ("삼백" * (MB // 2), None, None),
        ("1," * (MB // 2), F(1), F(1)),
        # a chain of thousands groups too long to be one number: a bare list of different numbers at the end is
        # a hedge (issue 12), so there is no answer
        ("1" + ",111" * (MB // 4) + "1", None, F(1)),
        ("<SOLUTION>" * (MB // 10), None, None),
        ("\\boxed{" * (MB // 7), None, None),
        ("\\boxed{" * (MB // 7) + "\\boxed{42}", F(42), F(42)),
        ("- " * (MB // 2), None, None),
        ("." * MB, None, None),
        ("1" * MB, None, None),  # one run of a million digits is not a number
        ("一" * MB, None, None),
        ("정답은 " * (MB // 4), None, None),
        ("답" * MB, None, None),
        ("answer " * (MB // 7), None, None),
        ("\\frac{" * (MB // 6), None, None),
        ("3만" + " " * MB, F(30000), F(30000)),
        ("가나다라마바사 아자차카타파하. " * (MB // 16), None, None),
        ("사과 " * (MB // 3), None, None),
        ("만 " * (MB // 2), F(10000), F(10000)),  # only the last 만 stands alone before the end
        ("이십이 " * (MB // 4), F(22), F(22)),
        ("마이너스 " * (MB // 5) + "5", F(-5), F(-5)),
        ("제 " * (MB // 2) + "3", F(3), F(3)),
    ],
    ids=[
        "sambaek", "ones-commas", "groups", "solution-tags", "boxed-open", "boxed-open-then-closed", "minus", "dots", "digits",
        "hanja", "cue", "dap", "answer-word", "frac-open", "spaces", "plain-korean", "sagwa", "man", "isip-i", "minus-words",
        "je",
    ],
)  # fmt: skip
def test_megabyte_inputs(text: str, answer: F | None, first: F | None) -> None:
    assert extract_answer_number(text) == answer
    found = first_number(text)
    assert (found.value if found else None) == first
    assert parse_korean_number(text) == (answer if text.startswith("3만 ") else None)
    assert isinstance(find_numbers(text[-3000:]), list)


# A megabyte of one numeral word, again and again: each one is rejected where the next cannot follow it (이 이,
# 한 한, 조 조, 천천, 만일) and at most the last one is read, when it stands alone before the end; with a particle
# only a unit takes 이 as a last digit (십이 = 12); with a comma or a full stop every word that may stand alone is
# a number, 오 before a comma is an interjection. Columns: the unit, extract_answer_number, and the value and
# start of first_number (the last number equals the answer: there is no cue).
REPEATED_WORDS = [
    # with a space: 일 일 is "1 day"
    ("일 ", 1, 1, 0), ("이 ", None, None, None), ("삼 ", 3, 3, MB - 2), ("사 ", 4, 4, MB - 2), ("오 ", 5, 5, MB - 2),
    ("육 ", 6, 6, MB - 2), ("칠 ", 7, 7, MB - 2), ("팔 ", 8, 8, MB - 2), ("구 ", 9, 9, MB - 2), ("십 ", 10, 10, MB - 2),
    ("백 ", 100, 100, MB - 2), ("천 ", 1000, 1000, MB - 2), ("만 ", 10**4, 10**4, MB - 2), ("억 ", 10**8, 10**8, MB - 2),
    ("조 ", None, None, None), ("경 ", None, None, None), ("영 ", 0, 0, MB - 2), ("한 ", None, None, None),
    ("두 ", None, None, None), ("세 ", None, None, None), ("네 ", None, None, None), ("스무 ", None, None, None),
    ("열 ", 10, 10, MB - 2), ("하나 ", 1, 1, 0),
    # with a particle
    ("일이 ", None, None, None), ("이가 ", None, None, None), ("삼이 ", None, None, None), ("사가 ", None, None, None),
    ("오가 ", None, None, None), ("육이 ", None, None, None), ("칠이 ", None, None, None), ("팔이 ", None, None, None),
    ("구가 ", None, None, None), ("십이 ", 12, 12, 0), ("백이 ", 102, 102, 0), ("천이 ", 1002, 1002, 0),
    ("만이 ", 10002, 10002, 0), ("억이 ", 10**8 + 2, 10**8 + 2, 0), ("조가 ", None, None, None), ("경이 ", None, None, None),
    ("영이 ", None, None, None), ("한이 ", None, None, None), ("두가 ", None, None, None), ("세가 ", None, None, None),
    ("네가 ", None, None, None), ("스무가 ", None, None, None), ("열이 ", None, None, None), ("하나가 ", 1, 1, 0),
    # with punctuation
    ("일, ", None, None, None), ("이, ", None, None, None), ("삼, ", 3, 3, 0), ("사. ", 4, 4, 0), ("오, ", None, None, None),
    ("오. ", 5, 5, 0), ("육, ", 6, 6, 0), ("칠. ", 7, 7, 0), ("팔, ", 8, 8, 0), ("구. ", 9, 9, 0), ("십, ", 10, 10, 0),
    ("백. ", 100, 100, 0), ("천, ", 1000, 1000, 0), ("만. ", 10**4, 10**4, 0), ("억, ", 10**8, 10**8, 0),
    ("조. ", None, None, None), ("경, ", None, None, None), ("영. ", 0, 0, 0), ("한, ", None, None, None),
    ("두. ", None, None, None), ("세, ", None, None, None), ("네. ", None, None, None), ("스무, ", None, None, None),
    ("열. ", 10, 10, 0), ("하나, ", 1, 1, 0), ("일. ", None, None, None), ("이. ", None, None, None),
    # words and pairs of words that read as numerals
    ("사과 ", None, None, None), ("네 생각 ", None, None, None), ("오! ", None, None, None), ("천천 ", None, None, None),
    ("만일 ", None, None, None), ("천만에요 ", None, None, None), ("영하 ", None, None, None), ("이 점 ", None, None, None),
    ("만 이 ", None, None, None), ("조 조 ", None, None, None), ("천오천 ", None, None, None), ("삼십개다 ", None, None, None),
    # digits
    ("1 ", 1, 1, 0), ("1.", 1, F(11, 10), 0), ("-1 ", -1, -1, 0),
]  # fmt: skip


@pytest.mark.parametrize(("unit", "answer", "first", "first_start"), REPEATED_WORDS, ids=[u for u, *_ in REPEATED_WORDS])
def test_megabyte_of_one_repeated_word(unit: str, answer: int | None, first: F | None, first_start: int | None) -> None:
    text = unit * (MB // len(unit))
    assert extract_answer_number(text) == answer
    last = last_number(text)
    assert (None if last is None else last.value) == answer
    found = first_number(text)
    assert (None if found is None else (found.value, found.start)) == (None if first is None else (first, first_start))
    assert first_number("<SOLUTION>" + text, 10) == (None if found is None else found._replace(start=found.start + 10, end=found.end + 10))


def test_megabyte_of_mixed_rejected_words_with_one_number() -> None:
    # no period to skip: every word is rejected on its own (이, 한, 사과, 오!, 조 조, 만일, 스무, ...)
    rng = random.Random(0)
    words = ["이 ", "한 ", "두고 ", "사과 ", "오! ", "이, ", "이. ", "조 조 ", "만일 ", "스무 ", "세상 ", "네 생각 ", "천천 "]
    parts = [rng.choice(words) for _ in range(MB // 3)]
    middle = len(parts) // 2
    text = "".join(parts[:middle]) + "삼백오십 개 " + "".join(parts[middle:])
    at = text.index("삼백오십")
    found = first_number(text)
    assert (found.value, found.start, found.text) == (350, at, "삼백오십")
    assert last_number(text) == found
    assert find_numbers(text, at - 5000, at + 5000) == [found]
    # the answer reader looks for Korean numerals only in the last ANSWER_WINDOW characters; digits anywhere
    assert extract_answer_number(text) is None
    assert extract_answer_number(text.replace("삼백오십 개", "350 개")) == 350


def test_answer_reader_window() -> None:
    tail = "감사합니다. " * (ANSWER_WINDOW // 7 + 10)  # a model that loops after its answer
    assert len(tail) > ANSWER_WINDOW
    # inside the window: the last number, Korean or not
    assert extract_answer_number("계산하면 삼백오십 개. " + tail[: ANSWER_WINDOW - 100]) == 350
    # past it: the number at the last digit, read whole, even across the window's edge
    assert extract_answer_number("1 더하기 2는 3만 5천 원. " + tail) == 35000
    assert extract_answer_number("합은 3, 그리고 삼백오십. " + tail) == 3
    assert extract_answer_number("그리고 삼백오십. " + tail) is None
    # a concluding sentence (따라서 ...) is an answer cue, found anywhere
    assert extract_answer_number("합은 3, 따라서 삼백오십. " + tail) == 350
    edge = "x" * 10 + "3만 5천 " + tail[: ANSWER_WINDOW - 3]  # "5천" starts in the window, "3만" before it
    assert len(edge) - edge.index("5천") <= ANSWER_WINDOW < len(edge) - edge.index("3만")
    assert extract_answer_number(edge) == 35000
    # answer cues and \boxed{} are found anywhere, as before
    assert extract_answer_number("정답은 삼백오십. " + tail) == 350
    assert extract_answer_number("\\boxed{삼백오십} " + tail) == 350
