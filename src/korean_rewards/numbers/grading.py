r"""The grader half of the package: a gold answer's value, and whether a final answer equals it.

The parser half (:mod:`~korean_rewards.numbers.final_answer` and the modules below it) says what a text's answer
is; this module reads the gold with that same reader and compares, so a reward (``accuracy_reward_ko``,
``check_numbers_ko``, ``check_answer_ko``) only chooses its scores. The names here are public within the
package: the reward modules import them instead of each other's private helpers.

* :func:`read_gold`: the value of a gold answer, whatever its shape: a number, Korean numerals, a fraction,
  ``\boxed{...}``, a GSM8K-style ``… #### N``, or a sentence or a worked solution that ends in an answer cue
  (``정답: 42``, ``답은 42개입니다.``, ``Answer is 42``, ``The final answer is $28\%$``). A gold that is an
  expression which does not reduce to a number (``2\sqrt{3}``) is kept as text (``expression=True``).
* :func:`grade`: True / False, or None when it cannot be decided (an expression gold and a different text).
* :func:`values_match`: exact (or relatively tolerant) comparison of two values, a percentage read both ways.
* :func:`unreadable_gold_message`: the one warning of a batch about golds that cannot be read.

Example:
    >>> read_gold("답은 42개입니다.").value, read_gold("#### 1,234").value, read_gold(r"\frac{3}{4}").value
    (Fraction(42, 1), Fraction(1234, 1), Fraction(3, 4))
    >>> read_gold("Answer is forty two.") is None
    True
    >>> from korean_rewards.numbers.final_answer import find_final_answer
    >>> grade(find_final_answer("따라서 정답은 50%입니다."), read_gold("50"))
    True
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from .budget import _read_within_budget, work_budget
from .expression import _parse
from .final_answer import FinalAnswer, find_final_answer
from .math_answer import normalize_latex_numbers
from .latex import _boxed_content, evaluate_arithmetic
from .quantity import asked_part, in_units, part_value, quantities
from .scan import NumberMatch, _scan

__all__ = [
    "Gold",
    "asked_part",
    "question_text",
    "gold_answer_text",
    "grade",
    "numbers_between",
    "read_gold",
    "read_number",
    "read_within_budget",
    "boxed_content",
    "check_rel_tol",
    "shorten",
    "unreadable_gold_message",
    "value_readings",
    "values_match",
]

T = TypeVar("T")
_GSM8K_MARK = "####"
_CACHED_LENGTH = 8192
_LOG_LIMIT = 200  # characters of an extracted answer kept in the logs


class Gold(NamedTuple):
    r"""A gold answer as read by :func:`read_gold`.

    ``value`` is its exact value (None for an expression that does not reduce to a number: ``expression`` is then
    True and ``text`` holds it); ``percent`` says it was written as a percentage (the value is divided by 100).

    Example:
        >>> read_gold("50%")
        Gold(value=Fraction(1, 2), percent=True, text='50%', expression=False, quantity=None)
        >>> read_gold(r"$2\sqrt{3}$")
        Gold(value=None, percent=False, text='2\\sqrt{3}', expression=True, quantity=None)
    """

    value: Fraction | None
    percent: bool
    text: str
    expression: bool = False
    quantity: tuple | None = None


def gold_answer_text(text: str) -> str:
    r"""The answer part of a gold text: after the last ``####`` of a GSM8K-style solution, else the text.

    Example:
        >>> gold_answer_text("풀이 … #### 72")
        '72'
    """
    at = text.rfind(_GSM8K_MARK)
    return text[at + len(_GSM8K_MARK) :].strip() if at >= 0 else text


def read_gold(gold: Any) -> Gold | None:
    r"""The gold answer of a dataset row, read with the same final-answer reader as completions; None when it
    has no readable answer (``"forty two"``, ``"서울"``, a list ``"-2, 1"``, two different numbers in prose).

    Numbers (int, float, Fraction, Decimal) are exact; texts are read as one number first (``"350개"``,
    ``"삼백오십"``, ``"1/3"``, ``"#### 72"``, ``"\boxed{3^4}"``), then as a solution whose answer a cue, a box or a
    concluding sentence states. A text without any of these counts only when it holds one number.

    Example:
        >>> [read_gold(g).value for g in ["정답: 42", "따라서 정답은 42이다.", "Answer is 42", 42, "삼백오십 개"]]
        [Fraction(42, 1), Fraction(42, 1), Fraction(42, 1), Fraction(42, 1), Fraction(350, 1)]
        >>> read_gold("The total is $7/25$, so the final answer is $28 \\%$.")
        Gold(value=Fraction(7, 25), percent=True, text='$28 \\%$', expression=False, quantity=None)
        >>> read_gold("12:00") is None, read_gold(None) is None, read_gold(True) is None
        (True, True, True)
    """
    if gold is None or isinstance(gold, bool):
        return None
    if isinstance(gold, int):
        return Gold(Fraction(gold), False, str(gold))
    if isinstance(gold, float):
        return Gold(Fraction(repr(gold)), False, repr(gold)) if math.isfinite(gold) else None
    if isinstance(gold, (Fraction, Decimal)):
        try:
            return Gold(Fraction(gold), False, str(gold))
        except (ValueError, OverflowError):  # Decimal("nan"), Decimal("inf")
            return None
    if isinstance(gold, (bytes, bytearray)):
        gold = bytes(gold).decode("utf-8", errors="replace")
    text = gold if isinstance(gold, str) else str(gold)
    try:
        # a budget of its own: a completion that spent its budget must not make (and cache) the gold unreadable
        with work_budget():
            return _read_cached(text) if len(text) <= _CACHED_LENGTH else _read_gold_text(text)
    except Exception:  # noqa: BLE001 - a gold that breaks the reader is unreadable, never a crash
        return None


@lru_cache(maxsize=4096)
def _read_cached(text: str) -> Gold | None:
    """Golds repeat (TRL repeats each row ``num_generations`` times): each text is read once."""
    return _read_gold_text(text)


def _read_gold_text(text: str) -> Gold | None:
    text = normalize_latex_numbers(text)
    answer = gold_answer_text(text)
    parsed = _parse(answer)
    if parsed is not None:
        return Gold(parsed[0], parsed[1], answer.strip())
    boxed = _boxed_content(answer)
    if boxed is not None:
        inner = answer[boxed[0] : boxed[1]]
        parsed = _parse(inner)
        if parsed is not None:
            return Gold(parsed[0], parsed[1], inner.strip())
    if len(answer) <= 200 and ("\\" in answer or any(op in answer for op in "/^")):
        value = evaluate_arithmetic(answer)
        if value is not None:
            return Gold(value[0], value[1], answer.strip())
    stripped = answer.strip().rstrip(".。")
    numbers = list(_scan(stripped, 0, len(stripped)))
    if numbers and numbers[0].start == 0:
        whole = next((q for q in quantities(stripped, numbers) if q.start == 0 and q.end == len(stripped)), None)
        if whole is not None:  # 4월 10일, 1시간 30분: compared as a quantity
            return Gold(in_units(whole)[-1], False, stripped, quantity=whole.key)
    final = find_final_answer(answer, None, None, None)
    if final is None or final.hedged:
        return None
    if final.expression:
        return Gold(None, False, final.text.strip(), True)
    if final.value is None:
        return None
    if final.source == "last" and final.quantity is None and len({m.value for m in _scan(answer, 0, len(answer))}) > 1:
        return None  # prose with several numbers and no cue: which one is the answer is not said
    return Gold(final.value, final.percent, final.text.strip(), quantity=final.quantity)


# -- comparison ---------------------------------------------------------------------------------------------------


def value_readings(value: Fraction | float, percent: bool, other_percent: bool) -> list[Fraction | float]:
    """A value and, when only one side is a percentage, its other reading (50% is 0.5 and 50).

    Example:
        >>> value_readings(Fraction(1, 2), True, False)
        [Fraction(1, 2), Fraction(50, 1)]
    """
    if percent == other_percent or isinstance(value, float):  # floats: ±inf from a huge run, nan for a hedge
        return [value]
    return [value, value * 100] if percent else [value, Fraction(value) / 100]


def check_rel_tol(rel_tol: Any, reward: str) -> None:
    """Raise when ``rel_tol`` (the relative tolerance of a number comparison) is not a finite number >= 0.

    The one check behind every reward that takes ``rel_tol`` (0 means an exact comparison).

    Example:
        >>> check_rel_tol(0.01, "check_numbers_ko")
        >>> check_rel_tol(-1, "check_numbers_ko")
        Traceback (most recent call last):
        ...
        ValueError: check_numbers_ko: `rel_tol` must be a finite number >= 0 (0 = exact), got -1
    """
    if isinstance(rel_tol, bool) or not isinstance(rel_tol, (int, float)):
        raise TypeError(f"{reward}: `rel_tol` must be a number, got {rel_tol!r}")
    if not math.isfinite(rel_tol) or rel_tol < 0:
        raise ValueError(f"{reward}: `rel_tol` must be a finite number >= 0 (0 = exact), got {rel_tol!r}")


def values_match(
    guess: Fraction | float, guess_percent: bool, gold: Fraction, gold_percent: bool, rel_tol: Fraction = Fraction(0)
) -> bool:
    """Whether a guessed value equals the gold: exactly (``rel_tol`` 0) or within a relative tolerance, a
    percentage on one side only read both ways; a float guess (±inf, nan) never matches.

    Example:
        >>> values_match(Fraction(50), False, Fraction(1, 2), True), values_match(float("nan"), False, Fraction(1), False)
        (True, False)
    """
    for value in value_readings(guess, guess_percent, gold_percent):
        if isinstance(value, float):
            continue
        if (value == gold) if not rel_tol else (abs(value - gold) <= rel_tol * abs(gold)):
            return True
    return False


_EXPRESSION_NOISE = re.compile(r"\s+|\$|\\[,;:!]|\\left|\\right|\\displaystyle|\.\Z")


def _expression_key(text: str) -> str:
    boxed = _boxed_content(text) if "\\boxed" in text else None
    if boxed is not None:
        text = text[boxed[0] : boxed[1]]
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac")
    return _EXPRESSION_NOISE.sub("", text)


def grade(
    answer: FinalAnswer | None, gold: Gold, rel_tol: Fraction = Fraction(0), asked: str | None = None
) -> bool | None:
    r"""Whether a final answer equals the gold: False for no answer, a hedge, or an expression against a number
    (``4\sqrt{2}`` is not 4); for a gold that is itself an expression, True when the answer is the same
    expression written the same way and None (undecided) otherwise: expressions are not guessed equal or not.
    A date or clock time answers a number gold with the part the question asks (``asked``: ``"월"``, from
    :func:`~korean_rewards.numbers.quantity.asked_part`), else with its last part (the day of ``4월 10일``).

    Example:
        >>> grade(find_final_answer(r"답: $4\sqrt{2}$"), read_gold("4")), grade(None, read_gold("4"))
        (False, False)
        >>> grade(find_final_answer(r"\boxed{2 \sqrt{3}}"), read_gold(r"2\sqrt{3}"))
        True
        >>> grade(find_final_answer(r"\boxed{\sqrt{12}}"), read_gold(r"2\sqrt{3}")) is None
        True
    """
    if gold.value is None:
        if answer is not None and not answer.hedged and _expression_key(answer.text) == _expression_key(gold.text):
            return True
        return None if answer is not None and not answer.hedged else False
    if answer is None or answer.value is None:
        return False
    if gold.quantity is not None and answer.quantity is not None:
        return _same_quantity(answer.quantity, gold.quantity, rel_tol)  # 40cm vs gold 0.4m; 4월 10일 vs 4월 10일
    if gold.quantity is not None and gold.quantity[0].endswith("@"):
        return False  # a date or a clock time is answered by one, not by a bare number
    values = (answer.value, *answer.alternatives)  # 40cm이고, 이는 0.4m: 40 and 0.4
    if asked is not None and answer.quantity is not None:
        part = part_value(answer.quantity, asked)  # 4월 10일 for "몇 월": 4
        if part is not None:
            values = (part,)
    return any(values_match(value, answer.percent, gold.value, gold.percent, rel_tol) for value in values)


def _same_quantity(one: tuple, other: tuple, rel_tol: Fraction) -> bool:
    if one[0] != other[0]:
        return False
    if one[0].endswith("@"):
        return one[1] == other[1]
    return values_match(one[1], False, other[1], False, rel_tol)


def question_text(prompt: Any) -> str:
    """The text of a prompt as TRL passes it: a string, or chat messages (the user messages, joined).

    Example:
        >>> question_text([{"role": "system", "content": "풀어라"}, {"role": "user", "content": "몇 월입니까?"}])
        '몇 월입니까?'
    """
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, (list, tuple)):
        users = [m.get("content") for m in prompt if isinstance(m, dict) and m.get("role", "user") == "user"]
        return "\n".join(text for text in users if isinstance(text, str))
    return ""


# -- small shared pieces -------------------------------------------------------------------------------------------


def read_number(text: str) -> tuple[Fraction, bool] | None:
    """The value and percent flag of a text that is one number expression (``"삼백오십 개"``, ``"50%"``), or None.

    Example:
        >>> read_number("50%"), read_number("사과")
        ((Fraction(1, 2), True), None)
    """
    return _parse(text)


def read_within_budget(reward: str, text: str, read: Callable[..., T], *args: Any) -> tuple[T | None, bool]:
    """``read(*args)`` under the reward's work budget (:mod:`~korean_rewards.numbers.budget`): its result and
    whether the budget ran out (the reward then gives its worst score, with one warning).

    Example:
        >>> read_within_budget("r", "42", read_number, "42")
        ((Fraction(42, 1), False), False)
    """
    return _read_within_budget(reward, text, read, *args)


def boxed_content(text: str) -> tuple[int, int] | None:
    r"""Start and end of the content of the last closed ``\boxed{...}``, or None.

    Example:
        >>> boxed_content(r"\boxed{72}")
        (7, 9)
    """
    return _boxed_content(text)


def numbers_between(text: str, start: int = 0, stop: int | None = None) -> Iterator[NumberMatch]:
    """The numbers whose reading starts in ``text[start:stop]``, left to right, lazily (read whole: ``3만 5천``).

    Example:
        >>> [m.text for m in numbers_between("a 3만 5천 b 7", 0, 5)]
        ['3만 5천']
    """
    return _scan(text, start, stop)


def shorten(text: str | None) -> str | None:
    """A text cut to 200 characters for logs.

    Example:
        >>> len(shorten("가" * 500))
        201
    """
    if text is None or len(text) <= _LOG_LIMIT:
        return text
    return text[:_LOG_LIMIT] + "…"


def unreadable_gold_message(reward: str, golds: list[Any], undecided: int = 0) -> str | None:
    """The one warning of a batch about its gold answers: how many rows have a gold that cannot be read (they
    score None) with one example, and how many were undecided (an expression gold); None when there is none.

    Example:
        >>> print(unreadable_gold_message("accuracy_reward_ko", ["forty two", "서울"]))
        accuracy_reward_ko: 2 of the batch's gold answers could not be read (those rows score None, e.g. 'forty two'): a gold should hold a number, Korean numerals, a fraction, \\boxed{...}, '... #### N' or a sentence that ends with its answer ('정답: 42')
    """
    if not golds and not undecided:
        return None
    parts = []
    if golds:
        example = shorten(str(golds[0]))
        parts.append(
            f"{len(golds)} of the batch's gold answers could not be read (those rows score None, e.g. {example!r}): "
            "a gold should hold a number, Korean numerals, a fraction, \\boxed{...}, '... #### N' or a sentence "
            "that ends with its answer ('정답: 42')"
        )
    if undecided:
        parts.append(
            f"{undecided} answers were compared with a gold that is an expression (e.g. 2\\sqrt{{3}}) and written "
            "differently: scored None, since expressions are compared only as written"
        )
    return f"{reward}: " + "; ".join(parts)
