"""Scanning running text for numbers: :func:`find_numbers`, :func:`first_number`, :func:`last_number`.

Scanning is linear: long texts are read window by window, and stretches that repeat with a short period and
hold no number are passed over at once.

Example:
    >>> [m.text for m in find_numbers("사과 3개와 배 다섯 개")]
    ['3', '다섯']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from typing import NamedTuple

from .lexicon import _DIGIT_CHARS, _HANJA_CHARS, _HUGE_CHARS, _MINUS_CHARS, _VULGAR
from .candidates import _INTERESTING, _skip_match
from .reading import _Reading, _SPACE, _accepted, _readings

__all__ = ["ANSWER_WINDOW", "NumberMatch", "find_numbers", "first_number", "last_number"]

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
    """Accepted numbers whose candidate start is in ``[pos, stop)``, left to right, without overlaps.

    Linear (issue 17): ``pos`` only moves forward, so every candidate position is read at most once, and reading
    one (``_best``: the readings of one position, see ``reading._core``) looks a bounded distance ahead."""
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
    _DIGIT_CHARS
    | set(".,，．/⁄{}\\" + _MINUS_CHARS + "만억조경천백십와과의점스하제" + _HUGE_CHARS + "물른흔쉰순든열")
    | set(_HANJA_CHARS)
    | set(_VULGAR)
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
