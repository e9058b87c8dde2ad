"""The BLEURT reward: the Malpyeong reason scored by BLEURT-20 (in PyTorch) against the gold reason, as a TRL reward.

The scorer (checkpoint reading, the network, batching) lives in :mod:`korean_rewards.scorers`;
``korean_rewards.bleurt.BLEURTScorer`` and :data:`DEFAULT_CHECKPOINT` are re-exported from there.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bleurt
    >>> scorer = BLEURTScorer(save_tiny_bleurt(tempfile.mkdtemp()), device="cpu")   # a tiny random checkpoint
    >>> scores = scorer.score(["사과가 세 개 있다", "배가 있다"], ["사과가 세 개 있습니다", "배가 있다"])
    >>> len(scores), all(isinstance(s, float) for s in scores)
    (2, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, ClassVar

from ._trl import RewardFunction, completion_text
from .scorers.bleurt import DEFAULT_CHECKPOINT, BLEURTScorer, get_scorer
from .scorers.models import check_batch_size, resolve_dtype_name

__all__ = ["DEFAULT_CHECKPOINT", "BLEURTScorer", "BLEURTReward", "bleurt_reward"]


# -- the reward -----------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class BLEURTReward(RewardFunction):
    """BLEURT of the Malpyeong reason as a TRL reward (BLEURT-20 by default, as the official scorer).

    Each completion and its gold answer are split with :func:`korean_rewards.malpyeong.split_answer_reason`
    (``"X"가 옳다. <reason>``) and BLEURT scores the completion's reason against the gold reason. A completion or
    gold with an empty reason (no ``가/이 옳다`` pattern, or nothing after it) gets 0.0, as in
    :class:`~korean_rewards.bertscore.BERTScoreReward`: an answer without a reason is not rewarded. BLEURT-20's
    scores are about 0-1 but not clipped, so a very poor reason can score below 0.

    The model loads on the first call (or :meth:`load`), once per process and configuration, on the trainer's
    device unless ``device`` is given; pickling the reward never pickles the model.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> reward = BLEURTReward(checkpoint=save_tiny_bleurt(tempfile.mkdtemp()), device="cpu").load()
        >>> gold = '"나는 학교에 갔다"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.'
        >>> scores = reward(completions=[gold, '"나는 학교에 갔다"가 옳다.', "모르겠다"], answer=[gold] * 3)
        >>> scores[1:], scores[0] != 0.0
        ([0.0, 0.0], True)
        >>> bleurt_reward.__name__, bleurt_reward.checkpoint
        ('bleurt_reward', 'lucadiliello/BLEURT-20')
    """

    base_name: ClassVar[str] = "bleurt_reward"
    needs_gold: ClassVar[bool] = True

    checkpoint: str = DEFAULT_CHECKPOINT
    answer_key: str = "answer"
    device: str | None = None
    batch_size: int = 32
    dtype: str | None = None
    max_length: int = 512
    tf_gelu: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.checkpoint, os.PathLike):
            self.checkpoint = os.fspath(self.checkpoint)
        if not isinstance(self.checkpoint, str) or not self.checkpoint.strip():
            raise TypeError(f"checkpoint must be a local folder or a hub id, got {self.checkpoint!r}")
        if not isinstance(self.answer_key, str) or not self.answer_key:
            raise TypeError(f"answer_key must be the name of a dataset column, got {self.answer_key!r}")
        check_batch_size(self.batch_size)
        resolve_dtype_name(self.dtype)
        super().__post_init__()
        self._scorer: BLEURTScorer | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scorer"] = None  # the model stays in this process; the copy finds or loads its own
        return state

    @property
    def scorer(self) -> BLEURTScorer:
        """The shared :class:`BLEURTScorer` this reward uses (not loaded until the first call or :meth:`load`).

        Example:
            >>> bleurt_reward.scorer.checkpoint
            'lucadiliello/BLEURT-20'
        """
        if self._scorer is None:
            self._scorer = get_scorer(
                self.checkpoint, self.device, self.batch_size, self.dtype, self.max_length, self.tf_gelu
            )
        return self._scorer

    def load(self) -> BLEURTReward:
        """Load the model now and return the reward, so that a missing checkpoint fails before training starts.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bleurt
            >>> BLEURTReward(checkpoint=save_tiny_bleurt(tempfile.mkdtemp()), device="cpu").load().scorer.loaded
            True
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
            values = self.scorer.score([gold_reasons[i] for i in todo], [reasons[i] for i in todo])
            for i, value in zip(todo, values):
                scores[i] = value
        return scores


#: The default instance: BLEURT-20 on the Malpyeong reason, as the official scorer (loads on first use).
bleurt_reward = BLEURTReward()
