"""Rewards of this library inside other RL engines, and as a reward server.

- :mod:`korean_rewards.integrations.verl`: ``compute_score`` / ``make_compute_score`` for verl's reward loop;
- :mod:`korean_rewards.integrations.openrlhf`: ``make_reward_func`` for OpenRLHF's ``--reward.remote_url file.py``;
- :mod:`korean_rewards.integrations.server`: the HTTP reward server behind ``korean-rewards serve``
  (OpenRLHF's ``/get_reward`` protocol; needs the ``[serve]`` extra).

All three score rows through :class:`~korean_rewards.integrations.rows.RowScorer` (one fixed set of numeric keys
per reward, never ``None``) and gather per-sample calls of model rewards into batches with
:class:`~korean_rewards.integrations.batching.BatchedScorer`. Importing this package imports no engine and no torch.

Example:
    >>> from korean_rewards.integrations.rows import RowScorer, Row
    >>> from korean_rewards import check_numbers_ko
    >>> RowScorer(check_numbers_ko).score_rows([Row("<SOLUTION>42</SOLUTION>", gold="42")])
    [{'score': 3.5, 'gold_missing': 0.0}]
"""

from __future__ import annotations

__all__: list[str] = []
