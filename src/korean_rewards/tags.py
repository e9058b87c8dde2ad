"""Tag sets and the format rewards (exact and approximate tag matchers).

The defaults are the Unsloth "Qwen3 (4B) GRPO" notebook's tags: ``<start_working_out>`` … ``<end_working_out>``
then ``<SOLUTION>`` … ``</SOLUTION>``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Tags", "NOTEBOOK_TAGS"]


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
