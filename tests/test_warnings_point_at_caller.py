"""Every reward's warnings point at the caller's line, never at a line inside korean_rewards.

``korean_rewards._util.warn`` attributes a warning to the first stack frame outside the package, however deep
inside the library it is raised (a reward's ``__call__``, ``combine``, a scorer's batching code).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from korean_rewards import _util, accuracy_reward_ko, check_numbers_ko, combine, match_format_exactly
from korean_rewards._util import warn, warn_once


def _caught(action: Callable[[], Any]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return list(caught)


def _assert_points_here(caught: list[warnings.WarningMessage], text: str) -> None:
    matching = [w for w in caught if text in str(w.message)]
    assert matching, [str(w.message) for w in caught]
    for w in matching:
        assert w.filename == __file__, (w.filename, w.lineno, str(w.message))


@pytest.fixture(autouse=True)
def _fresh_once_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_util, "_warned", set())  # once-per-process warnings: start afresh


def test_the_helper_skips_every_library_frame() -> None:
    _assert_points_here(_caught(lambda: warn("direct")), "direct")
    _assert_points_here(_caught(lambda: warn_once("k", "once")), "once")
    assert _caught(lambda: warn_once("k", "once")) == []


def test_accuracy_and_answer_warnings() -> None:
    _assert_points_here(_caught(lambda: accuracy_reward_ko(completions=["3"], answer=["모름"])), "could not be read")
    _assert_points_here(
        _caught(lambda: check_numbers_ko(completions=["답: 3"], answer=["3"])), "no <SOLUTION> in any completion"
    )


def test_warnings_from_inside_combine() -> None:
    mix = combine({check_numbers_ko: 1.0, match_format_exactly: 1.0})
    _assert_points_here(_caught(lambda: mix(completions=["답: 3"], answer=["3"])), "no <SOLUTION>")


def test_trainer_side_warning_points_at_the_trainer_call() -> None:
    class FakeTrainer:  # what TRL's reward plumbing looks like to the library; this method is "the caller"
        reward_funcs: list[Any] = []
        _metrics: dict[str, Any] = {"train": {}}
        reward_func_names = ["accuracy_reward_ko"]

        def step(self) -> list[float | None]:
            return accuracy_reward_ko(completions=["정답은 3"], answer=["3"], trainer_state=object())

    trainer = FakeTrainer()
    _assert_points_here(_caught(trainer.step), "passes no `log_extra`")


def test_bertscore_and_bleurt_warnings(tiny_bert_path: str, tmp_path: Any) -> None:
    pytest.importorskip("torch")
    from korean_rewards import BERTScoreReward, BLEURTReward
    from korean_rewards.testing import save_tiny_bleurt

    bertscore = BERTScoreReward(model_type=tiny_bert_path, num_layers=2, device="cpu")
    _assert_points_here(_caught(lambda: bertscore.scorer.score([""], ["어간을 밝혀 적는다"])), "empty candidate")

    bleurt = BLEURTReward(checkpoint=save_tiny_bleurt(tmp_path / "bleurt"), device="cpu", max_length=16)
    gold = '"깨끗이"가 옳다. ' + "어간의 끝음절이 받침이면 이로 적는다 " * 8
    _assert_points_here(_caught(lambda: bleurt(completions=[gold], answer=[gold])), "truncated")


def test_async_fallback_warning_points_here(tiny_bert_path: str) -> None:
    from korean_rewards import BERTScoreReward
    from korean_rewards.bertscore import trl_awaits_async_rewards

    if trl_awaits_async_rewards():
        pytest.skip("this TRL awaits async rewards: no fallback warning")
    reward = BERTScoreReward(model_type=tiny_bert_path, num_layers=2, device="cpu")
    _assert_points_here(_caught(reward.as_async), "does not await async")


def test_work_budget_warning_points_here() -> None:
    from korean_rewards import check_answer_ko
    from korean_rewards.numbers import set_work_budget

    text = "<start_working_out>x<end_working_out><SOLUTION>" + " ".join("삼백" for _ in range(120)) + "</SOLUTION>"
    old = set_work_budget(5)
    try:
        caught = _caught(lambda: check_answer_ko(completions=[text], answer=["삼백오십"]))
    finally:
        set_work_budget(old)
    _assert_points_here(caught, "work budget")


def test_a_completion_over_budget_leaves_its_gold_readable() -> None:
    from korean_rewards import check_answer_ko
    from korean_rewards.numbers import set_work_budget

    text = "<start_working_out>x<end_working_out><SOLUTION>" + " ".join("삼백" for _ in range(120)) + "</SOLUTION>"
    gold = "사백이십일"  # read for the first time under a spent budget: it must not be cached as unreadable
    old = set_work_budget(5)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_answer_ko(completions=[text], answer=[gold])
    finally:
        set_work_budget(old)
    assert check_numbers_ko(completions=["<SOLUTION>421</SOLUTION>"], answer=[gold]) == [3.5]
