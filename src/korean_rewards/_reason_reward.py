"""What the model rewards on the Malpyeong reason share: the reason split, the shared scorer, loading, pickling.

:class:`~korean_rewards.bertscore.BERTScoreReward` and :class:`~korean_rewards.bleurt.BLEURTReward` compare the
reason of each completion (after ``"X"가 옳다.``) with the gold reason using a model. Both get their scorer from
the process's registry for their settings (one model per configuration, loaded on first use), never pickle it,
and give 0.0 to a completion or gold without a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._trl import RewardFunction

__all__ = ["ReasonScoreReward"]


@dataclass(eq=False)
class ReasonScoreReward(RewardFunction):
    """Base of the rewards that score the 말평 reason with a model; subclasses say which scorer
    (``_shared_scorer``) and how it scores reasons against gold reasons (``_score_reasons``).

    Example:
        >>> from korean_rewards import BERTScoreReward, BLEURTReward
        >>> issubclass(BERTScoreReward, ReasonScoreReward), issubclass(BLEURTReward, ReasonScoreReward)
        (True, True)
    """

    needs_gold = True

    def __post_init__(self) -> None:
        answer_key = getattr(self, "answer_key", None)
        if not isinstance(answer_key, str) or not answer_key:
            raise TypeError(f"answer_key must be the name of a dataset column, got {answer_key!r}")
        super().__post_init__()
        self._scorer: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scorer"] = None  # the model stays in this process; the copy finds or loads its own
        return state

    @property
    def scorer(self) -> Any:
        """The process's shared scorer for this reward's settings (not loaded until the first call or :meth:`load`).

        Example:
            >>> from korean_rewards import bertscore_reward, bleurt_reward
            >>> bertscore_reward.scorer.model_type, bleurt_reward.scorer.checkpoint, bleurt_reward.scorer.loaded
            ('bert-base-multilingual-cased', 'lucadiliello/BLEURT-20', False)
        """
        if self._scorer is None:
            self._scorer = self._shared_scorer()
        return self._scorer

    def load(self) -> Any:
        """Load the model now and return the reward: call it before building the trainer, so that a wrong or
        unreachable model fails at once instead of at the first training step.

        Raises an ``OSError`` (:class:`~korean_rewards.errors.ModelLoadError`) saying whether the model was read
        as a local folder or a hub id, and how to fix it.

        Example:
            >>> import tempfile
            >>> from korean_rewards import BERTScoreReward
            >>> from korean_rewards.testing import save_tiny_bert
            >>> BERTScoreReward(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2).load().scorer.loaded
            True
            >>> BERTScoreReward(model_type="./no-such-mbert", num_layers=9).load()
            Traceback (most recent call last):
            ...
            korean_rewards.errors.ModelLoadError: could not load './no-such-mbert', read as a local folder: no such folder ...
        """
        self.scorer.load()
        return self

    def _shared_scorer(self) -> Any:
        raise NotImplementedError

    def _score_reasons(self, reasons: list[str], gold_reasons: list[str]) -> list[float]:
        raise NotImplementedError

    def _score_batch(self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]) -> list[float | None]:
        from .malpyeong import split_answer_reason

        assert golds is not None
        reasons = [split_answer_reason(text)[1] for text in texts]
        gold_reasons = [split_answer_reason(gold)[1] for gold in golds]  # gold texts (RewardFunction reads them)
        scores: list[float | None] = [0.0] * len(texts)
        todo = [i for i, (r, g) in enumerate(zip(reasons, gold_reasons)) if r.strip() and g.strip()]
        if todo:
            values = self._score_reasons([reasons[i] for i in todo], [gold_reasons[i] for i in todo])
            for i, value in zip(todo, values):
                scores[i] = value
        return scores
