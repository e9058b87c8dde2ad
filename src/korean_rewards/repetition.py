"""``repetition_penalty_ko``: open-r1's / TRL's n-gram repetition penalty, counted over MeCab-ko morphemes.

Models trained with GRPO on Korean prompts loop on repeated phrases; :class:`RepetitionPenaltyKo` (default
instance :data:`repetition_penalty_ko`) scores the share of repeated morpheme n-grams. It goes next to
:mod:`korean_rewards.language` (whose module docstring shows both with TRL's own length and token-id repetition
rewards) and stays importable from there.

Example:
    >>> [round(score, 3) for score in repetition_penalty_ko(completions=["답은 칠입니다. " * 20, "칠이 됩니다."])]
    [-0.947, 0.0]
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput, score_span
from ._util import warn
from .tags import NOTEBOOK_TAGS, Tags, check_part, check_tags, part_text

__all__ = ["RepetitionPenaltyKo", "repetition_penalty_ko"]

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
    :class:`~korean_rewards.language.LanguageConsistencyKo`; a missing part scores 0.0): 0.0 when no n-gram
    repeats or there are fewer than ``ngram_size`` morphemes, near ``max_penalty`` for a loop.

    The tokens are those of the Korean ROUGE scorer (:func:`korean_rewards.rouge.morphemes`): lower-cased
    Hangul, Latin and digit morphemes, punctuation and other scripts dropped. A loop of punctuation, emoji or
    Chinese therefore goes unseen here; :class:`~korean_rewards.language.LanguageConsistencyKo` flags the
    Chinese, and TRL's token-id ``get_repetition_penalty_reward`` (see :mod:`korean_rewards.language`) catches
    any loop.

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
