"""Korean-language rewards: language consistency and morpheme-level repetition.

Models trained with GRPO on Korean prompts (Qwen-family ones especially) drift into English or Chinese inside
their reasoning and loop on repeated phrases. Two rewards push back:

- :class:`LanguageConsistencyKo` (default instance :data:`language_consistency_ko`): the share of Korean among
  the language-bearing characters of the reasoning (:func:`korean_ratio`), like DeepSeek-R1's
  language-consistency reward. Math, code, URLs, tags, digits and punctuation do not count either way.
- :class:`RepetitionPenaltyKo` (default instance :data:`repetition_penalty_ko`): open-r1's / TRL's n-gram
  repetition penalty, counted over MeCab-ko morphemes instead of whitespace words or token ids.

Example:
    >>> from korean_rewards import language_consistency_ko, repetition_penalty_ko
    >>> completions = [
    ...     "두 수를 더하면 $3 + 4 = 7$입니다.<end_working_out><SOLUTION>7</SOLUTION>",
    ...     "First add the numbers: 3 + 4 = 7.<end_working_out><SOLUTION>7</SOLUTION>",
    ... ]
    >>> language_consistency_ko(completions=completions)
    [1.0, 0.0]
    >>> [round(score, 3) for score in repetition_penalty_ko(completions=["답은 칠입니다. " * 20, "칠이 됩니다."])]
    [-0.947, 0.0]

TRL's language-independent rewards go next to these, as they are: ``trl.rewards.get_soft_overlong_punishment``
(DAPO's length penalty: 0 up to ``max_completion_len - soft_punish_cache`` tokens, then down to -1 at
``max_completion_len``) and ``trl.rewards.get_repetition_penalty_reward`` (the same n-gram penalty over token
ids: byte-level BPE splits Hangul unevenly, so for Korean text the morpheme version measures better, but the
token-id one also sees loops of punctuation, emoji or Chinese, which the morpheme tokens leave out). Both read the
``completion_ids`` that ``GRPOTrainer`` passes to every reward function:

```python
from trl import GRPOConfig, GRPOTrainer
from trl.rewards import get_repetition_penalty_reward, get_soft_overlong_punishment
from korean_rewards import check_numbers_ko, language_consistency_ko, repetition_penalty_ko

trainer = GRPOTrainer(
    model=model,
    reward_funcs=[
        check_numbers_ko,
        language_consistency_ko,  # 0..1: share of Korean in the reasoning
        repetition_penalty_ko,  # -1..0: repeated morpheme 5-grams
        get_repetition_penalty_reward(ngram_size=8, max_penalty=-0.5),  # -0.5..0: repeated token 8-grams
        get_soft_overlong_punishment(max_completion_len=1846, soft_punish_cache=256),  # -1..0: near the limit
    ],
    args=GRPOConfig(max_completion_length=1846),
    train_dataset=dataset,  # with an "answer" column
)
```

What counts as Korean: :func:`korean_ratio` counts Hangul syllables and jamo as Korean, and Latin letters, CJK
ideographs (Hanja), kana and the letters of other scripts against. Ignored (counted neither way): digits,
punctuation, whitespace, symbols and emoji, Greek letters (math), LaTeX math (``$…$``, ``$$…$$``, ``\\(…\\)``,
``\\[…\\]``) and LaTeX commands, inline code and closed fenced code blocks, URLs, format tags
(``<start_working_out>``, ``</SOLUTION>``, ``<think>``, ``<|endoftext|>``, any ``<name …>``), Hanja numerals
written as a number (``三百``, ``一千二百``, ``3千``), math-like Latin (a single letter such as the ``x`` in
``2x + 1``, and up to three letters right after a digit, such as ``3cm``, ``10kg``, ``2nd``), and on request
quoted terms and a list of allowed words. It runs in linear time with no backtracking regex: about 15 ms of one
core for a megabyte of ordinary text, and no more than a few tens of milliseconds for megabytes built to be
slow (dense unmatched ``$``, ``\\(``, ``<``, backticks).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput, score_span
from ._util import warn
from .korean_text import korean_share, normalize_allowed
from .tags import NOTEBOOK_TAGS, Tags, check_tags

__all__ = [
    "korean_ratio",
    "LanguageConsistencyKo",
    "language_consistency_ko",
    "RepetitionPenaltyKo",
    "repetition_penalty_ko",
]

PARTS = ("reasoning", "answer", "completion")
MODES = ("linear", "threshold")

def korean_ratio(text: str, *, allowed: Iterable[str] | str = (), allow_quoted: bool = False) -> float | None:
    """Share of Korean among the language-bearing characters of ``text``, in ``[0, 1]``; ``None`` when it has none.

    Hangul syllables and jamo count as Korean; Latin letters, CJK ideographs (Hanja), kana and other scripts'
    letters count against. Ignored: digits, punctuation, whitespace, symbols, emoji, Greek letters, LaTeX math
    and commands, inline and fenced code, URLs, format tags, Hanja numerals written as a number (``三百``),
    math-like Latin (a lone letter such as ``x``, and up to three letters right after a digit such as ``3cm``).
    ``allowed`` words (whole words, any letter case, e.g. ``["GRPO", "Python"]``) are ignored too, and with
    ``allow_quoted=True`` so are quoted terms without Hangul (``"GRPO"``, ``'softmax'``, ``“loss”``; up to 64
    characters). Text that is empty or holds only ignored material gives ``None`` ("not applicable").

    Linear time, whatever the text holds (about 15 ms of one core for a megabyte of ordinary text).

    Example:
        >>> korean_ratio("따라서 답은 42입니다.")
        1.0
        >>> korean_ratio("So the answer is 42.")
        0.0
        >>> korean_ratio("함수 f(x) = 2x + 1에서 $x=3$이면 $f(3)=7$이다.")
        1.0
        >>> korean_ratio("一千二百 더하기 三百은 一千五百이다.")
        1.0
        >>> round(korean_ratio("먼저 计算 합니다"), 3)  # 5 Hangul, 2 Hanzi
        0.714
        >>> korean_ratio("GRPO로 학습합니다"), korean_ratio("GRPO로 학습합니다", allowed=["grpo"])
        (0.6, 1.0)
        >>> korean_ratio("<SOLUTION>42</SOLUTION>") is None
        True
    """
    if not isinstance(text, str):
        raise TypeError(f"korean_ratio expects a string, got {type(text).__name__}; use completion_text() first")
    words = normalize_allowed(allowed, "korean_ratio")
    return korean_share(text, words, bool(allow_quoted))


# -- parts of a completion ----------------------------------------------------------------------------------


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


# -- language consistency -----------------------------------------------------------------------------------


@dataclass(eq=False)
class LanguageConsistencyKo(RewardFunction):
    """DeepSeek-R1-style language consistency for Korean: the share of Korean in a part of the completion.

    Scores one part of each completion (``part``: ``"reasoning"`` by default, ``"answer"`` or
    ``"completion"``; see below) with :func:`korean_ratio`:

    - ``mode="linear"`` (default): the ratio itself, in ``[0, 1]``;
    - ``mode="threshold"``: 1.0 when the ratio is at least ``threshold`` (default 0.9), else 0.0.

    The reasoning is the text after ``tags.reasoning_start`` (or from the start, since the notebook's template
    prefills that tag) up to ``tags.reasoning_end`` (else up to ``tags.solution_start``, else the end); the
    answer is the text inside the solution tags. ``allowed`` words (e.g. ``["GRPO", "Python"]``) and, with
    ``allow_quoted=True``, quoted terms without Hangul do not count against.

    A completion whose part is missing or holds no language-bearing character (only numbers, math, code, or
    nothing at all) scores 0.0, the lowest score: the model wrote it that way, so leaving the reward out would
    pay it for skipping the reasoning (a ``None`` would let :func:`~korean_rewards.combine` or TRL drop the
    component). Its ratio is logged as ``None``: the ratio of every completion is logged as the column
    ``<name>/korean_ratio`` through TRL's ``log_extra``.

    Example:
        >>> reward = LanguageConsistencyKo()
        >>> reward(completions=[
        ...     "먼저 두 수를 더합니다.<end_working_out><SOLUTION>7</SOLUTION>",
        ...     [{"role": "assistant", "content": "먼저 add the numbers.<end_working_out><SOLUTION>7</SOLUTION>"}],
        ...     "<end_working_out><SOLUTION>7</SOLUTION>",
        ... ])
        [1.0, 0.133..., 0.0]
        >>> strict = LanguageConsistencyKo(mode="threshold", threshold=0.95, allowed=["GRPO"])
        >>> strict.score("GRPO로 학습합니다.<end_working_out><SOLUTION>1</SOLUTION>")
        1.0
        >>> LanguageConsistencyKo(part="answer").score("<end_working_out><SOLUTION>Seven</SOLUTION>")
        0.0
    """

    base_name: ClassVar[str] = "language_consistency_ko"
    needs_gold: ClassVar[bool] = False

    part: str = "reasoning"
    tags: Tags = NOTEBOOK_TAGS
    mode: str = "linear"
    threshold: float = 0.9
    allowed: tuple[str, ...] = ()
    allow_quoted: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_part(self.part, owner)
        check_tags(self.tags, owner)
        if self.mode not in MODES:
            raise ValueError(f"{owner}: `mode` must be one of {list(MODES)}, got {self.mode!r}")
        threshold = self.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
            raise ValueError(f"{owner}: `threshold` must be a number in [0, 1], got {threshold!r}")
        if not isinstance(self.allow_quoted, bool):
            raise TypeError(f"{owner}: `allow_quoted` must be True or False, got {self.allow_quoted!r}")
        self.allowed = normalize_allowed(self.allowed, owner)
        super().__post_init__()

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> tuple[RewardOutput, dict[str, list[Any]]]:
        ratios: list[float | None] = []
        for text in texts:
            segment = part_text(text, self.part, self.tags)
            ratios.append(None if segment is None else korean_share(segment, self.allowed, self.allow_quoted))
        if self.mode == "linear":
            scores: RewardOutput = [0.0 if ratio is None else ratio for ratio in ratios]
        else:
            scores = [0.0 if ratio is None else float(ratio >= self.threshold) for ratio in ratios]
        return scores, {"korean_ratio": ratios}

    def _score_range(self) -> tuple[float, float]:
        return 0.0, 1.0


#: The default language-consistency reward: the share of Korean in the reasoning.
language_consistency_ko = LanguageConsistencyKo()


# -- repetition ---------------------------------------------------------------------------------------------

_tokenizer_lock = threading.Lock()
_tokenizer: tuple[Callable[[list[str]], list[list[str]]], int] | None = None

# The ROUGE tokenizer keeps the first 1,000 words of a text (rouge.MAX_WORDS); the penalty hands it at most
# that many, the last ones.
_FALLBACK_MAX_WORDS = 1000

# MeCab's unknown-word search is quadratic in the length of a run without spaces (20,000 random syllables take
# over half a second), so runs are cut every 64 characters first; ordinary text is left unchanged.
_LONG_RUN = re.compile(r"\S{64}(?=\S)")


def _whitespace_tokens(texts: list[str]) -> list[list[str]]:
    return [text.split() for text in texts]


def _morpheme_tokenizer() -> tuple[Callable[[list[str]], list[list[str]]], int]:
    """(tokenize a batch, word limit): the ROUGE tokenizer's morphemes with MeCab-ko (a batch spread over a few
    threads, see :class:`korean_rewards.Rouge1Reward`), else whitespace words.

    The fallback is chosen once per process, with one warning, when mecab-ko (the ``[rouge]`` extra) is missing.
    """
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            try:
                import mecab_ko  # noqa: F401 - only checks that the optional dependency is there

                from .rouge import MAX_WORDS, morphemes_many

                _tokenizer = (morphemes_many, MAX_WORDS)
            except ImportError as error:
                warn(
                    f"repetition_penalty_ko: MeCab-ko is not available ({error}); counting n-grams of whitespace "
                    "words instead of morphemes. Install it with: pip install -e '.[rouge]' in the korean-rewards clone",
                    RuntimeWarning,
                )
                _tokenizer = (_whitespace_tokens, _FALLBACK_MAX_WORDS)
        return _tokenizer


def _window(segment: str, max_chars: int | None, max_words: int) -> str:
    """The scored tail of a text: its last ``max_chars`` characters, then at most its last ``max_words`` words."""
    if max_chars is not None and len(segment) > max_chars:
        segment = segment[-max_chars:]
    words = _LONG_RUN.sub(r"\g<0> ", segment).split()
    return " ".join(words[-max_words:])


def _repetition(tokens: list[str], ngram_size: int, max_penalty: float) -> float:
    """``(1 - unique n-grams / all n-grams) * max_penalty``; 0.0 with fewer than ``ngram_size`` tokens."""
    if len(tokens) < ngram_size:
        return 0.0
    ngrams = list(zip(*(tokens[i:] for i in range(ngram_size))))
    repeated = 1.0 - len(set(ngrams)) / len(ngrams)
    return repeated * max_penalty if repeated else 0.0


@dataclass(eq=False)
class RepetitionPenaltyKo(RewardFunction):
    """open-r1's / TRL's n-gram repetition penalty over MeCab-ko morphemes, in ``[max_penalty, 0]``.

    The score is ``(1 - unique n-grams / all n-grams) * max_penalty`` over the morphemes of one part of the
    completion (``part``: ``"completion"`` by default, ``"reasoning"`` or ``"answer"``, as in
    :class:`LanguageConsistencyKo`; a missing part scores 0.0): 0.0 when no n-gram repeats or there are fewer
    than ``ngram_size`` morphemes, near ``max_penalty`` for a loop.

    The tokens are those of the Korean ROUGE scorer (:func:`korean_rewards.rouge.morphemes`): lower-cased
    Hangul, Latin and digit morphemes, punctuation and other scripts dropped. A loop of punctuation, emoji or
    Chinese therefore goes unseen here; :class:`LanguageConsistencyKo` flags the Chinese, and TRL's token-id
    ``get_repetition_penalty_reward`` (module docstring) catches any loop.

    ``ngram_size`` defaults to 5: morphemes split off particles and endings, so shorter n-grams repeat in
    ordinary Korean (on 100 Korean explanations of about 900 characters, morpheme 3-grams give a mean penalty of
    0.15, 4-grams 0.09, 5-grams 0.05, and 5-grams separate a sentence said twice best), and 5 morphemes are
    about 2.5 Korean words, close to open-r1's 3 English words.

    Only the tail of a long text is scored: its last ``max_chars`` characters (default 8,192; ``None`` for no
    limit), and of those at most the last 1,000 words (the ROUGE tokenizer's limit). A degenerate loop runs to
    the length limit, so it sits there, and a call stays fast on any input. A batch is tokenized in one pass,
    MeCab spread over a few threads as for :class:`~korean_rewards.Rouge1Reward`. Without mecab-ko the n-grams
    are over whitespace words, with a one-time warning.

    Example:
        >>> reward = RepetitionPenaltyKo()
        >>> reward(completions=["답은 칠입니다. " * 20, "두 수를 더하면 칠이 됩니다.", ""])  # 4 distinct 5-grams of 76
        [-0.947..., 0.0, 0.0]
        >>> RepetitionPenaltyKo(ngram_size=2, max_penalty=-0.5).score("네 네 네 네 네")
        -0.375
    """

    base_name: ClassVar[str] = "repetition_penalty_ko"
    needs_gold: ClassVar[bool] = False

    ngram_size: int = 5
    max_penalty: float = -1.0
    part: str = "completion"
    tags: Tags = NOTEBOOK_TAGS
    max_chars: int | None = 8192
    name: str | None = None

    def __post_init__(self) -> None:
        owner = type(self).__name__
        size = self.ngram_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"{owner}: `ngram_size` must be a positive integer, got {size!r}")
        penalty = self.max_penalty
        if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not math.isfinite(penalty):
            raise ValueError(f"{owner}: `max_penalty` must be a finite number <= 0, got {penalty!r}")
        if penalty > 0:
            raise ValueError(
                f"{owner}: `max_penalty` must be <= 0 (it is the most negative score), got {penalty!r}; "
                f"use max_penalty={-penalty!r}"
            )
        limit = self.max_chars
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"{owner}: `max_chars` must be a positive integer or None, got {limit!r}")
        check_part(self.part, owner)
        check_tags(self.tags, owner)
        super().__post_init__()

    def _score_batch(self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]) -> RewardOutput:
        tokenize, max_words = _morpheme_tokenizer()
        windows = []
        for text in texts:
            segment = part_text(text, self.part, self.tags)
            windows.append(_window(segment, self.max_chars, max_words) if segment else "")
        return [_repetition(tokens, self.ngram_size, float(self.max_penalty)) for tokens in tokenize(windows)]

    def _score_range(self) -> tuple[float, float]:
        return score_span(self.max_penalty, 0.0)


#: The default repetition penalty: morpheme 5-grams over the whole completion, down to -1.0.
repetition_penalty_ko = RepetitionPenaltyKo()
