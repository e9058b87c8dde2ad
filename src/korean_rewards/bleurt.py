"""The BLEURT reward: the Malpyeong reason scored by BLEURT-20 (in PyTorch) against the gold reason, as a TRL reward.

The scorer (checkpoint reading, the network, batching) lives in :mod:`korean_rewards.scorers`;
``korean_rewards.bleurt.BLEURTScorer`` and :data:`DEFAULT_CHECKPOINT` are re-exported from there.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bleurt
    >>> reward = BLEURTReward(checkpoint=save_tiny_bleurt(tempfile.mkdtemp()), device="cpu")   # tiny and random
    >>> gold = '"깨끗이"가 옳다. 어간이 받침으로 끝나면 -이로 적는다.'
    >>> reward(completions=["모르겠다"], answer=[gold]), bleurt_reward.checkpoint
    ([0.0], 'lucadiliello/BLEURT-20')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

from ._reason_reward import ReasonScoreReward
from .scorers.bleurt import DEFAULT_CHECKPOINT, BLEURTScorer, get_scorer
from .scorers.models import check_batch_size, resolve_dtype_name

__all__ = ["DEFAULT_CHECKPOINT", "BLEURTScorer", "BLEURTReward", "bleurt_reward"]


# -- the reward -----------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class BLEURTReward(ReasonScoreReward):
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
        check_batch_size(self.batch_size)
        resolve_dtype_name(self.dtype)
        super().__post_init__()

    def _shared_scorer(self) -> BLEURTScorer:
        return get_scorer(self.checkpoint, self.device, self.batch_size, self.dtype, self.max_length, self.tf_gelu)

    def _score_reasons(self, reasons: list[str], gold_reasons: list[str]) -> list[float]:
        return self.scorer.score(gold_reasons, reasons)


#: The default instance: BLEURT-20 on the Malpyeong reason, as the official scorer (loads on first use).
bleurt_reward = BLEURTReward()
