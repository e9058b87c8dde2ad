r"""The notebook's answer and number rewards, made Korean-aware: :class:`CheckAnswerKo` and :class:`CheckNumbersKo`.

Both read the gold answer from the dataset column ``answer`` (``answer_key`` changes it) and log what they
extracted from each completion through TRL's ``log_extra`` (column ``<reward name>/extracted``). Parsing lives
in :mod:`korean_rewards.numbers` and :mod:`korean_rewards.tags`; this module only compares.

``check_numbers_ko`` (the notebook's ``check_numbers``)
    Reads the first number after the solution start tag and compares it with the gold exactly, as rationals:
    correct 3.5, wrong -1.5, no number -2.5, a number-like text that cannot be read (``<SOLUTION>x.y`` gives
    ``"."``) 0.0. The gold may itself be Korean (``"삼백오십"``, ``"350개"``); a gold that is not a number makes
    the reward not applicable (``None``, which TRL ignores for that sample).

    **Notebook parity.** The notebook takes the first run of ``-?[0-9.,]+`` after the tag, drops the commas and
    calls ``float``. ``check_numbers_ko`` reads that same run, so on ASCII text it scores what the notebook
    scores whenever the notebook can read the gold (a float literal), except where the notebook misreads a
    number the run is part of: ``1/3`` (the notebook reads 1), ``50%`` (it reads 50; here 50% equals both 0.5
    and 50), ``\frac{1}{3}``, ``3.5억``. Korean-awareness on top: a Korean number that starts before the run
    (``삼백오십``, ``마이너스 5``, ``−5``, ``１２３``) or extends it (``3만 5천``, ``1,500만``, ``2와 3분의 1``) is
    read whole; a lone ``.`` or ``,`` right after Korean text is sentence punctuation, not an unreadable
    number. Values are compared exactly (``rel_tol=0``, the default) or within a relative tolerance. Digit runs
    longer than 4000 digits count as a wrong number (the notebook's ``float`` makes them ``inf``).

    **Bounded reading.** Digit runs are found anywhere after the tag, at regex-engine speed, as the notebook
    finds them. Korean numerals, and runs without a digit, are looked for only in the first 4,096 characters
    after the tag (``korean_rewards.numbers.ANSWER_WINDOW``): past them the digit run is taken (read whole when
    it begins a Korean number, ``3만 5천``). The answer follows the tag, so this changes nothing in practice,
    and it keeps a megabyte of numeral look-alikes (``구십가 세대 두통 ...``) within the time budget.

    With ``tags=None`` there is no tag: the answer is :func:`~korean_rewards.numbers.extract_answer_number` of
    the whole completion (last ``\boxed{}``, else the first number in the sentence of the last answer cue, else
    the last number).

``check_answer_ko`` (the notebook's ``check_answer``)
    Extracts the answer with the notebook's exact format (:func:`~korean_rewards.tags.extract_solution`; with
    ``tags=None`` the whole completion is the answer) and scores, in this order:

    ===========================================================  =========  ===========================
    case                                                         score      notebook
    ===========================================================  =========  ===========================
    no answer in the exact format                                -2.0       -2.0
    identical to the gold                                        5.0        5.0
    identical after ``strip()``                                  3.5        3.5
    equal after Korean normalization (below)                     3.5        -4.5 or a ratio band
    ratio guess / gold within [0.9, 1.1]                         2.0        2.0
    ratio within [0.8, 1.2]                                      1.5        1.5
    any other ratio                                              -2.5       -2.5
    either side is not a number                                  -4.5       -4.5
    ===========================================================  =========  ===========================

    *Korean normalization*: both texts are NFKC-normalized with whitespace runs collapsed (full-width letters,
    ``"서울  특별시"``), and numbers are compared by value with counters, commas, hedges and Korean numerals
    ignored: gold ``"350"`` and answer ``"삼백오십 개"`` or ``"350개"`` or ``"1,000"`` vs ``"1000"``. Such a match
    scores 3.5, the notebook's "identical after strip" level, not 5.0: the top score stays reserved for writing
    the answer exactly as the dataset does. When *both* sides are plain float literals (``"350.0"`` vs
    ``"350"``), the notebook's ratio bands apply unchanged (2.0 here), computed with floats as the notebook does,
    so ASCII answers score exactly as in the notebook. A percentage may match either reading: ``"50%"`` equals
    gold ``"0.5"`` and gold ``"50"``.

    *Zero gold*: the notebook divides by ``float(gold)`` inside its ``try`` and so scores a correct ``"0.0"``
    for gold ``"0"`` as a conversion failure (-4.5). Here a zero gold has no ratio: an answer equal to zero
    scores 2.0 (the band of ratio 1; 3.5 if it needed Korean normalization, e.g. ``"영"``) and any other
    number -2.5.

Both rewards never raise on model output (``None``, bytes, megabytes of garbage) and run in linear time; a
missing gold column or a length mismatch raises a ``ValueError`` from the base class. A gold of ``None``
gives ``None`` (not applicable).

Example:
    >>> from korean_rewards import check_answer_ko, check_numbers_ko
    >>> completions = [
    ...     "<end_working_out><SOLUTION>350</SOLUTION>",
    ...     "<end_working_out><SOLUTION>삼백오십 개</SOLUTION>",
    ...     "<end_working_out><SOLUTION>340</SOLUTION>",
    ...     "답은 350",
    ... ]
    >>> check_answer_ko(completions=completions, answer=["350"] * 4)
    [5.0, 3.5, 2.0, -2.0]
    >>> check_numbers_ko(completions=completions, answer=["350"] * 4)
    [3.5, 3.5, -1.5, -2.5]
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput, score_span
from ._util import warn, warn_once
from .numbers import ANSWER_WINDOW, find_numbers
from .numbers.final_answer import find_final_answer, read_answer_span
from .numbers.math_answer import is_inside_word
from .numbers.grading import (
    check_rel_tol,
    gold_answer_text,
    numbers_between,
    read_gold,
    read_number,
    read_within_budget,
    shorten,
    unreadable_gold_message,
    value_readings,
    values_match,
)
from .tags import NOTEBOOK_TAGS, Tags, check_tags, extract_solution

__all__ = ["CheckAnswerKo", "CheckNumbersKo", "check_answer_ko", "check_numbers_ko"]

# -- the notebook's number capture, in linear time ---------------------------------------------------------------
#
# The notebook's regex is ``solution_start .*? \s* (-?[0-9.,]+)`` (DOTALL). Its capture starts at the first
# character after the tag that is in [0-9.,], or at a '-' right before one, and runs over [0-9.,]. A run with no
# digit that follows non-ASCII text (``정답.``) is skipped here: it is Korean sentence punctuation. A [.,] is
# accepted only at the beginning of a run (the lookbehinds), so each run is looked at once, and the pattern
# starts with a character class, so the regex engine skips other text at C speed.
_RUN_START = re.compile(r"[0-9.,](?:(?<=[0-9])|(?<![.,][.,])(?:(?=[.,]*[0-9])|(?<![^\x00-\x7f][.,])))")
_RUN = re.compile(r"[0-9.,]*")
_DIGIT = re.compile("[0-9]")
_DECIMAL = re.compile(r"[0-9]+\.?[0-9]*|\.[0-9]+")
_RUN_DIGITS_LIMIT = 4000  # beyond this the notebook's float() gives inf: a wrong answer, never equal to a gold
_SPAN_READ = 400  # characters of the answer tag read as one expression (an answer is never longer)


class _Guess:
    """What ``check_numbers_ko`` read after the tag: a value (exact, or ±inf for a huge run), or a failure."""

    __slots__ = ("value", "percent", "text")

    def __init__(self, value: Fraction | float | None, percent: bool, text: str) -> None:
        self.value, self.percent, self.text = value, percent, text


def _notebook_run(text: str, start: int) -> tuple[int, int] | None:
    """Start and end of the notebook's ``-?[0-9.,]+`` capture after ``start`` (Korean full stops skipped).

    A run with a digit is found anywhere; a run without one (``x.y`` gives ``"."``) only in the first
    ``ANSWER_WINDOW`` characters, so a megabyte of Korean sentence punctuation stays fast."""
    if start < len(text) and text[start] in ".,":
        at = start  # right after the tag: the notebook's reading, whatever the tag ends with
    else:
        digit = _DIGIT.search(text, start)
        stop = len(text) if digit is None else digit.start() + 1
        found = _RUN_START.search(text, start, min(stop, start + ANSWER_WINDOW))
        if found is not None:
            at = found.start()
        elif digit is None:
            return None
        else:  # the run that ends at the first digit, past the window
            at = start + len(text[start : digit.start()].rstrip(".,"))
    end = _RUN.match(text, at).end()
    if at > start and text[at - 1] == "-":
        at -= 1
    return at, end


def _run_value(run: str) -> int | Fraction | float | None:
    """The notebook's ``float(run.replace(",", ""))``, exactly; None where it raises, ±inf for huge runs."""
    negative = run.startswith("-")
    body = run[1:] if negative else run
    body = body.replace(",", "")
    if _DECIMAL.fullmatch(body) is None:
        return None
    whole, _, decimals = body.partition(".")
    if len(whole) + len(decimals) > _RUN_DIGITS_LIMIT:
        return -math.inf if negative else math.inf
    value = Fraction(int((whole or "0") + decimals), 10 ** len(decimals)) if decimals else int(whole)
    return -value if negative else value


def _guess_after_tag(text: str, solution_start: str, solution_end: str) -> _Guess | None:
    at = text.find(solution_start)
    if at < 0:
        return None
    start = at + len(solution_start)
    close = text.find(solution_end, start, start + _SPAN_READ + len(solution_end)) if solution_end else -1
    if close < 0:  # no closing tag near: read up to a word boundary, never half a word (구십|가)
        close = start + _SPAN_READ
        if close < len(text):
            close = max(start, *(text.rfind(space, start, close) for space in " \t\n"))
    whole = read_answer_span(text[start:close])
    if whole is not None:  # 6 × 7 = 42, - 3, 15~16개, 4\sqrt{2}: the answer as a whole, not its first number
        if whole.hedged or whole.expression or whole.value is None:
            return _Guess(math.nan, False, whole.text)  # a range or an expression is no number: wrong
        return _Guess(whole.value, whole.percent, whole.text)
    run = _notebook_run(text, start)
    # Korean numbers count when they start before the run (or at it, reading more of it), within the window
    window_end = start + ANSWER_WINDOW
    korean = next(numbers_between(text, start, window_end if run is None else min(window_end, run[0] + 1)), None)
    if korean is None and run is not None and run[0] >= window_end:
        korean = next(numbers_between(text, run[0], run[0] + 1), None)  # the run read as a Korean number (3만 5천)
    if korean is not None and (run is None or korean.start < run[0] or (korean.start == run[0] and korean.end > run[1])):
        return _Guess(korean.value, korean.percent, korean.text)
    if run is None:
        return None
    captured = text[run[0] : run[1]]
    if _DIGIT.search(captured) is not None and is_inside_word(text, run[0], run[1]):
        return None  # AZYUK2A: a digit inside a word is no number
    return _Guess(_run_value(captured), False, captured)


def _guess_anywhere(text: str) -> _Guess | None:
    answer = find_final_answer(text, None, None)
    if answer is None:
        return None
    if answer.hedged:  # two different final answers: wrong, never "unparseable" (which scores higher)
        return _Guess(math.nan, False, answer.text)
    return _Guess(answer.value, answer.percent, answer.text)


# -- warnings about a whole batch ------------------------------------------------------------------------------

def _warn_about_batch(texts: list[str], golds: list[Any] | None, tags: Tags | None) -> None:
    """Warn once per process when no completion of a batch has the answer tag: the reward then scores every
    completion the same, which teaches nothing (golds that cannot be read get their own warning per batch)."""
    if not texts:
        return
    if tags is not None and not any(tags.solution_start in text for text in texts):
        warn_once(
            "answers: no answer tags",
            f"no {tags.solution_start} in any completion: use accuracy_reward_ko or set tags=... "
            "(every completion scores 'no answer')",
        )


def _warn_about_golds(reward: str, unreadable: list[Any]) -> None:
    """One warning per batch that counts the rows whose gold cannot be read (they score None)."""
    message = unreadable_gold_message(reward, unreadable)
    if message is not None:
        warn(message)


# -- check_numbers_ko ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class CheckNumbersKo(RewardFunction):
    r"""The notebook's ``check_numbers`` with Korean numbers: the first number after the solution tag vs the gold.

    Scores: ``correct`` (3.5) when the number equals the gold (exactly as rationals, or within ``rel_tol``
    relative tolerance), ``wrong`` (-1.5) otherwise, ``no_number`` (-2.5) when there is no tag or no number after
    it, ``unparseable`` (0.0) for a number-like text the notebook cannot convert (``"."``, ``"1.2.3"``). A gold
    that is not a number gives ``None``. ``tags=None`` reads the answer number of the whole completion instead
    (boxed, answer cue, last number). See the module docstring for the exact rules and the notebook parity.

    ``several_numbers`` (default ``None``: the notebook's rule, only the first number counts) is the score of an
    answer whose solution tags hold two or more different numbers (``"84 또는 85"``, ``"84 12 7 96"``): a hedge or
    a spray that the first-number rule would pay in full whenever its first number is right. Set it to the
    ``no_number`` score or lower for training. Numbers are read as by
    :func:`~korean_rewards.numbers.find_numbers` (``"3만 5천"`` is one number), in the first ``ANSWER_WINDOW``
    characters after the tag.

    Example:
        >>> reward = CheckNumbersKo()
        >>> reward(completions=[
        ...     "<SOLUTION>3만 5천 원</SOLUTION>",
        ...     "<SOLUTION>-5</SOLUTION>",
        ...     "<SOLUTION>x.y</SOLUTION>",
        ...     "정답은 35000",
        ... ], answer=["35000", "-5", "1", "35000"])
        [3.5, 3.5, 0.0, -2.5]
        >>> reward.score("<SOLUTION>350</SOLUTION>", "삼백오십 개"), reward.score("<SOLUTION>350", "서울")
        (3.5, None)
        >>> CheckNumbersKo(tags=None).score("계산하면 ... 따라서 답은 이십오입니다.", "25")
        3.5
        >>> CheckNumbersKo(rel_tol=0.01).score("<SOLUTION>99.5</SOLUTION>", "100")
        3.5
        >>> safe = CheckNumbersKo(unparseable=-2.5, several_numbers=-2.5)
        >>> reward.score("<SOLUTION>84 85</SOLUTION>", "84"), safe.score("<SOLUTION>84 85</SOLUTION>", "84")
        (3.5, -2.5)
        >>> safe.score("<SOLUTION>3만 5천</SOLUTION>", "35000"), safe.score("<SOLUTION>.</SOLUTION>", "84")
        (3.5, -2.5)
    """

    base_name: ClassVar[str] = "check_numbers_ko"
    needs_gold: ClassVar[bool] = True

    tags: Tags | None = NOTEBOOK_TAGS
    correct: float = 3.5
    wrong: float = -1.5
    no_number: float = -2.5
    unparseable: float = 0.0
    rel_tol: float = 0.0
    several_numbers: float | None = None
    answer_key: str = "answer"
    name: str | None = None

    def __post_init__(self) -> None:
        reward = type(self).__name__
        check_tags(self.tags, reward, optional=True)
        self._require_numbers("correct", "wrong", "no_number", "unparseable")
        if self.several_numbers is not None:
            self._require_numbers("several_numbers")
        check_rel_tol(self.rel_tol, reward)
        super().__post_init__()

    def _score_range(self) -> tuple[float, float]:
        extra = () if self.several_numbers is None else (self.several_numbers,)
        return score_span(self.correct, self.wrong, self.no_number, self.unparseable, *extra)

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> tuple[RewardOutput, dict[str, list[Any]]]:
        rel_tol = Fraction(repr(float(self.rel_tol)))
        solution_start = None if self.tags is None else self.tags.solution_start
        _warn_about_batch(texts, golds, self.tags)
        scores: RewardOutput = []
        extracted: list[str | None] = []
        unreadable: list[Any] = []
        for text, gold in zip(texts, golds or [None] * len(texts)):
            try:
                read = (
                    (_guess_anywhere, text)
                    if solution_start is None
                    else (_guess_after_tag, text, solution_start, self.tags.solution_end)  # type: ignore[union-attr]
                )
                guess, over_budget = read_within_budget(self.__name__, text, *read)
            except Exception:  # noqa: BLE001 - a bug must not stop training; the readers do not raise
                guess, over_budget = None, False
            extracted.append(None if guess is None else shorten(guess.text))
            expected = read_gold(gold)
            if expected is None or expected.value is None:  # no gold, or an expression: not applicable
                scores.append(None)
                if gold is not None and gold != "":  # "" stands for a missing gold: no warning
                    unreadable.append(gold)
            elif guess is None:
                scores.append(self.no_number)
            elif guess.value is None:
                scores.append(self.unparseable)
            else:
                hit = values_match(guess.value, guess.percent, expected.value, expected.percent, rel_tol)
                scores.append(self.correct if hit else self.wrong)
            if over_budget and scores[-1] is not None:
                scores[-1] = self.score_range[0]  # the worst score (issue 17's work budget)
                continue
            if (
                self.several_numbers is not None
                and solution_start is not None
                and guess is not None
                and scores[-1] is not None
                and _several_numbers(text, solution_start, self.tags.solution_end)  # type: ignore[union-attr]
            ):
                scores[-1] = float(self.several_numbers)
        _warn_about_golds(self.__name__, unreadable)
        return scores, {"extracted": extracted}


def _several_numbers(text: str, solution_start: str, solution_end: str) -> bool:
    """Whether the text inside the first solution tags (up to ``ANSWER_WINDOW`` characters) holds two or more
    different numbers."""
    start = text.find(solution_start)
    if start < 0:
        return False
    start += len(solution_start)
    end = text.find(solution_end, start, start + ANSWER_WINDOW + len(solution_end))
    span = text[start : end if end >= 0 else start + ANSWER_WINDOW]
    values = set()
    for match in find_numbers(span):
        values.add(match.value)
        if len(values) > 1:
            return True
    return False


# -- check_answer_ko ----------------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_HANGUL = re.compile("[가-힣]")


def _normalized_text(text: str) -> str:
    if text.isascii():
        return " ".join(text.split())
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _plain_float(text: str) -> float | None:
    """``float(text)`` for an ASCII text that Python reads as a float, else None (the notebook's conversion)."""
    if not text.isascii() or len(text) > 10_000:
        return None
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(eq=False)
class CheckAnswerKo(RewardFunction):
    r"""The notebook's ``check_answer`` with Korean normalization: the exact-format answer vs the gold.

    Scores (notebook defaults): ``exact`` 5.0 for the identical string, ``normalized`` 3.5 when equal after
    ``strip()`` or after Korean normalization (NFKC, whitespace, numbers by value with counters, commas and
    Korean numerals ignored), then by ratio answer/gold: ``close`` 2.0 within [0.9, 1.1], ``near`` 1.5 within
    [0.8, 1.2], ``wrong`` -2.5 otherwise; ``unparseable`` -4.5 when a side is not a number; ``no_answer`` -2.0
    when the completion does not have the exact format. ``tags=None`` takes the whole completion as the answer.
    See the module docstring for the table, the zero-gold rule and the notebook parity.

    Example:
        >>> reward = CheckAnswerKo()
        >>> done = "풀이<end_working_out><SOLUTION>{}</SOLUTION>".format
        >>> reward(completions=[done("12"), done(" 12 "), done("열두 개"), done("13"), done("14"), done("열셋"), done("모름")],
        ...        answer=["12"] * 7)
        [5.0, 3.5, 3.5, 2.0, 1.5, 2.0, -4.5]
        >>> reward.score("<end_working_out><SOLUTION>0.0</SOLUTION>", "0"), reward.score("<SOLUTION>12</SOLUTION>", "12")
        (2.0, -2.0)
        >>> CheckAnswerKo(tags=None).score("서울특별시", "서울특별시")
        5.0
    """

    base_name: ClassVar[str] = "check_answer_ko"
    needs_gold: ClassVar[bool] = True

    tags: Tags | None = NOTEBOOK_TAGS
    exact: float = 5.0
    normalized: float = 3.5
    close: float = 2.0
    near: float = 1.5
    wrong: float = -2.5
    unparseable: float = -4.5
    no_answer: float = -2.0
    answer_key: str = "answer"
    name: str | None = None

    def __post_init__(self) -> None:
        reward = type(self).__name__
        check_tags(self.tags, reward, optional=True)
        self._require_numbers("exact", "normalized", "close", "near", "wrong", "unparseable", "no_answer")
        super().__post_init__()

    def _score_range(self) -> tuple[float, float]:
        return score_span(self.exact, self.normalized, self.close, self.near, self.wrong, self.unparseable, self.no_answer)

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> tuple[RewardOutput, dict[str, list[Any]]]:
        scores: RewardOutput = []
        extracted: list[str | None] = []
        _warn_about_batch(texts, golds, self.tags)
        for text, gold in zip(texts, golds or [""] * len(texts)):
            guess = text if self.tags is None else extract_solution(text, self.tags)
            extracted.append(shorten(guess))
            gold_answer = gold_answer_text(gold)  # gold texts; a row without a gold gets None from the base class
            if guess is None:
                scores.append(self.no_answer)
            else:
                try:
                    score, over_budget = read_within_budget(
                        self.__name__, text, self._compare, guess, gold_answer, gold
                    )
                    scores.append(self.score_range[0] if over_budget else score)  # worst: issue 17's work budget
                except Exception:  # noqa: BLE001 - never raise on model output
                    scores.append(self.unparseable)
        return scores, {"extracted": extracted}

    def _compare(self, guess: str, gold: str, raw_gold: Any = None) -> float:
        if guess == gold:
            return self.exact
        guess, gold = guess.strip(), gold.strip()
        if guess == gold:
            return self.normalized
        plain_guess, plain_gold = _plain_float(guess), _plain_float(gold)
        if plain_guess is not None and plain_gold is not None:
            # the notebook's own arithmetic, so that ASCII answers score as in the notebook
            if plain_gold == 0:
                return self.close if plain_guess == 0 else self.wrong
            return self._band(_band_level(plain_guess / plain_gold))
        if len(guess) <= 10_000 and len(gold) <= 10_000 and _normalized_text(guess) == _normalized_text(gold):
            return self.normalized
        whole = read_answer_span(guess)
        if whole is not None and (whole.hedged or whole.expression or whole.value is None):
            return self.unparseable  # 3x, 4√2, \pm 7, 15~16: no number, never "contains the gold's number"
        if whole is not None and _HANGUL.search(guess) is None:
            guess_value: tuple[Fraction, bool] | None = (whole.value, whole.percent)  # 6 × 7 = 42, - 3
        else:
            guess_value = read_number(guess)
        read = read_gold(gold if raw_gold is None else raw_gold)  # 정답: 42 is read like a completion
        gold_value = None if read is None or read.value is None else (read.value, read.percent)
        if guess_value is None or gold_value is None:
            return self.unparseable
        value, percent = guess_value
        target, target_percent = gold_value
        readings = value_readings(value, percent, target_percent)
        if any(reading == target for reading in readings):
            return self.normalized
        if target == 0:
            return self.wrong
        return self._band(max(_band_level(Fraction(reading) / target) for reading in readings))

    def _band(self, level: int) -> float:
        return (self.wrong, self.near, self.close)[level]


def _band_level(ratio: Fraction | float) -> int:
    """2 for a ratio within [0.9, 1.1], 1 within [0.8, 1.2], else 0 (nan: 0). Floats are compared with the
    notebook's float bounds, Fractions with exact ones."""
    if isinstance(ratio, float):
        return 2 if 0.9 <= ratio <= 1.1 else 1 if 0.8 <= ratio <= 1.2 else 0
    return 2 if _TENTHS[9] <= ratio <= _TENTHS[11] else 1 if _TENTHS[8] <= ratio <= _TENTHS[12] else 0


_TENTHS = {k: Fraction(k, 10) for k in (8, 9, 11, 12)}


#: Default instance: notebook scores and tags; gold column ``answer``.
check_answer_ko = CheckAnswerKo()
#: Default instance: notebook scores and tags, exact comparison; gold column ``answer``.
check_numbers_ko = CheckNumbersKo()
