r"""Locating the final answer of a free-text solution: ``\boxed{}``, answer cues, the last number.

Example:
    >>> extract_answer_number("3 + 5 = 8. 따라서 답은 8개입니다. 검산: 8 - 5 = 3")
    Fraction(8, 1)
"""

from __future__ import annotations

import re
from fractions import Fraction

from .lexicon import _is_hangul
from .latex import _boxed_content
from .scan import NumberMatch, _last, _last_answer_number, _scan
from .expression import _parse

__all__ = ["extract_answer_number"]

# ---------------------------------------------------------------------------------------------------------------
# The answer number of a free-text solution
# ---------------------------------------------------------------------------------------------------------------

_CUE_TRIES = 32
_CUE_REACH = 100
_SENTENCE_END = re.compile(r"[.!?。](?=\s|\Z)|\n")
_KOREAN_CUE_AFTER = re.compile(r"[ \t]{0,2}(?:은|는|[:：=])")
_ENGLISH_CUE_AFTER = re.compile(r"[ \t]{0,2}(?:is\b|[:：=])[ \t]{0,2}:?", re.IGNORECASE)




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
