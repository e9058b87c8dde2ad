r"""LaTeX in answers: the last ``\boxed{...}`` of a text, and safe exact arithmetic on a LaTeX or plain expression.

The arithmetic (:func:`evaluate_arithmetic`) is a recursive-descent reader over a fixed set of tokens; it never
calls ``eval`` and caps exponents, digits and the size of every intermediate value.

Example:
    >>> text = r"so $\boxed{\frac{7}{2}}$"
    >>> start, end = _boxed_content(text)
    >>> text[start:end]
    '\\frac{7}{2}'
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_BRACES = re.compile(r"[{}]")
_BOXED_TRIES = 4
_BOXED_SPAN = 1000


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


# ---------------------------------------------------------------------------------------------------------------
# Safe exact arithmetic: a small recursive-descent reader over a fixed token set, never eval
# ---------------------------------------------------------------------------------------------------------------

_ARITHMETIC_LIMIT = 400  # characters: an answer expression is never longer
_DEPTH_LIMIT = 24  # nested parentheses, braces, fractions and roots
_EXPONENT_CAP = 64  # |exponent| of ^
_BITS_CAP = 4096  # numerator and denominator of every intermediate value stay below 2**4096 (about 1233 digits)
_DIGITS_CAP = 200  # digits of one number literal

_TOKEN = re.compile(
    r"\s+"
    r"|(?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"|(?P<command>\\[A-Za-z]+|\\[,;:! %{}])"
    r"|(?P<op>[-+*/^(){}\[\]×·÷−−%])"
)
_COMMAND_OPS = {"\\times": "*", "\\cdot": "*", "\\div": "/", "\\%": "%", "\\{": "(", "\\}": ")"}
_DROPPED_COMMANDS = frozenset(
    {"\\left", "\\right", "\\,", "\\;", "\\:", "\\!", "\\ ", "\\displaystyle", "\\big", "\\Big", "\\bigl", "\\bigr",
     "\\quad", "\\qquad"}
)  # fmt: skip
_WRAPPERS = re.compile(
    r"\\(?:text|mathrm|textrm|mbox|rm|mathit|textbf|mathbf|operatorname)\s?\{[^{}]{0,64}\}(?:\s?\^\s?\{?[0-9]\}?)?"
)  # \text{cm}^2: a unit with its exponent
_OPERATOR_CHARS = frozenset("+-*/^×·÷−\\(")
# a unit or counter at the end of an expression: letters (cm, kg, 개, 원), ^2 / ² after them, a degree sign.
# Each word is a whole run of letters (the look-ahead) and starts after a non-letter (the look-behind), so there
# is one way to split the words and a search tries at most one start per word: linear per start, and the
# expression is at most 400 characters. (Nested ``(?:\s*[가-힣]+)+`` split a run of Hangul every possible way:
# minutes on 60 characters of numeral soup, issue 17.)
_TRAILING_UNIT = re.compile(
    r"(?<![A-Za-z°가-힣])(?:\s*[A-Za-z°가-힣]+(?![A-Za-z°가-힣])(?:\^\{?[0-9]\}?|[²³])?)+\s*[.。]?\s*\Z"
)


class _Reader:
    """Tokens of one expression and a cursor: the grammar is

    ``expr := term (("+"|"-") term)*``; ``term := unary (("*"|"/") unary)*``;
    ``unary := ("-"|"+") unary | power``; ``power := atom ("^" unary-atom)?``;
    ``atom := number [\\frac] | "(" expr ")" | "{" expr "}" | \\frac{expr}{expr} | \\sqrt{expr}``.
    A number followed by ``\\frac`` is a mixed number (``2\\frac{1}{2}`` is 5/2)."""

    __slots__ = ("tokens", "pos", "depth")

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str) -> bool:
        token = self.peek()
        if token is not None and token[1] == value:
            self.pos += 1
            return True
        return False

    def expr(self) -> Fraction:
        value = self.term()
        while True:
            if self.take("+"):
                value = _bounded(value + self.term())
            elif self.take("-"):
                value = _bounded(value - self.term())
            else:
                return value

    def term(self) -> Fraction:
        value = self.unary()
        while True:
            if self.take("*"):
                value = _bounded(value * self.unary())
            elif self.take("/"):
                divisor = self.unary()
                if divisor == 0:
                    raise ValueError("division by zero")
                value = _bounded(value / divisor)
            else:
                return value

    def unary(self) -> Fraction:
        if self.take("-"):
            return -self.unary()
        if self.take("+"):
            return self.unary()
        return self.power()

    def power(self) -> Fraction:
        base = self.atom()
        if not self.take("^"):
            return base
        exponent = self.unary() if self.peek() in (("op", "-"), ("op", "+")) else self.atom()
        if exponent.denominator != 1 or abs(exponent) > _EXPONENT_CAP:
            raise ValueError("exponent")
        if base == 0 and exponent < 0:
            raise ValueError("division by zero")
        bits = max(base.numerator.bit_length(), base.denominator.bit_length()) * abs(int(exponent))
        if bits > _BITS_CAP:
            raise ValueError("too large")
        return base ** int(exponent)

    def group(self, close: str) -> Fraction:
        self.depth += 1
        if self.depth > _DEPTH_LIMIT:
            raise ValueError("too deep")
        value = self.expr()
        if not self.take(close):
            raise ValueError("unclosed")
        self.depth -= 1
        return value

    def braced(self) -> Fraction:
        token = self.peek()
        if token is not None and token[0] == "number":  # \frac12: one digit each
            self.pos += 1
            if len(token[1]) == 1:
                return Fraction(int(token[1]))
            self.tokens.insert(self.pos, ("number", token[1][1:]))
            return Fraction(int(token[1][0]))
        if not self.take("{"):
            raise ValueError("argument")
        return self.group("}")

    def atom(self) -> Fraction:
        token = self.peek()
        if token is None:
            raise ValueError("end")
        kind, value = token
        self.pos += 1
        if kind == "number":
            if len(value) > _DIGITS_CAP:
                raise ValueError("too long")
            number = Fraction(value.replace(",", ""))
            after = self.peek()
            if after is not None and after[1] in ("\\frac", "\\dfrac", "\\tfrac") and "." not in value:
                self.pos += 1
                return number + self.fraction()  # a mixed number
            return number
        if value == "(":
            return self.group(")")
        if value == "{":
            return self.group("}")
        if value == "[":
            return self.group("]")
        if value in ("\\frac", "\\dfrac", "\\tfrac"):
            return self.fraction()
        if value == "\\sqrt":
            return _exact_root(self.braced())
        raise ValueError(f"unexpected {value}")

    def fraction(self) -> Fraction:
        numerator = self.braced()
        denominator = self.braced()
        if denominator == 0:
            raise ValueError("division by zero")
        return _bounded(numerator / denominator)


def _bounded(value: Fraction) -> Fraction:
    if value.numerator.bit_length() > _BITS_CAP or value.denominator.bit_length() > _BITS_CAP:
        raise ValueError("too large")
    return value


def _exact_root(value: Fraction) -> Fraction:
    """The square root of a rational that is an exact square; anything else is not an exact answer."""
    if value < 0:
        raise ValueError("negative root")
    top, bottom = math.isqrt(value.numerator), math.isqrt(value.denominator)
    if top * top != value.numerator or bottom * bottom != value.denominator:
        raise ValueError("inexact root")
    return Fraction(top, bottom)


def _tokens(text: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    pos, n = 0, len(text)
    while pos < n:
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        pos = match.end()
        kind = match.lastgroup
        if kind is None:  # whitespace
            continue
        value = match.group()
        if kind == "command":
            if value in _DROPPED_COMMANDS:
                continue
            if value in _COMMAND_OPS:
                kind, value = "op", _COMMAND_OPS[value]
            elif value not in ("\\frac", "\\dfrac", "\\tfrac", "\\sqrt"):
                return None
        elif kind == "op":
            value = {"×": "*", "·": "*", "÷": "/", "−": "-", "−": "-"}.get(value, value)
        tokens.append((kind, value))
    return tokens


def evaluate_arithmetic(text: str) -> tuple[Fraction, bool] | None:
    r"""The exact value of a small LaTeX or plain arithmetic expression, and whether it ends in a percent sign.

    Read: numbers (``1,234``, ``3.5``), ``+ - * / ×  · ÷ ^``, parentheses and braces, ``\left( \right)``,
    ``\frac`` / ``\dfrac`` / ``\tfrac`` (``\frac12`` too), mixed numbers (``2\frac{1}{2}``), ``\sqrt`` of an
    exact square, ``\times \cdot \div``, ``\text{...}`` and a trailing unit or counter (dropped), ``\%`` or ``%``
    at the end (the value is then divided by 100, as everywhere in this package). Nothing is evaluated by Python's ``eval``; exponents are integers up to 64 in size and every
    value stays below 2**4096, so no input is slow or huge. Anything else gives None, so does ``=``, a variable
    or an inexact root.

    Example:
        >>> evaluate_arithmetic(r"3^4"), evaluate_arithmetic(r"\sqrt{16}"), evaluate_arithmetic(r"2\frac{1}{2}")
        ((Fraction(81, 1), False), (Fraction(4, 1), False), (Fraction(5, 2), False))
        >>> evaluate_arithmetic(r"\left(\dfrac{3}{4}\right) \times 100 \%"), evaluate_arithmetic(r"64\text{ cm}^2")
        ((Fraction(3, 4), True), (Fraction(64, 1), False))
        >>> evaluate_arithmetic("x + 1"), evaluate_arithmetic("2^{10000}"), evaluate_arithmetic(r"\sqrt{2}")
        (None, None, None)
    """
    if not isinstance(text, str) or len(text) > _ARITHMETIC_LIMIT:
        return None
    text = _WRAPPERS.sub(" ", text).replace("$", " ").replace("\\(", " ").replace("\\)", " ")
    text = text.replace("\\[", " ").replace("\\]", " ").replace("{,}", ",").strip()
    unit = _TRAILING_UNIT.search(text)
    if unit is not None and unit.start() > 0:
        text = text[: unit.start()]
    percent = False
    stripped = text.rstrip()
    if stripped.endswith("\\%") or stripped.endswith("%"):
        percent = True
        text = stripped[:-2] if stripped.endswith("\\%") else stripped[:-1]
    tokens = _tokens(text)
    if not tokens:
        return None
    reader = _Reader(tokens)
    try:
        value = reader.expr()
    except (ValueError, ZeroDivisionError, OverflowError, IndexError, RecursionError):
        return None
    if reader.pos != len(reader.tokens):
        return None
    return (value / 100, True) if percent else (value, False)
