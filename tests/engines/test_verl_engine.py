"""verl's own reward loop (RewardLoopManager on a local Ray with 2 CPUs) running this library's rewards.

Both ways a verl user configures them: ``path=pkg://korean_rewards.integrations.verl`` with
``reward_kwargs.reward=<spec>``, and a reward file of their own with ``make_compute_score(combine(...))``.
The score verl puts at the last response token must equal a direct call of the reward on the decoded text, and
the component keys must reach verl's ``reward_extra_keys``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import write

verl = pytest.importorskip("verl", reason="the engines stack installs verl (scripts/run_tests.py --stacks engines)")
pytestmark = [pytest.mark.engines, pytest.mark.slow]

import numpy as np  # noqa: E402
import torch  # noqa: E402

from korean_rewards import check_numbers_ko, combine, match_format_exactly  # noqa: E402

ROWS = [  # (response text, gold or None, extra_info)
    ("<start_working_out>6 곱하기 7<end_working_out><SOLUTION>42</SOLUTION>", "42", {"index": 0}),
    ("정답은 사십이입니다.", "42", {"index": 1}),
    ("<SOLUTION>100.5</SOLUTION>", "100", {"index": 2}),
    ("<start_working_out>?<end_working_out><SOLUTION>삼백</SOLUTION>", None, {"index": 3}),
    ("", "7", {"index": 4}),
]


@pytest.fixture(scope="module")
def ray_session() -> Any:
    import ray

    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    yield ray
    ray.shutdown()


def _config(tokenizer_path: str, workers: int = 1, **custom_reward_function: Any) -> Any:
    """verl's generated PPO config with the overrides a user would pass on the command line."""
    from omegaconf import OmegaConf, open_dict

    generated = Path(verl.__file__).parent / "trainer" / "config" / "_generated_ppo_trainer.yaml"
    config = OmegaConf.load(generated)
    with open_dict(config):
        config.actor_rollout_ref.model.path = tokenizer_path
        config.actor_rollout_ref.model.tokenizer_path = tokenizer_path
        config.reward.num_workers = workers
        for key, value in custom_reward_function.items():
            config.reward.custom_reward_function[key] = value
    return config


def _batch(tokenizer: Any, rows: list[tuple[str, Any, dict[str, Any]]] = ROWS) -> tuple[Any, list[str]]:
    """A DataProto as the agent loop hands it to the reward loop (prompts, right-padded responses)."""
    from verl import DataProto

    prompt_ids = tokenizer("문제를 푸세요.")["input_ids"]
    # every response ends with EOS, as vLLM returns it (the empty answer is EOS alone)
    responses = [tokenizer(text)["input_ids"] + [tokenizer.eos_token_id] for text, _, _ in rows]
    width = max(len(r) for r in responses) + 2
    pad = tokenizer.pad_token_id
    response_tensor = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), len(prompt_ids) + width), dtype=torch.long)
    mask[:, : len(prompt_ids)] = 1
    for i, ids in enumerate(responses):
        response_tensor[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        mask[i, len(prompt_ids) : len(prompt_ids) + len(ids)] = 1
    prompts = torch.tensor([prompt_ids] * len(rows), dtype=torch.long)
    data = DataProto.from_dict(
        tensors={
            "prompts": prompts,
            "responses": response_tensor,
            "input_ids": torch.cat([prompts, response_tensor], dim=1),
            "attention_mask": mask,
        },
        non_tensors={
            "data_source": np.array(["gsm8k_ko"] * len(rows), dtype=object),
            "reward_model": np.array([{"ground_truth": gold, "style": "rule"} for _, gold, _ in rows], dtype=object),
            "extra_info": np.array([dict(extra) for _, _, extra in rows], dtype=object),
        },
    )
    decoded = [tokenizer.decode(ids, skip_special_tokens=True) for ids in responses]
    return data, decoded


def _run(ray: Any, config: Any, data: Any) -> Any:
    from verl.experimental.reward_loop import RewardLoopManager

    manager = RewardLoopManager(config)
    try:
        return manager.compute_rm_score(data)
    finally:
        for worker in manager.reward_loop_workers:
            ray.kill(worker)


def _scores_at_last_token(output: Any, data: Any) -> list[float]:
    scores = output.batch["rm_scores"]
    response_mask = data.batch["attention_mask"][:, data.batch["prompts"].shape[1] :]
    last = response_mask.sum(dim=1) - 1
    return [float(scores[i, last[i]]) for i in range(len(last))]


@pytest.mark.parametrize("spec", ["check_numbers_ko(rel_tol=0.01)", None])
def test_pkg_path_with_reward_kwargs(ray_session: Any, chat_tokenizer_path: str, spec: str | None) -> None:
    from transformers import AutoTokenizer

    from korean_rewards import accuracy_reward_ko

    tokenizer = AutoTokenizer.from_pretrained(chat_tokenizer_path)
    data, decoded = _batch(tokenizer)
    config = _config(
        chat_tokenizer_path,
        path="pkg://korean_rewards.integrations.verl",
        name="compute_score",
        **({"reward_kwargs": {"reward": spec}} if spec else {}),  # no reward_kwargs: accuracy_reward_ko
    )
    output = _run(ray_session, config, data)

    reward = check_numbers_ko.configure(rel_tol=0.01) if spec else accuracy_reward_ko
    direct = reward(completions=decoded, answer=[gold for _, gold, _ in ROWS])
    expected = [0.0 if value is None else value for value in direct]  # a row without gold: the documented 0.0
    assert _scores_at_last_token(output, data) == pytest.approx(expected)
    if spec:
        assert expected[2] == 3.5  # rel_tol reached the reward: 100.5 is within 1% of 100
    else:
        assert expected[0] == 1.0 and expected[1] == 1.0  # accuracy_reward_ko reads "사십이" too
    assert output.meta_info["reward_extra_keys"] == ["score", "gold_missing"]
    assert list(output.non_tensor_batch["gold_missing"]) == [0.0, 0.0, 0.0, 1.0, 0.0]
    assert list(output.non_tensor_batch["score"]) == pytest.approx(expected)


def test_user_file_with_combine(ray_session: Any, chat_tokenizer_path: str, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    reward_file = write(
        tmp_path / "my_reward.py",
        "from korean_rewards import combine, check_numbers_ko, match_format_exactly\n"
        "from korean_rewards.integrations.verl import make_compute_score\n"
        "compute_score = make_compute_score(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name='mix'))\n",
    )
    tokenizer = AutoTokenizer.from_pretrained(chat_tokenizer_path)
    data, decoded = _batch(tokenizer)
    # two workers: verl pads the batch to a multiple of the workers and splits it between them
    output = _run(ray_session, _config(chat_tokenizer_path, 2, path=reward_file, name="compute_score"), data)

    golds = [gold for _, gold, _ in ROWS]
    mix = combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix")
    expected = [0.0 if value is None else value for value in mix(completions=decoded, answer=golds)]
    assert _scores_at_last_token(output, data) == pytest.approx(expected)
    keys = output.meta_info["reward_extra_keys"]
    assert keys == ["score", "check_numbers_ko", "match_format_exactly", "gold_missing"]
    numbers = check_numbers_ko(completions=decoded, answer=golds)
    low = check_numbers_ko.score_range[0]  # a None is reported as what combine counts: the lowest score
    assert list(output.non_tensor_batch["check_numbers_ko"]) == pytest.approx([low if v is None else v for v in numbers])
    assert list(output.non_tensor_batch["match_format_exactly"]) == pytest.approx(match_format_exactly(completions=decoded))
    assert all(isinstance(v, float) for key in keys for v in output.non_tensor_batch[key])


def test_model_reward_is_batched_inside_the_worker(
    ray_session: Any, chat_tokenizer_path: str, tiny_bert_path: str, tmp_path: Path
) -> None:
    """BERTScore in a reward worker (CPU: verl's workers have no GPU): one forward pass per batch, not per sample."""
    from transformers import AutoTokenizer

    from korean_rewards import BERTScoreReward

    rows = [(f'"깨끗이"가 옳다. 받침이 {i % 3} 개 있으니 {i} 번 적는다.', f'"깨끗이"가 옳다. 어간이 {i} 번 적는다.', {})
            for i in range(16)]
    sizes = tmp_path / "batch_sizes.txt"
    reward_file = write(
        tmp_path / "bert_reward.py",
        "from korean_rewards import BERTScoreReward\n"
        "from korean_rewards.integrations.verl import make_compute_score\n"
        f"compute_score = make_compute_score(BERTScoreReward(model_type={tiny_bert_path!r}, num_layers=2),"
        " max_wait_ms=200)\n"
        "_batcher = compute_score.scorer.batcher\n"
        "_score_rows = _batcher.process\n"
        "def _logged(rows):\n"
        f"    open({str(sizes)!r}, 'a').write(f'{{len(rows)}}\\n')\n"
        "    return _score_rows(rows)\n"
        "_batcher.process = _logged\n",
    )
    tokenizer = AutoTokenizer.from_pretrained(chat_tokenizer_path)
    data, decoded = _batch(tokenizer, rows)
    output = _run(ray_session, _config(chat_tokenizer_path, path=reward_file, name="compute_score"), data)

    reward = BERTScoreReward(model_type=tiny_bert_path, num_layers=2)
    direct = reward(completions=decoded, answer=[gold for _, gold, _ in rows])
    assert len(set(direct)) > 5  # the model ran on real reasons
    assert _scores_at_last_token(output, data) == pytest.approx(direct, abs=1e-4)
    batch_sizes = [int(line) for line in sizes.read_text().split()]
    assert sum(batch_sizes) == len(rows) and len(batch_sizes) < len(rows), batch_sizes
