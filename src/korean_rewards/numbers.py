r"""Reading numbers written in Korean: digits, Sino-Korean and native Korean numerals, Hanja, fractions, signs.

Three things live here, with parsing kept apart from any comparison (that is :mod:`korean_rewards.answers`):

* :func:`parse_korean_number` reads a text that *is* one number expression (``"삼백오십 개"``, ``"3만 5천"``);
* :func:`find_numbers`, :func:`first_number` and :func:`last_number` find number expressions in running text
  and give their value and place (:class:`NumberMatch`);
* :func:`extract_answer_number` picks the answer number of a free-text solution: the last ``\boxed{...}``,
  else the first number in the sentence of the last answer cue (정답은, 답:, answer is, ...), else the last
  number.

Values are exact :class:`fractions.Fraction` objects, so ``0.1``, ``삼 점 일사`` and ``3분의 1`` compare exactly.

What is read
------------

================================  ==========================================================================
form                              examples (value)
================================  ==========================================================================
digits                            ``1234``, ``1,234`` (thousands groups of exactly 3), ``１２３`` (full width),
                                  ``3.14``, ``.5``
Sino-Korean                       ``삼백오십`` (350), ``만 이천`` / ``일만 이천`` (12000), ``십만``, ``삼천오백만``,
                                  groups of 만/억/조/경 may be separated by a space (``이억 삼천만``)
digits with units                 ``3만 5천`` (35000), ``1억2천만``, ``2.5억``, ``1,500만``, ``3천``, ``3만 5000``
native Korean                     ``하나``, ``둘``, ``열``, ``스물다섯``, ``서른``, ``아흔아홉``; before a counter
                                  ``한 개``, ``두 명``, ``세 마리``, ``석 달``, ``넉 달``, ``스무 살``, ``열두 번``
Hanja                             ``三百五十``, ``一萬二千``, ``壹貳參拾佰仟``, ``一百零五`` (105),
                                  ``二〇二四`` (digit by digit: 2024)
decimals                          ``3.14``, ``삼 점 일사`` / ``삼점일사`` (3.14), ``영점오`` (0.5)
fractions                         ``3분의 1`` / ``삼분의 일`` (1/3), ``2와 3분의 1`` (7/3), ``1/3``, ``1⁄3``,
                                  ``\frac{1}{3}``, ``\dfrac{1}{3}``, ``\frac13``, ``2\frac{1}{3}`` (7/3),
                                  ``½``, ``2½``
signs                             ``-5``, ``−5``, ``마이너스 5``, ``영하 5도`` (-5)
percent                           ``50%``, ``50 퍼센트``, ``50프로`` read as **0.5** (value / 100); the match
                                  carries ``percent=True`` so a comparison can also accept 50 (answers.py does)
ordinals                          ``첫째`` / ``첫 번째`` (1), ``두 번째`` (2), ``셋째`` (3), ``제3`` / ``제 3`` /
                                  ``제삼`` (3), ``3번째`` (3)
dropped around a number           hedges before (약, 대략, 거의, about, approximately, ~, ≈) and counters or
                                  units after (개, 명, 마리, 살, 번, 개월, 년, 권, 자루, 도, 점, 원, kg, ...)
================================  ==========================================================================

Words that are not numbers
--------------------------

A Korean numeral word is read in running text only when it is a word of its own: it starts after a
non-Hangul character (a space, punctuation, a digit, the start of the text) and ends before a non-Hangul
character, a counter (개, 명, 원, 년, ...) or a particle that fits its last syllable (``삼백이``, ``삼백을``,
``오십오는``; ``사과`` is not 4 + 과 because 과 follows consonants). A numeral syllable inside an ordinary word
is never read: 사과, 사람, 이상, 이유, 오늘, 삼각형, 구름, 육지, 팔다, 만약, 만들다, 일어나다, 백성,
십자가, 사실, 그것이, 천천히, 구하다, 제곱. Sino-Korean syllables must also form a well-formed numeral
(천천, 사이, 일일 are not numerals).

Single syllables are the hard part; these are the decisions (the tests assert each one):

====================  ===========================================================================================
text                  decision
====================  ===========================================================================================
이 (alone)            never a number in running text (this / tooth / the particle): ``이 문제``, ``이를``, ``이번``,
                      ``이분``, ``이월`` are not 2. ``이십``, ``이백``, ``이분의 일`` (1/2) and ``이 점 오`` are read.
일, 삼, 사, 오, 육,   a number when followed by a counter (``일 년``, ``삼 개``, ``오 분``, attached only with
칠, 팔, 구, 십, 백,   년/월/개월/층/등/학년/번째, and 원/명/달러/엔/배 for 십·백·천·만·억: ``삼년``, ``구월``, ``천원``),
천, 만, 억, 영        or when it stands alone before punctuation or the end (``답: 삼.``); not before a
                      particle (``일을``, ``삼을``: work, ginseng) and not inside words (``만세``, ``만점``, ``십분``).
일 (alone)            needs a counter: ``할 일``, ``이상한 일``, ``좋은 일!`` ("work", "thing") are not 1.
오 (alone)            not before ``!``, ``,`` or ``~`` (``오!``, ``오, 정말?``: an interjection).
삼 + copula           ``삼입니다``, ``오이다`` are read (3, 5); not for 일 (``일입니다`` = "it is work"), 만
                      (``3년 만입니다`` = "after 3 years") or 이.
만 (only / after)     ``3개만``, ``10년 만에`` are not 10000 (particle / dependent noun); ``만 원`` is.
세                    3 before a counter (``세 개``, ``세 번째``); otherwise the word for age, tax or world
                      (``세상``, ``세금``, ``세대``, ``세월``) and not a number; after a number it is the age counter
                      (``이십 세`` = 20).
네                    4 before a counter (``네 개``); ``네,`` / ``네 생각`` (yes / your) are not numbers.
한, 두, 석, 넉, 스무  native attributive forms: only before a counter (``한 개``, ``두 명``, ``스무 살``);
                      ``한국``, ``한다``, ``두고``, ``두통``, ``세대``, ``세배`` are not numbers.
열, 쉰               like the single Sino syllables: ``열 개``, ``답: 열`` are 10, ``열이 나다`` (fever) is not.
조, 경 (in words)     a Hangul numeral containing 조 or 경 needs a counter (``삼조 원``); ``구조``, ``백조``,
                      ``조사``, ``구경`` are words. After digits they are units: ``3조``, ``1.5조`` are read.
이만                  needs a counter (``이만 원``); ``이만 가 보겠습니다`` is not 20000.
만일, 천사, 제일,     words ("if", "angel", "most", "not at all"), not 10001, 1004, "No. 1" and 10^7;
천만에요, 천만의 말씀  만일 and 천사 are numbers before a counter (``천사 원`` = 1004 won).
maximal munch         ``이십이`` is 22, not 20 + particle 이; ``삼십일`` is 31 (write ``삼십 일`` for 30 days);
                      ``이십이다`` is 20 + 이다 (22 + 다 is not a form this module accepts).
spaces in numerals    allowed after 만/억/조/경 before any group (the standard spacing: ``만 이천`` = 12000,
                      ``천만 일`` = 10000001; not ``만 이``, "10000 this"), elsewhere only before a group that
                      holds a unit (``삼천 오백`` = 3500); with digits ``3만 5천`` and ``3만 5000`` (a 4-digit
                      group); ``삼십 일`` is 30 followed by the day counter.
percent               value / 100 (``50%`` is 1/2), marked ``percent=True`` on the match.
====================  ===========================================================================================

:func:`parse_korean_number` is told that its whole input is a number, so it reads single syllables too
(``parse_korean_number("이") == 2``, ``"세"`` is 3) but still rejects anything that is not a number plus
optional hedge, counter, copula and final punctuation (``"사과"``, ``"천만에요"``, ``"5 이상"`` give None).

Speed
-----

Scanning is linear in the length of the text: one regular expression with possessive quantifiers (compiled
on first use, about 130 ms once) skips everything that cannot start a number at C speed -- ASCII text, Hangul
words that do not start with a numeral, and words that start with one but cannot be a number by what follows
their first syllable (이 문제, 한국, 사과, 세상, 오!, 조 조, 만일, 천천히) -- and a small hand-written parser reads
each remaining candidate with bounded look-ahead. A long text that repeats with a short period (a megabyte of
"이 " or "만일 네 생각 ") is read for a few periods and the repeats are passed over at once. :func:`last_number`
scans backwards in growing chunks, so finding the last number of a long text does not parse the numbers
before it. No function raises on any input; anything that is not a string gives None (or an empty list).

Example:
    >>> parse_korean_number("삼백오십 개")
    Fraction(350, 1)
    >>> extract_answer_number("사과 3개와 배 5개가 있으므로 정답은 여덟 개입니다. 검산: 3 + 5 = 8")
    Fraction(8, 1)
    >>> [(m.value, m.text) for m in find_numbers("2와 3분의 1, 영하 5도, 스무 살")]
    [(Fraction(7, 3), '2와 3분의 1'), (Fraction(-5, 1), '영하 5'), (Fraction(20, 1), '스무')]
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import NamedTuple

__all__ = [
    "NumberMatch",
    "parse_korean_number",
    "extract_answer_number",
    "find_numbers",
    "first_number",
    "last_number",
]


class NumberMatch(NamedTuple):
    """A number found in a text: its exact value, where it is, and its text.

    ``start``/``end`` index the original text (``text == source[start:end]``); counters and units after the
    number are not part of it. ``percent`` is True when the number was written as a percentage (the value is
    then already divided by 100).

    Example:
        >>> m = first_number("할인율은 25%입니다")
        >>> m.value, m.text, m.percent, (m.start, m.end)
        (Fraction(1, 4), '25%', True, (5, 8))
    """

    value: Fraction
    start: int
    end: int
    text: str
    percent: bool = False


# ---------------------------------------------------------------------------------------------------------------
# Character tables
# ---------------------------------------------------------------------------------------------------------------

_POSSESSIVE = "+" if sys.version_info >= (3, 11) else ""  # Python 3.10 has no possessive quantifiers

_DIGITS = "0-9\uff10-\uff19"  # ASCII and full-width digits
_DIGIT_CHARS = frozenset("0123456789" + "".join(chr(0xFF10 + k) for k in range(10)))
_TO_ASCII = str.maketrans({chr(0xFF10 + k): str(k) for k in range(10)} | {"，": ",", "．": "."})
_HANGUL = "\uac00-\ud7a3"
_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_MINUS_CHARS = "-\u2212\uff0d\ufe63"  # hyphen-minus, minus sign, full-width and small hyphen-minus

_SINO_DIGIT = {"영": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7, "팔": 8, "구": 9}
_SINO_SMALL = {"십": 10, "백": 100, "천": 1000}
_SINO_BIG = {"만": 10**4, "억": 10**8, "조": 10**12, "경": 10**16}
_SINO_CHARS = "".join(_SINO_DIGIT) + "".join(_SINO_SMALL) + "".join(_SINO_BIG)
_DECIMAL_DIGIT = {**{k: v for k, v in _SINO_DIGIT.items()}, "공": 0}  # digits read one by one after 점

_HANJA_DIGIT = {
    "〇": 0, "零": 0, "一": 1, "壹": 1, "壱": 1, "二": 2, "貳": 2, "贰": 2, "弐": 2, "三": 3, "參": 3, "叁": 3,
    "参": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陸": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_HANJA_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_HANJA_BIG = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8, "兆": 10**12, "京": 10**16}
_HANJA_CHARS = "".join(_HANJA_DIGIT) + "".join(_HANJA_SMALL) + "".join(_HANJA_BIG)
# Hanja counters that may follow a Hanja numeral inside an ideograph run (三個, 五年, 十人)
_HANJA_COUNTERS = frozenset("個箇人名年月日時分秒元圓円歲才回番次度點点匹本冊枚號号層位等倍")

_VULGAR = {
    "½": Fraction(1, 2), "⅓": Fraction(1, 3), "⅔": Fraction(2, 3), "¼": Fraction(1, 4), "¾": Fraction(3, 4),
    "⅕": Fraction(1, 5), "⅖": Fraction(2, 5), "⅗": Fraction(3, 5), "⅘": Fraction(4, 5), "⅙": Fraction(1, 6),
    "⅚": Fraction(5, 6), "⅐": Fraction(1, 7), "⅛": Fraction(1, 8), "⅜": Fraction(3, 8), "⅝": Fraction(5, 8),
    "⅞": Fraction(7, 8), "⅑": Fraction(1, 9), "⅒": Fraction(1, 10),
}  # fmt: skip

_NATIVE_TENS = {"열": 10, "스물": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70, "여든": 80, "아흔": 90}
_NATIVE_CARDINAL = {"하나": 1, "둘": 2, "셋": 3, "넷": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
_NATIVE_ATTRIBUTIVE = {"한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4}
_NATIVE_UNITS = {**_NATIVE_CARDINAL, **_NATIVE_ATTRIBUTIVE}

# Counters and units that may follow a number (longest first in the regexes). All are read the same way:
# they end the number and are dropped.
_COUNTERS = (
    "개월 개 명 마리 살 번째 번 째 달 년 해 월 일 주일 주 시간 시 분 초 원 달러 엔 위안 유로 파운드 권 자루 도 점 "
    "세 층 호 쪽 페이지 회 차례 배 등 위 학년 인분 인 장 대 병 잔 그릇 켤레 송이 그루 채 척 벌 통 가지 곳 군데 "
    "줄 칸 쌍 알 포기 묶음 상자 봉지 조각 판 평 리터 밀리리터 미터 센티미터 밀리미터 킬로미터 킬로그램 킬로 "
    "그램 톤 제곱미터 제곱센티미터 사람 문제 문항 단계 걸음 바퀴 끼 발 퍼센트 프로 할 가구 학급 팀 표 골"
).split()
# the counters used with native numerals (한 개, 두 달); not 월/년/원/... so that 세월 is not "3 months"
_NATIVE_COUNTERS = (
    "개월 개 명 마리 살 번째 번 째 달 해 시간 시 분 권 자루 점 잔 병 그릇 켤레 송이 그루 채 척 벌 통 가지 곳 "
    "군데 줄 칸 쌍 알 포기 묶음 상자 봉지 조각 판 장 대 배 사람 문제 걸음 바퀴 끼 발 주 층 가구 팀 표"
).split()
# attached without a space to a single Sino syllable (삼년, 구월, 일층); others need a space (오 분)
_SINGLE_ATTACHED = "년 월 개월 층 등 학년 번째".split()
_UNIT_SYLLABLE_ATTACHED = "원 명 달러 엔 배 년".split()  # also allowed after 십 백 천 만 억 (천원, 만명)
_NATIVE_ATTACHED_EXCLUDED = frozenset({"세대", "두통", "세배", "열대", "한층"})  # words, not "3 cars", "2 barrels"

# Particles and endings after a number word, by the last syllable (with or without a final consonant).
_PARTICLES_ANY = (
    "입니다 입니까 이다 이고 이며 이므로 이니 이라 이었 이면 이지만 이나 이요 의 도 만 에서 에게 에 께 보다 까지 "
    "부터 씩 쯤 처럼 만큼 뿐 밖에 마다 째 간 가량 정도 남짓 이상 이하 미만 초과 내외 안팎 여 임 하고 짜리 동안 "
    "이내 중 및 전 후 뒤"
).split()
_PARTICLES_VOWEL = "가 는 를 와 로 야 예요 였 라 란 나 고 며 면 지만 랑 요".split()
_PARTICLES_CONSONANT = "이 은 을 과 으로 이야 이에요 이랑".split()
# copulas that a single syllable may take (삼입니다): by the last syllable, like the particles
_COPULA_ANY = "입니다 이다 이고 이며 이므로 이었".split()
_COPULA_VOWEL = "예요 야 였".split()
_COPULA_CONSONANT = "이에요 이야".split()
_COPULA_SINGLES = frozenset("삼사오육칠팔구십백천억영열")
_HEDGES_AFTER = "쯤 정도 가량 여 남짓 내외 안팎".split()


def _ranges(codes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted code points, as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=lambda w: (-len(w), w)))


def _first_syllables(*groups: list[str]) -> str:
    return "".join(sorted({word[0] for group in groups for word in group}))


_COUNTER_RE = re.compile(_alternation(_COUNTERS))
_NATIVE_COUNTER_RE = re.compile(_alternation(_NATIVE_COUNTERS))
_SINGLE_ATTACHED_RE = re.compile(_alternation(_SINGLE_ATTACHED))
_UNIT_ATTACHED_RE = re.compile(_alternation(_SINGLE_ATTACHED + _UNIT_SYLLABLE_ATTACHED))
_PARTICLE_ANY_RE = re.compile(_alternation(_PARTICLES_ANY))
_PARTICLE_VOWEL_RE = re.compile(_alternation(_PARTICLES_VOWEL))
_PARTICLE_CONSONANT_RE = re.compile(_alternation(_PARTICLES_CONSONANT))
_COPULA_ANY_RE = re.compile(_alternation(_COPULA_ANY))
_COPULA_VOWEL_RE = re.compile(_alternation(_COPULA_VOWEL))
_COPULA_CONSONANT_RE = re.compile(_alternation(_COPULA_CONSONANT))


def _is_hangul(char: str) -> bool:
    return "가" <= char <= "힣"


def _final_consonant(char: str) -> int:
    """The final consonant index of a Hangul syllable (0: none, 8: ㄹ), -1 for anything else."""
    return (ord(char) - 0xAC00) % 28 if "가" <= char <= "힣" else -1


# ---------------------------------------------------------------------------------------------------------------
# The candidate finder: one regex that skips, at C speed, everything that cannot start a number
# ---------------------------------------------------------------------------------------------------------------

_P = _POSSESSIVE
_SINO = f"[{_SINO_CHARS}]"
_DIGIT_1_9 = "[일이삼사오육륙칠팔구]"
_NATIVE_WORD = (
    f"(?:{_alternation(list(_NATIVE_TENS))})(?:{_alternation(list(_NATIVE_UNITS))})?"
    f"|스무|첫|{_alternation(list(_NATIVE_UNITS))}"
)
_NATIVE_RE = re.compile(_NATIVE_WORD)

def _atomic(pattern: str, name: str) -> str:
    """``(?>pattern)``: matched once, never backtracked into (emulated on Python 3.10)."""
    if sys.version_info >= (3, 11):
        return f"(?>{pattern})"
    return f"(?=(?P<{name}>{pattern}))(?P={name})"


# What may follow a numeral word, checked loosely here (first syllables; the parser checks exactly). The
# syllables after the list are those that follow a trailing 이 or 만 (이십이다 = 20 + 이다, 삼백만큼 = 300 + 만큼).
_RIGHT_FIRSTS = _first_syllables(
    _COUNTERS, _PARTICLES_ANY, _PARTICLES_VOWEL, _PARTICLES_CONSONANT, _HEDGES_AFTER, ["점", "분의", "와", "과"]
) + "다큼랑며면므니었지요고나라"
_DEC = "".join(_DECIMAL_DIGIT)
_MULTI_RIGHT = f"(?=[^{_HANGUL}]|\\Z|[{_RIGHT_FIRSTS}])"
_SUFFIX_AHEAD = f"[ \\t]?분의|[ \\t]?점[ \\t]?[{_DEC}]|[ \\t]?(?:퍼센트|프로)"
_ATTACHED_WORDS = _SINGLE_ATTACHED + _UNIT_SYLLABLE_ATTACHED + _COPULA_ANY + _COPULA_VOWEL + _COPULA_CONSONANT
_SINGLE_RIGHT = (
    f"(?=[^{_HANGUL} \\t]|\\Z"
    f"|[ \\t](?:[^{_HANGUL}]|\\Z|(?=[{_first_syllables(_COUNTERS)}])(?:{_alternation(_COUNTERS)}))"
    f"|(?=[{_first_syllables(_ATTACHED_WORDS)}])(?:{_alternation(_ATTACHED_WORDS)})"
    f"|{_SUFFIX_AHEAD})"
)
_NATIVE_COUNTER_AHEAD = f"[ \\t]?(?=[{_first_syllables(_NATIVE_COUNTERS)}])(?:{_alternation(_NATIVE_COUNTERS)})"
_NATIVE_SINGLE_RIGHT = (
    f"(?=[^{_HANGUL} \\t]|\\Z"
    f"|[ \\t](?:[^{_HANGUL}]|\\Z|(?=[{_first_syllables(_COUNTERS)}])(?:{_alternation(_COUNTERS)}))"
    f"|{_NATIVE_COUNTER_AHEAD}|{_alternation(_COPULA_ANY + _COPULA_VOWEL + _COPULA_CONSONANT)})"
)
_NUMBER_AHEAD = f"(?=[ \\t]?(?:[{_DIGITS}]|{_SINO}|{_NATIVE_WORD}))"
_NATIVE_INITIALS = _first_syllables(list(_NATIVE_TENS), list(_NATIVE_UNITS), ["스무", "첫"])

# Cheap first tests on the next one or two characters, so that most ordinary words (사과, 오늘, 네 생각, 만 만)
# are rejected after a few character-class checks.
_SINO_SECOND = "".join(sorted(set(_SINO_CHARS + _first_syllables(_ATTACHED_WORDS) + "분점퍼프")))
_SINO_AFTER_SPACE = "".join(sorted(set(_first_syllables(_COUNTERS) + "일이삼사오육륙칠팔구십백천분점퍼프")))
_NATIVE_SECOND = "".join(
    sorted(
        set("".join(_NATIVE_TENS) + "".join(_NATIVE_UNITS) + "스무째번")
        | set(_first_syllables(_NATIVE_COUNTERS, _PARTICLES_ANY, _PARTICLES_VOWEL, _PARTICLES_CONSONANT))
        | set(_first_syllables(_COPULA_ANY, _COPULA_VOWEL, _COPULA_CONSONANT))
    )
)
_NATIVE_AFTER_SPACE = "".join(sorted(set(_first_syllables(_COUNTERS, _NATIVE_COUNTERS) + "번째")))


def _precheck(first: str, second: str, after_space: str) -> str:
    return (
        f"(?=[{first}](?:[^{_HANGUL} \\t]|\\Z|[ \\t](?:[^{_HANGUL}]|\\Z|[{after_space}])|[{second}]))"
    )


# A Hangul run that may start a number, dispatched on its first syllable. Multi-syllable Sino-Korean words
# need a unit syllable (사이, 오이 are not numerals) and may end before a particle; single syllables and
# attributive native forms need a counter, a copula, a suffix (분의, 점, 퍼센트) or a non-Hangul neighbour; 이
# alone never starts a number. The regex only proposes candidates: the parser below decides exactly.
_HANGUL_CANDIDATE = (
    f"(?<![{_HANGUL}])(?:"
    f"{_precheck(_SINO_CHARS, _SINO_SECOND, _SINO_AFTER_SPACE)}(?:"
    f"(?:{_DIGIT_1_9}?[십백천만억조경])+{_P}{_DIGIT_1_9}?(?<={_SINO}{_SINO}){_MULTI_RIGHT}"
    f"|(?!이)[{_SINO_CHARS}]{_SINGLE_RIGHT}"
    f"|이(?={_SUFFIX_AHEAD})"
    f"|만(?=[ \\t]{{1,2}}(?:{_DIGIT_1_9}?[십백천]|(?!이){_DIGIT_1_9}(?!{_SINO})))"
    f"|억(?=[ \\t]{{1,2}}(?:{_DIGIT_1_9}?[십백천만]|(?!이){_DIGIT_1_9}(?!{_SINO})))"
    f"|[조경](?=[ \\t]{{1,2}}(?:{_DIGIT_1_9}?[십백천만억조]|(?!이){_DIGIT_1_9}(?!{_SINO})))"
    f"|천(?=[ \\t]{{1,2}}{_DIGIT_1_9}?[백십])|백(?=[ \\t]{{1,2}}{_DIGIT_1_9}?십)"
    f")"
    f"|{_precheck(_NATIVE_INITIALS, _NATIVE_SECOND, _NATIVE_AFTER_SPACE)}(?:"
    f"{_atomic(_NATIVE_WORD, 'native')}(?<=[{_HANGUL}][{_HANGUL}]){_MULTI_RIGHT}"
    f"|[둘셋넷]{_MULTI_RIGHT}"
    f"|[열쉰]{_NATIVE_SINGLE_RIGHT}"
    f"|첫(?=[ \\t]?번?째)"
    f"|[한두세석네넉](?={_NATIVE_COUNTER_AHEAD})"
    f")"
    f"|(?:마이너스|영하){_NUMBER_AHEAD}"
    f"|제(?=[ \\t]?[{_DIGITS}]|[ \\t]?[이삼사오육칠팔구십백천])"
    ")"
)
_INTERESTING = f"{_DIGITS}{_HANGUL}{''.join(_VULGAR)}{_HANJA_CHARS}"
_INTERESTING_CHAR = re.compile(f"[{_INTERESTING}]")
_INITIALS = "".join(sorted(set(_SINO_CHARS + _NATIVE_INITIALS + "마영제")))
_NON_INITIALS = "".join(
    f"{chr(low)}-{chr(high)}" if high > low else chr(low)
    for low, high in _ranges(sorted(set(range(0xAC00, 0xD7A4)) - {ord(c) for c in _INITIALS}))
)
_BORING = f"[^{_INTERESTING}]*{_P}"

# Words that no reading makes a number, told by a test on the next character or two. The candidate regex above
# lets through words that the parser then rejects (조 조, 오!, 천천, 만일, 스무, ...), at microseconds each in
# Python, and spends a few hundred nanoseconds on every word that starts with a numeral syllable (이 이 이 ...).
# The tests below restate what the parser accepts after the start of a word (its first syllable, or 스무, 만일,
# 천사, 이만, 영하, 마이너스) and skip the word, at C speed, when
#
# * the next character is Hangul and continues nothing: it is not one of the ``attached`` syllables (a unit after
#   a digit, 점 / 분의 / 와 / 과 / 퍼센트 / 프로, the rest of a native word) and no ``attached`` word (a counter, a
#   copula) starts there; or it is 점, 분, 와, 과, 퍼 or 프 without what these suffixes need after them
#   (_SUFFIX_MISS, after a Sino-Korean syllable but 조 and 경, for which 점, 분, ... are counters);
# * one space follows and then Hangul that continues nothing after a space (``spaced``: the next group of a
#   numeral after a unit, a suffix, a counter); None: anything may;
# * another character or the end follows and the word is never a number alone: ``alone`` lists the characters
#   that may still follow (None: any; "^!,~": any but these).
#
# A character class rejects most words at once; the words (an alternation) are tried only after a syllable
# that starts one. Each test is a necessary condition for an accepted reading and looks at most a counter's
# length ahead, so the scanners yield the same accepted numbers as before, with fewer candidates to reject.
_SP = "[ \\t\\u00a0]"  # the spaces the parser skips (_SPACE)
_D9 = "일이삼사오육륙칠팔구"
_SMALL_UNITS, _BIG_UNITS = "십백천", "만억조경"
_NEXT_UNITS = {  # the units that may follow each unit in a numeral, as _core reads it
    "천": "백십" + _BIG_UNITS, "백": "십" + _BIG_UNITS, "십": _BIG_UNITS,
    "만": _SMALL_UNITS, "억": _SMALL_UNITS + "만", "조": _SMALL_UNITS + "만억", "경": _SMALL_UNITS + "만억조",
}  # fmt: skip
# the syllable after the first of a numeral: a unit after a digit, a digit or a smaller unit after a unit
_PAIRS = {**{digit: _SMALL_UNITS + _BIG_UNITS for digit in _D9}, **{u: _D9 + after for u, after in _NEXT_UNITS.items()}}
_SUFFIX_FIRSTS = "점분와과퍼프"
_UNITS = _SMALL_UNITS + _BIG_UNITS
_COUNTER_FIRSTS = _first_syllables(_COUNTERS)
_COPULAS = _COPULA_ANY + _COPULA_VOWEL + _COPULA_CONSONANT
_PARTICLES = _PARTICLES_ANY + _PARTICLES_VOWEL + _PARTICLES_CONSONANT
_PARTICLE_FIRSTS = _first_syllables(_PARTICLES)
_COUNTER_END = f"(?:(?![{_HANGUL}])|[{_PARTICLE_FIRSTS}])"  # after a counter (_after_counter_ok, loosely)
# after 와 / 과: the fraction of a mixed fraction (_simple_fractions), a long Sino-Korean one let through
_FRACTION_RUN = f"[{_SINO_CHARS}{_DIGITS},.，． \\t\\u00a0]"
_MIXED_FRACTION = f"[ \\t]?(?:[{_DIGITS}]|[{_SINO_CHARS}](?:{_FRACTION_RUN}{{0,11}}분의|{_FRACTION_RUN}{{11}}))"
_SUFFIX_MISS = (
    f"(?:점(?![ \\t]?[{''.join(_DECIMAL_DIGIT)}])|분(?!의)|[와과](?!{_MIXED_FRACTION})|퍼(?!센트)|프(?!로))"
)


class _Follow(NamedTuple):
    """What may follow the start of a word there: syllables, counters (followed by what _after_counter_ok
    accepts) and other words (copulas, particles, 째)."""

    syllables: str = ""
    counters: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


class _Test(NamedTuple):
    """What may follow the start of a word: attached, after one space (None: anything), and ``alone``: the
    characters that may follow a word that is a number alone (None: any; "^!,~": any but these)."""

    attached: _Follow
    spaced: _Follow | None
    alone: str | None
    more: str = ""  # another pattern that rejects the word


def _sino_test(char: str) -> _Test:
    """The test for a word that starts with one Sino-Korean syllable (see _accepted)."""
    attached = _PAIRS.get(char, "") + _SUFFIX_FIRSTS + {"일": "흔곱", "영": "하"}.get(char, "")  # 일흔, 일곱; 영하
    if char in "조경":  # _NEEDS_COUNTER: any counter
        counters = _COUNTERS
    elif char in "십백천만억":
        counters = _SINGLE_ATTACHED + _UNIT_SYLLABLE_ATTACHED
    else:
        counters = [] if char == "이" else _SINGLE_ATTACHED  # 이 alone is never a number
    copulas = _COPULAS if char in _COPULA_SINGLES else []
    spaced = _SUFFIX_FIRSTS + (_D9 + _NEXT_UNITS[char] if char in _NEXT_UNITS else "")  # 만 이천, 삼천 오백
    alone = "%％" if char in "이일" else "%％" + _DIGITS if char in "조경" else "^!,~" if char == "오" else None
    spaced_counters = () if char == "이" else tuple(_COUNTERS)
    more = ""
    if char in "조경":  # 조 오: a last digit after a space, read with 조 so in need of a counter that is not there
        digits = "".join(c for c in _D9 if c not in _COUNTER_FIRSTS)
        more = f"{_SP}(?=[{digits}](?:[^{_UNITS}{_COUNTER_FIRSTS}{_SUFFIX_FIRSTS} \\t\\u00a0%％]|\\Z))"
    return _Test(_Follow(attached, tuple(counters), tuple(copulas)), _Follow(spaced, spaced_counters), alone, more)


def _all_of(tests: list[_Test]) -> _Test:
    """One test for several first syllables: it rejects a word only where each of theirs does."""

    def union(follows: list[_Follow]) -> _Follow:
        return _Follow(
            "".join(f.syllables for f in follows),
            tuple(sorted({word for f in follows for word in f.counters})),
            tuple(sorted({word for f in follows for word in f.words})),
        )

    spaced = [test.spaced for test in tests]
    alones = [test.alone for test in tests]
    return _Test(
        union([test.attached for test in tests]),
        None if any(f is None for f in spaced) else union([f for f in spaced if f is not None]),
        None if any(a is None or a.startswith("^") for a in alones) else "".join(a or "" for a in alones),
    )


# first syllables that are not words alone, and what follows them in a numeral: 스물 / 스무, 서른, 예순, 여든 /
# 여섯 / 여덟, 아흔 / 아홉, 하나, 다섯, 마흔 / 마이너스
_NOT_WORDS_ALONE = {"스": "물무", "서": "른", "예": "순", "여": "든섯덟", "아": "흔홉", "하": "나", "다": "섯", "마": "흔이"}
_PREFIX_NEXT = _Follow(_SINO_CHARS + _NATIVE_INITIALS)  # the number after 영하, 마이너스, 제 starts so
_NATIVE_COUNTERS_AFTER = _Follow(counters=tuple(_NATIVE_COUNTERS))
_ATTRIBUTIVE = _Test(_NATIVE_COUNTERS_AFTER, _NATIVE_COUNTERS_AFTER, "")  # a counter must follow
_SYLLABLE_TESTS: dict[str, _Test] = {  # first syllables -> test
    "한두세석네넉": _ATTRIBUTIVE,
    **{char: _sino_test(char) for char in "이일오영"},
    "삼사육륙칠팔구": _all_of([_sino_test(char) for char in "삼사육륙칠팔구"]),
    **{unit: _sino_test(unit) for unit in _SMALL_UNITS + _BIG_UNITS},  # units: what may follow differs
    **{first: _Test(_Follow(second), _Follow(), "") for first, second in _NOT_WORDS_ALONE.items()},
    "첫": _Test(_Follow(words=("째", "번째")), _Follow(words=("째", "번째")), ""),  # 첫째, 첫 번째
    "열쉰": _Test(
        _Follow(_first_syllables(list(_NATIVE_UNITS)), tuple(_NATIVE_COUNTERS), tuple(_COPULAS)),
        _Follow(counters=tuple(_COUNTERS)),
        None,
    ),
    "둘셋넷": _Test(_Follow(counters=tuple(_COUNTERS), words=tuple(_PARTICLES)), None, None),  # a counter, a particle
    "제": _Test(_PREFIX_NEXT, _PREFIX_NEXT, _DIGITS),  # 제3, 제 삼
}  # fmt: skip
_NEEDS_A_COUNTER = _Follow(_SUFFIX_FIRSTS, tuple(_COUNTERS))  # 만일, 천사, 이만 (see _not_a_number_word) or a suffix
_WORD_START_TESTS: dict[str, _Test] = {  # words that read as numerals but need more after them
    "스무": _ATTRIBUTIVE,
    "만일": _Test(_NEEDS_A_COUNTER._replace(syllables="십백천" + _SUFFIX_FIRSTS), _NEEDS_A_COUNTER, "%％"),
    "천사": _Test(_NEEDS_A_COUNTER._replace(syllables="십백만억조경" + _SUFFIX_FIRSTS), _NEEDS_A_COUNTER, "%％"),
    "이만": _Test(*[_NEEDS_A_COUNTER._replace(syllables=_D9 + "십백천" + _SUFFIX_FIRSTS)] * 2, "%％" + _DIGITS),
    "영하": _Test(_PREFIX_NEXT, _PREFIX_NEXT, _DIGITS),  # 영하 5도, 영하 오 도
    "마이너스": _Test(_PREFIX_NEXT, _PREFIX_NEXT, _DIGITS),
}  # fmt: skip


def _hangul_except(chars: str) -> str:
    """A character class body: the Hangul syllables not in ``chars``."""
    runs, low = [], 0xAC00
    for code in sorted({ord(c) for c in chars if _is_hangul(c)}):
        if code > low:
            runs.append((low, code - 1))
        low = code + 1
    runs.append((low, 0xD7A3))
    return "".join(f"{chr(first)}-{chr(last)}" if last > first else chr(first) for first, last in runs if last >= first)


def _firsts(follow: _Follow) -> str:
    return follow.syllables + _first_syllables(follow.counters + follow.words)


def _nothing_follows(follow: _Follow) -> str:
    """At a syllable that starts a counter or a word of ``follow`` but is none of its syllables: none of them
    starts there (a counter followed by what may follow a counter)."""
    firsts = "".join(c for c in _first_syllables(follow.counters + follow.words) if c not in follow.syllables)
    starts = [f"(?:{_alternation(follow.counters)}){_COUNTER_END}"] if follow.counters else []
    starts += [_alternation(follow.words)] if follow.words else []
    return f"(?=[{firsts}])(?!{'|'.join(starts)})"


def _word_test(start: str, test: _Test, suffixes: bool) -> str:
    """The pattern that skips a word starting with ``start`` when ``test`` rejects it: the character-class tests
    first (most words are told by them), then the suffixes, counters and words."""
    attached, spaced, alone, _ = test
    ways = [f"[{_hangul_except(_firsts(attached))}][{_HANGUL}]*{_P}"]
    if spaced is not None:
        ways.append(f"{_SP}(?=[{_hangul_except(_firsts(spaced))}])")
    if alone is not None:
        ways.append(f"(?=[{alone[1:]}])" if alone.startswith("^") else f"(?=[^{_HANGUL} \\t\\u00a0{alone}])|\\Z")
    continues_nothing = [_SUFFIX_MISS] if suffixes else []
    if attached.counters or attached.words:
        continues_nothing.append(_nothing_follows(attached))
    if continues_nothing:
        ways.append(f"(?:{'|'.join(continues_nothing)})[{_HANGUL}]*{_P}")
    if spaced is not None and (spaced.counters or spaced.words):
        ways.append(f"{_SP}{_nothing_follows(spaced)}")
    if test.more:
        ways.append(test.more)
    return f"{start}(?:{'|'.join(ways)})"


_REJECTED_WORD = (
    f"(?=[{''.join(sorted(set(''.join(_SYLLABLE_TESTS))))}])(?:"
    + "|".join(
        _word_test(f"[{first}]", test, all(c in _SINO_CHARS and c not in "조경" for c in first))
        for first, test in _SYLLABLE_TESTS.items()
    )
    + "|"
    + "|".join(_word_test(word, test, False) for word, test in _WORD_START_TESTS.items())
    + f"|천만(?=에요|에용|의 말씀|에(?![{_HANGUL} \\t\\u00a0]))[{_HANGUL}]*{_P}"  # 천만에요, 천만의 말씀
    + f"){_BORING}"
)
_SKIP_PATTERN = (
    "(?:"
    f"[^{_INTERESTING}]+{_P}"  # text that cannot start a number
    f"|[{_NON_INITIALS}][{_HANGUL}]*{_P}{_BORING}"  # a Hangul word whose first syllable starts no number
    f"|(?=[{_HANGUL}])(?:{_REJECTED_WORD}"  # a Hangul word that the tests above reject
    f"|(?!{_HANGUL_CANDIDATE})[{_HANGUL}]+{_P}{_BORING})"  # a Hangul word that does not start a number
    f"|(?<=[{_DIGITS}])[{_DIGITS}]+{_P}{_BORING}"  # the rest of a digit run
    f"|(?<=[{_IDEOGRAPHS}])[{_HANJA_CHARS}]+{_P}{_BORING}"  # Hanja numerals inside an ideograph word
    f")*{_P}"
)


_skip_compiled: Callable[[str, int, int], re.Match[str] | None] | None = None


def _skip_match() -> Callable[[str, int, int], re.Match[str] | None]:
    """``match`` of the candidate finder, compiled on first use (its character classes take tens of ms)."""
    global _skip_compiled
    if _skip_compiled is None:
        _skip_compiled = re.compile(_SKIP_PATTERN).match
    return _skip_compiled


# ---------------------------------------------------------------------------------------------------------------
# Small regexes used by the parser (all anchored with .match, all with bounded repetition)
# ---------------------------------------------------------------------------------------------------------------

# thousands groups: at most 13 (10^42), and a longer chain is not one number ("1,234,...": read as "1")
_NUMTOK = re.compile(
    f"[{_DIGITS}]{{1,3}}(?:[,，][{_DIGITS}]{{3}}){{1,13}}(?![{_DIGITS}]|[,，][{_DIGITS}]{{3}})"
    f"(?:[.．][{_DIGITS}]{{1,40}}(?![{_DIGITS}]))?"
    f"|[{_DIGITS}]{{1,40}}(?![{_DIGITS}])(?:[.．][{_DIGITS}]{{1,40}}(?![{_DIGITS}]))?"
)
_DOT_NUMTOK = re.compile(f"[.．][{_DIGITS}]{{1,40}}(?![{_DIGITS}])")
_INT_TOKEN = re.compile(f"[{_DIGITS}]{{1,40}}(?![{_DIGITS}])")
_SLASH_FRACTION = re.compile(f"[/⁄]([{_DIGITS}]{{1,40}})(?![{_DIGITS}]|[/⁄][{_DIGITS}])")
_LATEX_ARG = r"(?:\{\s{0,3}([-−]?[0-9]{1,40}(?:\.[0-9]{1,40})?)\s{0,3}\}|([0-9]))"
_LATEX_FRACTION = re.compile(r"\\[dt]?frac(?![A-Za-z])\s{0,3}" + _LATEX_ARG + r"\s{0,3}" + _LATEX_ARG)
_LATEX_BEFORE = re.compile(r"\\[dt]?frac\s{0,3}(?:\{\s{0,3}[-−]?)?\Z")
_SPACE = frozenset(" \t\u00a0")
_CLOSERS = frozenset(")]}")
_SUFFIX_STARTS = frozenset(" \t\u00a0점분와과%％퍼프")
_INTERJECTION_MARKS = frozenset("!,~")
_NEVER_ALONE = frozenset("일경조")  # 일 alone is "work", "thing" or "day" far more often than 1
_DECIMAL_AFTER = re.compile(f"[ \\t]?점[ \\t]?([{''.join(_DECIMAL_DIGIT)}]{{1,20}})")
_FRACTION_AFTER = re.compile("[ \\t]?분의[ \\t]?")
_MIXED_AFTER = re.compile("[ \\t]?[와과][ \\t]?")
_PERCENT_AFTER = re.compile("[ \\t]?(?:%|％|퍼센트|프로)")
_SIGN_WORD = re.compile("(마이너스|영하)[ \\t]?")
_ORDINAL_PREFIX = re.compile("제[ \\t]?")
_HANJA_RUN = re.compile(f"[{_HANJA_CHARS}]{{1,24}}")

# Readings are tuples (start, end, value, kind, percent); ``kind`` says how strictly the end is checked.
_STRONG = 0  # digits, multi-syllable words, anything with a suffix: a plain word boundary or particle
_SINGLE = 1  # one Sino syllable, 열 or 쉰: needs a counter, a copula or a non-Hangul neighbour
_ATTRIBUTIVE = 2  # 한 두 세 석 네 넉 스무 첫 열한 ...: needs a counter
_NEEDS_COUNTER = 3  # Hangul numerals with 조/경, 이만
_NEVER = 4  # 이 alone
_HANJA = 5  # Hanja numerals: must not continue an ideograph word


# ---------------------------------------------------------------------------------------------------------------
# Values of tokens
# ---------------------------------------------------------------------------------------------------------------


def _digits_value(token: str) -> int | Fraction:
    """Exact value of a digit token such as ``1,234.5`` or ``．５`` (already validated by a regex).

    Values stay ``int`` while they can (Fraction arithmetic is slow); readings become Fractions at the end."""
    if not token.isascii():
        token = token.translate(_TO_ASCII)
    if "," in token:
        token = token.replace(",", "")
    if "." not in token:
        return int(token)
    whole, _, decimals = token.partition(".")
    return Fraction(int((whole or "0") + decimals), 10 ** len(decimals))


def _core(text: str, i: int, hanja: bool = False) -> list[tuple[int, int | Fraction]]:
    """Every place a number core starting at ``i`` can end, with its value: digits, Sino-Korean (or Hanja)
    digits and units with 만-grouping, e.g. ``3만 5천``, ``삼백오십``, ``1억2천만``, ``一萬二千``."""
    n = len(text)
    digit_table, small_table, big_table = (
        (_HANJA_DIGIT, _HANJA_SMALL, _HANJA_BIG) if hanja else (_SINO_DIGIT, _SINO_SMALL, _SINO_BIG)
    )
    points: list[tuple[int, int | Fraction]] = []
    total: Fraction | int = 0
    section: Fraction | int = 0
    coefficient: Fraction | int | None = None
    last_small, last_big = 10**4, 10**17
    pos = i
    after_unit = False  # the previous token was a unit: a digit token or a space may follow
    pending = False  # after a space: the continuation must show a unit before it counts
    last_digit_tail = False  # after "만 ": a last group of one digit word counts too (천만 일 = 10000001)
    four_digits = False  # a spaced 4-digit group after a big unit ("3만 5000")
    fractional = False  # the coefficient has decimals: it must be followed by a unit
    units = 0
    while pos < n:
        char = text[pos]
        if char in _DIGIT_CHARS:
            if coefficient is not None or (pos > i and not after_unit):
                break
            match = _NUMTOK.match(text, pos)
            if match is None:
                break
            token = match.group()
            coefficient = _digits_value(token)
            fractional = type(coefficient) is Fraction
            four_digits = pending and last_small == 10**4 and len(token) == 4 and token.isdigit()
            pos = match.end()
            after_unit = False
        elif char in digit_table:
            value = digit_table[char]
            if coefficient is not None:
                break
            if value == 0:
                if hanja and pos > i:  # 一百零五: a placeholder zero
                    pos += 1
                    continue
                if pos == i:
                    points.append((pos + 1, 0))
                break
            coefficient = value
            fractional = False
            last_digit_tail = pending and last_small == 10**4 and char != "이"  # 만 이 사람: "this person"
            pos += 1
            after_unit = False
        elif char in small_table:
            unit = small_table[char]
            if unit >= last_small or coefficient == 0:
                break
            section += (1 if coefficient is None else coefficient) * unit
            coefficient, last_small, pending, after_unit, fractional = None, unit, False, True, False
            four_digits = False
            units += 1
            pos += 1
        elif char in big_table:
            unit = big_table[char]
            if unit >= last_big:
                break
            group = section + (coefficient or 0)
            if group == 0:
                if coefficient is not None or section:
                    break
                group = 1  # 만 = 10000, 억 = 10^8
            total += group * unit
            section, coefficient, last_small, last_big = 0, None, 10**4, unit
            pending, after_unit, fractional, four_digits = False, True, False, False
            units += 1
            pos += 1
        elif char in _SPACE and after_unit and not pending:
            pos += 1
            if pos < n and text[pos] in _SPACE:
                pos += 1
            pending = True  # after_unit stays True: a digit token may start the next group
            continue
        else:
            break
        if pending and not (four_digits or last_digit_tail):
            continue
        if fractional and units:
            continue  # "3만2.5" is not a number
        points.append((pos, total + section + (coefficient or 0)))
    return points


def _decimal_digits(digits: str) -> Fraction:
    value = 0
    for char in digits:
        value = value * 10 + _DECIMAL_DIGIT[char]
    return Fraction(value, 10 ** len(digits))


# ---------------------------------------------------------------------------------------------------------------
# Readers: every reading of a number that starts at a candidate position
# ---------------------------------------------------------------------------------------------------------------

_Reading = tuple  # (start, end, value, kind, percent)


def _with_suffixes(text: str, start: int, points: list[tuple[int, int | Fraction]], kind: int, hangul: bool) -> list:
    """Readings of a core plus what may follow it: 점 decimals, 분의 fractions, 와/과 mixed fractions, percent."""
    readings = [(start, end, value, kind, False) for end, value in points]
    if not points:
        return readings
    end, value = points[-1]
    if end >= len(text) or text[end] not in _SUFFIX_STARTS:
        return readings
    extra: list = []
    if hangul and value.denominator == 1:
        decimal = _DECIMAL_AFTER.match(text, end)
        if decimal is not None and not _particle_like_decimal(text, decimal):
            extra.append((start, decimal.end(), value + _decimal_digits(decimal.group(1)), _STRONG, False))
    fraction = _FRACTION_AFTER.match(text, end)
    if fraction is not None and value != 0:
        for numerator_end, numerator in _numerator_points(text, fraction.end()):
            extra.append((start, numerator_end, Fraction(numerator) / value, _STRONG, False))
    mixed = _MIXED_AFTER.match(text, end)
    if mixed is not None and value.denominator == 1:
        for part_end, part in _simple_fractions(text, mixed.end()):
            extra.append((start, part_end, value + part if value >= 0 else value - part, _STRONG, False))
    readings.extend(extra)
    # percent after the longest reading of each kind
    best_end, best_value = max(((r[1], r[2]) for r in readings), key=lambda pair: pair[0])
    percent = _PERCENT_AFTER.match(text, best_end)
    if percent is not None:
        readings.append((start, percent.end(), Fraction(best_value, 100), _STRONG, True))
    return readings


def _particle_like_decimal(text: str, decimal: re.Match[str]) -> bool:
    """``90점이다`` / ``90점일 때``: a single 이 or 일 after 점 followed by Hangul is a particle, not a digit."""
    digits = decimal.group(1)
    if digits not in ("이", "일"):
        return False
    end = decimal.end()
    after = text[end : end + 2]
    return bool(after) and (_is_hangul(after[0]) or (after[0] in _SPACE and len(after) > 1 and _is_hangul(after[1])))


def _numerator_points(text: str, pos: int) -> list[tuple[int, int | Fraction]]:
    """The B of ``A분의 B``: digits or a Sino-Korean numeral."""
    if pos >= len(text):
        return []
    char = text[pos]
    if char in _DIGIT_CHARS:
        match = _NUMTOK.match(text, pos)
        return [(match.end(), _digits_value(match.group()))] if match else []
    if char in _SINO_DIGIT or char in _SINO_SMALL or char in _SINO_BIG:
        return _core(text, pos)
    return []


def _simple_fractions(text: str, pos: int) -> list[tuple[int, int | Fraction]]:
    """``3분의 1`` or ``1/3`` starting at ``pos`` (the fraction part of ``2와 3분의 1``)."""
    if pos >= len(text):
        return []
    if text[pos] in _DIGIT_CHARS:
        token = _INT_TOKEN.match(text, pos)
        if token is None:
            return []
        slash = _SLASH_FRACTION.match(text, token.end())
        if slash is not None:
            denominator = _digits_value(slash.group(1))
            if denominator:
                return [(slash.end(), Fraction(_digits_value(token.group()), denominator))]
        points = [(token.end(), _digits_value(token.group()))]
    elif text[pos] in _SINO_CHARS:
        points = _core(text, pos)
    else:
        return []
    if not points:
        return []
    end, denominator = points[-1]
    fraction = _FRACTION_AFTER.match(text, end)
    if fraction is None or denominator == 0:
        return []
    return [(e, Fraction(v) / denominator) for e, v in _numerator_points(text, fraction.end())]


def _read_digits(text: str, j: int) -> list:
    """Readings of a number whose first digit is at ``j`` (with a sign, a leading dot or a \\frac before it)."""
    start = j
    n = len(text)
    # a LaTeX fraction around this digit: \frac{1}{3}, \dfrac13
    if j >= 1 and (text[j - 1] == "{" or text[j - 1] == "c" or text[j - 1] in " -−"):
        before = _LATEX_BEFORE.search(text, max(0, j - 16), j)
        if before is not None:
            latex = _read_latex_fraction(text, before.start())
            if latex:
                return latex
    value_points: list[tuple[int, int | Fraction]]
    if j >= 1 and text[j - 1] in ".．" and (j < 2 or text[j - 2] not in _DIGIT_CHARS):
        match = _DOT_NUMTOK.match(text, j - 1)
        if match is None:
            return []
        start = j - 1
        value_points = [(match.end(), _digits_value(match.group()))]
        plain = False
    else:
        value_points = _core(text, j)
        if not value_points:
            return []
        plain = True
    negative = False
    if start >= 1 and text[start - 1] in _MINUS_CHARS:
        before = text[start - 2] if start >= 2 else ""
        if not (before.isascii() and (before.isalnum() or before in _CLOSERS)) and before not in _DIGIT_CHARS:
            negative = True
            start -= 1
    first_end, first_value = value_points[0]
    readings = _with_suffixes(text, start, value_points, _STRONG, hangul=False)
    if plain and first_value.denominator == 1:
        # 1/3, 2\frac{1}{3}, 2½ right after a plain integer
        if not (j >= 2 and text[j - 1] in "/⁄" and text[j - 2] in _DIGIT_CHARS):
            slash = _SLASH_FRACTION.match(text, first_end)
            if slash is not None and _INT_TOKEN.match(text, j) is not None:
                denominator = _digits_value(slash.group(1))
                if denominator:
                    readings.append((start, slash.end(), Fraction(first_value, denominator), _STRONG, False))
        if first_end < n and text[first_end] == "\\":
            latex = _read_latex_fraction(text, first_end)
            if latex:
                readings.append((start, latex[0][1], first_value + latex[0][2], _STRONG, False))
        if first_end < n and text[first_end] in _VULGAR:
            readings.append((start, first_end + 1, first_value + _VULGAR[text[first_end]], _STRONG, False))
    if negative:
        readings = [(s, e, -v, k, p) for s, e, v, k, p in readings]
    return readings


def _read_latex_fraction(text: str, pos: int) -> list:
    match = _LATEX_FRACTION.match(text, pos)
    if match is None:
        return []
    numerator = match.group(1) or match.group(2)
    denominator = match.group(3) or match.group(4)
    top = _signed_decimal(numerator)
    bottom = _signed_decimal(denominator)
    if bottom == 0:
        return []
    start = pos
    value = Fraction(top) / bottom
    if start >= 1 and text[start - 1] in _MINUS_CHARS:
        before = text[start - 2] if start >= 2 else ""
        if not (before.isascii() and (before.isalnum() or before in _CLOSERS)):
            start -= 1
            value = -value
    return [(start, match.end(), value, _STRONG, False)]


def _signed_decimal(token: str) -> Fraction:
    negative = token[0] in "-−"
    value = _digits_value(token.lstrip("-−"))
    return -value if negative else value


def _read_hangul(text: str, j: int, prefixed: bool = False) -> list:
    """Readings of a Hangul numeral word at ``j``: sign words, 제 ordinals, native and Sino-Korean numerals."""
    char = text[j]
    if (char == "마" or char == "영") and not prefixed:
        sign = _SIGN_WORD.match(text, j)
        if sign is not None:
            readings = _read_after_prefix(text, j, sign.end())
            if readings:
                return [(s, e, -v, _STRONG, p) for s, e, v, _, p in readings]
            if char == "마":
                return []
    if char == "제":
        if prefixed:
            return []
        prefix = _ORDINAL_PREFIX.match(text, j)
        if text.startswith("일", prefix.end()):  # 제일: "the most"
            return []
        return [(s, e, v, _STRONG, p) for s, e, v, _, p in _read_after_prefix(text, j, prefix.end())]
    readings: list = []
    native = _NATIVE_RE.match(text, j)
    if native is not None:
        word = native.group()
        if word == "첫":
            value, kind = 1, _ATTRIBUTIVE
        else:
            tens = next((t for t in _NATIVE_TENS if word.startswith(t)), "")
            rest = word[len(tens) :]
            value = 20 if word == "스무" else _NATIVE_TENS.get(tens, 0) + _NATIVE_UNITS.get(rest, 0)
            if rest in _NATIVE_ATTRIBUTIVE or word == "스무":
                kind = _ATTRIBUTIVE
            elif word in ("열", "쉰"):
                kind = _SINGLE
            else:
                kind = _STRONG
        readings.append((j, native.end(), value, kind, False))
    if char in _SINO_CHARS:
        points = _core(text, j)
        sino = []
        for end, value in points:
            word = text[j:end]
            if "조" in word or "경" in word or word == "이만":
                kind = _NEEDS_COUNTER
            elif " " in word or "\t" in word or "\u00a0" in word:
                kind = _STRONG
            elif len(word) == 1:
                kind = _NEVER if word == "이" else _SINGLE
            else:
                kind = _STRONG
            sino.append((j, end, value, kind, False))
        if points:
            # suffixes make the reading strong: 삼 점 일사, 삼분의 일, 오 퍼센트
            sino += [r for r in _with_suffixes(text, j, points, _STRONG, hangul=True) if r[1] > points[-1][0]]
        readings.extend(sino)
    return readings


def _read_after_prefix(text: str, start: int, pos: int) -> list:
    """Readings of the number after 마이너스 / 영하 / 제, reported from ``start``."""
    if pos >= len(text):
        return []
    char = text[pos]
    if char in _DIGIT_CHARS:
        inner = _read_digits(text, pos)
        # drop a sign the digit reader took from before the prefix (cannot happen) and re-anchor at start
        return [(start, e, v, k, p) for s, e, v, k, p in inner if s == pos]
    if _is_hangul(char):
        return [(start, e, v, k, p) for s, e, v, k, p in _read_hangul(text, pos, prefixed=True)]
    return []


def _read_hanja(text: str, j: int) -> list:
    run = _HANJA_RUN.match(text, j)
    if run is None:
        return []
    word = run.group()
    if not any(char in _HANJA_SMALL or char in _HANJA_BIG for char in word):
        value = 0
        for char in word:  # 二〇二四: digit by digit
            value = value * 10 + _HANJA_DIGIT[char]
        readings = [(j, run.end(), value, _HANJA, False)]
    else:
        readings = [(j, end, value, _HANJA, False) for end, value in _core(text, j, hanja=True)]
    percent = _PERCENT_AFTER.match(text, readings[-1][1]) if readings else None
    if percent is not None:
        readings.append((j, percent.end(), Fraction(readings[-1][2], 100), _STRONG, True))
    return readings


def _readings(text: str, j: int) -> list:
    """All readings of a number at candidate position ``j`` (longest last is not guaranteed)."""
    char = text[j]
    if char in _DIGIT_CHARS:
        return _read_digits(text, j)
    if _is_hangul(char):
        return _read_hangul(text, j)
    if char in _VULGAR:
        return [(j, j + 1, _VULGAR[char], _STRONG, False)]
    if char in _HANJA_CHARS:
        return _read_hanja(text, j)
    return []


# ---------------------------------------------------------------------------------------------------------------
# Where a reading may end in running text
# ---------------------------------------------------------------------------------------------------------------


def _after_counter_ok(text: str, pos: int) -> bool:
    """After a counter: a non-Hangul character, or a particle (``3개를``, ``삼 년간``)."""
    if pos >= len(text) or not _is_hangul(text[pos]):
        return True
    return _particle_ok(text, pos, text[pos - 1])


def _particle_ok(text: str, pos: int, last: str) -> bool:
    if _PARTICLE_ANY_RE.match(text, pos):
        return True
    final = _final_consonant(last)
    if final == 0:
        return _PARTICLE_VOWEL_RE.match(text, pos) is not None
    if final == 8 and text.startswith("로", pos):  # ㄹ takes 로: 일로, 팔로
        return True
    return _PARTICLE_CONSONANT_RE.match(text, pos) is not None


def _copula_ok(text: str, pos: int, last: str) -> bool:
    if _COPULA_ANY_RE.match(text, pos):
        return True
    if _final_consonant(last) == 0:
        return _COPULA_VOWEL_RE.match(text, pos) is not None
    return _COPULA_CONSONANT_RE.match(text, pos) is not None


def _counter_ok(text: str, pos: int, counters: re.Pattern[str]) -> bool:
    match = counters.match(text, pos)
    return match is not None and _after_counter_ok(text, match.end())


def _spaced_counter_ok(text: str, pos: int, counters: re.Pattern[str]) -> bool:
    """One space, then a counter (``오 분``, ``한 개``)."""
    return pos + 1 < len(text) and text[pos] in _SPACE and _counter_ok(text, pos + 1, counters)


def _not_a_number_word(text: str, start: int, end: int) -> bool:
    """Words that read as numerals but are not numbers: 만일, 천사, 천만에요, 천만의 말씀."""
    word = text[start:end]
    if word in ("만일", "천사"):  # "if", "angel"; with a counter they are numbers (천사 원 = 1004 won)
        return not (_counter_ok(text, end, _COUNTER_RE) or _spaced_counter_ok(text, end, _COUNTER_RE))
    if word == "천만":
        if text.startswith(("에요", "에용"), end) or text.startswith("의 말씀", end):
            return True
        if text.startswith("에", end) and (end + 1 >= len(text) or not (_is_hangul(text[end + 1]) or text[end + 1] in _SPACE)):
            return True
    return False


def _accepted(text: str, reading: _Reading) -> bool:
    start, end, _, kind, _ = reading
    n = len(text)
    last = text[end - 1]
    nxt = text[end] if end < n else ""
    if kind == _HANJA:
        return not nxt or not ("\u3400" <= nxt <= "\u9fff" or "\uf900" <= nxt <= "\ufaff") or nxt in _HANJA_COUNTERS
    if not _is_hangul(last):
        return True  # digits, %, a closing brace: nothing to check
    if kind == _STRONG:
        if _is_hangul(text[start]) and _not_a_number_word(text, start, end):
            return False
        if not nxt or not _is_hangul(nxt):
            return True
        return _counter_ok(text, end, _COUNTER_RE) or _particle_ok(text, end, last)
    if kind == _NEVER:
        return False
    if kind == _NEEDS_COUNTER:
        if _not_a_number_word(text, start, end):
            return False
        return _counter_ok(text, end, _COUNTER_RE) or _spaced_counter_ok(text, end, _COUNTER_RE)
    if kind == _ATTRIBUTIVE:
        word = text[start:end]
        counters = _NATIVE_COUNTER_RE
        if word == "첫":
            return text.startswith(("째", "번째"), end) or text.startswith((" 째", " 번째"), end)
        if nxt and _is_hangul(nxt):
            match = counters.match(text, end)
            return (
                match is not None
                and word + text[end : match.end()] not in _NATIVE_ATTACHED_EXCLUDED
                and _after_counter_ok(text, match.end())
            )
        return _spaced_counter_ok(text, end, counters)
    # _SINGLE: one Sino syllable, 열 or 쉰
    word = text[start:end]
    native = word in ("열", "쉰")
    if nxt and _is_hangul(nxt):
        if native:
            match = _NATIVE_COUNTER_RE.match(text, end)
            if match and word + text[end : match.end()] not in _NATIVE_ATTACHED_EXCLUDED:
                if _after_counter_ok(text, match.end()):
                    return True
        else:
            attached = _UNIT_ATTACHED_RE if word in "십백천만억" else _SINGLE_ATTACHED_RE
            if _counter_ok(text, end, attached):
                return True
        return word in _COPULA_SINGLES and _copula_ok(text, end, last)
    if _spaced_counter_ok(text, end, _COUNTER_RE):
        return True
    # alone: the next character that is not a space is not Hangul
    pos = end
    while pos < n and text[pos] in _SPACE and pos < end + 8:
        pos += 1
    if pos < n and (_is_hangul(text[pos]) or text[pos] in _SPACE):
        return False
    if word == "오" and nxt in _INTERJECTION_MARKS:  # 오! 오, (an interjection)
        return False
    return word not in _NEVER_ALONE


# ---------------------------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------------------------


def _best(text: str, j: int) -> NumberMatch | None:
    """The longest accepted reading of the number at candidate ``j``, or None."""
    try:
        readings = _readings(text, j)
        readings.sort(key=_end, reverse=True)
        for reading in readings:
            if _accepted(text, reading):
                start, end, value, _, percent = reading
                return NumberMatch(Fraction(value), start, end, text[start:end], percent)
    except (ValueError, ArithmeticError, RecursionError):  # defensive: one odd candidate never stops a scan
        return None
    return None


def _end(reading: _Reading) -> int:
    return reading[1]


_AHEAD = 64  # the candidate finder looks at most this far past a position
_LONG = 8192  # a scan longer than this goes in windows and looks for stretches that repeat
_WINDOW = 4096  # the window, and how often a long scan looks for a repeating stretch
_PERIOD = 256  # the longest period looked for
_LOOKBACK = 32  # reading a number looks at most this far back (_read_digits: 18) ...
# ... and in a text that repeats with a period of at most 256, this far past its start: a reading repeats no big
# unit and no small unit within a group, so its number, fraction and mixed-fraction parts each span at most two
# periods and a 96-character digit token, and what may follow it (spaces, a counter, a particle) is short
_REACH = 2048
_COMPARE = 4096  # a repeating stretch is measured in pieces of up to this size
# where a regex step begins: a character that may start a number after one that cannot (_SKIP_PATTERN)
_STEP_START = re.compile(f"(?<=[^{_INTERESTING}])[{_INTERESTING}]")
_LAST_STEP_START = re.compile(f"[\\s\\S]*[^{_INTERESTING}](?=[{_INTERESTING}])")


def _candidates(text: str, pos: int, stop: int) -> Iterator[int]:
    """Positions in ``[pos, stop)`` where a number may start, left to right (in a long repeating stretch,
    rejected ones may be left out: see _next_candidate)."""
    endpos = min(len(text), stop + _AHEAD)  # enough look-ahead for the candidate test; nothing is yielded past ``stop``
    skip, plain, state = _skip_match(), stop - _LONG, [pos]  # from ``plain`` on, a plain scan
    while pos < stop:
        j = skip(text, pos, endpos).end() if pos >= plain else _next_candidate(text, pos, stop, endpos, state)
        if j >= stop:
            return
        yield j
        pos = j + 1


def _scan(text: str, pos: int = 0, stop: int | None = None) -> Iterator[NumberMatch]:
    """Accepted numbers whose candidate start is in ``[pos, stop)``, left to right, without overlaps."""
    n = len(text)
    stop = n if stop is None else min(stop, n)
    endpos = min(n, stop + _AHEAD)
    skip, plain, state = _skip_match(), stop - _LONG, [pos]  # from ``plain`` on, a plain scan
    while pos < stop:
        j = skip(text, pos, endpos).end() if pos >= plain else _next_candidate(text, pos, stop, endpos, state)
        if j >= stop:
            return
        match = _best(text, j)
        if match is None:
            pos = j + 1
            continue
        yield match
        pos = max(match.end, j + 1)


def _next_candidate(text: str, pos: int, stop: int, endpos: int, state: list[int]) -> int:
    """``_skip_match()(text, pos, endpos).end()`` when that is before ``stop``, else a position >= ``stop``;
    in a long stretch that repeats, candidates that ``_best`` rejects may be passed over.

    A long scan goes window by window (a window without a candidate ends where a regex step begins), and every
    ``_WINDOW`` characters (``state[0]``: where next) it checks whether the text repeats from the next place
    where a step begins. When it does, with a period of at most 256 characters and no number in it (a megabyte
    of "이 ", "조 조 " or "만일 네 생각 "), the repeats are passed over at once (see _after_repeats)."""
    skip = _skip_match()
    while stop - pos > _LONG:
        if pos >= state[0]:
            state[0] = pos + _WINDOW
            step = _STEP_START.search(text, pos, pos + _PERIOD)
            if step is not None:
                start = step.start()
                j = skip(text, pos, start + _AHEAD).end()
                if j < start:
                    return j
                pos = _after_repeats(text, start, stop)
                continue
        limit = pos + _WINDOW
        j = skip(text, pos, limit + _AHEAD).end()
        if j < limit:
            return j  # decided with its full look-ahead, as in a scan of the whole text
        step = _LAST_STEP_START.match(text, limit - _PERIOD, limit + 1)
        if step is None:
            break
        pos = state[0] = step.end()  # no candidate before it, and a regex step begins there
    return skip(text, pos, endpos).end()


def _period(text: str, start: int) -> int:
    """The period of the text from ``start`` (at most 256, found on 64 characters), or 0."""
    found = text.find(text[start : start + _AHEAD], start + 1, start + 1 + _PERIOD + _AHEAD)
    return found - start if found > 0 else 0


def _repeats_until(text: str, end: int, period: int, stop: int) -> int:
    """How far ``text[i] == text[i + period]`` holds on from ``end`` (it holds before), within ``stop``."""
    size = _COMPARE
    while size:
        if end + period + size <= stop and text[end : end + size] == text[end + period : end + period + size]:
            end += size
        else:
            size //= 2
    return end


def _after_repeats(text: str, start: int, stop: int) -> int:
    """Where a scan that reaches ``start``, a place where a regex step begins, may go on: past the repeats of a
    stretch that repeats from there without a number in it, or ``start`` itself.

    Whether a place is a candidate and what ``_best`` reads there depend only on the text from ``_LOOKBACK``
    characters before it to ``_REACH`` after it, and regex steps begin at the same places in every period, so
    when the periods read here (the last two with ``_LOOKBACK`` characters of the stretch before them) have no
    number, no later period whose look-ahead stays in the stretch has one."""
    period = _period(text, start)
    if not period or not _STEP_START.match(text, start + period):
        return start  # no repeat, or steps need not begin at the same places in every period
    checked = start + period * (2 - (-_LOOKBACK // period))  # [start, checked): read here
    end = checked + _REACH  # text[start : end + period] repeats with the period
    if end + period > stop or text[start:end] != text[start + period : end + period]:
        return start
    skip, pos = _skip_match(), start
    while True:
        j = skip(text, pos, checked + _AHEAD).end()
        if j >= checked:
            break
        if _best(text, j) is not None:
            return start
        pos = j + 1
    end = _repeats_until(text, end, period, stop)
    return max(checked, start + period * ((end + period - _REACH - start) // period))


def _before_repeats(text: str, low: int, chunk: int, high: int) -> int:
    """Where a backward scan may go on when ``[chunk, high)`` has no number: before the repeats of a stretch
    that repeats into ``[chunk, high)`` (they have no number either, see _after_repeats), or ``chunk``."""
    step = _STEP_START.search(text, chunk + 1, chunk + 1 + _PERIOD)
    if step is None:
        return chunk
    start = step.start()
    period = _period(text, start)
    ahead = start + period + _REACH  # the period from start (read in the chunk) and what it looks at repeat
    if not period or start + period > high or text[start:ahead] != text[start + period : ahead + period]:
        return chunk
    size, begin = _COMPARE, start  # text[begin : ahead + period] repeats with the period
    while size:
        if begin - size >= low and text[begin - size : begin] == text[begin - size + period : begin + period]:
            begin -= size
        else:
            size //= 2
    return min(chunk, start - period * ((start - begin - _LOOKBACK) // period))


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberMatch]:
    """Every number expression in ``text`` (optionally only those starting in ``[start, end)``), left to right.

    Example:
        >>> [m.value for m in find_numbers("사과 3개와 배 다섯 개, 합계 1,500원")]
        [Fraction(3, 1), Fraction(5, 1), Fraction(1500, 1)]
        >>> find_numbers("사과이 사람 이상 오늘 천만에요 삼각형 구름 만약 일어나다")
        []
        >>> find_numbers(None)
        []
    """
    if not isinstance(text, str):
        return []
    try:
        return list(_scan(text, max(0, int(start)), end))
    except Exception:  # noqa: BLE001 - never raise on model output
        return []


def first_number(text: str, start: int = 0) -> NumberMatch | None:
    """The first number expression in ``text`` at or after index ``start``, or None.

    Example:
        >>> first_number("<SOLUTION>삼백오십 개</SOLUTION>", 10).value
        Fraction(350, 1)
    """
    if not isinstance(text, str):
        return None
    try:
        return next(_scan(text, max(0, int(start))), None)
    except Exception:  # noqa: BLE001
        return None


def last_number(text: str, start: int = 0) -> NumberMatch | None:
    """The last number expression in ``text`` (starting at or after ``start``), or None.

    It scans backwards in chunks (2 KB, doubling up to 16 KB), so the cost depends on the distance from the
    end to the last number, not on how many numbers come before it.

    Example:
        >>> last_number("1, 2, 3, 그리고 마지막으로 삼백").value
        Fraction(300, 1)
    """
    if not isinstance(text, str):
        return None
    try:
        return _last(text, max(0, int(start)))
    except Exception:  # noqa: BLE001
        return None


_SYNC = 256  # longer than any number expression: a scan started this far back is in step with a full scan
# characters after which a number may continue an expression that started earlier (3만 5천, 2와 3분의 1, 1/3)
_SYNC_BEFORE = frozenset(
    _DIGIT_CHARS | set(".,，．/⁄{}\\" + _MINUS_CHARS + "만억조경천백십와과의점스하제") | set(_HANJA_CHARS) | set(_VULGAR)
)


def _last(text: str, low: int, high: int | None = None, floor: int | None = None) -> NumberMatch | None:
    """The last number whose candidate start is in ``[low, high)``, read whole: it may begin before ``low``
    (``3만 5천`` across ``low``), but not before ``floor`` (default ``low``)."""
    floor = low if floor is None else floor
    high = len(text) if high is None else min(high, len(text))
    width = 2048
    while high > low:
        chunk_start = max(low, high - width)
        positions = list(_candidates(text, chunk_start, high))
        for j in reversed(positions):
            match = _best(text, j)
            if match is None:
                continue
            before = match.start - 1
            while before > match.start - 3 and before >= 0 and text[before] in _SPACE:
                before -= 1
            if (before < 0 or text[before] not in _SYNC_BEFORE) and match.start >= floor:
                return match  # nothing before it could be the head of a longer expression
            # re-read the neighbourhood forwards so that "3만 5천" is not taken as "5천"
            found = None
            for match in _scan(text, max(floor, j - _SYNC), j + 1):
                if match.start >= floor:
                    found = match
            return found
        high = _before_repeats(text, low, chunk_start, high)
        width = min(width * 2, 16384)
    return None


# How far the answer readers look for Korean numerals: a Korean numeral costs Python work to accept or reject,
# and a megabyte of words that look like numerals but are not (구십가 세대 두통 ...) would take a second, so the
# rewards read them only this close to where the answer is (after the solution tag, or at the end of the text).
# Digits are found anywhere, at the regex engine's speed.
ANSWER_WINDOW = 4096


def _last_digit(text: str, end: int) -> int:
    """Index of the last ASCII or full-width digit in ``text[:end]``, or -1."""
    return max(text.rfind(digit, 0, end) for digit in _DIGIT_CHARS)


def _last_answer_number(text: str) -> NumberMatch | None:
    """The last number of an answer text: the last one that starts in its last ``ANSWER_WINDOW`` characters,
    else (a long tail without numbers: a model that loops after its answer) the number at its last digit."""
    low = max(0, len(text) - ANSWER_WINDOW)
    match = _last(text, low, floor=0)
    if match is not None or low == 0:
        return match
    digit = _last_digit(text, low)
    if digit < 0:
        return None
    return _last(text, max(0, digit - _SYNC), digit + 1, floor=0)


# ---------------------------------------------------------------------------------------------------------------
# Reading one whole expression
# ---------------------------------------------------------------------------------------------------------------

_FLOAT_LITERAL = re.compile(
    r"[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
)
_LEADING = re.compile(
    r"(?:(?:약|대략|대충|거의|어림잡아|about|approximately|approx\.?|around|roughly|~|≈|∼)[ \t]{0,3})?"
    r"[+＋]?[$₩￦€£¥]?[ \t]{0,2}",
    re.IGNORECASE,
)
_ASCII_UNIT = r"(?![eE][+-]?[0-9])[A-Za-z°µμΩ℃][A-Za-z°/²³0-9^.]{0,15}"
_TAIL = re.compile(
    f"[ \\t]{{0,3}}(?:(?:{_alternation(_COUNTERS)}|{_ASCII_UNIT})[ \\t]{{0,2}})?"
    f"(?:(?:{_alternation(_HEDGES_AFTER)})[ \\t]{{0,2}})?"
    f"(?:(?:{_alternation(_COPULA_ANY + _COPULA_VOWEL + _COPULA_CONSONANT + ['임', '요', '이요'])})[ \\t]{{0,2}})?"
    r"[.。!]?\s*\Z"
)
_LATEX_WRAPPER = re.compile(r"\\(?:text|mathrm|textrm|mbox|rm|mathit|textbf|mathbf|operatorname)\s?\{([^{}]{0,64})\}")
_LATEX_NOISE = re.compile(r"\\[,;:! ]|\\quad|\\qquad|\\displaystyle|\\left|\\right|\$|\\\(|\\\)|\\\[|\\\]")
_SCIENTIFIC = re.compile(
    r"([-−]?[0-9]{1,40}(?:\.[0-9]{1,40})?)\s{0,2}(?:\\times|\\cdot|×|x|\*)\s{0,2}10\s{0,2}\^\s{0,2}"
    r"(?:\{\s{0,2}([-−]?[0-9]{1,3})\s{0,2}\}|([0-9]))\s*\Z"
)
_VULGAR_SPLIT = re.compile(f"([{''.join(_VULGAR)}])")
_STRIP = " \t\r\n\u00a0\u3000*\"'`“”‘’「」『』"
_EXPONENT_LIMIT = 1000
_PARSE_LIMIT = 1000


def _clean(text: str) -> str:
    """NFKC, LaTeX wrappers and spacing commands removed, surrounding quotes and markdown stripped."""
    if not text.isascii():
        # NFKC turns "2½" into "21⁄2": keep the vulgar fractions as they are
        text = "".join(
            part if part in _VULGAR else unicodedata.normalize("NFKC", part) for part in _VULGAR_SPLIT.split(text)
        )
    if "\\" in text or "$" in text or "{" in text:
        if text.strip(" \t\n$").startswith("\\boxed"):
            boxed = _boxed_content(text)
            if boxed is not None and not text[boxed[1] + 1 :].strip(" \t\n$"):
                text = text[boxed[0] : boxed[1]]
        text = _LATEX_WRAPPER.sub(r" \1", text)
        text = _LATEX_NOISE.sub("", text).replace("{,}", ",").replace("\\%", "%")
        text = text.replace("^{\\circ}", "°").replace("^\\circ", "°")
    return text.strip(_STRIP)


def _float_literal(text: str) -> Fraction | None:
    """The exact value of a Python float literal (``1e5``, ``1_000``, ``.5``), or None (no inf or nan)."""
    if _FLOAT_LITERAL.fullmatch(text) is None:
        return None
    mantissa, _, exponent = text.replace("_", "").lower().partition("e")
    power = int(exponent) if exponent else 0
    if abs(power) > _EXPONENT_LIMIT or len(mantissa) > 4000:
        return None
    negative = mantissa.startswith("-")
    value = _digits_value(mantissa.lstrip("+-"))
    if power:
        value = value * Fraction(10) ** power
    return Fraction(-value if negative else value)


def _parse(text: str) -> tuple[Fraction, bool] | None:
    """Value and percent flag of a text that is one number expression, or None."""
    if not isinstance(text, str):
        return None
    text = text.strip(_STRIP)
    if not text or len(text) > _PARSE_LIMIT:  # one number expression is never this long
        return None
    text = _clean(text)
    if not text:
        return None
    literal = _float_literal(text)
    if literal is not None:
        return literal, False
    scientific = _SCIENTIFIC.match(text)
    if scientific is not None:
        power = int((scientific.group(2) or scientific.group(3)).replace("−", "-"))
        return _signed_decimal(scientific.group(1)) * Fraction(10) ** power, False
    pos = _LEADING.match(text).end()
    if pos >= len(text):
        return None
    found = _INTERESTING_CHAR.search(text, pos, pos + 17)  # past a sign, a dot or "\\frac{"
    if found is None:
        return None
    j = found.start()
    readings = _readings(text, j)
    readings.sort(key=lambda r: r[1], reverse=True)
    for start, end, value, _, percent in readings:
        if start == pos and _TAIL.match(text, end):
            return Fraction(value), percent
    return None


def parse_korean_number(text: str) -> Fraction | None:
    r"""The value of a text that is one number expression, or None.

    The text may have surrounding whitespace, quotes or LaTeX (``$...$``, ``\boxed{...}``, ``\text{개}``), a
    leading hedge (약, 대략, about, ~), a leading currency sign, and after the number a counter or unit (개, 명,
    원, 살, kg, ...), a trailing hedge (쯤, 정도), a copula (입니다, 이다, 예요) and final punctuation. Anything
    else makes it not a number. Python float literals (``1e5``, ``1_000``) are read exactly; ``inf`` and ``nan``
    are not numbers. Single syllables are read here (``"이"`` is 2), since the caller says the text is a number;
    see the module docstring for every form and decision. Never raises: non-strings give None.

    Example:
        >>> [parse_korean_number(t) for t in ["350", " 삼백오십 개 ", "약 3만 5천 원", "2와 3분의 1", "영하 5도"]]
        [Fraction(350, 1), Fraction(350, 1), Fraction(35000, 1), Fraction(7, 3), Fraction(-5, 1)]
        >>> parse_korean_number("50%"), parse_korean_number(r"$\frac{1}{3}$"), parse_korean_number("스무 살")
        (Fraction(1, 2), Fraction(1, 3), Fraction(20, 1))
        >>> parse_korean_number("사과"), parse_korean_number("5 이상"), parse_korean_number(None)
        (None, None, None)
    """
    try:
        parsed = _parse(text)
    except Exception:  # noqa: BLE001 - never raise on model output
        return None
    return None if parsed is None else parsed[0]


# ---------------------------------------------------------------------------------------------------------------
# The answer number of a free-text solution
# ---------------------------------------------------------------------------------------------------------------

_BRACES = re.compile(r"[{}]")
_BOXED_TRIES = 4
_BOXED_SPAN = 1000
_CUE_TRIES = 32
_CUE_REACH = 100
_SENTENCE_END = re.compile(r"[.!?。](?=\s|\Z)|\n")
_KOREAN_CUE_AFTER = re.compile(r"[ \t]{0,2}(?:은|는|[:：=])")
_ENGLISH_CUE_AFTER = re.compile(r"[ \t]{0,2}(?:is\b|[:：=])[ \t]{0,2}:?", re.IGNORECASE)


def _boxed_content(text: str) -> tuple[int, int] | None:
    r"""Start and end of the content of the last closed ``\boxed{...}`` (nested braces allowed), or None.

    At most the last four ``\boxed{`` are tried, each over at most 1000 characters, so this is linear."""
    end = len(text)
    for _ in range(_BOXED_TRIES):
        at = text.rfind("\\boxed", 0, end)
        if at < 0:
            return None
        end = at
        pos = at + 6
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text) or text[pos] != "{":
            continue
        depth = 0
        for brace in _BRACES.finditer(text, pos, min(len(text), pos + _BOXED_SPAN)):
            depth += 1 if brace.group() == "{" else -1
            if depth == 0:
                return pos + 1, brace.start()
    return None


def _cue_ends(text: str) -> list[int]:
    """Ends of the last answer cues (정답은, 답:, 최종 답, answer is, Answer:), latest first.

    At most the last 32 occurrences of 답 and of each spelling of "answer" are looked at (linear time)."""
    ends = []
    end = len(text)
    for _ in range(_CUE_TRIES):  # Korean cues all contain 답
        at = text.rfind("답", 0, end)
        if at < 0:
            break
        end = at
        before = text[at - 1] if at else ""
        after = _KOREAN_CUE_AFTER.match(text, at + 1)
        final = text[max(0, at - 3) : at].replace(" ", "").endswith("최종")
        if before in ("정", "해") or final or not _is_hangul(before):
            if after is not None:
                ends.append(after.end())
            elif final:
                ends.append(at + 1)
    for spelling in ("answer", "Answer", "ANSWER"):
        end = len(text)
        for _ in range(_CUE_TRIES):
            at = text.rfind(spelling, 0, end)
            if at < 0:
                break
            end = at
            after = _ENGLISH_CUE_AFTER.match(text, at + 6)
            if after is not None:
                ends.append(after.end())
    return sorted(ends, reverse=True)[:_CUE_TRIES]


def _number_after_cue(text: str, cue_end: int) -> NumberMatch | None:
    """The first number in the sentence that a cue starts (up to 100 characters, a line end or a full stop)."""
    limit = min(len(text), cue_end + _CUE_REACH)
    stop = _SENTENCE_END.search(text, cue_end, limit)
    return next(_scan(text, cue_end, stop.start() if stop else limit), None)


def _answer_number(text: str) -> tuple[NumberMatch | None, bool]:
    """The answer number and whether an answer was found at all (a ``\\boxed{x+1}`` is found, not a number)."""
    boxed = _boxed_content(text)
    if boxed is not None:
        start, end = boxed
        content = text[start:end]
        parsed = _parse(content)
        if parsed is not None:
            return NumberMatch(parsed[0], start, end, content, parsed[1]), True
        inner = _last(content, 0)
        if inner is not None:
            return inner._replace(start=inner.start + start, end=inner.end + start), True
        return None, True
    for cue in _cue_ends(text):
        match = _number_after_cue(text, cue)
        if match is not None:
            return match, True
    match = _last_answer_number(text)
    return match, match is not None


def extract_answer_number(text: str) -> Fraction | None:
    r"""The answer number of a free-text solution, or None.

    In order of preference:

    1. the content of the last ``\boxed{...}`` (read as one expression; failing that, its last number);
    2. the first number after the last answer cue that has one in its sentence (before the next full stop or
       line end, within 100 characters): 정답은 / 정답: / 답은 / 답: / 최종 답 / 따라서 답은 / answer is /
       Answer: (cues are looked for among the last 32 occurrences of 답 and of "answer");
    3. the last number in the text. Korean numerals are looked for in the last 4,096 characters
       (``ANSWER_WINDOW``); when those have no number (a model that loops after its answer), the number at the
       last digit of the text is taken. This keeps a megabyte of numeral look-alikes linear and fast; use
       :func:`last_number` to read the whole text.

    Never raises: non-strings give None.

    Example:
        >>> extract_answer_number("3 + 5 = 8이고, 두 배 하면 16이다. 따라서 답은 16개입니다.")
        Fraction(16, 1)
        >>> extract_answer_number(r"so the total is $\boxed{\frac{7}{2}}$ cups")
        Fraction(7, 2)
        >>> extract_answer_number("The answer is 1,234. Checked with 2 methods.")
        Fraction(1234, 1)
        >>> extract_answer_number("사과는 모두 삼백오십 개")
        Fraction(350, 1)
    """
    if not isinstance(text, str):
        return None
    try:
        match, _ = _answer_number(text)
    except Exception:  # noqa: BLE001 - never raise on model output
        return None
    return None if match is None else match.value
