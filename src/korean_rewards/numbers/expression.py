"""Reading a text that *is* one number expression: :func:`parse_korean_number`.

Example:
    >>> parse_korean_number("약 3만 5천 원")
    Fraction(35000, 1)
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from .lexicon import (
    _COPULA_ANY,
    _COPULA_CONSONANT,
    _COPULA_VOWEL,
    _COUNTERS,
    _HEDGES_AFTER,
    _HANJA_COUNTERS,
    _NATIVE_COUNTERS,
    _NATIVE_TENS,
    _NATIVE_UNITS,
    _SINO_BIG,
    _SINO_CHARS,
    _SINO_SMALL,
    _VULGAR,
    _alternation,
)
from .candidates import _INTERESTING_CHAR
from .reading import _digits_value, _readings, _signed_decimal
from .latex import _boxed_content

# ---------------------------------------------------------------------------------------------------------------
# Reading one whole expression
# ---------------------------------------------------------------------------------------------------------------

_FLOAT_LITERAL = re.compile(
    r"[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
)
_LEADING = re.compile(
    r"(?:(?:약|대략|대충|거의|어림잡아|about|approximately|approx\.?|around|roughly|~|≈|∼)[ \t]{0,3})?"
    r"(?:(?:일금|金|第)[ \t]{0,2})?"  # the financial form (일금 삼만 원정, 金壹萬圓整) and 第一
    r"[+＋]?[$₩￦€£¥]?[ \t]{0,2}",
    re.IGNORECASE,
)
_ASCII_UNIT = r"(?![eE][+-]?[0-9])[A-Za-z°µμΩ℃][A-Za-z°/²³0-9^.]{0,15}"
_TAIL = re.compile(
    f"[ \\t]{{0,3}}(?:(?:{_alternation(_COUNTERS + _NATIVE_COUNTERS)}|{_ASCII_UNIT}|[{''.join(sorted(_HANJA_COUNTERS))}])"
    f"(?:[ \\t]?[정整也])?[ \\t]{{0,2}})?"  # 원정, 圓整: "exactly" after a sum of money
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

__all__ = ["parse_korean_number"]
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
    """Value and percent flag of a text that is one number expression, or None.

    The strict reading first; only when it fails, the looser readings of :func:`_parse_loosely` (a spaced
    sign, numerals written with spaces, Sino-Korean hundreds before a native numeral)."""
    if not isinstance(text, str):
        return None
    text = text.strip(_STRIP)
    if not text or len(text) > _PARSE_LIMIT:  # one number expression is never this long
        return None
    text = _clean(text)
    if not text:
        return None
    parsed = _parse_clean(text)
    return parsed if parsed is not None else _parse_loosely(text)


# a space between two numeral characters (digits, Sino-Korean, native Korean syllables, 점, 공) inside a text
# that is one number: 스물 다섯, 삼 백 오 십, 2천 500, 1만 1, 공 점 오
_NUMERAL_CHAR = (
    f"[0-9{_SINO_CHARS}공점{''.join(sorted(set(''.join(_NATIVE_TENS) + ''.join(_NATIVE_UNITS) + '스무')))}]"
)
_INNER_SPACE = re.compile(f"(?<={_NUMERAL_CHAR})[ \t]+(?={_NUMERAL_CHAR})")
_ZERO_WORD = re.compile("공|제로|zero", re.IGNORECASE)
_SPACED_SIGN = re.compile(r"[-−][ \t]+(?=[0-9])")
_SINO_HEAD = re.compile(f"[{_SINO_CHARS}]{{0,8}}[{''.join(_SINO_SMALL)}{''.join(_SINO_BIG)}]")
_NATIVE_INITIAL = frozenset(word[0] for word in list(_NATIVE_TENS) + list(_NATIVE_UNITS))


def _parse_loosely(text: str) -> tuple[Fraction, bool] | None:
    """Readings tried only when a text is known to be one number and the strict reading fails.

    * ``공``, ``제로`` alone: zero;
    * ``- 3``: a sign, spaces, then digits (in running text ``5 - 3`` is a subtraction, so only here);
    * spaces inside a numeral are dropped (``스물 다섯`` 25, ``삼 백 오 십`` 350, ``2천 500`` 2500, ``1만 1``
      10001), but not before a counter (``서른 두 개`` is 32 개);
    * Sino-Korean hundreds or more followed by a native numeral below 100 (``백서른넷`` 134)."""
    zero = _ZERO_WORD.match(text)
    if zero is not None and _TAIL.match(text, zero.end()):
        return Fraction(0), False  # 공, 제로: zero only where the whole text is a number (공 is also "ball")
    sign = _SPACED_SIGN.match(text)
    if sign is not None:
        rest = _parse_clean(text[sign.end() :])
        return None if rest is None else (-rest[0], rest[1])
    joined = _INNER_SPACE.sub("", text)
    if joined != text:
        parsed = _parse_clean(joined)
        if parsed is not None:
            return parsed
        text = joined
    head = _SINO_HEAD.match(text)
    if head is not None and head.end() < len(text) and text[head.end()] in _NATIVE_INITIAL:
        sino, native = _parse_clean(text[: head.end()]), _parse_clean(text[head.end() :])
        if sino is not None and native is not None and sino[0] % 100 == 0 and 0 < native[0] < 100:
            if native[0].denominator == 1 and not native[1] and not sino[1]:
                return sino[0] + native[0], False
    return None


def _parse_clean(text: str) -> tuple[Fraction, bool] | None:
    """:func:`_parse` of a text already stripped and cleaned, strictly."""
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
