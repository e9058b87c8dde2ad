"""BERTScore rewards: the Malpyeong reason compared with the gold reason by BERTScore, as a TRL reward.

The scorer itself (model loading, batching, the reference cache, bert-score's algorithm) lives in
:mod:`korean_rewards.scorers`; its public names are re-exported here, so ``korean_rewards.bertscore.BERTScorer``,
:func:`get_scorer`, :func:`score`, :data:`MODEL_LAYERS` and :func:`default_num_layers` keep working.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bert
    >>> path = save_tiny_bert(tempfile.mkdtemp())   # a tiny random BERT; use a real model for real scores
    >>> P, R, F = score(["정답은 여덟 개입니다."], ["정답은 여덟 개입니다."], model_type=path, num_layers=2)
    >>> round(F.item(), 4)
    1.0
"""

from __future__ import annotations

import asyncio
import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._trl import RewardFunction, completion_text
from .scorers.bert import DEFAULT_MODEL, MODEL_LAYERS, CacheInfo, default_num_layers
from .scorers.bertscore import BERTScorer, get_scorer, score
from .scorers.models import resolve_dtype_name

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_LAYERS",
    "default_num_layers",
    "BERTScorer",
    "CacheInfo",
    "get_scorer",
    "score",
    "BERTScoreReward",
    "AsyncBERTScoreReward",
    "bertscore_reward",
]


@dataclass(eq=False)
class BERTScoreReward(RewardFunction):
    """BERTScore of the Malpyeong reason as a TRL reward: the F1 (by default) between reasons, at most 1.

    Each completion and its gold answer are split with :func:`korean_rewards.malpyeong.split_answer_reason`
    (``"X"가 옳다. <reason>``), and the reasons are compared with the official settings
    (``bert-base-multilingual-cased``, layer 9, no idf, no rescaling). A completion or gold with an empty reason
    (no ``가/이 옳다`` pattern, or nothing after it) gets 0.0: the official scorer leaves such items out, but a
    reward must score every completion, and an answer without a reason should not be rewarded.

    The model loads on the first call, once per process and configuration, on the trainer's device (accelerate's
    ``PartialState().device``) unless ``device`` is given, and the scorer keeps reference embeddings across steps.
    Pickling the reward never pickles the model. Other scorer options (``max_length``, ``dtype``,
    ``cache_size_mb``, ``idf_sents``, ``cache_candidates``) are fields too. ``metric`` picks ``"f1"``,
    ``"precision"`` or ``"recall"``. :meth:`as_async` gives the same reward as an ``async`` callable, which TRL
    awaits together with its other async rewards.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bert
        >>> reward = BERTScoreReward(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2)
        >>> gold = '"나는 학교에 갔다"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.'
        >>> completions = [gold, '"나는 학교에 갔다"가 옳다.', "모르겠다"]
        >>> [round(x, 4) for x in reward(completions=completions, answer=[gold] * 3)]
        [1.0, 0.0, 0.0]
        >>> bertscore_reward.__name__, bertscore_reward.num_layers   # the default: layer 9 of mBERT
        ('bertscore_reward', None)
    """

    base_name: ClassVar[str] = "bertscore_reward"
    needs_gold: ClassVar[bool] = True

    model_type: str = DEFAULT_MODEL
    num_layers: int | None = None
    answer_key: str = "answer"
    device: str | None = None
    batch_size: int = 64
    idf: bool = False
    idf_sents: Sequence[str] | None = None
    max_length: int | None = None
    dtype: str | None = None
    cache_size_mb: float = 256.0
    cache_candidates: bool = False
    metric: str = "f1"
    name: str | None = None

    def __post_init__(self) -> None:
        if self.metric not in _METRICS:
            raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {self.metric!r}")
        if not isinstance(self.answer_key, str) or not self.answer_key:
            raise TypeError(f"answer_key must be the name of a dataset column, got {self.answer_key!r}")
        if self.num_layers is None and default_num_layers(self.model_type) is None:
            raise ValueError(
                f"bert-score has no default layer for model_type={self.model_type!r}: pass num_layers=<layer> "
                f"(bert-base-multilingual-cased uses 9)"
            )
        if self.idf_sents is not None:
            if isinstance(self.idf_sents, str):
                raise TypeError("idf_sents must be a list of strings")
            self.idf_sents = tuple(self.idf_sents)
        resolve_dtype_name(self.dtype)
        super().__post_init__()
        self._scorer: BERTScorer | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scorer"] = None  # the model stays in this process; the copy finds or loads its own
        return state

    @property
    def scorer(self) -> BERTScorer:
        """The shared :class:`BERTScorer` this reward uses (not loaded until the first call).

        Example:
            >>> bertscore_reward.scorer.model_type
            'bert-base-multilingual-cased'
        """
        if self._scorer is None:
            self._scorer = get_scorer(
                model_type=self.model_type,
                num_layers=self.num_layers,
                device=self.device,
                batch_size=self.batch_size,
                idf=self.idf,
                idf_sents=self.idf_sents,
                max_length=self.max_length,
                dtype=self.dtype,
                cache_size_mb=self.cache_size_mb,
                cache_candidates=self.cache_candidates,
            )
        return self._scorer

    def load(self) -> BERTScoreReward:
        """Load the model now and return ``self``: call it before building the trainer, so a wrong or unreachable
        model fails at once instead of at the first training step.

        Raises ``OSError`` saying whether ``model_type`` was read as a local folder or a hub id, and how to fix it.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bert
            >>> reward = BERTScoreReward(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2).load()
            >>> reward.scorer.loaded
            True
            >>> BERTScoreReward(model_type="./no-such-mbert", num_layers=9).load()
            Traceback (most recent call last):
            ...
            korean_rewards.errors.ModelLoadError: could not load './no-such-mbert', read as a local folder: no such folder ...
        """
        self.scorer.load()
        return self

    def _score_batch(self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]) -> list[float | None]:
        from .malpyeong import split_answer_reason

        assert golds is not None
        reasons = [split_answer_reason(text)[1] for text in texts]
        gold_reasons = [split_answer_reason(gold if isinstance(gold, str) else completion_text(gold))[1] for gold in golds]
        scores: list[float | None] = [0.0] * len(texts)
        todo = [i for i, (r, g) in enumerate(zip(reasons, gold_reasons)) if r.strip() and g.strip()]
        if todo:
            values = self.scorer.score([reasons[i] for i in todo], [gold_reasons[i] for i in todo])
            chosen = values[_METRICS[self.metric]].tolist()
            for i, value in zip(todo, chosen):
                scores[i] = value
        return scores

    def _score_range(self) -> tuple[float, float]:
        # P and R are means of cosines; with trained models they (and F) lie in [0, 1]
        return -1.0, 1.0

    def as_async(self) -> BERTScoreReward:
        """The same reward (same options, same shared scorer) as an ``async`` callable for TRL.

        TRL releases before async reward support (0.22-0.24 among the supported ones) would get a coroutine
        instead of scores; there this returns the synchronous reward itself, with a one-time warning.

        Example:
            >>> from trl.trainer.utils import is_async_callable   # TRL releases that await async rewards
            >>> is_async_callable(bertscore_reward.as_async())
            True
        """
        if not trl_awaits_async_rewards():
            warnings.warn(
                "the installed TRL does not await async reward functions (TRL 1.0 added them): as_async() gives "
                "the synchronous BERTScore reward instead, which scores the same",
                UserWarning,
                stacklevel=2,
            )
            return self
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        return AsyncBERTScoreReward(**values)


_METRICS = {"precision": 0, "recall": 1, "f1": 2}


def trl_awaits_async_rewards() -> bool:
    """Whether the installed TRL awaits ``async`` reward functions (it has ``trl.trainer.utils.is_async_callable``).

    Example:
        >>> isinstance(trl_awaits_async_rewards(), bool)
        True
    """
    try:
        from trl.trainer.utils import is_async_callable  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(eq=False)
class AsyncBERTScoreReward(BERTScoreReward):
    """:class:`BERTScoreReward` as an ``async`` reward: TRL awaits it with its other async rewards.

    TRL recognises it by its ``async def __call__``; the scoring runs in a worker thread
    (``asyncio.to_thread``), so other async rewards (and the event loop) go on meanwhile. TRL runs its synchronous
    rewards first and then gathers the async ones, so the overlap is with other *async* rewards.
    ``.score(completion, gold)`` stays synchronous.

    Example:
        >>> import asyncio, tempfile
        >>> from korean_rewards.testing import save_tiny_bert
        >>> reward = AsyncBERTScoreReward(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2)
        >>> gold = '"깨끗이"가 옳다. 어간이 받침으로 끝나면 적는다.'
        >>> [round(x, 4) for x in asyncio.run(reward(completions=[gold], answer=[gold]))]
        [1.0]
    """

    base_name: ClassVar[str] = "bertscore_reward_async"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not trl_awaits_async_rewards():
            warnings.warn(
                "the installed TRL does not await async reward functions (TRL 1.0 added them): in its GRPOTrainer "
                "use BERTScoreReward (or reward.as_async(), which falls back to it) instead of AsyncBERTScoreReward",
                UserWarning,
                stacklevel=3,
            )

    async def __call__(  # type: ignore[override]
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        return await asyncio.to_thread(self._call_sync, prompts, completions, completion_ids, kwargs)

    def _call_sync(
        self, prompts: Any, completions: Any, completion_ids: Any, kwargs: dict[str, Any]
    ) -> list[float | None]:
        return BERTScoreReward.__call__(self, prompts, completions, completion_ids, **kwargs)

    def score(self, completion: Any, gold: Any = None, **columns: Any) -> float | None:
        """Score one completion against its gold answer, synchronously.

        Example:
            >>> AsyncBERTScoreReward.score is not BERTScoreReward.score
            True
        """
        batch = {key: [value] for key, value in columns.items()}
        batch[self.answer_key] = [gold]
        return self._call_sync([None], [completion], None, batch)[0]


#: The default instance: Malpyeong reason BERTScore F1 with the official settings (mBERT, layer 9).
bertscore_reward = BERTScoreReward()
