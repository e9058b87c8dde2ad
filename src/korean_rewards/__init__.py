"""korean-rewards: reward functions for GRPO training of Korean reasoning and Korean-writing models.

Every reward follows TRL's reward-function contract, so it goes straight into ``GRPOTrainer``::

    from trl import GRPOTrainer
    from korean_rewards import match_format_exactly, match_format_approximately, check_answer_ko, check_numbers_ko

    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[match_format_exactly, match_format_approximately, check_answer_ko, check_numbers_ko],
        args=training_args,
        train_dataset=dataset,  # with an "answer" column
    )

Names are imported lazily: ``import korean_rewards`` imports neither torch nor any model.

Example:
    >>> import korean_rewards
    >>> korean_rewards.parse_korean_number("삼백오십")
    Fraction(350, 1)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # the TRL contract
    "RewardFunction": "_trl",
    "completion_text": "_trl",
    # format rewards
    "Tags": "tags",
    "NOTEBOOK_TAGS": "tags",
    "MatchFormatExactly": "tags",
    "MatchFormatApproximately": "tags",
    "match_format_exactly": "tags",
    "match_format_approximately": "tags",
    # numbers
    "parse_korean_number": "numbers",
    "extract_answer_number": "numbers",
    # answer accuracy (every completion shape)
    "AccuracyRewardKo": "accuracy",
    "accuracy_reward_ko": "accuracy",
    # answer and number checkers
    "CheckAnswerKo": "answers",
    "CheckNumbersKo": "answers",
    "check_answer_ko": "answers",
    "check_numbers_ko": "answers",
    # Malpyeong
    "split_answer_reason": "malpyeong",
    "normalize_answer": "malpyeong",
    "MalpyeongEMReward": "malpyeong",
    "MalpyeongFormatReward": "malpyeong",
    "malpyeong_em_reward": "malpyeong",
    "malpyeong_format_reward": "malpyeong",
    # ROUGE-1
    "morphemes": "rouge",
    "rouge1_f1": "rouge",
    "Rouge1Reward": "rouge",
    "rouge1_reward": "rouge",
    # BERTScore
    "BERTScorer": "bertscore",
    "BERTScoreReward": "bertscore",
    "AsyncBERTScoreReward": "bertscore",
    "bertscore_reward": "bertscore",
    # BLEURT
    "BLEURTScorer": "bleurt",
    "BLEURTReward": "bleurt",
    "bleurt_reward": "bleurt",
    # combining
    "combine": "combining",
    "CombinedReward": "combining",
    "malpyeong_reward": "combining",
    "malpyeong_final_score": "malpyeong",
    # Korean-language rewards
    "korean_ratio": "language",
    "LanguageConsistencyKo": "language",
    "language_consistency_ko": "language",
    "RepetitionPenaltyKo": "repetition",
    "repetition_penalty_ko": "repetition",
    # reasoning length
    "ReasoningLength": "length",
    "reasoning_length": "length",
    # auditing a reward mix
    "audit_rewards": "audit",
    "AuditReport": "audit",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'korean_rewards' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"korean_rewards.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ._trl import RewardFunction, completion_text
    from .accuracy import AccuracyRewardKo, accuracy_reward_ko
    from .answers import CheckAnswerKo, CheckNumbersKo, check_answer_ko, check_numbers_ko
    from .bertscore import AsyncBERTScoreReward, BERTScoreReward, BERTScorer, bertscore_reward
    from .audit import AuditReport, audit_rewards
    from .bleurt import BLEURTReward, BLEURTScorer, bleurt_reward
    from .combining import CombinedReward, combine, malpyeong_reward
    from .length import ReasoningLength, reasoning_length
    from .language import LanguageConsistencyKo, korean_ratio, language_consistency_ko
    from .malpyeong import (
        MalpyeongEMReward,
        MalpyeongFormatReward,
        malpyeong_em_reward,
        malpyeong_final_score,
        malpyeong_format_reward,
        normalize_answer,
        split_answer_reason,
    )
    from .numbers import extract_answer_number, parse_korean_number
    from .repetition import RepetitionPenaltyKo, repetition_penalty_ko
    from .rouge import Rouge1Reward, morphemes, rouge1_f1, rouge1_reward
    from .tags import (
        NOTEBOOK_TAGS,
        MatchFormatApproximately,
        MatchFormatExactly,
        Tags,
        match_format_approximately,
        match_format_exactly,
    )
