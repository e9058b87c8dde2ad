"""The training examples: both ``--smoke`` runs finish on CPU, and their building blocks behave.

The smoke runs are real: a tiny random Qwen3 trained by TRL's SFTTrainer and GRPOTrainer with this library's
rewards (and, for Malpyeong, a tiny BERT for BERTScore and the dev-set callback), in a subprocess, offline.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers import explain, offline_env

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
QWEN3 = EXAMPLES / "qwen3_4b_grpo_t4.py"
MALPYEONG = EXAMPLES / "malpyeong_grpo.py"
SMOKE_TIMEOUT = 600  # generous: the runs take well under a minute alone, but the test machine is shared

pytest.importorskip("trl", reason="the examples need the [train] extra (trl, peft, datasets)")
pytest.importorskip("peft", reason="the examples need the [train] extra (trl, peft, datasets)")

# The scripts import their shared glue with `from common import ...`, as `python examples/<script>.py` would.
sys.path.insert(0, str(EXAMPLES))

pytestmark = pytest.mark.trainer  # run on every supported TRL / transformers stack


def _run(script: Path, *args: str, cwd: Path, timeout: int = SMOKE_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        env=offline_env(PYTHONIOENCODING="utf-8"),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _load(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(script.stem, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[script.stem] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _log_history(checkpoint: Path) -> list[dict[str, Any]]:
    return json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))["log_history"]


@pytest.fixture(scope="module")
def qwen3() -> ModuleType:
    return _load(QWEN3)


@pytest.fixture(scope="module")
def malpyeong() -> ModuleType:
    return _load(MALPYEONG)


# -- the smoke runs -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_qwen3_t4_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _run(QWEN3, "--smoke", "--output-dir", str(out), cwd=tmp_path)
    assert result.returncode == 0, explain(result)
    log = result.stdout
    assert "backend=transformers" in log and "device=cpu" in log
    assert "SFT finished: 2 steps" in log, explain(result)
    assert "GRPO finished: 2 steps" in log, explain(result)
    assert "check rewards: match_format_exactly=" in log
    assert (out / "grpo_saved_lora" / "adapter_config.json").is_file()
    assert (out / "grpo_saved_lora" / "adapter_model.safetensors").is_file()
    adapter = json.loads((out / "grpo_saved_lora" / "adapter_config.json").read_text(encoding="utf-8"))
    assert adapter["r"] == 32 and adapter["lora_alpha"] == 64
    assert set(adapter["target_modules"]) == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    # the rewards ran inside GRPOTrainer and were logged under their names
    history = _log_history(out / "checkpoint-2")
    logged = set().union(*history)
    names = ("match_format_exactly", "match_format_approximately", "check_answer_ko", "check_numbers_ko_safe",
             "reasoning_length_math")
    for name in names:
        assert f"rewards/{name}/mean" in logged, sorted(logged)


@pytest.mark.slow
def test_malpyeong_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _run(MALPYEONG, "--smoke", "--output-dir", str(out), cwd=tmp_path)
    assert result.returncode == 0, explain(result)
    assert "GRPO finished: 2 steps" in result.stdout, explain(result)
    assert "train items: 8" in result.stdout and "dev items: 4" in result.stdout
    assert (out / "final_lora" / "adapter_config.json").is_file()
    assert (out / "final_lora" / "adapter_model.safetensors").is_file()
    # the combined reward ran and logged its value; the callback scored the dev set at the save
    history = _log_history(out / "checkpoint-2")
    logged = set().union(*history)
    assert any(key.startswith("rewards/malpyeong_reward") and key.endswith("/mean") for key in logged), sorted(logged)
    predictions = json.loads((out / "checkpoint-2" / "predictions.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in predictions] == ["101", "102", "103", "104"]
    assert all(isinstance(item["output"]["answer"], str) for item in predictions)
    best = json.loads((out / "best.json").read_text(encoding="utf-8"))
    assert [entry["step"] for entry in best["history"]] == [2]
    assert set(best["best"]["scores"]) >= {"exact_match", "rouge1", "bertscore", "final"}
    assert f"best dev checkpoint: {out / 'checkpoint-2'}" in result.stdout


# -- errors a user sees ---------------------------------------------------------------------------------------


def test_qwen3_missing_column_lists_the_columns(tmp_path: Path) -> None:
    result = _run(QWEN3, "--smoke", "--question-column", "문제", "--output-dir", str(tmp_path / "o"), cwd=tmp_path)
    assert result.returncode == 2, explain(result)
    assert "'문제' (--question-column)" in result.stderr
    assert "['question', 'reasoning', 'answer']" in result.stderr
    assert not (tmp_path / "o" / "tiny-model").exists()  # it stopped before loading a model


def test_malpyeong_bad_batch_stops_before_loading(tmp_path: Path) -> None:
    result = _run(MALPYEONG, "--smoke", "--per-device-batch", "3", "--output-dir", str(tmp_path / "o"), cwd=tmp_path)
    assert result.returncode == 2, explain(result)
    assert "must be a multiple of --num-generations 4" in result.stderr
    assert "--per-device-batch 4" in result.stderr


def test_malpyeong_missing_bertscore_model_fails_before_the_policy_loads(tmp_path: Path) -> None:
    train = EXAMPLES / "data" / "malpyeong_train_sample.json"
    args = ["--train", str(train), "--bertscore-layers", "9", "--output-dir", str(tmp_path / "o")]
    result = _run(MALPYEONG, *args, "--bertscore-model", "./no-such-mbert", cwd=tmp_path, timeout=120)
    assert result.returncode == 2, explain(result)
    assert "Traceback" not in result.stderr
    assert "--bertscore-model" in result.stderr and "read as a local folder: no such folder" in result.stderr
    assert "loaded" not in result.stdout  # neither the reward nor the policy


# -- building blocks ------------------------------------------------------------------------------------------


def test_common_examples_run() -> None:
    import common

    result = doctest.testmod(common, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0, result


def test_check_batch(qwen3: ModuleType, malpyeong: ModuleType) -> None:
    for module in (qwen3, malpyeong):
        assert module.check_batch(4, 1, 4) == 4
        assert module.check_batch(2, 2, 4) == 4
        assert module.check_batch(1, 2, 4, processes=2) == 4
        with pytest.raises(ValueError, match="= 6\\) must be a multiple of --num-generations 4"):
            module.check_batch(3, 2, 4)
        with pytest.raises(ValueError, match="--num-generations >= 2"):
            module.check_batch(4, 1, 1)
    with pytest.raises(ValueError, match="--per-device-batch 2"):
        malpyeong.check_batch(1, 1, 4, processes=2)


def test_malpyeong_prompts(malpyeong: ModuleType) -> None:
    choice = malpyeong.build_prompt("선택형", '"국물이 {졸았다/줄었다}." 가운데 올바른 것을 선택하세요.')
    correction = malpyeong.build_prompt("교정형", '다음 문장을 고치세요.\n"금새 끝났다."')
    for messages in (choice, correction):
        assert [m["role"] for m in messages] == ["system", "user"]
        assert "가 옳다" in messages[0]["content"]
    assert choice[1]["content"].startswith("[선택형] ") and "골라" in choice[1]["content"]
    assert correction[1]["content"].startswith("[교정형] ") and "고쳐" in correction[1]["content"]
    assert choice[0] == correction[0]
    with pytest.raises(ValueError, match="unknown question_type '서술형'"):
        malpyeong.build_prompt("서술형", "?")


def test_malpyeong_reads_competition_files(malpyeong: ModuleType, tmp_path: Path) -> None:
    items = malpyeong.read_items(str(EXAMPLES / "data" / "malpyeong_train_sample.json"))
    dataset = malpyeong.training_dataset(items)
    assert dataset.column_names == ["prompt", "answer", "id", "question_type"]
    assert all('"가 옳다. ' in answer for answer in dataset["answer"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "1", "input": {"question_type": "선택형", "question": "?"}}]), encoding="utf-8")
    with pytest.raises(ValueError, match="item 0 .*output.answer"):
        malpyeong.read_items(str(bad))
    with pytest.raises(ValueError, match="no such file"):
        malpyeong.read_items(str(tmp_path / "missing.json"))


def test_qwen3_template_and_sft_text(qwen3: ModuleType) -> None:
    from korean_rewards.testing import build_chat_tokenizer

    tokenizer = build_chat_tokenizer()
    tokenizer.chat_template = qwen3.chat_template()
    messages = qwen3.prompt_messages("사과는 몇 개입니까?")
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert prompt == messages[0]["content"] + "<|endoftext|>사과는 몇 개입니까?<start_working_out>"
    assistant = qwen3.sft_assistant_text("<think>3 + 4 = 7</think>", " 7 ")
    assert assistant == "<start_working_out>3 + 4 = 7<end_working_out><SOLUTION>7</SOLUTION>"
    full = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": assistant}], tokenize=False)
    assert full.endswith("사과는 몇 개입니까?" + assistant + "<|endoftext|>")


def test_qwen3_data_preparation(qwen3: ModuleType) -> None:
    from datasets import Dataset

    from korean_rewards.testing import build_chat_tokenizer

    raw = qwen3.load_table(str(EXAMPLES / "data" / "korean_math_sample.jsonl"), None, "train")
    with pytest.raises(ValueError, match=r"no column 'problem' \(--question-column\).*\['question', 'reasoning', 'answer'\]"):
        qwen3.require_columns(raw, {"question-column": "problem", "answer-column": "answer"}, "sample")
    dataset = qwen3.grpo_dataset(raw, "question", "answer", qwen3.NOTEBOOK_TAGS, max_rows=None)
    assert len(dataset) == len(raw) - 1  # the proof question has no numeric answer
    assert set(dataset.column_names) == {"prompt", "answer"}
    tokenizer = build_chat_tokenizer()
    tokenizer.chat_template = qwen3.chat_template()
    kept, max_prompt_length = qwen3.filter_by_prompt_length(dataset, tokenizer, 0.5)
    lengths = qwen3.prompt_lengths(dataset, tokenizer)
    assert max(qwen3.prompt_lengths(kept, tokenizer)) == max_prompt_length - 1
    assert len(kept) == sum(length <= max_prompt_length - 1 for length in lengths) < len(dataset)
    numbers = Dataset.from_list([{"question": "?", "answer": "정답 없음"}])
    with pytest.raises(ValueError, match="holds a number"):
        qwen3.grpo_dataset(numbers, "question", "answer", qwen3.NOTEBOOK_TAGS, max_rows=None)


def test_qwen3_hub_failure_is_a_clear_error(qwen3: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(ValueError, match="(?s)could not load the dataset 'no-such-user/no-such-set'.*local file"):
        qwen3.load_table("no-such-user/no-such-set", None, "train")


def test_supported_kwargs_drops_unknown_options(qwen3: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    from trl import GRPOConfig

    kept = qwen3.supported_kwargs(GRPOConfig, {"learning_rate": 1e-5, "no_such_option": 1})
    assert kept == {"learning_rate": 1e-5}
    assert "no_such_option" in capsys.readouterr().out

    class PatchedConfig(GRPOConfig):  # like Unsloth's: one option of its own, the rest through **kwargs
        def __init__(self, vllm_sampling_params: object = None, **kwargs: object) -> None:
            self.vllm_sampling_params = vllm_sampling_params
            super().__init__(**kwargs)

    values = {"vllm_sampling_params": "params", "num_generations": 4, "no_such_option": 1}
    assert qwen3.supported_kwargs(PatchedConfig, values) == {"vllm_sampling_params": "params", "num_generations": 4}


# -- the T4 defaults and recipe -------------------------------------------------------------------------------

T4_RECIPE_SCRIPT = ROOT / "scripts" / "t4_recipe.py"
# What the example's vLLM path needs to reach vLLM's SamplingParams (the notebook's values).
NOTEBOOK_SAMPLING = {"min_p": 0.1, "top_p": 1.0}


def _tiny_prompts() -> Any:
    from datasets import Dataset

    return Dataset.from_list([{"prompt": f"{n} 더하기 {n}은?", "answer": str(2 * n)} for n in range(4)])


def test_qwen3_t4_defaults(qwen3: ModuleType) -> None:
    real = qwen3.parse_args([])
    assert real.vllm_standby is True and real.gpu_memory_utilization == 0.9  # Unsloth replaces it with 0.76 on a T4
    assert real.sft_rows == 64 and real.sft_max_steps == -1 and real.sft_epochs == 2.0  # 128 SFT steps, not 15,000
    no_standby = qwen3.parse_args(["--no-vllm-standby"])
    assert no_standby.gpu_memory_utilization == 0.7
    assert qwen3.parse_args(["--no-vllm-standby", "--gpu-memory-utilization", "0.5"]).gpu_memory_utilization == 0.5
    assert qwen3.parse_args(["--sft-rows", "0"]).sft_rows is None  # every row


def test_qwen3_sft_rows_bound_the_sft_data(qwen3: ModuleType) -> None:
    from datasets import Dataset

    from korean_rewards.testing import build_chat_tokenizer

    tokenizer = build_chat_tokenizer()
    tokenizer.chat_template = qwen3.chat_template()
    raw = Dataset.from_list([{"q": f"{n} 곱하기 2는?", "a": f"{n} x 2 = {2 * n}\n#### {2 * n}"} for n in range(100)])
    for rows, expected in ((qwen3.parse_args([]).sft_rows, 64), (None, 100)):
        data = qwen3.sft_dataset(raw, "q", "a", "a", qwen3.NOTEBOOK_TAGS, tokenizer, max_tokens=1024, max_rows=rows)
        assert len(data) == expected


def test_qwen3_standby_is_set_before_unsloth_is_imported(
    qwen3: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # unsloth needs a GPU; a stand-in package records the environment it is imported with
    package = tmp_path / "unsloth"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import os\n__version__ = 'stand-in'\nSTANDBY_AT_IMPORT = os.environ.get('UNSLOTH_VLLM_STANDBY')\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "unsloth", raising=False)
    monkeypatch.delenv("UNSLOTH_VLLM_STANDBY", raising=False)
    qwen3.start_unsloth(qwen3.parse_args([]))
    assert sys.modules["unsloth"].STANDBY_AT_IMPORT == "1"
    monkeypatch.delitem(sys.modules, "unsloth")
    qwen3.start_unsloth(qwen3.parse_args(["--no-vllm-standby"]))
    assert sys.modules["unsloth"].STANDBY_AT_IMPORT == "0"

    # and run() imports it before anything sets up CUDA (pick_device)
    calls: list[str] = []
    monkeypatch.setattr(qwen3, "resolve_backend", lambda requested, smoke: "unsloth")
    monkeypatch.setattr(qwen3, "start_unsloth", lambda args: calls.append("start_unsloth"))

    def stop(smoke: bool) -> None:
        calls.append("pick_device")
        raise qwen3.UsageError("stop here")

    monkeypatch.setattr(qwen3, "pick_device", stop)
    with pytest.raises(qwen3.UsageError, match="stop here"):
        qwen3.run(qwen3.parse_args(["--output-dir", str(tmp_path / "out")]))
    assert calls == ["start_unsloth", "pick_device"]


def test_qwen3_unsloth_branch_sampling_reaches_trl(qwen3: ModuleType, tmp_path: Path) -> None:
    """The Unsloth branch's GRPOConfig carries min_p / top_p / top-k in the fields this TRL's vLLM code reads."""
    import inspect

    import trl.trainer.grpo_trainer as grpo_module
    from trl import GRPOTrainer

    from korean_rewards import match_format_exactly
    from korean_rewards.testing import build_chat_tokenizer, build_tiny_qwen3

    args = qwen3.parse_args(["--output-dir", str(tmp_path / "out")])
    args.optim = "adamw_torch"
    cpu = qwen3.Device("cpu")
    config = qwen3.grpo_config(args, "unsloth", "<|endoftext|>", cpu, max_prompt_length=64)
    assert type(config).__module__.startswith("trl.")  # TRL's real GRPOConfig
    assert (config.min_p, config.top_p, config.top_k) == (0.1, 1.0, 0)
    assert config.generation_kwargs == {"stop": ["<|endoftext|>"], "include_stop_str_in_output": True}
    assert getattr(config, "vllm_sampling_params", None) is None

    # What this TRL's vLLM path builds SamplingParams from: its min_p / top_k fields, then generation_kwargs
    # (trl 0.22 / 0.24 in GRPOTrainer, trl 1.x in trl.generation.vllm_generation).
    source = inspect.getsource(grpo_module)
    try:
        import trl.generation.vllm_generation as vllm_generation

        source += inspect.getsource(vllm_generation)
    except ImportError:
        pass
    assert "self.min_p = args.min_p" in source and "self.top_k = args.top_k" in source
    assert re.search(r'"min_p":\s*0\.0 if (?:self\.)?min_p is None else (?:self\.)?min_p', source)
    assert re.search(r'"top_p":\s*(?:self\.)?top_p', source)
    assert re.search(r"generation_kwargs\.update\(self\.(?:args\.)?generation_kwargs\)", source)
    assert "SamplingParams(**generation_kwargs)" in source

    # The same fields reach generation on the transformers branch, through the real GRPOTrainer.
    config = qwen3.grpo_config(args, "transformers", "<|endoftext|>", cpu, max_prompt_length=64)
    assert getattr(config, "generation_kwargs", None) is None
    tokenizer = qwen3.pad_left(build_chat_tokenizer())
    trainer = GRPOTrainer(
        model=build_tiny_qwen3(tokenizer),
        processing_class=tokenizer,
        reward_funcs=[match_format_exactly],
        args=config,
        train_dataset=_tiny_prompts(),
    )
    assert (trainer.min_p, trainer.top_p, trainer.top_k) == (0.1, 1.0, 0)
    generation = trainer.generation_config
    assert {key: getattr(generation, key) for key in NOTEBOOK_SAMPLING} == NOTEBOOK_SAMPLING
    assert generation.top_k in (0, None)  # off


def _t4_recipe() -> ModuleType:
    return _load(T4_RECIPE_SCRIPT)


def test_t4_recipe_pins_agree_with_the_docs_table() -> None:
    from packaging.requirements import Requirement

    recipe = _t4_recipe()
    documented = recipe.documented_versions()
    assert set(documented) == {
        "unsloth", "unsloth-zoo", "vllm", "torch", "torchao", "trl", "transformers", "peft"
    }, documented
    requirements = {recipe.canonical(r.name): r for r in map(Requirement, recipe.recipe_requirements())}
    assert not any(line.startswith("-e") for line in recipe.recipe_requirements())
    for name, version in documented.items():
        if name in requirements:  # torch comes from vllm's pin
            assert requirements[name].specifier.contains(version), (name, version, requirements[name])
    # the two fixes of issue 22: an Unsloth-compatible peft, and torchao below 0.18 on torch 2.9
    assert requirements["peft"].specifier.contains("0.18.0") and not requirements["peft"].specifier.contains("0.17.1")
    assert not requirements["torchao"].specifier.contains("0.18.0") and documented["torch"].startswith("2.9.")
    with open(ROOT / "examples" / "requirements-t4.txt", encoding="utf-8") as file:
        assert "-e .[rouge]" in file.read()  # a user's install still gets the package


def test_t4_recipe_compares_and_reports(tmp_path: Path) -> None:
    recipe = _t4_recipe()
    result = doctest.testmod(recipe, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0, result
    docs = tmp_path / "training.md"
    docs.write_text(
        "text\n<!-- t4-recipe-versions -->\n| package | version | why |\n| --- | --- | --- |\n"
        "| Unsloth_Zoo | `2026.10.9` | x |\n| torch | `2.9.0` | y |\n<!-- /t4-recipe-versions -->\n",
        encoding="utf-8",
    )
    documented = recipe.documented_versions(docs)
    assert documented == {"unsloth-zoo": "2026.10.9", "torch": "2.9.0"}
    rows = recipe.compare(documented, {"unsloth-zoo": "2026.10.9"})
    assert rows == [("unsloth-zoo", "2026.10.9", "2026.10.9", True), ("torch", "2.9.0", "(not installed)", False)]
    assert "DIFFERENT" in recipe.format_rows(rows)
    docs.write_text("no table here", encoding="utf-8")
    with pytest.raises(ValueError, match="no table"):
        recipe.documented_versions(docs)


def test_smoke_defaults_yield_to_the_command_line(qwen3: ModuleType, malpyeong: ModuleType) -> None:
    args = qwen3.parse_args(["--smoke", "--max-steps", "5"])
    assert (args.max_steps, args.sft_max_steps, args.per_device_batch, args.lora_alpha) == (5, 2, 4, 64)
    real = qwen3.parse_args([])
    assert (real.model, real.max_seq_length, real.max_steps, real.lora_rank, real.seed) == (
        "unsloth/Qwen3-4B-Base", 2048, 100, 32, 3407
    )
    assert (real.learning_rate, real.num_generations, real.grad_accum, real.min_p, real.top_k) == (5e-6, 4, 1, 0.1, -1)
    assert malpyeong.parse_args(["--smoke"]).train.endswith("malpyeong_train_sample.json")
    with pytest.raises(SystemExit):
        malpyeong.parse_args([])  # --train is required outside --smoke
