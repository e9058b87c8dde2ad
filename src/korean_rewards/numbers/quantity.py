"""Quantities with units in an answer: compounds (``1시간 30분``, ``4월 10일``) and restatements in another unit.

An answer is often followed by the same amount in another unit (``40cm이고, 이는 0.4m``, ``80초, 즉 1분 20초``,
``90분(1시간 30분)``). Such a restatement is no second answer: the amount is one, and a gold written in any of
the units used is that amount. The unit table below is data: each unit has a dimension and a factor to the
dimension's base unit; dates and clock times have ordered parts instead (년 > 월 > 일, 시 > 분 > 초) and are
compared part by part. A restatement counts only when it states the same amount (``1200m, 즉 12km`` is no
restatement); nothing is converted across dimensions.

Example:
    >>> from korean_rewards.numbers.scan import find_numbers
    >>> text = "모두 80초, 즉 1분 20초"
    >>> [(q.text, q.key) for q in quantities(text, find_numbers(text))]
    [('80초', ('time', Fraction(80, 1))), ('1분 20초', ('time', Fraction(80, 1)))]
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from .scan import NumberMatch

__all__ = ["PARTS", "UNITS", "Quantity", "asked_part", "in_units", "part_value", "quantities", "restated_answer"]

# unit -> (dimension, factor to the base unit); dimensions ending in "@" are ordered parts (dates, clock times)
UNITS: dict[str, tuple[str, Fraction]] = {
    **dict.fromkeys(("mm", "밀리미터"), ("length", Fraction(1, 1000))),
    **dict.fromkeys(("cm", "센티미터"), ("length", Fraction(1, 100))),
    **dict.fromkeys(("m", "미터"), ("length", Fraction(1))),
    **dict.fromkeys(("km", "킬로미터"), ("length", Fraction(1000))),
    **dict.fromkeys(("mg", "밀리그램"), ("mass", Fraction(1, 1000))),
    **dict.fromkeys(("g", "그램"), ("mass", Fraction(1))),
    **dict.fromkeys(("kg", "킬로그램"), ("mass", Fraction(1000))),
    **dict.fromkeys(("mL", "ml", "밀리리터"), ("volume", Fraction(1, 1000))),
    **dict.fromkeys(("L", "l", "리터"), ("volume", Fraction(1))),
    **dict.fromkeys(("초", "s", "sec", "seconds"), ("time", Fraction(1))),
    **dict.fromkeys(("분", "min", "minutes"), ("time", Fraction(60))),
    **dict.fromkeys(("시간", "h", "hours"), ("time", Fraction(3600))),
    "년": ("date@", Fraction(3)),
    "월": ("date@", Fraction(2)),
    "일": ("date@", Fraction(1)),
    "시": ("clock@", Fraction(3)),
}
# the parts of a date or a clock time, by rank, and the question words that ask for one of them
PARTS: dict[str, dict[str, Fraction]] = {
    "date@": {"년": Fraction(3), "월": Fraction(2), "일": Fraction(1)},
    "clock@": {"시": Fraction(3), "분": Fraction(2), "초": Fraction(1)},
}
_ASKED = re.compile(r"몇[ \t]?(년|월|일|시(?!간)|분|초)|(며칠)|(?:what|which) (year|month|day)", re.IGNORECASE)
_ENGLISH_PARTS = {"year": "년", "month": "월", "day": "일", "며칠": "일"}
# after 시 (a clock time), 분 and 초 are parts of the time, not durations
_CLOCK_PARTS = {"분": Fraction(2), "초": Fraction(1)}
_UNIT_AFTER = re.compile(
    r"[ \t]?(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")(?![A-Za-z])"
)
# between an amount and its restatement: 이고 / 이며 / , / 즉 / 이는 / 곧 / 다시 말해 / (  -- at least one marker
_RESTATEMENT = re.compile(
    r"[ \t]*(?:이고|이며|이니|로서)?[ \t]*[,，]?[ \t]*(?:(?:즉|이는|이것은|곧|다시 말해|다시 말하면|바꾸어 말하면|환산하면"
    r"|i\.e\.|that is)[ \t]*,?[ \t]*[(（]?|[(（])[ \t]*\Z"
)
_GROUP_GAP = re.compile(r"[ \t]?\Z")


class Quantity(NamedTuple):
    """Consecutive amounts with units of one dimension, largest unit first (``1시간 30분``, ``4월 10일``).

    ``key`` compares quantities: ``(dimension, amount in the base unit)`` for measures, ``(dimension, parts)`` for
    dates and clock times; ``numbers`` are the amounts as written, with ``units``."""

    start: int
    end: int
    text: str
    key: tuple
    numbers: tuple[Fraction, ...]
    units: tuple[str, ...]


def quantities(text: str, numbers: list[NumberMatch]) -> list[Quantity]:
    """The quantities formed by ``numbers`` (found in ``text``, left to right) and the units right after them."""
    found: list[Quantity] = []
    current: list[tuple[NumberMatch, str, str, Fraction, int]] = []  # number, unit, dimension, rank/factor, unit end

    def close() -> None:
        if current:
            found.append(_quantity(text, current))
            current.clear()

    for number in numbers:
        unit = _UNIT_AFTER.match(text, number.end)
        if unit is None or number.percent:
            close()
            continue
        name = unit.group(1)
        dimension, factor = UNITS[name]
        if current and current[-1][2] == "clock@" and name in _CLOCK_PARTS:
            dimension, factor = "clock@", _CLOCK_PARTS[name]
        previous = current[-1] if current else None
        if previous is not None and not (
            previous[2] == dimension
            and factor < previous[3]
            and _GROUP_GAP.match(text[previous[4] : number.start]) is not None
        ):
            close()
        current.append((number, name, dimension, factor, unit.end()))
    close()
    return found


def _quantity(text: str, parts: list[tuple[NumberMatch, str, str, Fraction, int]]) -> Quantity:
    dimension = parts[0][2]
    if dimension.endswith("@"):
        key: tuple = (dimension, tuple((factor, number.value) for number, _, _, factor, _ in parts))
    else:
        key = (dimension, sum((number.value * factor for number, _, _, factor, _ in parts), Fraction(0)))
    start, end = parts[0][0].start, parts[-1][4]
    return Quantity(
        start, end, text[start:end], key, tuple(p[0].value for p in parts), tuple(p[1] for p in parts)
    )


def in_units(quantity: Quantity) -> tuple[Fraction, ...]:
    """A measure's amount in each of its units (``1시간 30분`` is 1.5 hours and 90 minutes); a date or clock
    time gives its last part (the day of ``4월 10일``)."""
    dimension, amount = quantity.key
    if dimension.endswith("@"):
        return (quantity.numbers[-1],)
    return tuple(amount / UNITS[unit][1] for unit in quantity.units)


def restated_answer(
    text: str, numbers: list[NumberMatch], chosen: NumberMatch
) -> tuple[Fraction, tuple[Fraction, ...], tuple, str] | None:
    """When the chosen answer number belongs to a compound quantity or to an amount restated in another unit:
    (the answer's value, its values in every unit used, its key, its text); else None.

    The answer is the first of an amount and its restatement (``40cm이고, 이는 0.4m`` answers 40 cm, which is
    also 0.4 m); a compound answers its amount in its smallest unit (``1분 20초`` is 80 seconds, also 4/3 min)
    and a date its last part (``4월 10일``: the 10th)."""
    found = quantities(text, numbers)
    for index, quantity in enumerate(found):
        if not quantity.start <= chosen.start < quantity.end:
            continue
        first, second = quantity, None
        if index > 0 and _restates(text, found[index - 1], quantity):
            first, second = found[index - 1], quantity
        elif index + 1 < len(found) and _restates(text, quantity, found[index + 1]):
            second = found[index + 1]
        if second is None and len(quantity.numbers) == 1:
            return None  # one amount with its unit: the number itself
        values = in_units(first) + (in_units(second) if second is not None else ())
        return values[len(first.units) - 1] if not first.key[0].endswith("@") else values[0], values, first.key, first.text
    return None


def _restates(text: str, first: Quantity, second: Quantity) -> bool:
    return (
        first.key == second.key
        and not first.key[0].endswith("@")
        and _RESTATEMENT.match(text[first.end : second.start]) is not None
    )


def asked_part(question: str) -> str | None:
    """The one part of a date or clock time a question asks for (``몇 월``: 월, ``며칠``: 일, ``몇 시``: 시), or
    None when it asks for none or for several (``몇 월 며칠``: the whole date).

    Example:
        >>> asked_part("4월 1일에서 9일 뒤는 며칠입니까?"), asked_part("몇 월 며칠입니까?"), asked_part("몇 시간 걸립니까?")
        ('일', None, None)
    """
    found = {(m.group(1) or _ENGLISH_PARTS.get((m.group(2) or m.group(3) or "").lower())) for m in _ASKED.finditer(question[-2000:])}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def part_value(key: tuple, unit: str) -> Fraction | None:
    """The value of one part (``월``) of a date or clock-time key, or None when the key has no such part."""
    rank = PARTS.get(key[0], {}).get(unit)
    return next((value for part_rank, value in key[1] if part_rank == rank), None) if rank is not None else None
