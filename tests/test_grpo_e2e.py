"""The rewards inside TRL's real GRPOTrainer: two training steps on CPU with a tiny random Qwen3.

``run_grpo`` is the reusable set-up: other tests import it to put their own rewards through a real trainer::

    from test_grpo_e2e import run_grpo
    trainer = run_grpo([my_reward], conversational=True, tmp_path=tmp_path)
"""

from __future__ import annotations

import math
import pickle
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from korean_rewards import (
    MatchFormatExactly,
    check_answer_ko,
    check_numbers_ko,
    language_consistency_ko,
    match_format_approximately,
    match_format_exactly,
    repetition_penalty_ko,
)

pytestmark = [pytest.mark.slow, pytest.mark.trainer]

SYSTEM_PROMPT = (
    "문제가 주어집니다. 풀이 과정을 <start_working_out>와 <end_working_out> 사이에 쓰고, "
    "답을 <SOLUTION>와 </SOLUTION> 사이에 쓰세요."
)

# (question, answer): small Korean math problems written for these tests
KOREAN_MATH = [
    ("사과가 3개, 배가 4개 있습니다. 과일은 모두 몇 개입니까?", "7"),
    ("연필 한 자루가 350원이면 두 자루는 얼마입니까?", "700"),
    ("학생 25명이 한 줄에 5명씩 서면 몇 줄이 됩니까?", "5"),
    ("영하 5도에서 기온이 3도 올랐습니다. 지금 기온은 몇 도입니까?", "-2"),
    ("한 상자에 12개씩 1,234상자가 있으면 모두 몇 개입니까?", "14808"),
    ("삼백오십 더하기 백오십은 얼마입니까?", "500"),
    ("원가 2,000원인 물건을 20% 할인하면 얼마입니까?", "1600"),
    ("어떤 수에 8을 곱했더니 96이 되었습니다. 어떤 수는 무엇입니까?", "12"),
]


def korean_math_dataset(conversational: bool) -> Any:
    """A tiny ``datasets.Dataset`` with a ``prompt`` column (a string or messages) and an ``answer`` column."""
    from datasets import Dataset

    if conversational:
        prompts: list[Any] = [
            [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]
            for question, _ in KOREAN_MATH
        ]
    else:  # the notebook's template, written out: system text, EOS, the question, the prefilled reasoning start
        prompts = [f"{SYSTEM_PROMPT}<|endoftext|>{question}<start_working_out>" for question, _ in KOREAN_MATH]
    return Dataset.from_dict({"prompt": prompts, "answer": [answer for _, answer in KOREAN_MATH]})


def run_grpo(
    reward_funcs: Sequence[Any],
    conversational: bool,
    tmp_path: Path,
    *,
    max_steps: int = 2,
    num_generations: int = 4,
    max_completion_length: int = 24,
    dataset: Any = None,
) -> Any:
    """Train a tiny random Qwen3 with TRL's ``GRPOTrainer`` for ``max_steps`` steps on CPU and return the trainer.

    One prompt per step (``num_generations`` completions of it), nothing saved, nothing reported.
    """
    from trl import GRPOConfig, GRPOTrainer

    from korean_rewards.testing import build_chat_tokenizer, build_tiny_qwen3

    tokenizer = build_chat_tokenizer()
    model = build_tiny_qwen3(tokenizer)
    args = GRPOConfig(
        output_dir=str(tmp_path / "grpo"),
        max_steps=max_steps,
        per_device_train_batch_size=num_generations,
        num_generations=num_generations,
        max_completion_length=max_completion_length,
        learning_rate=1e-4,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        bf16=False,
        fp16=False,
        disable_tqdm=True,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=list(reward_funcs),
        args=args,
        train_dataset=dataset if dataset is not None else korean_math_dataset(conversational),
        processing_class=tokenizer,
    )
    trainer.train()
    return trainer


def logged_reward_means(trainer: Any, name: str) -> list[float]:
    """The ``rewards/<name>/mean`` values the trainer logged, one per logging step."""
    key = f"rewards/{name}/mean"
    return [entry[key] for entry in trainer.state.log_history if key in entry]


def all_rule_rewards() -> list[Any]:
    """Every rule-based reward of the library, with a configured one that must get its own log name."""
    return [
        match_format_exactly,
        match_format_approximately,
        MatchFormatExactly(match=2.0),
        check_answer_ko,
        check_numbers_ko,
        language_consistency_ko,
        repetition_penalty_ko,
    ]


def _recompute(reward: Any, trainer: Any, answers: dict[str, str]) -> list[float | None]:
    """Score the last generation batch the trainer kept with ``reward`` directly."""
    prompts = list(trainer._logs["prompt"])
    completions = list(trainer._logs["completion"])
    golds = [answers[_question(prompt)] for prompt in prompts]
    return reward(prompts=prompts, completions=completions, answer=golds)


def _question(prompt: Any) -> str:
    if isinstance(prompt, str):
        return next(question for question, _ in KOREAN_MATH if question in prompt)
    return prompt[-1]["content"]


@pytest.mark.parametrize("conversational", [False, True], ids=["standard", "conversational"])
def test_grpo_trainer_logs_every_reward(conversational: bool, tmp_path: Path) -> None:
    rewards = all_rule_rewards()
    names = [reward.__name__ for reward in rewards]
    assert len(set(names)) == len(names)
    assert names[2].startswith("match_format_exactly(match=2")  # the configured reward has its own name

    trainer = run_grpo(rewards, conversational, tmp_path)

    assert trainer.state.global_step == 2
    for name in names:
        means = logged_reward_means(trainer, name)
        assert len(means) == 2, f"no rewards/{name}/mean in {trainer.state.log_history}"
        assert all(math.isfinite(mean) for mean in means)
    # the format rewards' means lie in their ranges
    assert all(0.0 <= mean <= 3.0 for mean in logged_reward_means(trainer, names[0]))
    assert all(-3.0 <= mean <= 1.5 for mean in logged_reward_means(trainer, names[1]))
    assert all(0.0 <= mean <= 2.0 for mean in logged_reward_means(trainer, names[2]))

    # what TRL recorded for the last batch is what the rewards give on the same completions
    completions = list(trainer._logs["completion"])
    # TRL >= 1.0 keeps conversational completions as messages; older releases keep their text
    assert completions and all(isinstance(c, str) or (conversational and isinstance(c, list)) for c in completions)
    answers = dict(KOREAN_MATH)
    for reward in rewards:
        recorded = list(trainer._logs["rewards"][reward.__name__])
        expected = _recompute(reward, trainer, answers)
        assert len(recorded) == len(expected)
        for got, want in zip(recorded, expected):
            assert (math.isnan(got) and want is None) or got == pytest.approx(want, abs=1e-6)


def test_rewards_pickle_with_the_same_scores() -> None:
    completions = [
        "풀이<end_working_out><SOLUTION>7</SOLUTION><|endoftext|>",
        [{"role": "assistant", "content": "계산합니다.<end_working_out><SOLUTION>칠백</SOLUTION>"}],
        "정답은 5입니다.",
        [{"role": "assistant", "content": None}],
    ]
    prompts = ["사과가 3개, 배가 4개 있습니다.", "연필 두 자루는 얼마입니까?", "몇 줄입니까?", "기온은?"]
    answers = ["7", "700", "5", "-2"]
    for reward in all_rule_rewards():
        copy = pickle.loads(pickle.dumps(reward))
        assert copy.__name__ == reward.__name__
        assert copy(prompts=prompts, completions=completions, answer=answers) == reward(
            prompts=prompts, completions=completions, answer=answers
        )


def _trl_passes_log_hooks() -> bool:
    """Whether the installed TRL passes ``log_metric`` / ``log_extra`` to reward functions (TRL >= 1.0)."""
    import inspect

    from trl import GRPOTrainer

    return "log_metric" in inspect.getsource(GRPOTrainer._calculate_rewards)


@pytest.mark.parametrize("conversational", [False, True], ids=["standard", "conversational"])
def test_combine_component_means_are_logged_on_every_trl(
    conversational: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from korean_rewards import _util, combine

    monkeypatch.setattr(_util, "_warned", set())  # the warning is once per process: start afresh

    mix = combine(
        {check_numbers_ko: 1.0, match_format_approximately: 0.5, language_consistency_ko: 0.5}, name="math_mix"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer = run_grpo([mix], conversational, tmp_path)

    steps = [entry for entry in trainer.state.log_history if "rewards/math_mix/mean" in entry]
    assert len(steps) == 2
    for component in mix.component_names:
        key = f"math_mix/{component}"
        values = [entry[key] for entry in steps if key in entry]
        assert len(values) == 2, f"{key} missing from {steps}"
        assert all(math.isfinite(value) for value in values)
    # the component means are the means of what the components give on the trainer's last batch
    answers = dict(KOREAN_MATH)
    last = steps[-1]
    expected = _recompute(check_numbers_ko, trainer, answers)
    assert last["math_mix/check_numbers_ko"] == pytest.approx(sum(expected) / len(expected), abs=1e-5)
    extra_warnings = [w for w in caught if "log_extra" in str(w.message)]
    if _trl_passes_log_hooks():
        assert not extra_warnings
        assert "math_mix/check_numbers_ko" in trainer._logs["extra"]
    else:  # no hook for extra columns: said once, not per batch
        assert len(extra_warnings) == 1, [str(w.message) for w in caught]


def test_two_rewards_with_one_name_stop_the_trainer_at_once(tmp_path: Path) -> None:
    from korean_rewards import CheckNumbersKo

    assert CheckNumbersKo().__name__ == check_numbers_ko.__name__ == "check_numbers_ko"  # stable names
    with pytest.raises(ValueError, match=r"named 'check_numbers_ko'.*name="):
        run_grpo([check_numbers_ko, CheckNumbersKo()], False, tmp_path, max_steps=1)
    trainer = run_grpo([check_numbers_ko, CheckNumbersKo(name="numbers_again")], False, tmp_path, max_steps=1)
    assert logged_reward_means(trainer, "numbers_again") == logged_reward_means(trainer, "check_numbers_ko")
