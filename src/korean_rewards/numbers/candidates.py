"""The candidate finder: one regular expression that skips, at C speed, everything that cannot start a number.

The parser in :mod:`korean_rewards.numbers.reading` decides exactly; the regex here only proposes positions,
and its word tests restate necessary conditions of what the parser accepts (see the comments below).

Example:
    >>> text = "사과 세 개와 오늘 삼백 원"
    >>> text[_skip_match()(text, 0).end():]
    '세 개와 오늘 삼백 원'
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import NamedTuple

from .lexicon import (
    _COPULA_ANY,
    _COPULA_CONSONANT,
    _COPULA_SINGLES,
    _COPULA_VOWEL,
    _COUNTERS,
    _DECIMAL_DIGIT,
    _DIGITS,
    _HANGUL,
    _HANJA_CHARS,
    _HEDGES_AFTER,
    _HUGE_CHARS,
    _IDEOGRAPHS,
    _NATIVE_COUNTERS,
    _NATIVE_TENS,
    _NATIVE_UNITS,
    _PARTICLES_ANY,
    _PARTICLES_CONSONANT,
    _PARTICLES_VOWEL,
    _POSSESSIVE,
    _SINGLE_ATTACHED,
    _SINO_CHARS,
    _UNIT_SYLLABLE_ATTACHED,
    _VULGAR,
    _CIRCLED,
    _alternation,
    _first_syllables,
    _is_hangul,
    _ranges,
)

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
_NATIVE_INITIALS = _first_syllables(list(_NATIVE_TENS), list(_NATIVE_UNITS), ["스무", "첫"])

def _atomic(pattern: str, name: str) -> str:
    """``(?>pattern)``: matched once, never backtracked into (emulated on Python 3.10)."""
    if sys.version_info >= (3, 11):
        return f"(?>{pattern})"
    return f"(?=(?P<{name}>{pattern}))(?P={name})"


# What may follow a numeral word, checked loosely here (first syllables; the parser checks exactly). The
# syllables after the list are those that follow a trailing 이 or 만 (이십이다 = 20 + 이다, 삼백만큼 = 300 + 만큼).
_RIGHT_FIRSTS = _first_syllables(
    _COUNTERS, _PARTICLES_ANY, _PARTICLES_VOWEL, _PARTICLES_CONSONANT, _HEDGES_AFTER, ["점", "분의", "와", "과"]
) + "다큼랑며면므니었지요고나라" + _NATIVE_INITIALS  # and a native numeral glued on: 사십다섯, 삼천백열두
_DEC = "".join(_DECIMAL_DIGIT)
_MULTI_RIGHT = f"(?=[^{_HANGUL}]|\\Z|[{_RIGHT_FIRSTS}])"
_SUFFIX_AHEAD = (
    f"[ \\t]?분의|[ \\t]?점[ \\t]?[{_DEC}]|[ \\t]?(?:퍼센트|프로)"
    f"|[ \\t]?[와과][ \\t]?(?:[{_DIGITS}]|[{_SINO_CHARS}]{{1,12}}[ \\t]?분의)"  # 이와 삼분의 일, 일과 2분의 1
)
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

# Cheap first tests on the next one or two characters, so that most ordinary words (사과, 오늘, 네 생각, 만 만)
# are rejected after a few character-class checks.
_SINO_SECOND = "".join(
    sorted(set(_SINO_CHARS + _HUGE_CHARS + _NATIVE_INITIALS + _first_syllables(_ATTACHED_WORDS) + "분점퍼프와과"))
)
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
    f"(?:{_DIGIT_1_9}?[십백천만억조경{_HUGE_CHARS}])+{_P}{_DIGIT_1_9}?(?<=[{_SINO_CHARS}{_HUGE_CHARS}]{{2}}){_MULTI_RIGHT}"
    f"|[십백천만](?={_NATIVE_WORD})"  # 백스물, 만다섯: a unit and a native numeral
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
    f"|[한두세석네넉닷엿](?={_NATIVE_COUNTER_AHEAD})"
    f")"
    f"|(?:마이너스|영하|플러스){_NUMBER_AHEAD}"
    f"|점(?=[{_DEC}])"  # 점오 (0.5)
    f"|제(?=[ \\t]?[{_DIGITS}]|[ \\t]?[이삼사오육칠팔구십백천])"
    ")"
)
_INTERESTING = f"{_DIGITS}{_HANGUL}{''.join(_VULGAR)}{''.join(_CIRCLED)}{_HANJA_CHARS}"
_INTERESTING_CHAR = re.compile(f"[{_INTERESTING}]")
_INITIALS = "".join(sorted(set(_SINO_CHARS + _NATIVE_INITIALS + "마영제플점")))
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
    "천": "백십" + _BIG_UNITS + _HUGE_CHARS, "백": "십" + _BIG_UNITS + _HUGE_CHARS, "십": _BIG_UNITS + _HUGE_CHARS,
    "만": _SMALL_UNITS, "억": _SMALL_UNITS + "만", "조": _SMALL_UNITS + "만억", "경": _SMALL_UNITS + "만억조",
}  # fmt: skip
# the syllable after the first of a numeral: a unit after a digit, a digit or a smaller unit after a unit
_PAIRS = {
    **{digit: _SMALL_UNITS + _BIG_UNITS + _HUGE_CHARS for digit in _D9},
    **{u: _D9 + after + (_NATIVE_INITIALS if u in "십백천만" else "") for u, after in _NEXT_UNITS.items()},
}  # and a native numeral after a unit: 백스물, 사십다섯
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
_NOT_WORDS_ALONE = {
    "스": "물무", "서": "른", "예": "순", "여": "든섯덟", "아": "흔홉", "하": "나", "다": "섯", "마": "흔이", "플": "러",
}  # fmt: skip
_PREFIX_NEXT = _Follow(_SINO_CHARS + _NATIVE_INITIALS)  # the number after 영하, 마이너스, 제 starts so
_NATIVE_COUNTERS_AFTER = _Follow(counters=tuple(_NATIVE_COUNTERS))
_ATTRIBUTIVE = _Test(_NATIVE_COUNTERS_AFTER, _NATIVE_COUNTERS_AFTER, "")  # a counter must follow
_SYLLABLE_TESTS: dict[str, _Test] = {  # first syllables -> test
    "한두세석네넉닷엿": _ATTRIBUTIVE,
    "점": _Test(_Follow("".join(_DECIMAL_DIGIT)), _Follow(), ""),  # 점오: attached decimal digits
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
    "플러스": _Test(_PREFIX_NEXT, _PREFIX_NEXT, _DIGITS),
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
    f"|(?<=[{_IDEOGRAPHS}〇])(?<![金第])[{_HANJA_CHARS}]+{_P}{_BORING}"  # Hanja numerals inside an ideograph word
    # or a Hanja numeral run (〇 is no CJK ideograph): a run is read from its start only
    f")*{_P}"
)


_skip_compiled: Callable[[str, int, int], re.Match[str] | None] | None = None


def _skip_match() -> Callable[[str, int, int], re.Match[str] | None]:
    """``match`` of the candidate finder, compiled on first use (its character classes take tens of ms)."""
    global _skip_compiled
    if _skip_compiled is None:
        _skip_compiled = re.compile(_SKIP_PATTERN).match
    return _skip_compiled
