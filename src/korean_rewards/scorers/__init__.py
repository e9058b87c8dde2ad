"""Text scorers built on models (no TRL here): BERTScore and BLEURT, and the plumbing they share.

- :mod:`~korean_rewards.scorers.models`: what a model name means (local folder or hub id), offline errors with the
  fix, device, dtype, the batching plan, the lazy picklable :class:`~korean_rewards.scorers.models.ModelHolder`
  and the per-configuration :class:`~korean_rewards.scorers.models.ScorerRegistry`;
- :mod:`~korean_rewards.scorers.bert` and :mod:`~korean_rewards.scorers.bertscore`: BERTScore as bert-score
  computes it, with a reference-embedding cache;
- :mod:`~korean_rewards.scorers.bleurt_checkpoint`, :mod:`~korean_rewards.scorers.bleurt_model` and
  :mod:`~korean_rewards.scorers.bleurt`: BLEURT-20 in PyTorch on bleurt-pytorch checkpoints.

The rewards built on them are :mod:`korean_rewards.bertscore` and :mod:`korean_rewards.bleurt`. Importing this
package imports no torch.

Example:
    >>> from korean_rewards.scorers import BERTScorer, BLEURTScorer
    >>> BERTScorer().loaded, BLEURTScorer().loaded
    (False, False)
"""

from __future__ import annotations

from .bertscore import BERTScorer
from .bleurt import BLEURTScorer

__all__ = ["BERTScorer", "BLEURTScorer"]
