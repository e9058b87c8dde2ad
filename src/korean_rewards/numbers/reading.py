"""Reading the number that starts at one position: its cores, suffixes (점, 분의, 와, %), and whether it may end there.

A reading is a tuple ``(start, end, value, kind, percent)``; :func:`_readings` gives every reading of a candidate
position and :func:`_accepted` says whether running text allows it to end where it ends.

(This module is a little over 600 lines on purpose: the readers of each numeral system share the suffix and
end-of-reading rules, and every reading step's work bound is stated next to it; splitting them would put one
bound's proof in two files.)

Example:
    >>> sorted((end, value) for _, end, value, _, _ in _readings("삼백오십 개", 0))
    [(1, 3), (2, 300), (3, 305), (4, 350)]
    >>> _accepted("삼백오십 개", (0, 4, 350, _STRONG, False)), _accepted("삼백오십 개", (0, 3, 305, _STRONG, False))
    (True, False)
"""

from __future__ import annotations

import re
from fractions import Fraction

from .lexicon import (
    _COPULA_ANY_RE,
    _COPULA_CONSONANT_RE,
    _COPULA_SINGLES,
    _COPULA_VOWEL_RE,
    _COUNTER_RE,
    _DECIMAL_DIGIT,
    _DIGITS,
    _DIGIT_CHARS,
    _HANJA_BIG,
    _HANJA_CHARS,
    _HANJA_COUNTERS,
    _HANJA_DIGIT,
    _HANJA_SMALL,
    _MINUS_CHARS,
    _NATIVE_ATTACHED_EXCLUDED,
    _NATIVE_ATTRIBUTIVE,
    _NATIVE_COUNTER_RE,
    _NATIVE_TENS,
    _NATIVE_UNITS,
    _PARTICLE_ANY_RE,
    _PARTICLE_CONSONANT_RE,
    _PARTICLE_VOWEL_RE,
    _SINGLE_ATTACHED_RE,
    _SINO_ALL_BIG,
    _SINO_BIG,
    _SINO_CHARS,
    _HUGE_CHARS,
    _SINO_DIGIT,
    _SINO_SMALL,
    _TO_ASCII,
    _UNIT_ATTACHED_RE,
    _VULGAR,
    _CIRCLED,
    _HANJA_UNIT_AS_HANGUL,
    _final_consonant,
    _is_hangul,
)
from .budget import _spend
from .candidates import _NATIVE_RE

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
_SIGN_WORD = re.compile("(마이너스|영하|플러스)[ \\t]?")
_ORDINAL_PREFIX = re.compile("제[ \\t]?")
_SPACED_GROUP_AFTER_BIG = re.compile(f"[조경{_HUGE_CHARS}][ \t\u00a0]+[일이삼사오육륙칠팔구십백천만억조경{_HUGE_CHARS}]")
_NATIVE_UNIT_RE = re.compile("|".join(sorted(_NATIVE_UNITS, key=len, reverse=True)))
# a Hanja numeral is at most 64 characters (with units; 24 digit by digit); a longer run is no one number (like a
# digit run over 40), so the scan neither splits it at an arbitrary place nor reads its tail as a number of its own
_HANJA_RUN = re.compile(f"[{_HANJA_CHARS}]{{1,64}}(?![{_HANJA_CHARS}])")
_HANJA_DIGITS_LIMIT = 24
_UNIT_ENDS = frozenset("십백천만억조경")
_HUGE_GLUED = re.compile(f"[{_HUGE_CHARS}][가-힣]")
_HANJA_ZEROS = frozenset("〇零")

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
    digits and units with 만-grouping, e.g. ``3만 5천``, ``삼백오십``, ``1억2천만``, ``一萬二千``.

    The work bound (issue 17): one pass, and the pass is short whatever follows. Units strictly decrease (천 백 십
    inside a group, 경 조 억 만 between groups: at most 19 units), each unit has at most one coefficient (a digit
    word, or a digit token of at most 96 characters) and is followed by at most two spaces, and a Hanja
    placeholder zero never follows another zero; anything else ends the core. So a core reads at most about
    2,000 characters and returns at most one end per unit and coefficient, whatever the text."""
    n = len(text)
    digit_table, small_table, big_table = (
        (_HANJA_DIGIT, _HANJA_SMALL, _HANJA_BIG) if hanja else (_SINO_DIGIT, _SINO_SMALL, _SINO_ALL_BIG)
    )
    points: list[tuple[int, int | Fraction]] = []
    total: Fraction | int = 0
    section: Fraction | int = 0
    coefficient: Fraction | int | None = None
    last_small, last_big = 10**4, 10**49
    pos = i
    after_unit = False  # the previous token was a unit: a digit token or a space may follow
    pending = False  # after a space: the continuation must show a unit before it counts
    last_digit_tail = False  # after "만 ": a last group of one digit word counts too (천만 일 = 10000001)
    four_digits = False  # a spaced group of 1-4 digits after a big unit ("3만 5000", "3억 8141만 2" like 천만 일)
    fractional = False  # the coefficient has decimals: it must be followed by a unit
    units = 0
    while pos < n:
        char = text[pos]
        if not hanja and char in _HANJA_UNIT_AS_HANGUL and pos > i and text[pos - 1] in _DIGIT_CHARS:
            char = _HANJA_UNIT_AS_HANGUL[char]  # 5萬, 3億: a Hanja unit after digits
        if char in _DIGIT_CHARS:
            if coefficient is not None or (pos > i and not after_unit):
                break
            match = _NUMTOK.match(text, pos)
            if match is None:
                break
            token = match.group()
            coefficient = _digits_value(token)
            fractional = type(coefficient) is Fraction
            four_digits = pending and last_small == 10**4 and len(token) <= 4 and token.isdigit()
            pos = match.end()
            after_unit = False
        elif char in digit_table:
            value = digit_table[char]
            if coefficient is not None:
                break
            if value == 0:
                if hanja and pos > i and text[pos - 1] not in _HANJA_ZEROS:  # 一百零五: one placeholder zero
                    pos += 1
                    continue
                if pos == i:
                    points.append((pos + 1, 0))
                break
            coefficient = value
            fractional = False
            # 천만 일: a last digit word after a spaced big unit, but not after 이 (만 이 사람: "this person") nor
            # after a unit past 경 (사자 일간: a lion, a daily)
            last_digit_tail = pending and last_small == 10**4 and char != "이" and last_big <= 10**16
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
                if coefficient is not None or section or unit > 10**16:
                    break  # a unit past 경 needs a coefficient: 해 alone is the sun
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
    if j >= 2 and text[j - 1] == "^" and text[j - 2].isascii() and text[j - 2].isalpha():
        return []  # the exponent of a unit: 64 cm^2, 3 m^3
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
    if char == "공":  # 공 점 오 (0.5): 공 is zero only before 점 and its digits
        decimal = _DECIMAL_AFTER.match(text, j + 1)
        if decimal is None or _particle_like_decimal(text, decimal):
            return []
        digits, first = decimal.group(1), decimal.start(1)
        return [(j, first + k, _decimal_digits(digits[:k]), _STRONG, False) for k in range(1, len(digits) + 1)]
    if char == "점":  # 점오 (0.5), 점이오 (0.25): a leading decimal point, attached digits
        decimal = _DECIMAL_AFTER.match(text, j)
        if decimal is None or decimal.start(1) != j + 1 or _particle_like_decimal(text, decimal):
            return []
        digits = decimal.group(1)
        return [(j, j + 1 + k, _decimal_digits(digits[:k]), _SINGLE, False) for k in range(1, len(digits) + 1)]
    if (char == "마" or char == "영" or char == "플") and not prefixed:
        sign = _SIGN_WORD.match(text, j)
        if sign is not None:
            readings = _read_after_prefix(text, j, sign.end())
            if readings:
                sign_of = 1 if char == "플" else -1  # 플러스 5 is 5
                return [(s, e, sign_of * v, _STRONG, p) for s, e, v, _, p in readings]
            if char != "영":
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
            _, value, attributive = _native_value(word)
            if attributive:
                kind = _ATTRIBUTIVE
            elif word in ("열", "쉰"):
                kind = _SINGLE
            else:
                kind = _STRONG
        readings.append((j, native.end(), value, kind, False))
        if word in _NATIVE_TENS and native.end() + 1 < len(text) and text[native.end()] in " \t":
            # 스물 다섯, 열 두 개: a tens word, one space, a units word
            units = _NATIVE_UNIT_RE.match(text, native.end() + 1)
            if units is not None:
                unit_kind = _ATTRIBUTIVE if units.group() in _NATIVE_ATTRIBUTIVE else _STRONG
                readings.append((j, units.end(), value + _NATIVE_UNITS[units.group()], unit_kind, False))
    if char in _SINO_CHARS:
        points = _core(text, j)
        sino = []
        for end, value in points:
            word = text[j:end]
            if ("조" in word or "경" in word or word == "이만") and _SPACED_GROUP_AFTER_BIG.search(word) is None:
                kind = _NEEDS_COUNTER  # 구조, 백조, 조만간, 경이: words; 삼조 이억 팔천만 (a spaced group after) is not
            elif " " in word or "\t" in word or "\u00a0" in word:
                kind = _STRONG
            elif len(word) == 1:
                kind = _NEVER if word == "이" else _SINGLE
            else:
                kind = _STRONG
            sino.append((j, end, value, kind, False))
        sino += _native_after_sino(text, sino)
        if points:
            # suffixes make the reading strong: 삼 점 일사, 삼분의 일, 오 퍼센트
            sino += [r for r in _with_suffixes(text, j, points, _STRONG, hangul=True) if r[1] > points[-1][0]]
        readings.extend(sino)
    return readings


def _native_value(word: str) -> tuple[str, int, bool]:
    """The tens word, the value and whether it is attributive, of a native numeral word (not 첫): 스물다섯,
    열두, 스무, 하나."""
    tens = next((t for t in _NATIVE_TENS if word.startswith(t)), "")
    rest = word[len(tens) :]
    if word == "스무":
        return "스무", 20, True
    return tens, _NATIVE_TENS.get(tens, 0) + _NATIVE_UNITS.get(rest, 0), rest in _NATIVE_ATTRIBUTIVE


def _native_after_sino(text: str, sino: list) -> list:
    """Sino-Korean tens, hundreds, ... with a native Korean numeral below 100 glued on: 사십다섯 (45),
    ``만 이천삼백사십다섯`` (12345), 백서른넷 (134), 삼천백열두 개 (3112). After 십 only a units word (하나 ... 아홉,
    한 두 세 네 before a counter); 열 and 쉰 alone are not glued on (백열: incandescent)."""
    extra = []
    for start, end, value, kind, _ in sino:
        if value <= 0 or value % 10 or end >= len(text) or text[end - 1] not in _UNIT_ENDS:
            continue
        native = _NATIVE_RE.match(text, end)
        if native is None:
            continue
        word = native.group()
        if word in ("첫", "열", "쉰"):
            continue
        tens, add, attributive = _native_value(word)
        if tens and value % 100:
            continue  # tens only after 백, 천, 만, ...: 사십다섯, not 사십스물
        mixed_kind = _NEEDS_COUNTER if kind == _NEEDS_COUNTER else _ATTRIBUTIVE if attributive else _STRONG
        extra.append((start, native.end(), value + add, mixed_kind, False))
    return extra


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
        if len(word) > _HANJA_DIGITS_LIMIT:
            return []
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
    """All readings of a number at candidate position ``j`` (longest last is not guaranteed).

    This is the one place where a number is read, so it is where the work budget is spent (one step per call
    and one per reading, :mod:`~korean_rewards.numbers.budget`); with the budget spent it reads nothing."""
    if not _spend(1):
        return []
    readings = _readings_at(text, j)
    _spend(len(readings))
    return readings


def _readings_at(text: str, j: int) -> list:
    char = text[j]
    if char in _DIGIT_CHARS:
        return _read_digits(text, j)
    if _is_hangul(char):
        return _read_hangul(text, j)
    if char in _VULGAR:
        return [(j, j + 1, _VULGAR[char], _STRONG, False)]
    if char in _CIRCLED:
        return [(j, j + 1, _CIRCLED[char], _STRONG, False)]
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


_WORDS_ENDING_IN_JO_GYEONG = frozenset({"구조", "백조", "구경", "이조", "사조", "삼경"})  # structure, swan, ...


def _big_numeral_alone(text: str, start: int, end: int) -> bool:
    """``일조.``, ``칠경``: a numeral of two or more syllables ending in 조 or 경, alone at the end of a sentence
    (nothing but spaces before punctuation or the end), and not one of the common words 구조, 백조, 구경, ..."""
    word = text[start:end]
    if len(word) < 2 or word[-1] not in "조경" or word in _WORDS_ENDING_IN_JO_GYEONG:
        return False
    pos = end
    while pos < len(text) and text[pos] in _SPACE and pos < end + 8:
        pos += 1
    return pos >= len(text) or not (_is_hangul(text[pos]) or text[pos] in _SPACE or text[pos].isalnum())


def _accepted(text: str, reading: _Reading) -> bool:
    start, end, _, kind, _ = reading
    n = len(text)
    last = text[end - 1]
    nxt = text[end] if end < n else ""
    if kind == _HANJA:
        return not nxt or not ("\u3400" <= nxt <= "\u9fff" or "\uf900" <= nxt <= "\ufaff") or nxt in _HANJA_COUNTERS
    if not _is_hangul(last):
        return True  # digits, %, a closing brace: nothing to check
    if last in _HUGE_CHARS or (_HUGE_GLUED.search(text, start, end) is not None):
        # 3해, 오해, 이자, 일정, 사정이: a unit past 경 ends no number in running text, and the next group comes
        # after a space or digits (1해 2000경, 일해 이천경, 1해2000경)
        return False
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
        if _counter_ok(text, end, _COUNTER_RE) or _spaced_counter_ok(text, end, _COUNTER_RE):
            return True
        return _big_numeral_alone(text, start, end)
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
        return (word in _COPULA_SINGLES or word[0] == "점") and _copula_ok(text, end, last)
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
