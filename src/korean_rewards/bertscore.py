"""BERTScore rewards: the Malpyeong reason compared with the gold reason by BERTScore, as a TRL reward.

The scorer itself (model loading, batching, the reference cache, bert-score's algorithm) lives in
:mod:`korean_rewards.scorers`; its public names are re-exported here, so ``korean_rewards.bertscore.BERTScorer``,
:func:`get_scorer`, :func:`score`, :data:`MODEL_LAYERS` and :func:`default_num_layers` keep working.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bert
    >>> reward = bertscore_reward.configure(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2)
    >>> gold = '"깨끗이"가 옳다. 어간이 받침으로 끝나면 -이로 적는다.'
    >>> [round(x, 4) for x in reward(completions=[gold, "모르겠다"], answer=[gold, gold])]   # a tiny random BERT
    [1.0, 0.0]
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._reason_reward import ReasonScoreReward
from ._util import warn
from .errors import ParameterError, literal
from .scorers.bert import CHARS_PER_TOKEN, MAX_CHARS_PER_TOKEN  # noqa: F401 - importable here as before the move
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
class BERTScoreReward(ReasonScoreReward):
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
        if self.num_layers is None and default_num_layers(self.model_type) is None:
            raise ParameterError(
                f"bert-score has no default layer for {{model_type}}{literal(self.model_type)}: pass "
                "{num_layers}<layer> (bert-base-multilingual-cased uses 9)",
                parameter="num_layers",
            )
        if self.idf_sents is not None:
            if isinstance(self.idf_sents, str):
                raise TypeError("idf_sents must be a list of strings")
            self.idf_sents = tuple(self.idf_sents)
        resolve_dtype_name(self.dtype)
        super().__post_init__()

    def _shared_scorer(self) -> BERTScorer:
        return get_scorer(
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

    def _score_reasons(self, reasons: list[str], gold_reasons: list[str]) -> list[float]:
        return self.scorer.score(reasons, gold_reasons)[_METRICS[self.metric]].tolist()

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
            warn(
                "the installed TRL does not await async reward functions (TRL 1.0 added them): as_async() gives "
                "the synchronous BERTScore reward instead, which scores the same",
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
            warn(
                "the installed TRL does not await async reward functions (TRL 1.0 added them): in its GRPOTrainer "
                "use BERTScoreReward (or reward.as_async(), which falls back to it) instead of AsyncBERTScoreReward",
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
