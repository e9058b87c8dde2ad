r"""``accuracy_reward_ko``: 1.0 when a completion's final answer equals the gold, whatever the completion's shape.

Like TRL's ``trl.rewards.accuracy_reward``, one reward reads every completion: it finds the final answer with
:func:`~korean_rewards.numbers.final_answer.find_final_answer` (answer tags when present, the notebook's
``<SOLUTION>`` by default; else the text after ``</think>``; else the last ``\boxed{}``; else the number an
answer cue concludes with: 정답은 / 답: / 따라서 … 이다 / 최종 답 / Answer:; else the last number) and compares
it with the gold as exact rationals, counters and units dropped. A percentage matches a gold written either way
(``50%`` equals gold ``50`` and gold ``0.5``). Two different final answers (``25 또는 26``, two answer blocks
with different values, ``1, 2, 3 중 하나``) are wrong.

Scores: ``correct`` (1.0) or ``wrong`` (0.0, also for no answer); ``None`` only when the gold itself cannot be
read (TRL then leaves the sample out of this reward). The gold comes from the dataset column ``answer``
(``answer_key`` changes it; TRL's ``solution`` column is used when the batch has no ``answer``, as by every
reward), called as GRPOTrainer calls it or positionally as TRL's ``accuracy_reward(completions, solution)`` and may be a
number, Korean numerals, a fraction, ``\boxed{...}`` or a GSM8K-style solution ending in ``#### N``. With TRL
>= 1.0 the extracted answer is logged through ``log_extra`` (column ``accuracy_reward_ko/extracted``); older
TRL does not pass it and nothing depends on it.

Example:
    >>> from korean_rewards import accuracy_reward_ko
    >>> accuracy_reward_ko(
    ...     completions=[
    ...         "<start_working_out>12 × 6 = 72<end_working_out><SOLUTION>72</SOLUTION>",
    ...         "<think>12 × 6 = 72</think>\n따라서 정답은 72개입니다.",
    ...         [{"role": "assistant", "content": "계산하면 $\\boxed{72}$"}],
    ...         "정답은 72 또는 73입니다.",
    ...         "모르겠습니다.",
    ...     ],
    ...     answer=["72", "칠십이", "풀이 … #### 72", "72", "72"],
    ... )
    [1.0, 1.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from collections.abc import Sequence
from typing import Any, ClassVar

from ._trl import GOLD_ALIAS, RewardFunction, RewardOutput, completion_texts, score_span
from ._util import warn
from .numbers.final_answer import find_final_answer
from .numbers.grading import (
    check_rel_tol,
    asked_part,
    grade,
    question_text,
    read_gold,
    read_within_budget,
    shorten,
    unreadable_gold_message,
)
from .tags import NOTEBOOK_TAGS, Tags, check_tags

__all__ = ["AccuracyRewardKo", "accuracy_reward_ko"]


@dataclass(eq=False)
class AccuracyRewardKo(RewardFunction):
    r"""Answer accuracy for Korean math: ``correct`` (1.0) when the final answer equals the gold, else ``wrong``.

    Options: ``tags`` (whose ``solution_start`` / ``solution_end`` mark answer blocks; ``None``: no answer
    tags), ``think_end`` (the tag after which a reasoning model answers; ``None``: none), ``rel_tol`` (relative
    tolerance; 0 = exact), ``correct`` / ``wrong`` (the two scores), ``answer_key`` (the gold column). See the
    module docstring for how the answer is found and compared.

    It is called as ``GRPOTrainer`` calls every reward (keywords), or positionally as TRL's
    ``accuracy_reward(completions, solution)``; TRL's ``reasoning_delimiters=[...]`` keyword (from
    ``reasoning_accuracy_reward``) reads the answer only after the reasoning delimiter and scores a completion
    without one ``wrong``.

    Example:
        >>> reward = AccuracyRewardKo()
        >>> reward.score("<SOLUTION>스물 다섯</SOLUTION>", "25"), reward.score("정답은 24가 아닌 25입니다.", "25")
        (1.0, 1.0)
        >>> reward.score(r"\boxed{\dfrac{3}{4}}", "0.75"), reward.score("할인율은 50%입니다.", "50")
        (1.0, 1.0)
        >>> reward.score("<SOLUTION>25</SOLUTION> 아니 <SOLUTION>26</SOLUTION>", "26"), reward.score("42", "모름")
        (0.0, None)
        >>> AccuracyRewardKo(rel_tol=0.01).score("답: 99.5", "100")
        1.0
        >>> AccuracyRewardKo(tags=None, answer_key="solution").score("Answer: 7", "#### 7")
        1.0
    """

    base_name: ClassVar[str] = "accuracy_reward_ko"
    needs_gold: ClassVar[bool] = True

    tags: Tags | None = NOTEBOOK_TAGS
    think_end: str | None = "</think>"
    rel_tol: float = 0.0
    correct: float = 1.0
    wrong: float = 0.0
    answer_key: str = "answer"
    name: str | None = None

    def __post_init__(self) -> None:
        reward = type(self).__name__
        check_tags(self.tags, reward, optional=True)
        if self.think_end is not None and (not isinstance(self.think_end, str) or not self.think_end):
            raise TypeError(f"{reward}: think_end must be a non-empty string or None, got {self.think_end!r}")
        self._require_numbers("correct", "wrong")
        check_rel_tol(self.rel_tol, reward)
        super().__post_init__()

    def _score_range(self) -> tuple[float, float]:
        return score_span(self.correct, self.wrong)

    def __call__(  # type: ignore[override]
        self,
        completions: Any = None,
        solution: Any = None,
        *,
        prompts: Any = None,
        completion_ids: Any = None,
        reasoning_delimiters: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> RewardOutput:
        r"""Score a batch: called by ``GRPOTrainer`` with keywords, or positionally as TRL's
        ``accuracy_reward(completions, solution)``.

        ``solution`` is TRL's gold column (read when the batch has no ``answer_key`` column).
        ``reasoning_delimiters`` (TRL's ``reasoning_accuracy_reward`` keyword) keeps only the text after the
        first of these delimiters that the completion contains (after its last occurrence); a completion with none
        of them has not finished reasoning and scores ``wrong``.

        Example:
            >>> accuracy_reward_ko([[{"role": "assistant", "content": r"답은 \boxed{\frac{1}{3}}"}]], [r"\frac{1}{3}"])
            [1.0]
            >>> accuracy_reward_ko(["<think>3? 4</think> 4", "<think>4"], ["4", "4"], reasoning_delimiters=["</think>"])
            [1.0, 0.0]
        """
        if solution is not None:
            kwargs[GOLD_ALIAS] = solution
        if reasoning_delimiters is not None:
            completions = _after_reasoning(completion_texts(completions), reasoning_delimiters)
        return super().__call__(prompts=prompts, completions=completions, completion_ids=completion_ids, **kwargs)

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> tuple[RewardOutput, dict[str, list[Any]]]:
        rel_tol = Fraction(repr(float(self.rel_tol)))
        start, end = (None, None) if self.tags is None else (self.tags.solution_start, self.tags.solution_end)
        scores: RewardOutput = []
        extracted: list[str | None] = []
        unreadable: list[Any] = []
        undecided = 0
        prompts = kwargs.get("prompts")
        if not isinstance(prompts, (list, tuple)) or len(prompts) != len(texts):
            prompts = [None] * len(texts)
        for text, gold, prompt in zip(texts, golds or [None] * len(texts), prompts):
            answer, over_budget = read_within_budget(
                self.__name__, text, find_final_answer, text, start, end, self.think_end
            )
            extracted.append(None if answer is None else shorten(answer.text))
            expected = read_gold(gold)
            if expected is None:
                scores.append(None)
                if gold is not None and gold != "":  # "" stands for a missing gold: no warning
                    unreadable.append(gold)
                continue
            if over_budget:
                scores.append(min(self.correct, self.wrong))  # the worst score (issue 17's work budget)
                continue
            asked = asked_part(question_text(prompt)) if answer is not None and answer.quantity is not None else None
            verdict = grade(answer, expected, rel_tol, asked)
            if verdict is None:
                undecided += 1
                scores.append(None)
            else:
                scores.append(self.correct if verdict else self.wrong)
        message = unreadable_gold_message(self.__name__, unreadable, undecided)
        if message is not None:
            warn(message)
        return scores, {"extracted": extracted}


def _after_reasoning(texts: list[str], delimiters: Any) -> list[str]:
    """TRL's ``reasoning_delimiters`` rule: the text after the last occurrence of the first delimiter a completion
    contains; ``""`` (no answer: ``wrong``) for a completion that contains none."""
    if isinstance(delimiters, str) or not isinstance(delimiters, Sequence):
        raise TypeError(
            f"reasoning_delimiters must be a list of strings such as ['</think>'], got {delimiters!r:.60}"
        )
    if not delimiters or not all(isinstance(delimiter, str) and delimiter for delimiter in delimiters):
        raise ValueError(
            f"reasoning_delimiters must be a non-empty list of non-empty strings such as ['</think>'], "
            f"got {delimiters!r:.60}"
        )
    answers = []
    for text in texts:
        for delimiter in delimiters:
            if delimiter in text:
                answers.append(text.rsplit(delimiter, 1)[1])
                break
        else:
            answers.append("")
    return answers


#: Default instance: the notebook's ``<SOLUTION>`` tags, ``</think>``, exact comparison, gold column ``answer``.
accuracy_reward_ko = AccuracyRewardKo()
