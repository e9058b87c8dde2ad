r"""An answer written as math: LaTeX number forms, expressions read whole, and digits that are no numbers.

:func:`normalize_latex_numbers` makes ``,\!`` / ``{,}`` thousands separators, ``\$`` and ``\cfrac`` plain;
:func:`math_only_answer` reads an answer span that is one expression (evaluated exactly by
:func:`~korean_rewards.numbers.latex.evaluate_arithmetic`, or found irreducible: a radical, π, a function, i, a
variable); :func:`expression_around` says what the math around a chosen answer number makes of it; and
:func:`is_inside_word` tells a digit inside a word (``AZYUK2A``). :mod:`~korean_rewards.numbers.final_answer`
turns these into its :class:`~korean_rewards.numbers.final_answer.FinalAnswer`. Every function works on one
answer span (at most 400 characters) and is linear in it.

Example:
    >>> math_only_answer(r"$2\sqrt{3}$입니다").expression, math_only_answer(r"\( (9+1) \)").value
    (True, Fraction(10, 1))
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from .latex import _boxed_content, evaluate_arithmetic
from .scan import NumberMatch

__all__ = ["MathAnswer", "expression_around", "is_inside_word", "math_only_answer", "normalize_latex_numbers"]

_SPAN_LIMIT = 400  # an answer span is never longer
_DIGIT_CHAR = re.compile(r"[0-9０-９]")


class MathAnswer(NamedTuple):
    """What the math of an answer span says: a value (exact; ``percent`` when written as a percentage), a hedge
    (``\\pm 7``) or an expression that does not reduce to a number (``expression``); ``text`` is what was read.

    Example:
        >>> math_only_answer("3x")
        MathAnswer(value=None, percent=False, text='3x', hedged=False, expression=True)
    """

    value: Fraction | None
    percent: bool
    text: str
    hedged: bool = False
    expression: bool = False


# thousands separators of MATH-style LaTeX between digit groups: 32,\! 349 / 32,\!349 / 14{,}916 / 14 {, }916
_LATEX_THOUSANDS = re.compile(r"(?<=[0-9])[ \t]?(?:,\\![ \t]?|\{,[ \t]?\})[ \t]?(?=[0-9]{3}(?![0-9]))")
_ESCAPED_DOLLAR = re.compile(r"\\\$[ \t]?")  # \$16.20: a currency sign, never a math delimiter


def normalize_latex_numbers(text: str) -> str:
    r"""The text with LaTeX number forms made plain: ``,\!`` and ``{,}`` thousands separators become commas,
    ``\$`` (an escaped dollar: currency) is dropped and ``\cfrac`` is read as ``\frac``. Linear; decimal points
    stay decimal points.

    Example:
        >>> normalize_latex_numbers(r"\boxed{\$16,\!386.20} and $14 {, }916$, $\cfrac{1}{3}$")
        '\\boxed{16,386.20} and $14,916$, $\\frac{1}{3}$'
    """
    if "\\" not in text and "{," not in text:
        return text
    if ",\\!" in text or "{," in text:
        text = _LATEX_THOUSANDS.sub(",", text)
    if "\\$" in text:
        text = _ESCAPED_DOLLAR.sub("", text)
    return text.replace("\\cfrac", "\\frac")


_MATH_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
# what makes an expression irreducible to a number: radicals, pi, functions, the imaginary unit, variables
_IRREDUCIBLE = re.compile(
    r"\\(?:sqrt|pi|sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|log|ln|exp|lim|sum|int|infty|theta|alpha|beta"
    r"|gamma|omega|phi|mathrm\{[ei]\}|mathit\{[a-z]\})(?![A-Za-z])|[√∛∜π∞]"
    r"|(?<![\\A-Za-z])(?!(?<=[0-9.])[eE][-+]?[0-9])[A-Za-z](?![A-Za-z])"  # a variable; 1.2e3 is a number
)
_PLUS_MINUS = re.compile(r"\\pm(?![A-Za-z])|\\mp(?![A-Za-z])|[±∓]")
_WRAPPED = re.compile(r"\\(?:text|mathrm|textrm|mbox|textbf|mathbf|operatorname)\s?\{[^{}]{0,64}\}")
_APPROX = re.compile(r"\\approx(?![A-Za-z])|≈|\\simeq(?![A-Za-z])")
# a single letter glued to a number that is a unit, not a variable (5m, 3g, 2L, 10s, 4h, 3t)
_UNIT_LETTERS = frozenset("mgLlshtKWVAJNCFBT")
_GLUED_AFTER = re.compile(
    r"[ \t]?\\(?:sqrt|pi|sin|cos|tan|log|ln|mathrm\{[ei]\}|i)(?![A-Za-z])|[√∛∜π]|(?P<letter>[A-Za-z])(?![A-Za-z0-9])"
)
_TWO_LETTER_UNITS = "cm|mm|km|kg|mg|ml|mL"  # units after an amount that are no words and no variables
# functions written without LaTeX (sqrt(2), sin 30): a number after one is its argument, not a value
_PLAIN_FUNCTION_NAMES = r"(?:sqrt|cbrt|sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|sinh|cosh|tanh|log|ln|exp)"
_GLUED_BEFORE = re.compile(
    r"(?:\\sqrt\{?|\\pi|[√∛∜π]|\\frac\{[^{}]{0,20}\\sqrt[^{}]{0,20}\}\{?"
    r"|(?<![A-Za-z])" + _PLAIN_FUNCTION_NAMES + r"[ \t]?\(?)"
    r"[ \t]?\Z"
)


def _math_segment(span: str, pos: int) -> tuple[int, int] | None:
    """Start and end of the content of the inline or display math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``)
    around ``span[pos]``, or None."""
    for opening, closing in _MATH_DELIMITERS:
        if opening == "$":
            before = span.count("$", 0, pos) - 2 * span.count("$$", 0, pos)
            if before % 2 == 0:
                continue
            start = span.rfind("$", 0, pos) + 1
        else:
            start = span.rfind(opening, 0, pos)
            if start < 0 or span.rfind(closing, start, pos) >= 0:
                continue
            start += len(opening)
        end = span.find(closing, pos)
        if end >= 0:
            return start, end
    return None


def _expression_of(content: str) -> str:
    """The part of a math expression that states its value: before ``\\approx``, after the last ``=``."""
    approx = _APPROX.search(content)
    if approx is not None:
        before = content[: approx.start()]
        before = before[before.rfind("=") + 1 :]
        if _DIGIT_CHAR.search(before) is not None:
            return before  # x = 1/3 \\approx 0.33: the exact value
        content = content[approx.end() :]  # x \\approx 11: the value
    equals = content.rfind("=")
    return content[equals + 1 :] if equals >= 0 else content


def _is_irreducible(expression: str) -> bool:
    """Whether an expression that safe arithmetic cannot evaluate holds a radical, pi, a function or a variable
    (a unit glued to an amount, ``0.4m (40cm)``, is no variable)."""
    return _IRREDUCIBLE.search(_UNIT_AFTER_AMOUNT.sub(" ", _WRAPPED.sub(" ", expression))) is not None


# a unit after an amount, not a term of a formula (2t + 1 keeps its variable t)
_UNIT_AFTER_AMOUNT = re.compile(
    r"(?<=[0-9])[ \t]?(?:" + _TWO_LETTER_UNITS + r"|[mgLlsh])"
    r"(?![A-Za-z])(?![ \t]*[-+*/^×÷=·])"
)


def expression_around(span: str, match: NumberMatch | None) -> MathAnswer | None:
    """What the answer number's surroundings make of it: the value of the math expression around it (``\\( (9+1)
    \\)`` is 10, ``$x = 1/3 \\approx 0.3$`` is 1/3), an irreducible expression (``$2\\sqrt{3}$``, ``4√2``,
    ``3x``: ``expression=True``), a hedge (``\\pm 7``), or None when the number stands for itself."""
    if match is None:
        return None
    if _PLUS_MINUS.search(span, max(0, match.start - 6), match.start) is not None:
        return MathAnswer(None, False, span.strip(), True)  # \pm 7: two answers
    segment = _math_segment(span, match.start)
    if segment is not None:
        content = span[segment[0] : segment[1]]
        if len(content) <= _SPAN_LIMIT:
            expression = _expression_of(content).strip()
            value = evaluate_arithmetic(expression) if expression else None
            if value is not None:
                return MathAnswer(value[0], value[1], expression)
            if expression and _is_irreducible(expression):
                return MathAnswer(None, False, expression, expression=True)
        return None
    glued = _GLUED_AFTER.match(span, match.end)
    if glued is not None and not (glued.group("letter") and glued.group("letter") in _UNIT_LETTERS):
        return MathAnswer(None, False, span[match.start : glued.end()].strip(), expression=True)
    if _GLUED_BEFORE.search(span, max(0, match.start - 48), match.start) is not None:
        return MathAnswer(None, False, span.strip(), expression=True)
    return None


def is_inside_word(text: str, start: int, end: int) -> bool:
    """Whether the number ``text[start:end]`` is glued to ASCII letters on both sides (``AZYUK2A``, ``B2B``): part
    of a word or a name, no answer; after a LaTeX command (``\\times3x``) it is a number.

    Example:
        >>> is_inside_word("AZYUK2A", 5, 6), is_inside_word("x2", 1, 2), is_inside_word("2A", 0, 1)
        (True, False, False)
    """
    after = text[end] if end < len(text) else ""
    if not (after.isascii() and after.isalpha()):
        return False
    at = start
    while at > 0 and at > start - 32 and text[at - 1].isascii() and text[at - 1].isalpha():
        at -= 1
    return at < start and (at == 0 or text[at - 1] != "\\")


def math_only_answer(span: str) -> MathAnswer | None:
    """An answer span that is one math expression, with at most Korean words after it (``$2\\sqrt{3}$입니다``,
    ``4√2``, ``x + 5``, ``\\( (9+1) \\)``): its value, or ``expression=True`` when it does not reduce to a
    number, or a hedge (``\\pm 7``); None for a span with prose in it."""
    body = span[: len(span) - _TRAILING_WORDS.match(span[::-1]).end()].strip()  # reversed: one linear match
    if not body or len(body) > _SPAN_LIMIT:
        return None
    if _PLAIN_FUNCTION.search(body) is not None:  # sqrt(2), sin 30: a function of the number, not the number
        return MathAnswer(None, False, body, expression=True)
    if _PROSE.search(_WRAPPED.sub(" ", body)) is not None:
        return None
    if "\\boxed" in body:
        boxed = _boxed_content(body)
        if boxed is not None:
            body = body[boxed[0] : boxed[1]]
    for mark in ("$$", "$", "\\(", "\\)", "\\[", "\\]"):
        body = body.replace(mark, " ")
    if _PLUS_MINUS.search(body) is not None:
        return MathAnswer(None, False, body.strip(), True)
    expression = _expression_of(body).strip()
    if not expression:
        return None
    variable = any(letter not in _UNIT_LETTERS for letter in _LETTER_AFTER_NUMBER.findall(expression))
    value = None if variable else evaluate_arithmetic(expression)
    if value is not None:
        return MathAnswer(value[0], value[1], expression)
    if variable or _is_irreducible(expression):
        return MathAnswer(None, False, expression, expression=True)
    return None


_TRAILING_WORDS = re.compile(r"[가-힣 \t\n.。!,:]*")  # Korean words and punctuation, matched on the reversed span
_LETTER_AFTER_NUMBER = re.compile(r"(?<=[0-9}])[ \t]?(?![eE][-+]?[0-9])([A-Za-z])(?![A-Za-z{])")


_ASCII_LETTER = re.compile("[A-Za-z]")
_LETTERISH = re.compile(r"[A-Za-z\\√∛∜π±∓]")
# Hangul inside an expression, or an ASCII word of two letters or more that is not a LaTeX command or a unit
_PLAIN_FUNCTION = re.compile(
    r"(?<![A-Za-z\\])" + _PLAIN_FUNCTION_NAMES + r"[ \t]?[(\[{]?[ \t]?[0-9]"
)
_PROSE = re.compile(
    r"[가-힣]|(?<![\\A-Za-z])(?!(?:" + _TWO_LETTER_UNITS + r"|pct)(?![A-Za-z]))[A-Za-z]{2,}"
)


