"""Tag sets and the format rewards (exact and approximate tag matchers).

The defaults are the Unsloth "Qwen3 (4B) GRPO" notebook's tags: ``<start_working_out>`` … ``<end_working_out>``
then ``<SOLUTION>`` … ``</SOLUTION>``. The rewards give the notebook's scores, but scan in linear time where
the notebook's regexes backtrack super-linearly on adversarial completions.

Example:
    >>> from korean_rewards import match_format_exactly, match_format_approximately
    >>> good = "먼저 더합니다.<end_working_out><SOLUTION>42</SOLUTION>"
    >>> match_format_exactly(completions=[good, "정답은 42"])
    [3.0, 0.0]
    >>> match_format_approximately(completions=[good, "정답은 42"])
    [1.5, -3.0]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput, score_span

__all__ = [
    "Tags",
    "NOTEBOOK_TAGS",
    "extract_solution",
    "MatchFormatExactly",
    "MatchFormatApproximately",
    "match_format_exactly",
    "match_format_approximately",
]


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
        if self.eos_token is not None and not isinstance(self.eos_token, str):
            raise TypeError(f"Tags.eos_token must be a string or None, got {self.eos_token!r}")


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
# linear time: the tail pattern has no nested or lazy quantifier and takes whitespace runs atomically, so each
# closing tag costs at most one scan of the whitespace after it.

# Horizontal whitespace (``\s`` without ``\n``), taken atomically: ``(?=(x*))\1`` is the portable spelling of
# ``x*+`` (Python 3.10 has no possessive quantifiers), so a long run is scanned once, not backtracked through.
_HSPACE = r"(?=([^\S\n]*))\{group}"


@lru_cache(maxsize=64)
def _tail_regex(eos_token: str | None) -> str:
    """A lookahead: what the notebook's regex accepts after the closing tag."""
    end_of_line = r"(?:\n|\Z)"
    if not eos_token:
        return "(?=" + _HSPACE.format(group=1) + end_of_line + ")"
    if re.match(r"\s", eos_token):
        # An EOS that starts with whitespace may begin anywhere inside the run: let the run backtrack.
        return rf"(?=[^\S\n]*(?:\n|\Z|{re.escape(eos_token)}[^\S\n]*{end_of_line}))"
    return (
        "(?="
        + _HSPACE.format(group=1)
        + rf"(?:\n|\Z|{re.escape(eos_token)}"
        + _HSPACE.format(group=2)
        + f"{end_of_line}))"
    )


@lru_cache(maxsize=64)
def _tail_pattern(eos_token: str | None) -> re.Pattern[str]:
    """``.match(text, pos)`` succeeds when the notebook's regex accepts ``text[pos:]`` after the closing tag."""
    return re.compile(_tail_regex(eos_token))


@lru_cache(maxsize=64)
def _closing_pattern(solution_end: str, eos_token: str | None) -> re.Pattern[str]:
    """The closing tag, when followed by what the notebook's regex accepts after it (compiled once per tag set)."""
    return re.compile(re.escape(solution_end) + _tail_regex(eos_token))


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


# -- the rewards ---------------------------------------------------------------------------------------------


def check_tags(tags: Any, reward: str, *, optional: bool = False) -> None:
    """Raise a TypeError naming ``reward`` when ``tags`` is not a :class:`Tags` (or None, when optional).

    Example:
        >>> check_tags(NOTEBOOK_TAGS, "my_reward"), check_tags(None, "my_reward", optional=True)
        (None, None)
        >>> check_tags("<SOLUTION>", "my_reward")
        Traceback (most recent call last):
        ...
        TypeError: my_reward: `tags` must be a korean_rewards.Tags, got str; e.g. Tags(reasoning_end='</think>', solution_start='<answer>', solution_end='</answer>')
    """
    if tags is None and optional:
        return
    if not isinstance(tags, Tags):
        allowed = "a korean_rewards.Tags or None" if optional else "a korean_rewards.Tags"
        raise TypeError(
            f"{reward}: `tags` must be {allowed}, got {type(tags).__name__}; "
            "e.g. Tags(reasoning_end='</think>', solution_start='<answer>', solution_end='</answer>')"
        )


# -- parts of a completion ----------------------------------------------------------------------------------

#: The parts of a completion a reward can score (:func:`part_text`).
PARTS = ("reasoning", "answer", "completion")


def part_text(text: str, part: str, tags: Tags) -> str | None:
    """The reasoning, the answer, or the whole completion; ``None`` when the completion has no such part.

    - ``"reasoning"``: after ``tags.reasoning_start`` (or from the start: the notebook's template prefills that
      tag, so completions begin with the reasoning), up to ``tags.reasoning_end``, else up to
      ``tags.solution_start``, else to the end (a truncated reasoning);
    - ``"answer"``: after ``tags.solution_start`` up to ``tags.solution_end`` (or the end); ``None`` without it;
    - ``"completion"``: the whole text.

    Example:
        >>> text = "12 × 7 = 84<end_working_out><SOLUTION>84</SOLUTION>"
        >>> part_text(text, "reasoning", NOTEBOOK_TAGS), part_text(text, "answer", NOTEBOOK_TAGS)
        ('12 × 7 = 84', '84')
    """
    if part == "completion":
        return text
    if part == "reasoning":
        opened = text.find(tags.reasoning_start)
        begin = opened + len(tags.reasoning_start) if opened >= 0 else 0
        end = text.find(tags.reasoning_end, begin)
        if end < 0:
            end = text.find(tags.solution_start, begin)
        return text[begin:end] if end >= 0 else text[begin:]
    opened = text.find(tags.solution_start)
    if opened < 0:
        return None
    begin = opened + len(tags.solution_start)
    end = text.find(tags.solution_end, begin)
    return text[begin:end] if end >= 0 else text[begin:]


def check_part(part: Any, owner: str) -> None:
    """Raise a ValueError naming ``owner`` when ``part`` is not one of :data:`PARTS`.

    Example:
        >>> check_part("reasoning", "my_reward")
        >>> check_part("answr", "my_reward")
        Traceback (most recent call last):
        ...
        ValueError: my_reward: `part` must be one of ['reasoning', 'answer', 'completion'], got 'answr'
    """
    if part not in PARTS:
        raise ValueError(f"{owner}: `part` must be one of {list(PARTS)}, got {part!r}")


class _FormatReward(RewardFunction):
    """Shared parts of the format rewards: no gold, nothing to log, options prepared once.

    TRL calls a reward once per generation batch (often 4 to 16 completions), and a format check costs well
    under a microsecond per completion, so the per-call work is kept small: the options are turned into what
    the scan needs once (``_prepared``, rebuilt after any option changes, never pickled).
    """

    _prepared: ClassVar[tuple[Any, ...] | None] = None

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name != "_prepared":
            object.__setattr__(self, "_prepared", None)

    def __getstate__(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "_prepared"}

    def _prepare(self) -> tuple[Any, ...]:
        raise NotImplementedError


@dataclass(eq=False)
class MatchFormatExactly(_FormatReward):
    """``match`` (3.0) when a completion has the notebook's exact format, else ``miss`` (0.0).

    The format is the one :func:`extract_solution` accepts: ``reasoning_end``, anything, ``solution_start``, a
    non-empty answer, ``solution_end``, then only whitespace and an optional ``tags.eos_token`` up to the end of
    a line. Scores equal the notebook's ``match_format_exactly`` on every input, in linear time.

    Options: ``tags`` (any :class:`Tags`; ``Tags(eos_token=None)`` allows no EOS text), ``match``, ``miss`` and
    ``name``.

    Example:
        >>> reward = MatchFormatExactly()
        >>> reward(completions=[
        ...     "계산.<end_working_out><SOLUTION>7</SOLUTION><|endoftext|>",
        ...     [{"role": "assistant", "content": "<end_working_out><SOLUTION>7</SOLUTION>"}],
        ...     "<SOLUTION>7</SOLUTION>",
        ... ])
        [3.0, 3.0, 0.0]
        >>> strict = MatchFormatExactly(match=2.0, miss=-1.0)
        >>> strict.__name__, strict.score("답: 7")
        ('match_format_exactly(match=2, miss=-1)', -1.0)
    """

    base_name: ClassVar[str] = "match_format_exactly"
    needs_gold: ClassVar[bool] = False

    tags: Tags = NOTEBOOK_TAGS
    match: float = 3.0
    miss: float = 0.0
    name: str | None = None

    def __post_init__(self) -> None:
        check_tags(self.tags, type(self).__name__)
        self._require_numbers("match", "miss")
        super().__post_init__()

    def _score_batch(self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]) -> RewardOutput:
        # Only whether the format matches counts here, not the capture, so the scan runs backwards from the
        # last closing tag: in a typical completion the tags sit at the end, and three short ``rfind`` calls
        # replace a scan of the whole reasoning. The format matches iff some closing tag followed by the tail
        # has a ``solution_start`` ending at least one character before it with a ``reasoning_end`` before that;
        # the last such closing tag and the last ``solution_start`` before it are the best candidates. After a
        # few closing tags without the tail (adversarial text) it falls back to the forward scan.
        prepared = self._prepared or self._prepare()
        tags, match, miss, reasoning_end, solution_start, solution_end, tail, eos = prepared
        end_length, answer_room, eos_length = len(solution_end), len(solution_start) + 1, len(eos)
        scores: RewardOutput = []
        for text in texts:
            found = False
            closing = text.rfind(solution_end)
            tries = 0
            while closing >= 0:
                after = closing + end_length
                # the common endings (nothing, the EOS, a little whitespace) without a regex call
                rest = len(text) - after
                if (
                    rest == 0
                    or (rest == eos_length and text.endswith(eos))
                    or (rest <= 4 and text[after:].isspace())
                    or tail(text, after) is not None
                ):
                    if closing >= answer_room:
                        start = text.rfind(solution_start, 0, closing - 1)
                        found = start >= 0 and text.rfind(reasoning_end, 0, start) >= 0
                    break
                tries += 1
                if tries == _BACKWARD_TRIES:
                    found = _solution_span(text, tags) is not None
                    break
                closing = text.rfind(solution_end, 0, closing + end_length - 1)
            scores.append(match if found else miss)
        return scores

    def _score_range(self) -> tuple[float, float]:
        return score_span(self.match, self.miss)

    def _prepare(self) -> tuple[Any, ...]:
        tags = self.tags
        prepared = (
            tags,
            float(self.match),
            float(self.miss),
            tags.reasoning_end,
            tags.solution_start,
            tags.solution_end,
            _tail_pattern(tags.eos_token).match,
            tags.eos_token or "",
        )
        self._prepared = prepared
        return prepared


# Closing tags without the tail tried from the end before the exact matcher scans forwards instead.
_BACKWARD_TRIES = 4


#: What :class:`MatchFormatApproximately` does with ``reasoning_start``.
START_TAG_MODES = ("ignore", "count", "prefilled")


@dataclass(eq=False)
class MatchFormatApproximately(_FormatReward):
    """Partial credit per tag: ``once`` (+0.5) for each tag that occurs exactly once, else ``not_once`` (-1.0).

    By default the tags counted are ``reasoning_end``, ``solution_start`` and ``solution_end`` (range -3.0 to
    +1.5), as in the notebook, whose chat template puts ``reasoning_start`` in the prompt. ``start_tag`` says what
    to do with ``reasoning_start``:

    - ``"ignore"`` (default): not counted;
    - ``"count"``: counted like the others, for templates where the model writes it (range -4.0 to +2.0);
    - ``"prefilled"``: counted, but the template already wrote it: ``once`` when the completion has no
      ``reasoning_start`` or only one copy of it at its very beginning (some pipelines return the prefilled
      tag with the completion), ``not_once`` when it opens its reasoning again anywhere else.

    Occurrences are counted like ``str.count`` (non-overlapping). Linear time.

    Example:
        >>> good = "<end_working_out><SOLUTION>3</SOLUTION>"
        >>> match_format_approximately(completions=[good, good + "</SOLUTION>", "답은 3"])
        [1.5, 0.0, -3.0]
        >>> counted = MatchFormatApproximately(start_tag="count")
        >>> counted.score("<start_working_out>" + good), counted.score(good)
        (2.0, 0.5)
        >>> prefilled = MatchFormatApproximately(start_tag="prefilled")
        >>> prefilled.score("<start_working_out>" + good), prefilled.score(good), prefilled.score(good + "<start_working_out>")
        (2.0, 2.0, 0.5)
    """

    base_name: ClassVar[str] = "match_format_approximately"
    needs_gold: ClassVar[bool] = False

    tags: Tags = NOTEBOOK_TAGS
    once: float = 0.5
    not_once: float = -1.0
    start_tag: str = "ignore"
    name: str | None = None

    def __post_init__(self) -> None:
        check_tags(self.tags, type(self).__name__)
        self._require_numbers("once", "not_once")
        if self.start_tag not in START_TAG_MODES:
            raise ValueError(
                f"{type(self).__name__}: start_tag must be one of {START_TAG_MODES}, got {self.start_tag!r}"
            )
        super().__post_init__()

    def _score_batch(self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]) -> RewardOutput:
        # One scan finds the first of the three tags; nothing before it can count, so the three counts scan only
        # the rest (in a typical completion, the last few dozen characters).
        prepared = self._prepared or self._prepare()
        once, not_once, reasoning_end, solution_start, solution_end, lead, first_tag, start, mode = prepared
        scores: RewardOutput = []
        for text in texts:
            score = 0.0
            if mode == "count":
                score += once if text.count(start) == 1 else not_once
            elif mode == "prefilled":
                stripped = text.lstrip()
                rest = stripped[len(start) :] if stripped.startswith(start) else stripped
                score += not_once if start in rest else once
            if lead is not None:
                at = text.find(lead)
            else:
                first = first_tag(text)
                at = -1 if first is None else first.start()
            if at < 0:  # none of the three tags
                score += not_once
                score += not_once
                score += not_once
            else:
                score += once if text.count(reasoning_end, at) == 1 else not_once
                score += once if text.count(solution_start, at) == 1 else not_once
                score += once if text.count(solution_end, at) == 1 else not_once
            scores.append(score)
        return scores

    def _score_range(self) -> tuple[float, float]:
        counted = 3 if self.start_tag == "ignore" else 4
        return score_span(counted * self.once, counted * self.not_once)

    def _prepare(self) -> tuple[Any, ...]:
        tags = self.tags
        reasoning_end, solution_start, solution_end = tags.reasoning_end, tags.solution_start, tags.solution_end
        # When the tags share a first character (the notebook's all start with "<"), no tag starts before its
        # first occurrence: one ``find`` then bounds the counts, and the regex is not needed.
        lead = reasoning_end[0] if reasoning_end[0] == solution_start[0] == solution_end[0] else None
        prepared = (
            float(self.once),
            float(self.not_once),
            reasoning_end,
            solution_start,
            solution_end,
            lead,
            _any_of(reasoning_end, solution_start, solution_end).search,
            tags.reasoning_start,
            self.start_tag,
        )
        self._prepared = prepared
        return prepared


@lru_cache(maxsize=64)
def _any_of(*tags: str) -> re.Pattern[str]:
    """A regex that finds the first occurrence of any of ``tags`` (plain alternation: linear, no backtracking)."""
    return re.compile("|".join(re.escape(tag) for tag in tags))


#: The notebook's exact-format reward (+3.0 / 0.0) with the notebook's tags.
match_format_exactly = MatchFormatExactly()

#: The notebook's approximate-format reward (+0.5 / -1.0 per tag) with the notebook's tags.
match_format_approximately = MatchFormatApproximately()
