"""Property tests: an independent renderer of numbers in Korean must round-trip through the parser.

The renderer below is written from the rules of Korean number writing, not from the parser: Sino-Korean with
만/억/조/경 groups (with or without 일, with or without spaces between groups), native Korean for 1..99
(cardinal and attributive with a counter), digits mixed with units (``3만 5천``), Hanja (with 一 or not,
with financial forms) and comma-grouped or full-width digits.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from korean_rewards.numbers import (
    NumberMatch,
    extract_answer_number,
    find_numbers,
    first_number,
    last_number,
    parse_korean_number,
)

SETTINGS = settings(max_examples=300, deadline=None)

# -- the renderer ------------------------------------------------------------------------------------------------

SINO_DIGITS = ["", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"]
SMALL = [(1000, "천"), (100, "백"), (10, "십")]
BIG = [(10**16, "경"), (10**12, "조"), (10**8, "억"), (10**4, "만")]


def sino_group(n: int, explicit_one: bool) -> str:
    """1..9999 in Sino-Korean: 천 백 십 with their digits (일 before a unit only when ``explicit_one``)."""
    out = []
    for value, name in SMALL:
        digit, n = divmod(n, value)
        if digit:
            out.append(("일" if explicit_one else "") + name if digit == 1 else SINO_DIGITS[digit] + name)
    if n:
        out.append(SINO_DIGITS[n])
    return "".join(out)


def sino(n: int, explicit_one: bool = False, one_before_big: bool = False, spaced: bool = False) -> str:
    """0 <= n < 10^20 in Sino-Korean, e.g. 12000 -> 만 이천 / 일만이천."""
    if n == 0:
        return "영"
    parts = []
    for value, name in BIG:
        group, n = divmod(n, value)
        if group:
            text = sino_group(group, explicit_one)
            if text == "" or (group == 1 and not explicit_one):
                text = "일" if one_before_big else ""
            parts.append(text + name)
    if n:
        parts.append(sino_group(n, explicit_one))
    return (" " if spaced else "").join(parts)


NATIVE_TENS = ["", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"]
NATIVE_UNITS = ["", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉"]
NATIVE_ATTRIBUTIVE = ["", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉"]


def native(n: int, attributive: bool = False) -> str:
    """1..99 in native Korean; the attributive form is the one used before a counter (스무 살, 한 개)."""
    tens, units = divmod(n, 10)
    if attributive and n == 20:
        return "스무"
    return NATIVE_TENS[tens] + (NATIVE_ATTRIBUTIVE if attributive else NATIVE_UNITS)[units]


def mixed(n: int, spaced: bool, comma: bool) -> str:
    """Digits with 만/억/조 units, e.g. 35000 -> 3만 5천 or 3만5000; 120000000 -> 1억 2천만."""
    parts = []
    for value, name in BIG[1:]:
        group, n = divmod(n, value)
        if group:
            if group % 1000 == 0:
                parts.append(f"{group // 1000}천{name}")
            else:
                parts.append((f"{group:,}" if comma else str(group)) + name)
    if n:
        if parts and spaced and n < 1000:
            return "".join(parts) + str(n)  # "3만 5" is not read as 30005: attach short tails
        if n % 1000 == 0:
            parts.append(f"{n // 1000}천")
        else:
            parts.append(str(n) if not spaced or not parts else f"{n:04d}" if n >= 1000 else str(n))
    return (" " if spaced else "").join(parts)


HANJA_DIGITS = "〇一二三四五六七八九"
HANJA_FINANCIAL = "零壹貳參肆伍陸柒捌玖"
HANJA_SMALL = [(1000, "千", "仟"), (100, "百", "佰"), (10, "十", "拾")]
HANJA_BIG = [(10**12, "兆"), (10**8, "億"), (10**4, "萬")]


def hanja_group(n: int, financial: bool, explicit_one: bool) -> str:
    digits = HANJA_FINANCIAL if financial else HANJA_DIGITS
    out = []
    for value, plain, formal in HANJA_SMALL:
        digit, n = divmod(n, value)
        if digit:
            unit = formal if financial else plain
            out.append(unit if digit == 1 and not explicit_one and not financial else digits[digit] + unit)
    if n:
        out.append(digits[n])
    return "".join(out)


def hanja(n: int, financial: bool, explicit_one: bool) -> str:
    if n == 0:
        return "零" if financial else "〇"
    parts = []
    for value, name in HANJA_BIG:
        group, n = divmod(n, value)
        if group:
            parts.append(hanja_group(group, financial, True) + name)
    if n:
        parts.append(hanja_group(n, financial, explicit_one))
    return "".join(parts)


FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@st.composite
def rendered(draw: st.DrawFn, low: int = 0, high: int = 10**18) -> tuple[int, str]:
    """A number and one of its written forms."""
    n = draw(st.integers(low, high))
    form = draw(st.sampled_from(["sino", "digits", "commas", "full-width", "mixed", "hanja", "native"]))
    if form == "native":
        n = draw(st.integers(1, 99))
        return n, native(n)
    if form == "sino":
        return n, sino(n, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))
    if form == "digits":
        return n, str(n)
    if form == "commas":
        return n, f"{n:,}"
    if form == "full-width":
        return n, f"{n:,}".translate(FULL_WIDTH) if draw(st.booleans()) else str(n).translate(FULL_WIDTH)
    if form == "mixed":
        n = draw(st.integers(1, 10**15))
        return n, mixed(n, draw(st.booleans()), draw(st.booleans()))
    n = draw(st.integers(0, 10**15))
    return n, hanja(n, draw(st.booleans()), draw(st.booleans()))


def test_renderer_examples() -> None:
    # the renderer itself, checked by hand
    assert sino(12000, spaced=True) == "만 이천"
    assert sino(12000, one_before_big=True) == "일만이천"
    assert sino(350) == "삼백오십"
    assert sino(1111, explicit_one=True) == "일천일백일십일"
    assert sino(35_000_000) == "삼천오백만"
    assert native(25) == "스물다섯" and native(20, attributive=True) == "스무" and native(1, True) == "한"
    assert mixed(35000, True, False) == "3만 5천"
    assert mixed(120_000_000, True, False) == "1억 2천만"
    assert mixed(15_000_000, False, True) == "1,500만"
    assert hanja(12000, False, False) == "一萬二千"
    assert hanja(350, False, False) == "三百五十"
    assert hanja(1234, True, False) == "壹仟貳佰參拾肆"


# -- round trips ---------------------------------------------------------------------------------------------------


@SETTINGS
@given(rendered())
@example((12000, "만 이천"))
@example((10001, "만일"))
@example((35000, "3만 5천"))
def test_parse_round_trip(case: tuple[int, str]) -> None:
    n, text = case
    assert parse_korean_number(text) == n


@SETTINGS
@given(rendered(), st.sampled_from(["", " ", "  ", "\n", "\t", " \n "]), st.sampled_from(["", " ", "\n", "  \t"]))
def test_parse_ignores_surrounding_whitespace(case: tuple[int, str], before: str, after: str) -> None:
    n, text = case
    assert parse_korean_number(before + text + after) == parse_korean_number(text) == n


@SETTINGS
@given(st.integers(1, 99), st.sampled_from(["개", "명", "마리", "살", "번", "권", "자루", "잔", "그루"]), st.booleans())
def test_native_attributive_with_counter(n: int, counter: str, space: bool) -> None:
    text = native(n, attributive=True) + (" " if space else "") + counter
    assert parse_korean_number(text) == n
    assume(not (not space and native(n, attributive=True) + counter in {"세대", "두통", "세배", "열대", "한층"}))
    assert [m.value for m in find_numbers(f"모두 {text} 있다")] == [n]


@SETTINGS
@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_fraction_and_sign_forms(numerator: int, denominator: int) -> None:
    value = Fraction(numerator, denominator)
    assert parse_korean_number(f"{numerator}/{denominator}") == value
    assert parse_korean_number(rf"\frac{{{numerator}}}{{{denominator}}}") == value
    if numerator >= 0:
        assert parse_korean_number(f"{denominator}분의 {numerator}") == value
        assert parse_korean_number(f"{sino(denominator)}분의 {sino(numerator)}") == value
        assert parse_korean_number(f"마이너스 {numerator}/{denominator}") == -value
        assert parse_korean_number(f"{numerator}%") == Fraction(numerator, 100)


@SETTINGS
@given(st.integers(0, 10**9), st.integers(0, 10**6))
def test_decimal_forms(whole: int, decimals: int) -> None:
    digits = str(decimals)
    value = whole + Fraction(decimals, 10 ** len(digits))
    assert parse_korean_number(f"{whole}.{digits}") == value
    spoken = "".join("영일이삼사오육칠팔구"[int(d)] for d in digits)
    assert parse_korean_number(f"{sino(whole)} 점 {spoken}") == value
    assert parse_korean_number(f"{sino(whole)}점{spoken}") == value


# -- in running text ----------------------------------------------------------------------------------------------


def _strong(text: str) -> bool:
    """Forms the scanner reads before 입니다 (single syllables other than 삼..구, 십, 백, 천, 억 need a counter)."""
    hangul = [c for c in text if "가" <= c <= "힣"]
    if len(hangul) == len(text.replace(" ", "")) and len(hangul) == 1:
        return text in "삼사오육칠팔구십백천억열"
    return not ("조" in text or "경" in text)  # Hangul numerals with 조/경 need a counter


@SETTINGS
@given(rendered(), st.sampled_from(["정답은 {}입니다.", "따라서 답은 {}이다", "답: {}", "최종 답은 {}", "The answer is {}."]))
@example((350, "삼백오십"), "정답은 {}입니다.")
@example((3, "삼"), "정답은 {}입니다.")
def test_extract_answer_number_in_a_sentence(case: tuple[int, str], template: str) -> None:
    n, text = case
    assume(_strong(text))
    sentence = template.format(text)
    assert extract_answer_number(sentence) == n
    # surrounding reasoning with other numbers does not change the answer
    noisy = f"먼저 3개와 5개를 더하면 8개이고, 두 배 하면 16이다.\n{sentence}"
    assert extract_answer_number(noisy) == n
    assert extract_answer_number(f"  {sentence} \n") == n


@SETTINGS
@given(rendered(), st.sampled_from(["개", "원", "명", "년", "마리"]))
def test_numbers_with_a_spaced_counter_are_found(case: tuple[int, str], counter: str) -> None:
    n, text = case
    assume(text != "이")  # 이 alone is never a number in running text
    sentence = f"사과가 {text} {counter} 있다."
    assert [m.value for m in find_numbers(sentence)] == [n]
    assert first_number(sentence).value == last_number(sentence).value == n


# -- never raises, and the scanners agree ---------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    list("0123456789,.-−+%/\\{}$ \n\t xyz가나다")
    + list("일이삼사오육칠팔구십백천만억조경영점분의와과")
    + list("하나둘셋넷다섯열스물무한두세석네넉첫제마이너스영하개명원년살번째퍼센트프로")
    + list("一二三十百千萬億〇零壹貳參拾佰仟½¾０１２３⁄")
    + ["\\frac", "\\boxed{", "정답은 ", "답: ", "answer is ", "분의 ", " 점 ", "마이너스 ", "영하 "]
)
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_never_raises_and_scanners_agree(text: str) -> None:
    matches = find_numbers(text)
    previous_end = 0
    for m in matches:
        assert isinstance(m.value, Fraction)
        assert text[m.start : m.end] == m.text
        assert m.start >= previous_end
        previous_end = m.end
    first, last = first_number(text), last_number(text)
    assert first == (matches[0] if matches else None)
    assert last == (matches[-1] if matches else None)
    value = parse_korean_number(text)
    assert value is None or isinstance(value, Fraction)
    answer = extract_answer_number(text)
    assert answer is None or isinstance(answer, Fraction)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_unicode(text: str) -> None:
    for result in (parse_korean_number(text), extract_answer_number(text)):
        assert result is None or isinstance(result, Fraction)
    assert all(isinstance(m.value, Fraction) for m in find_numbers(text))


@settings(max_examples=100, deadline=None)
@given(TEXTS, st.integers(0, 3000))
def test_last_number_matches_a_full_scan_on_long_texts(text: str, padding: int) -> None:
    # long texts exercise the backward chunks of last_number
    long_text = text * 40 + "가" * padding + text
    matches = find_numbers(long_text)
    assert last_number(long_text) == (matches[-1] if matches else None)


# -- long texts that repeat: the scanners pass over repeats of a stretch without a number --------------------------

PLANTED = "\n42개\n"


@settings(max_examples=60, deadline=None)
@given(TEXTS.filter(lambda t: "답" not in t and "answer" not in t and "boxed" not in t), st.integers(1, 30), st.integers(0, 9))
def test_a_number_planted_in_a_long_repeating_text_is_found(unit: str, copies: int, where: int) -> None:
    assume(unit and not find_numbers(unit * 8))
    short = unit * 8 + PLANTED + unit * 8
    assume([m.value for m in find_numbers(short)] == [42])  # the unit does not change how the planted number reads
    size = 30_000 + 1000 * copies
    before = unit * (8 + size * where // 10 // len(unit))
    text = before + PLANTED + unit * (8 + size // len(unit))
    at = len(before) + 1
    expected = NumberMatch(Fraction(42), at, at + 2, "42")
    assert find_numbers(text) == [expected]
    assert first_number(text) == last_number(text) == expected
    assert extract_answer_number(text) == 42


@settings(max_examples=40, deadline=None)
@given(TEXTS.filter(bool), st.integers(0, 300))
def test_first_and_last_number_match_a_full_scan_on_long_repeating_texts(unit: str, padding: int) -> None:
    text = unit * (20_000 // len(unit) + 1) + "가" * padding + unit * 3
    matches = find_numbers(text)
    assert first_number(text) == (matches[0] if matches else None)
    assert last_number(text) == (matches[-1] if matches else None)
