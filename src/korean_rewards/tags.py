"""Tag sets and the format rewards (exact and approximate tag matchers).

The defaults are the Unsloth "Qwen3 (4B) GRPO" notebook's tags: ``<start_working_out>`` … ``<end_working_out>``
then ``<SOLUTION>`` … ``</SOLUTION>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Tags", "NOTEBOOK_TAGS", "extract_solution"]


@dataclass(frozen=True)
class Tags:
    """The four tags of a reasoning-then-solution format, and the end-of-sequence text allowed after it.

    ``eos_token`` is the text that may follow the closing solution tag (the notebook allows Qwen3-Base's
    ``<|endoftext|>``); ``None`` allows none.

    Example:
        >>> Tags().solution_start
        '<SOLUTION>'
        >>> Tags(reasoning_start="<think>", reasoning_end="</think>", solution_start="<answer>", solution_end="</answer>").reasoning_end
        '</think>'
    """

    reasoning_start: str = "<start_working_out>"
    reasoning_end: str = "<end_working_out>"
    solution_start: str = "<SOLUTION>"
    solution_end: str = "</SOLUTION>"
    eos_token: str | None = "<|endoftext|>"

    def __post_init__(self) -> None:
        for field in ("reasoning_start", "reasoning_end", "solution_start", "solution_end"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value:
                raise ValueError(f"Tags.{field} must be a non-empty string, got {value!r}")


#: The Unsloth notebook's tags (the default everywhere in this library).
NOTEBOOK_TAGS = Tags()


# -- the format scanner --------------------------------------------------------------------------------------
#
# The notebook's format regex is
#
#     reasoning_end .*? solution_start (.+?) solution_end \s* (?:EOS)? \s* $      (DOTALL | MULTILINE)
#
# used with ``re.search``. Its lazy quantifiers make it backtrack super-linearly, but what it accepts is simple:
#
# * the leftmost start is the first ``reasoning_end``: a later one offers a subset of the same choices;
# * the lazy ``.*?`` picks the first ``solution_start`` after it: a later one offers a subset of the closings;
# * the lazy ``(.+?)`` ends at the first ``solution_end`` at least one character after that ``solution_start``
#   that is followed by the closing tail;
# * the tail ``\s* (?:EOS)? \s* $`` holds after a position when, past some horizontal whitespace, there is a
#   newline (with MULTILINE, ``$`` matches before *every* newline, so text on later lines is allowed) or the
#   end of the text, or the EOS token followed by the same. Vertical whitespace other than ``\n`` does not end a
#   line for ``$``, so it is excluded from the horizontal runs.
#
# So two ``str.find`` calls and one search for "closing tag followed by the tail" give the same capture in
# linear time. The tail pattern only backtracks inside one whitespace run (each run is scanned once per closing
# tag in front of it), so that search is linear too.

_LINE_END = r"[^\S\n]*(?:\n|\Z)"


@lru_cache(maxsize=64)
def _closing_pattern(solution_end: str, eos_token: str | None) -> re.Pattern[str]:
    """The closing tag, when followed by what the notebook's regex accepts after it (compiled once per tag set)."""
    if eos_token:
        tail = rf"[^\S\n]*(?:\n|\Z|{re.escape(eos_token)}{_LINE_END})"
    else:
        tail = _LINE_END
    return re.compile(rf"{re.escape(solution_end)}(?={tail})")


def _solution_span(text: str, tags: Tags) -> tuple[int, int] | None:
    """Start and end of the notebook regex's capture in ``text``, or None when the regex finds no match."""
    reasoning_end = text.find(tags.reasoning_end)
    if reasoning_end < 0:
        return None
    solution_start = text.find(tags.solution_start, reasoning_end + len(tags.reasoning_end))
    if solution_start < 0:
        return None
    answer_start = solution_start + len(tags.solution_start)
    closing = _closing_pattern(tags.solution_end, tags.eos_token).search(text, answer_start + 1)
    if closing is None:
        return None
    return answer_start, closing.start()


def extract_solution(text: str, tags: Tags = NOTEBOOK_TAGS) -> str | None:
    r"""Return what the notebook's format regex captures between the solution tags, or None without a match.

    The format is: ``reasoning_end``, anything, ``solution_start``, a non-empty answer, ``solution_end``, then
    optional whitespace, an optional ``tags.eos_token`` and optional whitespace up to the end of a line (the
    notebook's regex uses MULTILINE, so text on a *later* line after the closing tag is accepted, but text on
    the same line is not). The result is identical to ``match_format.search(text).group(1)`` of the notebook,
    computed in linear time (the regex backtracks super-linearly on adversarial text).

    Example:
        >>> extract_solution("계산합니다.<end_working_out><SOLUTION>42</SOLUTION><|endoftext|>")
        '42'
        >>> extract_solution("<end_working_out><SOLUTION> 삼백 </SOLUTION>\n추가 설명")
        ' 삼백 '
        >>> extract_solution("<end_working_out><SOLUTION>42</SOLUTION> 끝") is None
        True
        >>> extract_solution("<end_working_out><SOLUTION></SOLUTION>") is None
        True
        >>> extract_solution("</think><answer>7</answer>", Tags(reasoning_end="</think>", solution_start="<answer>", solution_end="</answer>", eos_token=None))
        '7'
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_solution expects a string, got {type(text).__name__}; use completion_text() first")
    span = _solution_span(text, tags)
    return None if span is None else text[span[0] : span[1]]
