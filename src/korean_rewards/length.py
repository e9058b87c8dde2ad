"""A length-aware term for the reasoning: too short (an answer with no working) or far too long (filler) loses.

Rewards that check only the answer pay an answer with no reasoning, or ten thousand characters of filler in front
of the right number, as much as an honest solution, and GRPO drifts towards whichever is easier to produce.
:class:`ReasoningLength` closes that gap: 0.0 for a reasoning of ordinary length, ``too_short`` (-1.0) when it is
shorter than ``min_chars`` characters (not counting whitespace), and a penalty that grows from 0 at ``max_chars``
to ``too_long`` (-1.0) at twice ``max_chars``. Its range is ``[min(too_short, too_long), 0]``: add it to a mix
whose other terms score the answer.

The reasoning is the part of the completion before the reasoning end tag (or the solution tag), as for
:class:`~korean_rewards.LanguageConsistencyKo`; ``part="completion"`` measures the whole text instead. It never
returns ``None``: a completion without reasoning is the model's doing, not the data's. Linear time, never raises
on model output.

Example:
    >>> from korean_rewards import reasoning_length
    >>> reasoning_length(completions=[
    ...     "사과가 12개씩 7상자이므로 12 × 7 = 84개입니다.<end_working_out><SOLUTION>84</SOLUTION>",
    ...     "<end_working_out><SOLUTION>84</SOLUTION>",
    ...     "그러므로 " * 3000 + "<end_working_out><SOLUTION>84</SOLUTION>",
    ... ])
    [0.0, -1.0, -1.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput, score_span
from .tags import NOTEBOOK_TAGS, Tags, check_part, check_tags, part_text

__all__ = ["ReasoningLength", "reasoning_length"]


def _visible_chars(text: str) -> int:
    """Characters that are not whitespace."""
    return len(text) - sum(text.count(space) for space in (" ", "\n", "\t", "\r", "\u3000", "\xa0"))


@dataclass(eq=False)
class ReasoningLength(RewardFunction):
    """0.0 for a reasoning of ordinary length; ``too_short`` below ``min_chars``, down to ``too_long`` past ``max_chars``.

    Lengths count characters other than whitespace in ``part`` of the completion (``"reasoning"`` by default:
    up to ``tags.reasoning_end``, else ``tags.solution_start``; or ``"completion"``). A reasoning shorter than
    ``min_chars`` (default 10) scores ``too_short`` (-1.0); one longer than ``max_chars`` (default 4,000) scores
    ``too_long * (length - max_chars) / max_chars``, reaching ``too_long`` (-1.0) at twice ``max_chars``.
    Choose ``max_chars`` well above the length of your honest solutions (about 3 characters per token of
    ``max_completion_length`` for Korean).

    Example:
        >>> reward = ReasoningLength(min_chars=5, max_chars=10)
        >>> reward(completions=["1+1=2<end_working_out>", "12345678901234<end_working_out>", "12<end_working_out>"])
        [0.0, -0.4, -1.0]
        >>> reward.score_range
        (-1.0, 0.0)
    """

    base_name: ClassVar[str] = "reasoning_length"
    needs_gold: ClassVar[bool] = False

    min_chars: int = 10
    max_chars: int = 4000
    too_short: float = -1.0
    too_long: float = -1.0
    part: str = "reasoning"
    tags: Tags = NOTEBOOK_TAGS
    name: str | None = None

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for field in ("min_chars", "max_chars"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{owner}: `{field}` must be an integer >= 0, got {value!r}")
        if self.max_chars <= self.min_chars:
            raise ValueError(f"{owner}: `max_chars` ({self.max_chars}) must be larger than `min_chars` ({self.min_chars})")
        self._require_numbers("too_short", "too_long")
        if self.too_short > 0 or self.too_long > 0:
            raise ValueError(f"{owner}: `too_short` and `too_long` are penalties and must be <= 0")
        if self.part not in ("reasoning", "completion"):
            raise ValueError(f"{owner}: `part` must be 'reasoning' or 'completion', got {self.part!r}")
        check_part(self.part, owner)
        check_tags(self.tags, owner)
        super().__post_init__()

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> tuple[RewardOutput, dict[str, list[Any]]]:
        scores: RewardOutput = []
        lengths: list[int] = []
        for text in texts:
            segment = part_text(text, self.part, self.tags) or ""
            length = _visible_chars(segment)
            lengths.append(length)
            if length < self.min_chars:
                scores.append(float(self.too_short))
            elif length <= self.max_chars:
                scores.append(0.0)
            else:
                excess = min(1.0, (length - self.max_chars) / self.max_chars)
                scores.append(float(self.too_long) * excess)
        return scores, {"chars": lengths}

    def _score_range(self) -> tuple[float, float]:
        return score_span(self.too_short, self.too_long, 0.0)


#: The default reasoning-length term: -1.0 under 10 characters, 0.0 up to 4,000, -1.0 from 8,000.
reasoning_length = ReasoningLength()
