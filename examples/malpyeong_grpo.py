#!/usr/bin/env python
"""GRPO for the 2025 AI 말평 Korean-norm task (선택형 and 교정형 questions) with TRL, PEFT LoRA and 4-bit QLoRA.

The policy answers in the competition's template, ``"<옳은 문장>"가 옳다. <이유>``. The reward is
:func:`korean_rewards.malpyeong_reward`, the team recipe ``(BERTScore + EM + (format + 3 x ROUGE-1) / 2) / 3``
on each completion; :class:`korean_rewards.callbacks.EvaluateOnSaveCallback` generates on the dev set at every
checkpoint and scores it the way the official scorer does, so you can pick the best checkpoint.

Data: competition-format JSON files (a list of ``{"id", "input": {"question_type", "question"}, "output":
{"answer"}}``) given by path::

    pip install -e ".[rouge,bertscore,train]"
    python examples/malpyeong_grpo.py --train path/to/train.json --dev path/to/dev.json \\
        --model Qwen/Qwen3-4B-Instruct-2507 --output-dir outputs/malpyeong_grpo

The effective batch (per-device batch x processes x gradient accumulation) must be a multiple of
``--num-generations``; the script checks this before loading anything.

Smoke test: ``--smoke`` runs this same script on CPU for 2 steps with a tiny random Qwen3, a tiny random BERT for
the BERTScore part (2 layers) and the bundled sample files in ``examples/data/``. Only model loading differs (no
4-bit quantization without a GPU); everything else is the code of a real run::

    python examples/malpyeong_grpo.py --smoke
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    LORA_TARGETS,
    Device,
    UsageError,
    check_batch,
    hub_model_advice,
    pad_left,
    parse_with_smoke_defaults,
    pick_device,
    prefixed_log,
    run_main,
    save_smoke_policy,
    supported_kwargs,
)

HERE = Path(__file__).resolve().parent
SAMPLE_TRAIN = HERE / "data" / "malpyeong_train_sample.json"
SAMPLE_DEV = HERE / "data" / "malpyeong_dev_sample.json"
DEFAULT_MODEL = "Qwen/Qwen3-4B-Instruct-2507"
DEFAULT_BERTSCORE_MODEL = "bert-base-multilingual-cased"
QUESTION_TYPES = ("선택형", "교정형")

SMOKE_DEFAULTS: dict[str, Any] = {
    "model": None,  # a tiny random Qwen3 is built instead
    "bertscore_model": None,  # a tiny random BERT is built instead
    "bertscore_layers": 2,
    "train": str(SAMPLE_TRAIN),
    "dev": str(SAMPLE_DEV),
    "max_steps": 2,
    "save_steps": 2,
    "max_completion_length": 24,
    "eval_max_new_tokens": 24,
    "output_dir": "outputs/smoke/malpyeong_grpo",
}


log = prefixed_log("[malpyeong-grpo]")


# -- command line ----------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="GRPO with malpyeong_reward on competition-format 말평 data (TRL + PEFT LoRA + 4-bit).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--smoke", action="store_true", help="tiny random models, bundled data, CPU, 2 steps")
    parser.add_argument("--train", default=None, help="competition-format training JSON (required)")
    parser.add_argument("--dev", default=None, help="competition-format dev JSON, scored at every save")
    parser.add_argument("--output-dir", default="outputs/malpyeong_grpo")
    parser.add_argument("--seed", type=int, default=42)

    model = parser.add_argument_group("policy model")
    model.add_argument("--model", default=DEFAULT_MODEL, help="hub name or local directory")
    model.add_argument(
        "--load-in-4bit",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="4-bit nf4 + double quantization with bitsandbytes (default: on when a CUDA GPU is present)",
    )
    model.add_argument("--lora-rank", type=int, default=16)
    model.add_argument("--lora-alpha", type=int, default=None, help="default: 2 x --lora-rank")
    model.add_argument("--lora-dropout", type=float, default=0.05)
    model.add_argument("--lora-targets", default=",".join(LORA_TARGETS), help="comma-separated module names")
    model.add_argument("--gradient-checkpointing", action=argparse.BooleanOptionalAction, default=True)

    reward = parser.add_argument_group("reward")
    reward.add_argument("--bertscore-model", default=DEFAULT_BERTSCORE_MODEL, help="hub name or local directory")
    reward.add_argument("--bertscore-layers", type=int, default=None, help="default: bert-score's layer for the model")
    reward.add_argument("--bertscore-batch-size", type=int, default=64)

    grpo = parser.add_argument_group("GRPO")
    grpo.add_argument("--num-generations", type=int, default=4)
    grpo.add_argument("--per-device-batch", type=int, default=4)
    grpo.add_argument("--grad-accum", type=int, default=1)
    grpo.add_argument("--learning-rate", type=float, default=5e-6)
    grpo.add_argument("--weight-decay", type=float, default=0.001)
    grpo.add_argument("--warmup-ratio", type=float, default=0.1)
    grpo.add_argument("--lr-scheduler", default="linear")
    grpo.add_argument("--optim", default=None, help="default: paged_adamw_8bit on a GPU, adamw_torch on CPU")
    grpo.add_argument("--beta", type=float, default=0.0, help="KL coefficient (0 = no reference model)")
    grpo.add_argument("--temperature", type=float, default=1.0)
    grpo.add_argument("--max-prompt-length", type=int, default=512)
    grpo.add_argument("--max-completion-length", type=int, default=256)
    grpo.add_argument("--max-steps", type=int, default=300)
    grpo.add_argument("--save-steps", type=int, default=50)
    grpo.add_argument("--logging-steps", type=int, default=1)
    grpo.add_argument("--report-to", default="none")

    evaluation = parser.add_argument_group("evaluation at each save")
    evaluation.add_argument("--eval-max-new-tokens", type=int, default=256)
    evaluation.add_argument("--eval-batch-size", type=int, default=8)
    evaluation.add_argument("--eval-limit", type=int, default=None, help="score only the first N dev items")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = build_parser()
    args = parse_with_smoke_defaults(parser, SMOKE_DEFAULTS, argv)
    if args.train is None:
        parser.error("--train is required (a competition-format JSON file), or use --smoke")
    if args.lora_alpha is None:
        args.lora_alpha = 2 * args.lora_rank
    return args


# -- prompts ---------------------------------------------------------------------------------------------------

SYSTEM_PROMPT = (
    "당신은 한국어 어문 규범(한글 맞춤법, 표준어 규정, 띄어쓰기, 문장 부호, 외래어 표기법) 전문가입니다. "
    '답은 반드시 `"<옳은 문장>"가 옳다. <이유>` 형식으로 씁니다. 먼저 옳은 문장 전체를 큰따옴표로 감싸 쓰고 '
    "바로 뒤에 '가 옳다.'를 붙인 다음, 어떤 규범 때문에 그렇게 써야 하는지 설명합니다."
)

TYPE_INSTRUCTIONS = {
    "선택형": "문장 속 {A/B} 꼴의 선택지 가운데 규범에 맞는 것을 골라 완성한 문장 전체를 쓰세요.",
    "교정형": "규범에 맞지 않는 부분을 고쳐 완성한 문장 전체를 쓰세요.",
}


def build_prompt(question_type: str, question: str) -> list[dict[str, str]]:
    """The chat prompt for one item: the answer template in the system message, a per-type hint in the user's.

    Raises :class:`UsageError` for a question type other than 선택형 and 교정형.
    """
    hint = TYPE_INSTRUCTIONS.get(question_type)
    if hint is None:
        raise UsageError(f"unknown question_type {question_type!r}; expected one of {QUESTION_TYPES}")
    user = f"[{question_type}] {question.strip()}\n\n{hint}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def item_prompt(item: Any) -> list[dict[str, str]]:
    """:func:`build_prompt` for one competition item (a JSON record, or the callback's ``Item``)."""
    fields = item["input"] if isinstance(item, dict) else item.input
    return build_prompt(fields["question_type"], fields["question"])


# -- data ------------------------------------------------------------------------------------------------------


def read_items(path: str, need_answers: bool = True) -> list[dict[str, Any]]:
    """Read a competition-format JSON file, with an error naming the file and the first bad item."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path}: no such file (pass a competition-format JSON file)")
    try:
        items = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not a UTF-8 JSON file: {error}") from error
    if not isinstance(items, list) or not items:
        raise UsageError(f"{path}: expected a non-empty JSON list of items")
    for index, item in enumerate(items):
        problem = _item_problem(item, need_answers)
        if problem:
            raise UsageError(f"{path}: item {index} ({_short(item)}): {problem}")
    return items


def _item_problem(item: Any, need_answers: bool) -> str | None:
    if not isinstance(item, dict) or "id" not in item or not isinstance(item.get("input"), dict):
        return 'expected {"id": ..., "input": {"question_type": ..., "question": ...}, "output": {"answer": ...}}'
    if item["input"].get("question_type") not in QUESTION_TYPES:
        return f"input.question_type must be one of {QUESTION_TYPES}"
    if not isinstance(item["input"].get("question"), str):
        return "input.question must be a string"
    if need_answers and not isinstance((item.get("output") or {}).get("answer"), str):
        return "output.answer (the gold answer) is missing"
    return None


def _short(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False)[:80]


def training_dataset(items: list[dict[str, Any]]) -> Any:
    """``prompt`` (chat messages), ``answer`` (the gold ``"…"가 옳다. 이유`` text), ``id`` and ``question_type``."""
    from datasets import Dataset

    return Dataset.from_list(
        [
            {
                "prompt": item_prompt(item),
                "answer": item["output"]["answer"],
                "id": str(item["id"]),
                "question_type": item["input"]["question_type"],
            }
            for item in items
        ]
    )


# -- models: the only part that differs between a real run and --smoke -----------------------------------------


def smoke_models(directory: Path) -> tuple[str, str]:
    """Save a tiny random Qwen3 (with a tokenizer trained on the sample data) and a 2-layer tiny BERT."""
    from korean_rewards.testing import save_tiny_bert

    corpus = [SYSTEM_PROMPT, *TYPE_INSTRUCTIONS.values()]
    for path in (SAMPLE_TRAIN, SAMPLE_DEV):
        for item in json.loads(path.read_text(encoding="utf-8")):
            corpus += [item["input"]["question"], item["output"]["answer"]]
    # A plain chat template for the smoke model (real models bring their own).
    chat_template = (
        "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + eos_token }}{% endfor %}"
        "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}"
    )
    policy_dir = save_smoke_policy(directory / "tiny-qwen3", corpus, chat_template)
    bert_dir = save_tiny_bert(directory / "tiny-bert", num_layers=2)
    return policy_dir, bert_dir


def load_policy(model_name: str, args: argparse.Namespace, device: Device) -> tuple[Any, Any]:
    """The policy and its tokenizer; 4-bit nf4 with double quantization when asked for and a GPU is present."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quantize = args.load_in_4bit if args.load_in_4bit is not None else device.kind == "cuda"
    if quantize and device.kind != "cuda":
        log("note: 4-bit loading needs a CUDA GPU (bitsandbytes); loading in full precision instead")
        quantize = False
    if quantize and importlib.util.find_spec("bitsandbytes") is None:
        raise UsageError(
            "4-bit loading needs bitsandbytes: pip install -e '.[train]', or pass --no-load-in-4bit"
        )
    dtype = device.torch_dtype
    options: dict[str, Any] = {"dtype": dtype}
    if quantize:
        from transformers import BitsAndBytesConfig

        options["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
        options["device_map"] = {"": int(os.environ.get("LOCAL_RANK", 0))}
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_name)
        model = AutoModelForCausalLM.from_pretrained(model_name, **options)
    except OSError as error:
        raise UsageError(hub_model_advice(model_name, error)) from error
    if quantize:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=args.gradient_checkpointing)
    pad_left(tokenizer)
    log(f"policy {model_name}: {'4-bit nf4' if quantize else str(dtype).replace('torch.', '')} on {device.kind}")
    return model, tokenizer


def lora_config(args: argparse.Namespace) -> Any:
    from peft import LoraConfig

    return LoraConfig(
        r=args.lora_rank,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=[name.strip() for name in args.lora_targets.split(",") if name.strip()],
        bias="none",
        task_type="CAUSAL_LM",
    )


# -- reward and evaluation -------------------------------------------------------------------------------------


def build_reward(bertscore_model: str, args: argparse.Namespace) -> Any:
    """``malpyeong_reward``: (BERTScore + EM + (format + 3 x ROUGE-1) / 2) / 3, gold from the ``answer`` column."""
    from korean_rewards import malpyeong_reward

    return malpyeong_reward(
        bertscore_model=bertscore_model,
        num_layers=args.bertscore_layers,
        answer_key="answer",
        batch_size=args.bertscore_batch_size,
    )


def build_callback(dev_items: list[dict[str, Any]], tokenizer: Any, bertscore_model: str, args: argparse.Namespace) -> Any:
    """Generate on the dev items at every save, score them like the official scorer, and log the metrics."""
    from korean_rewards.callbacks import EvaluateOnSaveCallback

    if args.eval_limit is not None:
        dev_items = dev_items[: args.eval_limit]
    return EvaluateOnSaveCallback(
        dev_items,
        tokenizer=tokenizer,
        prompt_builder=item_prompt,
        max_new_tokens=args.eval_max_new_tokens,
        batch_size=args.eval_batch_size,
        bertscore_model=bertscore_model,
        num_layers=args.bertscore_layers,
        bertscore_batch_size=args.bertscore_batch_size,
    )


# -- main ------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    processes = int(os.environ.get("WORLD_SIZE", 1))
    check_batch(args.per_device_batch, args.grad_accum, args.num_generations, processes)
    train_items = read_items(args.train)
    dev_items = read_items(args.dev) if args.dev else None
    dataset = training_dataset(train_items)
    log(f"train items: {len(dataset)} ({args.train}); dev items: {len(dev_items) if dev_items else 0}")

    device = pick_device(args.smoke)
    if args.optim is None:
        args.optim = "paged_adamw_8bit" if device.kind == "cuda" else "adamw_torch"
    if args.smoke:
        model_name, bertscore_model = smoke_models(Path(args.output_dir) / "smoke-models")
    else:
        model_name, bertscore_model = args.model, args.bertscore_model
    # Load the reward's BERTScore model first: a wrong path or no network fails here, not at the first step.
    try:
        reward = build_reward(bertscore_model, args).load()
    except (OSError, ValueError) as error:  # the model cannot be loaded, or its layer is unknown
        raise UsageError(f"--bertscore-model / --bertscore-layers: {error}") from error
    log(f"reward {reward.__name__} loaded")
    model, tokenizer = load_policy(model_name, args, device)

    from trl import GRPOConfig, GRPOTrainer

    values = dict(
        output_dir=args.output_dir,
        learning_rate=args.learning_rate,
        weight_decay=args.weight_decay,
        warmup_ratio=args.warmup_ratio,
        lr_scheduler_type=args.lr_scheduler,
        optim=args.optim,
        beta=args.beta,
        temperature=args.temperature,
        per_device_train_batch_size=args.per_device_batch,
        gradient_accumulation_steps=args.grad_accum,
        num_generations=args.num_generations,
        max_prompt_length=args.max_prompt_length,
        max_completion_length=args.max_completion_length,
        max_steps=args.max_steps,
        save_steps=args.save_steps,
        logging_steps=args.logging_steps,
        gradient_checkpointing=args.gradient_checkpointing,
        report_to=args.report_to,
        seed=args.seed,
        **device.trainer_kwargs,
    )
    config = GRPOConfig(**supported_kwargs(GRPOConfig, values, log))
    callbacks = [build_callback(dev_items, tokenizer, bertscore_model, args)] if dev_items else []
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=[reward],
        args=config,
        train_dataset=dataset,
        peft_config=lora_config(args),
        callbacks=callbacks,
    )
    trainer.train()
    log(f"GRPO finished: {trainer.state.global_step} steps")
    final_dir = Path(args.output_dir) / "final_lora"
    trainer.save_model(str(final_dir))
    tokenizer.save_pretrained(str(final_dir))
    log(f"saved the LoRA to {final_dir}")
    if callbacks:
        best = callbacks[0].summary()["best"]
        if best is not None:
            scores = ", ".join(f"{key}={value:.2f}" for key, value in best["scores"].items())
            log(f"best dev checkpoint: {best['checkpoint']} ({scores}; 0-100 scale, see best.json)")


def main(argv: Sequence[str] | None = None) -> int:
    return run_main(run, parse_args(argv), log)


if __name__ == "__main__":
    sys.exit(main())
