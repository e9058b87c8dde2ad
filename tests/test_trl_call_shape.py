"""TRL's call shapes: ``accuracy_reward_ko`` called like ``trl.rewards.accuracy_reward`` (positionally, with
``solution`` and ``reasoning_delimiters``), and like ``GRPOTrainer`` calls every reward (keywords, extra columns,
``trainer_state``, ``log_extra`` / ``log_metric`` on new TRL)."""

from __future__ import annotations

import gc
import inspect
import weakref
from typing import Any

import pytest

from korean_rewards import _trainer, accuracy_reward_ko, check_numbers_ko, combine, match_format_exactly

BOXED = [
    [{"role": "assistant", "content": r"My answer is \boxed{\frac{1}{3}}"}],
    [{"role": "assistant", "content": r"My answer is \boxed{\frac{1}{2}}"}],
]


def test_positional_like_trl_accuracy_reward() -> None:
    solutions = [r"\frac{1}{3}", r"\frac{1}{3}"]
    assert accuracy_reward_ko(BOXED, solutions) == [1.0, 0.0]  # TRL's docstring example
    assert accuracy_reward_ko(BOXED, solution=solutions) == accuracy_reward_ko(completions=BOXED, answer=solutions)
    assert accuracy_reward_ko(["정답은 72개", "답: 70"], ["72", "72"], log_extra=None) == [1.0, 0.0]


def test_the_signature_matches_trl_where_trl_is_installed() -> None:
    trl_rewards = pytest.importorskip("trl.rewards")
    if not hasattr(trl_rewards, "accuracy_reward"):
        pytest.skip("this TRL has no trl.rewards.accuracy_reward")
    theirs = list(inspect.signature(trl_rewards.accuracy_reward).parameters)[:2]
    ours = list(inspect.signature(accuracy_reward_ko.__call__).parameters)[:2]
    assert ours == theirs == ["completions", "solution"]


def test_reasoning_delimiters_are_honoured_like_trl() -> None:
    completions = [
        [{"role": "assistant", "content": r"<think> Reasoning content </think> The final answer is \boxed{\frac{1}{3}}"}],
        [{"role": "assistant", "content": r"<think> Reasoning content </think> The final answer is \boxed{\frac{1}{2}}"}],
        [{"role": "assistant", "content": r"<think> partial answers \boxed{\frac{1}{3}} but no final answer"}],
    ]
    solutions = [r"\frac{1}{3}"] * 3
    # trl.rewards.reasoning_accuracy_reward's docstring example
    assert accuracy_reward_ko(completions, solutions, reasoning_delimiters=["</think>"]) == [1.0, 0.0, 0.0]
    # the answer is read after the delimiter only: a number in the reasoning does not count
    assert accuracy_reward_ko(["42 [END] 답은 41"], ["42"], reasoning_delimiters=["[END]"]) == [0.0]
    assert accuracy_reward_ko(["41 [END] 답은 42"], ["42"], reasoning_delimiters=["[END]", "</think>"]) == [1.0]
    assert accuracy_reward_ko(["답은 42"], [None], reasoning_delimiters=["</think>"]) == [None]  # no gold
    for bad in ("</think>", [""], [], [3]):
        with pytest.raises((TypeError, ValueError), match="reasoning_delimiters"):
            accuracy_reward_ko(["답은 42"], ["42"], reasoning_delimiters=bad)


def test_grpo_trainer_keyword_call_still_works() -> None:
    logged: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    scores = accuracy_reward_ko(
        prompts=["문제"] * 2,
        completions=[[{"role": "assistant", "content": "정답은 3"}]] * 2,
        completion_ids=[[1, 2], [3]],
        answer=["3", "4"],
        solution=["4", "4"],  # a dataset with both columns: answer_key wins
        question_type=["a", "b"],
        trainer_state=None,
        log_extra=lambda key, values: logged.__setitem__(key, values),
        log_metric=lambda key, value: metrics.__setitem__(key, value),
    )
    assert scores == [1.0, 0.0] and logged["accuracy_reward_ko/extracted"] == ["3", "3"]


def test_the_trainer_is_looked_up_once_per_training_run(monkeypatch: pytest.MonkeyPatch) -> None:
    walks = []
    real = _trainer.find_in_stack

    def counting(*args: Any, **kwargs: Any) -> Any:
        walks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_trainer, "find_in_stack", counting)

    gone = _train_three_batches()
    assert len(walks) == 1
    # another run's state is not confused with this one: it is looked up on its own stack (here: none)
    assert _trainer.calling_trainer({"trainer_state": _State()}) is None and len(walks) == 2
    gc.collect()
    assert gone() is None  # the lookup table keeps no trainer alive


class _State:  # TRL's TrainerState: one object for a whole training run
    pass


class _FakeTrainer:
    _metrics: dict[str, Any] = {"train": {}}

    def __init__(self, rewards: list[Any]) -> None:
        self.reward_funcs = rewards
        self.reward_func_names = [reward.__name__ for reward in rewards]
        self.state = _State()

    def calculate_rewards(self) -> list[list[float | None]]:
        kwargs = {"answer": ["3"], "trainer_state": self.state, "log_extra": lambda *a: None,
                  "log_metric": lambda *a: None}
        return [fn(prompts=["p"], completions=["<SOLUTION>3</SOLUTION>"], **kwargs) for fn in self.reward_funcs]


def _train_three_batches() -> weakref.ref[_FakeTrainer]:
    mix = combine({check_numbers_ko: 1.0, match_format_exactly: 1.0, accuracy_reward_ko: 1.0})
    trainer = _FakeTrainer([mix, check_numbers_ko, accuracy_reward_ko])
    for _ in range(3):  # three batches, five reward calls each (three of them inside combine)
        trainer.calculate_rewards()
    return weakref.ref(trainer)
