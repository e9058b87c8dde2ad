"""The Unsloth "Qwen3 (4B) GRPO" notebook's four reward functions, re-implemented plainly (the baseline).

These are written from the notebook's description (regexes with lazy quantifiers, ``str.count``, the same
scores) so that the tests can check this library's scanners against them and the benchmarks can time both on
the same inputs. They are not part of the library: they backtrack super-linearly on adversarial completions.

Like the notebook, each function takes ``completions`` as lists of messages (``completion[0]["content"]``);
plain strings are accepted too so that the same inputs can be fed to both implementations.

Example:
    >>> match_format_exactly(completions=[[{"content": "<end_working_out><SOLUTION>3</SOLUTION>"}]])
    [3.0]
    >>> check_numbers(prompts=None, completions=["<SOLUTION>1,000</SOLUTION>"], answer=["1000"])
    [3.5]
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

REASONING_START = "<start_working_out>"
REASONING_END = "<end_working_out>"
SOLUTION_START = "<SOLUTION>"
SOLUTION_END = "</SOLUTION>"
EOS_TOKEN = "<|endoftext|>"

__all__ = [
    "format_regex",
    "number_regex",
    "match_format_exactly",
    "match_format_approximately",
    "check_answer",
    "check_numbers",
]


@lru_cache(maxsize=64)
def format_regex(
    reasoning_end: str = REASONING_END,
    solution_start: str = SOLUTION_START,
    solution_end: str = SOLUTION_END,
    eos_token: str | None = EOS_TOKEN,
) -> re.Pattern[str]:
    """The notebook's ``match_format`` regex for a tag set (tags escaped; the notebook's need no escaping).

    Example:
        >>> format_regex().search("x<end_working_out>y<SOLUTION>7</SOLUTION> \\n").group(1)
        '7'
    """
    solution_end_regex = re.escape(solution_end) + r"[\s]{0,}"
    if eos_token is not None:
        solution_end_regex += "(?:" + re.escape(eos_token) + ")?"
    return re.compile(
        rf"{re.escape(reasoning_end)}.*?{re.escape(solution_start)}(.+?){solution_end_regex}[\s]{{0,}}$",
        flags=re.MULTILINE | re.DOTALL,
    )


@lru_cache(maxsize=64)
def number_regex(solution_start: str = SOLUTION_START) -> re.Pattern[str]:
    """The notebook's ``match_numbers`` regex: the first number after the solution start tag.

    Example:
        >>> number_regex().search("<SOLUTION> -1,234.5</SOLUTION>").group(1)
        '-1,234.5'
    """
    return re.compile(re.escape(solution_start) + r".*?[\s]{0,}([-]?[0-9\.\,]{1,})", flags=re.MULTILINE | re.DOTALL)


def _response(completion: Any) -> str:
    return completion if isinstance(completion, str) else completion[0]["content"]


def match_format_exactly(completions: list[Any], **kwargs: Any) -> list[float]:
    """+3.0 when the format regex matches, else 0.

    Example:
        >>> match_format_exactly(completions=["<end_working_out><SOLUTION>3</SOLUTION> x"])
        [0.0]
    """
    match_format = format_regex()
    scores = []
    for completion in completions:
        score = 0.0
        if match_format.search(_response(completion)) is not None:
            score += 3.0
        scores.append(score)
    return scores


def match_format_approximately(completions: list[Any], **kwargs: Any) -> list[float]:
    """+0.5 for each of reasoning_end, solution_start, solution_end occurring exactly once, else -1.0 each.

    Example:
        >>> match_format_approximately(completions=["<end_working_out><SOLUTION>3</SOLUTION>"])
        [1.5]
    """
    scores = []
    for completion in completions:
        response = _response(completion)
        score = 0.0
        score += 0.5 if response.count(REASONING_END) == 1 else -1.0
        score += 0.5 if response.count(SOLUTION_START) == 1 else -1.0
        score += 0.5 if response.count(SOLUTION_END) == 1 else -1.0
        scores.append(score)
    return scores


def check_answer(prompts: Any, completions: list[Any], answer: list[str], **kwargs: Any) -> list[float]:
    """The notebook's answer check on the format regex's capture.

    Example:
        >>> check_answer(None, ["<end_working_out><SOLUTION>9.5</SOLUTION>"], ["10"])
        [2.0]
    """
    match_format = format_regex()
    responses = [_response(completion) for completion in completions]
    extracted = [guess.group(1) if (guess := match_format.search(r)) is not None else None for r in responses]
    scores: list[float] = []
    for guess, true_answer in zip(extracted, answer):
        score = 0.0
        if guess is None:
            scores.append(-2.0)
            continue
        if guess == true_answer:
            score += 5.0
        elif guess.strip() == true_answer.strip():
            score += 3.5
        else:
            try:
                ratio = float(guess) / float(true_answer)
                if 0.9 <= ratio <= 1.1:
                    score += 2.0
                elif 0.8 <= ratio <= 1.2:
                    score += 1.5
                else:
                    score -= 2.5
            except Exception:  # noqa: BLE001 - the notebook's bare except
                score -= 4.5
        scores.append(score)
    return scores


def check_numbers(prompts: Any, completions: list[Any], answer: list[str], **kwargs: Any) -> list[float]:
    """The notebook's number check: the first number after the solution start tag against the gold.

    Example:
        >>> check_numbers(None, ["<SOLUTION>x</SOLUTION>", "<SOLUTION>3</SOLUTION>"], ["3", "4"])
        [-2.5, -1.5]
    """
    match_numbers = number_regex()
    responses = [_response(completion) for completion in completions]
    extracted = [guess.group(1) if (guess := match_numbers.search(r)) is not None else None for r in responses]
    scores: list[float] = []
    for guess, true_answer in zip(extracted, answer):
        if guess is None:
            scores.append(-2.5)
            continue
        try:
            gold = float(true_answer.strip())
            value = float(guess.strip().replace(",", ""))
            scores.append(3.5 if value == gold else -1.5)
        except Exception:  # noqa: BLE001 - the notebook's bare except
            scores.append(0.0)
    return scores
