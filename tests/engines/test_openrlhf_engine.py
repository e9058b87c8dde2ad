"""OpenRLHF's own rollout-side reward code running a reward file built with ``make_reward_func``.

``SingleTurnAgentExecutor`` loads the file (``--reward.remote_url my_reward.py``), decodes prompt + response
*with* special tokens and calls ``reward_func([query], [prompt], [label])``; ``SamplesGenerator`` turns each
result into an ``Experience`` and ``Experience.concat_experiences`` / ``split_experience_batch`` batch them.
vLLM is stubbed in ``sys.modules`` (only its names are imported); the "engine" returns fixed token ids.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from .conftest import stub_vllm, write

pytest.importorskip("openrlhf", reason="the engines stack installs openrlhf (scripts/run_tests.py --stacks engines)")
pytestmark = [pytest.mark.engines]

stub_vllm()

import torch  # noqa: E402
from openrlhf.trainer.ppo_utils.experience import Experience, split_experience_batch  # noqa: E402
from openrlhf.trainer.ppo_utils.samples_generator import SamplesGenerator  # noqa: E402
from openrlhf.utils.agent import SingleTurnAgentExecutor  # noqa: E402

from korean_rewards import check_numbers_ko, combine, match_format_exactly  # noqa: E402

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

SAMPLES = [  # (question, response the "model" writes, label)
    ("6 곱하기 7은?", "<start_working_out>6*7<end_working_out><SOLUTION>42</SOLUTION>", "42"),
    ("사과가 세 개 있고 배가 다섯 개 있습니다. 모두 몇 개입니까?", "정답은 여덟 개입니다.", "8"),
    ("100의 절반은?", "<start_working_out>반<end_working_out><SOLUTION>오십</SOLUTION>", None),
    ("아무 말?", "", "3"),
]


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    """A Qwen-like tokenizer: ChatML template, <|im_end|> ends a turn, <|endoftext|> pads."""
    from korean_rewards.testing import build_chat_tokenizer

    tok = build_chat_tokenizer()
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tok.eos_token = "<|im_end|>"
    tok.pad_token = "<|endoftext|>"
    tok.chat_template = CHATML
    return tok


class FakeEngine:
    """Stands in for the vLLM engine: answers each prompt with a fixed response, ended by EOS and a pad."""

    def __init__(self, tokenizer: Any, response: str) -> None:
        self.ids = tokenizer(response, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id,
                                                                                 tokenizer.pad_token_id]
        self.text = response

    async def generate(self, prompt_token_ids: list[int], sampling_params: Any, multi_modal_data: Any = None) -> Any:
        output = SimpleNamespace(token_ids=self.ids, text=self.text, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[output])


def _experiences(reward_file: str, tokenizer: Any, max_length: int = 256) -> tuple[list[dict[str, Any]], Any]:
    from vllm import SamplingParams

    executor = SingleTurnAgentExecutor(reward_file)
    responses = []
    for question, response, label in SAMPLES:
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": question}], tokenize=False,
                                               add_generation_prompt=True)
        params = SamplingParams(max_tokens=32, logprobs=None)
        responses.append(asyncio.run(executor.execute(prompt, label, params, max_length, tokenizer,
                                                      FakeEngine(tokenizer, response))))
    generator = object.__new__(SamplesGenerator)
    experiences = [generator._process_response_into_experience(r, max_len=max_length) for r in responses]
    return responses, Experience.concat_experiences(experiences, tokenizer.pad_token_id)


def test_reward_file_through_executor_and_experience(tokenizer: Any, tmp_path: Path) -> None:
    reward_file = write(
        tmp_path / "my_reward.py",
        "from korean_rewards import combine, check_numbers_ko, match_format_exactly\n"
        "from korean_rewards.integrations.openrlhf import make_reward_func\n"
        "reward_func = make_reward_func(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name='mix'))\n",
    )
    responses, batch = _experiences(reward_file, tokenizer)

    # what TRL would have shown the rewards: the response decoded without special tokens
    texts = [response for _, response, _ in SAMPLES]
    golds = [label for _, _, label in SAMPLES]
    mix = combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix")
    expected = [0.0 if value is None else value for value in mix(completions=texts, answer=golds)]
    assert all(r["reward"] is not None for r in responses), "OpenRLHF swallowed an exception from reward_func"
    assert batch.rewards.flatten().tolist() == pytest.approx(expected)
    assert batch.info["reward"].flatten().tolist() == pytest.approx(expected)
    assert match_format_exactly(completions=texts)[0] == 3.0  # the format reward saw no <|im_end|>
    for key in ("check_numbers_ko", "match_format_exactly", "gold_missing"):
        assert batch.info[key].shape[0] == len(SAMPLES), key
    assert batch.info["gold_missing"].flatten().tolist() == [0.0, 0.0, 1.0, 0.0]
    assert batch.info["match_format_exactly"].flatten().tolist() == pytest.approx(match_format_exactly(completions=texts))
    singles = split_experience_batch(batch)  # what the trainer does next; fails on ragged extra_logs
    assert len(singles) == len(SAMPLES)


def test_truncated_prompt_falls_back_to_the_assistant_marker(tokenizer: Any, tmp_path: Path) -> None:
    """When OpenRLHF cuts the prompt from the left, the query no longer starts with the prompt string."""
    reward_file = write(
        tmp_path / "plain.py",
        "from korean_rewards.integrations.openrlhf import make_reward_func\n"
        "reward_func = make_reward_func('match_format_exactly')\n",
    )
    responses, batch = _experiences(reward_file, tokenizer, max_length=40)
    texts = [response for _, response, _ in SAMPLES]
    assert batch.rewards.flatten().tolist() == pytest.approx(match_format_exactly(completions=texts))
    assert batch.rewards.flatten().tolist()[0] == 3.0
    assert torch.is_tensor(batch.info["gold_missing"])
