"""EvaluateOnSaveCallback inside real trainers (tiny models on CPU): files, scores, logs, best checkpoint."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("transformers")
pytest.importorskip("torch")

from korean_rewards.callbacks import EvaluateOnSaveCallback, default_prompt, strip_thinking  # noqa: E402
from korean_rewards.evaluation import BERTScoreF1, evaluate_file, load_items  # noqa: E402

DATA = Path(__file__).parent / "data"
LABELS = DATA / "cli_dev_labels.json"
DEV = json.loads(LABELS.read_text(encoding="utf-8"))[:4]
PREFIX = "eval_malpyeong_"

pytestmark = [pytest.mark.slow, pytest.mark.trainer]


def answer_with_reason(text: str) -> str:
    """Post-processing for the tiny random model: a fixed verdict, the generated text as the reason."""
    return '"방을 깨끗이 청소했다."가 옳다. ' + text.strip()


def _training_data(tokenizer: Any, n: int = 8, length: int = 24) -> Any:
    from datasets import Dataset

    text = '"방을 깨끗이 청소했다."가 옳다. 받침 뒤에서 이로 소리 나는 부사는 이로 적는다. ' * 4
    ids = tokenizer(text)["input_ids"][:length]
    return Dataset.from_dict({"input_ids": [ids] * n, "attention_mask": [[1] * length] * n, "labels": [ids] * n})


def _trainer(model: Any, tokenizer: Any, output_dir: Path, callbacks: list[Any], **overrides: Any) -> Any:
    from transformers import Trainer, TrainingArguments

    values = dict(
        output_dir=str(output_dir),
        max_steps=2,
        save_steps=1,
        save_strategy="steps",
        logging_steps=1,
        per_device_train_batch_size=4,
        learning_rate=0.1,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        save_only_model=True,
        seed=0,
    )
    values.update(overrides)
    return Trainer(
        model=model,
        args=TrainingArguments(**values),
        train_dataset=_training_data(tokenizer),
        processing_class=tokenizer,
        callbacks=callbacks,
    )


def _greedy_from_checkpoint(checkpoint: Path, base_path: str, tokenizer: Any, peft: bool) -> list[str]:
    """Answers generated independently from the saved checkpoint, one prompt at a time."""
    import torch
    from transformers import AutoModelForCausalLM

    if peft:
        from peft import PeftModel

        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_path), str(checkpoint))
    else:
        model = AutoModelForCausalLM.from_pretrained(str(checkpoint))
    model.eval()
    answers = []
    for item in load_items(DEV):
        prompt = tokenizer.apply_chat_template(default_prompt(item), tokenize=False, add_generation_prompt=True)
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.pad_token_id)
        answers.append(answer_with_reason(tokenizer.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)))
    return answers


@pytest.mark.parametrize("peft", [False, True], ids=["full", "lora"])
def test_callback_in_a_real_trainer(tmp_path: Path, tiny_qwen3_path: str, tiny_bert_path: str, peft: bool) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen3_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen3_path)
    if peft:
        from peft import LoraConfig, get_peft_model

        modules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]  # the notebook's
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=modules, task_type="CAUSAL_LM"))
    callback = EvaluateOnSaveCallback(
        DEV, max_new_tokens=8, batch_size=3, postprocess=answer_with_reason, bertscore_model=tiny_bert_path,
        num_layers=2,
    )
    trainer = _trainer(model, tokenizer, tmp_path, [callback])
    trainer.train()

    logged = [entry for entry in trainer.state.log_history if f"{PREFIX}final" in entry]
    assert [entry["step"] for entry in logged] == [1, 2]
    scorer = BERTScoreF1(tiny_bert_path, num_layers=2)
    predictions_by_step = {}
    for entry in logged:
        checkpoint = tmp_path / f"checkpoint-{entry['step']}"
        path = checkpoint / "predictions.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        assert [r["id"] for r in records] == [item["id"] for item in DEV]
        assert all(r["input"] == item["input"] for r, item in zip(records, DEV))
        predictions_by_step[entry["step"]] = [r["output"]["answer"] for r in records]
        # the just-saved weights generated them
        assert predictions_by_step[entry["step"]] == _greedy_from_checkpoint(checkpoint, tiny_qwen3_path, tokenizer, peft)
        # the same numbers as `korean-rewards evaluate` on that file
        expected = evaluate_file(path, load_items(DEV), bertscore=scorer)
        for name in ("exact_match", "rouge1"):
            assert entry[f"{PREFIX}{name}"] == pytest.approx(getattr(expected, name), abs=1e-9), name
        # BERTScore runs in float32: the callback's scorer may embed the same texts in batches padded to other
        # lengths (and reuse cached reference embeddings), which moves the 7th significant digit on a 0-100 scale
        for name in ("bertscore", "descriptive_avg", "final"):
            assert entry[f"{PREFIX}{name}"] == pytest.approx(getattr(expected, name), abs=1e-4), name
        assert f"{PREFIX}bleurt" not in entry and entry[f"{PREFIX}runtime"] > 0
    assert predictions_by_step[1] != predictions_by_step[2]  # training changed the model between the saves

    best = max(logged, key=lambda entry: entry[f"{PREFIX}final"])
    assert callback.best_step == best["step"]
    assert callback.best_checkpoint == str(tmp_path / f"checkpoint-{best['step']}")
    assert callback.best_score == best[f"{PREFIX}final"]
    summary = json.loads((tmp_path / "best.json").read_text(encoding="utf-8"))
    assert summary["metric"] == "final" and summary["best"]["step"] == best["step"]
    assert [h["step"] for h in summary["history"]] == [1, 2]
    assert trainer.state.best_model_checkpoint == callback.best_checkpoint  # protected from save_total_limit
    assert tokenizer.padding_side == "left" and model.training  # restored after generation


def test_grpo_trainer_keeps_its_own_metrics(tmp_path: Path, tiny_qwen3_path: str) -> None:
    """Through GRPOTrainer: our entry is logged on its own and does not take GRPO's pending training metrics.

    Saves at every step but logs every 2 steps: at step 1 GRPO holds unlogged reward metrics, which GRPOTrainer.log
    would fold into (and clear for) any entry logged through it.
    """
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from korean_rewards import malpyeong_format_reward

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen3_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen3_path)
    dataset = Dataset.from_dict({"prompt": [item["input"]["question"] for item in DEV]})
    config = GRPOConfig(
        output_dir=str(tmp_path), max_steps=2, save_steps=1, logging_steps=2, per_device_train_batch_size=2,
        num_generations=2, max_completion_length=8, report_to=[], use_cpu=True, disable_tqdm=True,
        save_only_model=True, learning_rate=1e-3, seed=0,
    )
    callback = EvaluateOnSaveCallback(DEV, max_new_tokens=8, batch_size=4, bertscore_model=None, metric="exact_match")
    trainer = GRPOTrainer(
        model=model, reward_funcs=[malpyeong_format_reward], args=config, train_dataset=dataset,
        processing_class=tokenizer, callbacks=[callback],
    )
    trainer.train()
    assert callback.trainer is trainer  # found from the callback's on_train_begin
    ours = [entry for entry in trainer.state.log_history if f"{PREFIX}exact_match" in entry]
    assert [entry["step"] for entry in ours] == [1, 2]
    assert all(not any(key.startswith("rewards/") for key in entry) for entry in ours)
    theirs = [entry for entry in trainer.state.log_history if "rewards/malpyeong_format_reward/mean" in entry]
    assert [entry["step"] for entry in theirs] == [2]
    assert (tmp_path / "checkpoint-2" / "predictions.json").is_file()
    assert callback.best_step in (1, 2)


def test_on_save_without_a_trainer_logs_to_state(tmp_path: Path, tiny_qwen3_path: str) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerControl, TrainerState, TrainingArguments

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen3_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen3_path)
    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True)
    state = TrainerState(global_step=7, epoch=0.5)
    callback = EvaluateOnSaveCallback(
        DEV, max_new_tokens=4, bertscore_model=None, metric="exact_match", postprocess=answer_with_reason,
        file_name="inference_step7.json",
    )
    callback.on_train_begin(args, state, TrainerControl(), model=model, processing_class=tokenizer)
    callback.on_save(args, state, TrainerControl(), model=model, processing_class=tokenizer)
    assert (tmp_path / "checkpoint-7" / "inference_step7.json").is_file()
    (entry,) = state.log_history
    assert entry["step"] == 7 and entry["epoch"] == 0.5 and entry[f"{PREFIX}exact_match"] == 25.0
    assert callback.best_step == 7 and callback.last_result is not None


def test_tokenizer_without_pad_token_is_left_as_it_was(tmp_path: Path, tiny_qwen3_path: str) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerControl, TrainerState, TrainingArguments

    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen3_path)
    tokenizer.pad_token, tokenizer.padding_side = None, "right"
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen3_path)
    callback = EvaluateOnSaveCallback(DEV, tokenizer=tokenizer, max_new_tokens=4, batch_size=4, bertscore_model=None,
                                      metric="exact_match")
    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True)
    callback.on_save(args, TrainerState(global_step=1), TrainerControl(), model=model)
    records = json.loads((tmp_path / "checkpoint-1" / "predictions.json").read_text(encoding="utf-8"))
    assert len(records) == 4 and all(isinstance(r["output"]["answer"], str) for r in records)
    assert tokenizer.pad_token is None and tokenizer.padding_side == "right"


def test_resume_continues_best_json(tmp_path: Path) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    history = [
        {"step": 1, "checkpoint": str(tmp_path / "checkpoint-1"), "scores": {"exact_match": 50.0}},
        {"step": 2, "checkpoint": str(tmp_path / "checkpoint-2"), "scores": {"exact_match": 75.0}},
        {"step": 3, "checkpoint": str(tmp_path / "checkpoint-3"), "scores": {"exact_match": 99.0}},
    ]
    (tmp_path / "best.json").write_text(json.dumps({"history": history}), encoding="utf-8")
    callback = EvaluateOnSaveCallback(DEV, bertscore_model=None, metric="exact_match", generate_fn=lambda m, t, p: p)
    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True)
    callback.on_train_begin(args, TrainerState(global_step=2), TrainerControl())
    assert callback.best_step == 2 and callback.best_score == 75.0  # step 3 is after the resumed checkpoint
    assert [h["step"] for h in callback.history] == [1, 2]


def test_generate_fn_and_prompt_builder(tmp_path: Path) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    seen: list[list[str]] = []

    def generate(model: Any, tokenizer: Any, prompts: list[str]) -> list[str]:
        seen.append(prompts)
        gold = {item["input"]["question"]: item["output"]["answer"] for item in DEV}
        return ["<think>...</think>" + gold[p] for p in prompts]

    callback = EvaluateOnSaveCallback(
        DEV, bertscore_model=None, metric="exact_match", generate_fn=generate,
        prompt_builder=lambda item: item.input["question"],
    )
    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True)
    state = TrainerState(global_step=3)
    callback.on_save(args, state, TrainerControl(), model=object())
    assert seen == [[item["input"]["question"] for item in DEV]]
    # the think block was stripped; the gold of item 103 has '#' alternatives that its own full text does not
    # match under the official rule, so 3 of 4
    assert state.log_history[0][f"{PREFIX}exact_match"] == 75.0
    records = json.loads((tmp_path / "checkpoint-3" / "predictions.json").read_text(encoding="utf-8"))
    assert [r["output"]["answer"] for r in records] == [item["output"]["answer"] for item in DEV]


def test_misuse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs BERTScore"):
        EvaluateOnSaveCallback(DEV, bertscore_model=None)
    with pytest.raises(ValueError, match="metric must be one of"):
        EvaluateOnSaveCallback(DEV, metric="loss")
    with pytest.raises(ValueError, match="needs a BLEURT scorer"):
        EvaluateOnSaveCallback(DEV, metric="bleurt")
    with pytest.raises(ValueError, match="plain file name"):
        EvaluateOnSaveCallback(DEV, bertscore_model=None, metric="exact_match", file_name="a/b.json")
    with pytest.raises(ValueError, match='no "output"'):
        EvaluateOnSaveCallback([{"id": "1"}], bertscore_model=None, metric="exact_match")
    missing = tmp_path / "dev.json"
    with pytest.raises(ValueError, match="no such file"):
        EvaluateOnSaveCallback(missing)
    from transformers import TrainerControl, TrainerState, TrainingArguments

    callback = EvaluateOnSaveCallback(DEV, bertscore_model=None, metric="exact_match")
    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True)
    with pytest.raises(ValueError, match="needs a tokenizer"):
        callback.on_train_begin(args, TrainerState(), TrainerControl(), model=object())


def test_strip_thinking_and_default_prompt() -> None:
    assert strip_thinking("<think>a</think> b </think> c ") == "c"
    assert strip_thinking(" 답 ") == "답"
    (item,) = load_items(DEV[:1])
    system, user = default_prompt(item)
    assert "가 옳다" in system["content"] and user["content"].startswith("[선택형] ")


def _distributed_worker(rank: int, world: int, port: int, output_dir: str, queue: Any) -> None:
    import torch.distributed as dist
    from transformers import TrainerControl, TrainerState, TrainingArguments

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        calls: list[list[str]] = []
        gold = {item["input"]["question"]: item["output"]["answer"] for item in DEV}

        def generate(model: Any, tokenizer: Any, prompts: list[str]) -> list[str]:
            calls.append(list(prompts))
            return [gold[p] if i % 2 == 0 else "모름" for i, p in enumerate(prompts)]

        callback = EvaluateOnSaveCallback(
            DEV[:3], bertscore_model=None, metric="exact_match", generate_fn=generate,
            prompt_builder=lambda item: item.input["question"],
        )
        args = TrainingArguments(output_dir=output_dir, report_to=[], use_cpu=True)
        state = TrainerState(global_step=5, is_world_process_zero=rank == 0)
        callback.on_save(args, state, TrainerControl(), model=object())
        queue.put((rank, calls, state.log_history, callback.best_step))
    finally:
        dist.destroy_process_group()


def test_distributed_shards_generation_and_shares_scores(tmp_path: Path) -> None:
    import socket

    import torch.multiprocessing as mp

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = mp.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_distributed_worker, args=(rank, 2, port, str(tmp_path), queue)) for rank in range(2)
    ]
    for process in processes:
        process.start()
    results = dict((r[0], r[1:]) for r in (queue.get(timeout=240) for _ in processes))
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    questions = [item["input"]["question"] for item in DEV[:3]]
    calls0, logs0, best0 = results[0]
    calls1, logs1, best1 = results[1]
    # rank 0 generates items 0 and 2, rank 1 item 1 plus a padding prompt: the same number of prompts on both
    assert calls0 == [[questions[0], questions[2]]] and calls1 == [[questions[1], questions[0]]]
    # each rank answered its first prompt correctly: items 0 and 1 are right, item 2 wrong
    records = json.loads((tmp_path / "checkpoint-5" / "predictions.json").read_text(encoding="utf-8"))
    assert [r["output"]["answer"] == item["output"]["answer"] for r, item in zip(records, DEV[:3])] == [True, True, False]
    assert logs0 == logs1 and logs0[0][f"{PREFIX}exact_match"] == pytest.approx(200 / 3)
    assert best0 == best1 == 5
