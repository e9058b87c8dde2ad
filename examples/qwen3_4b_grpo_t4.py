#!/usr/bin/env python
"""Korean math reasoning with GRPO on Qwen3-4B-Base, sized for one 16 GB Tesla T4.

This is the Unsloth "Qwen3 (4B) GRPO" workflow, end to end, with Korean data and Korean-aware rewards:

1. load ``unsloth/Qwen3-4B-Base`` with Unsloth's ``FastLanguageModel`` (vLLM fast inference) and add a rank-32
   LoRA on every attention and MLP projection;
2. replace the chat template: system text + EOS, user text raw, assistant text + EOS, and the generation prompt
   ``<start_working_out>``, so completions begin inside the reasoning;
3. a short SFT pre-finetune (64 rows by default) on formatted examples, so the model learns the tag format first;
4. GRPO on a Korean math dataset (default ``kuotient/gsm8k-ko``, a Korean GSM8K translation, train split;
   prompts up to the 90% quantile of prompt length) with the rewards ``match_format_exactly``,
   ``match_format_approximately``, ``check_answer_ko``, ``check_numbers_ko`` (made safe: garbage and hedged or
   sprayed numbers score no better than a wrong number), ``reasoning_length`` (an answer without working, or pages
   of filler, loses to an honest solution) and ``accuracy_reward_ko``; ``korean-rewards audit`` passes this mix;
5. save the LoRA and generate once with it as a check.

Run (on a machine with a CUDA GPU; see ``examples/requirements-t4.txt`` for the T4 pins)::

    pip install -r examples/requirements-t4.txt
    python examples/qwen3_4b_grpo_t4.py --output-dir outputs/qwen3-4b-grpo-ko

The defaults are sized for a 16 GB T4: Unsloth's vLLM standby mode on (``--no-vllm-standby`` turns it off and
lowers vLLM's memory share), a 64-row SFT step (``--sft-rows``) and 100 GRPO steps. This GPU path was not run by the
project (its tests have no GPU); ``docs/training.md`` says what was checked instead.

The dataset's column layout is an option: ``--question-column``, ``--answer-column`` and, for the SFT step,
``--reasoning-column``. ``--dataset`` also takes a local ``.jsonl``/``.json``/``.csv``/``.parquet`` file.

Smoke test: ``--smoke`` runs this same script on CPU for 2 SFT and 2 GRPO steps with a tiny, randomly
initialised Qwen3 and tokenizer built on the fly (``korean_rewards.testing``) and the bundled sample data in
``examples/data/``. Only model loading differs from a real run (plain transformers + PEFT instead of
Unsloth/vLLM); the data preparation, configs, trainers, rewards, saving and the final check are the same code::

    python examples/qwen3_4b_grpo_t4.py --smoke
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    LORA_TARGETS,
    Device,
    UsageError,
    load_rewards,
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

from korean_rewards import (
    NOTEBOOK_TAGS,
    CheckNumbersKo,
    ReasoningLength,
    accuracy_reward_ko,
    Tags,
    check_answer_ko,
    extract_answer_number,
    match_format_approximately,
    match_format_exactly,
)

HERE = Path(__file__).resolve().parent
SAMPLE_DATA = HERE / "data" / "korean_math_sample.jsonl"
DEFAULT_MODEL = "unsloth/Qwen3-4B-Base"
# A Korean translation of GSM8K (train split: 7,473 rows). Its dataset card lists the columns question, answer,
# question_en and answer_en, with splits train and test; the answer column is GSM8K's worked solution ending in
# "#### N", which the rewards read as gold N. Korean math benchmarks (HRM8K, the test split) are for evaluation,
# never for training.
DEFAULT_DATASET = "kuotient/gsm8k-ko"

# The SFT step only teaches the tag format: Unsloth's notebook fine-tunes 59 rows for 2 epochs (118 steps, 171 s on
# a T4 with rows of up to 1,024 tokens). 64 rows x 2 epochs = 128 steps, so about 3 minutes on a T4 at the
# notebook's measured 1.45 s per step (an estimate: not run here); the whole 7,473-row train split would be
# ~15,000 steps, about 6 hours.
DEFAULT_SFT_ROWS = 64

# GPU memory on a 16 GB T4 (14.74 GiB usable; Qwen3-4B has 4.09 B parameters, 36 layers, hidden size 2,560, MLP
# 9,728, 8 KV heads of 128, vocabulary 151,936), for the defaults (LoRA rank 32, 4 completions of <= 2,048 tokens):
# - weights in fp16: 4.09 B x 2 B = 7.6 GiB, shared by vLLM and training (Unsloth's fast_inference);
# - LoRA on the 7 projections: 66.1 M parameters; fp32 weights 0.26 GB + gradients 0.26 GB + adamw_8bit states
#   0.13 GB = 0.65 GB;
# - vLLM's KV cache: 36 layers x 2 x 8 x 128 x 2 B = 144 KiB a token, so 4 x 2,048 tokens need 1.1 GiB, plus
#   vLLM's own activations (~0.9 GiB) and CUDA graphs (~0.3 GiB; both measured by vLLM 0.8.5 in Unsloth's run);
# - training activations for 4 x 2,048 = 8,192 tokens: one layer's input 8,192 x 2,560 x 2 B = 40 MiB (x 36 layers
#   = 1.4 GiB, which Unsloth's gradient checkpointing offloads to CPU memory), MLP intermediates 8,192 x 9,728 x
#   2 B = 152 MiB each, and logits 8,192 x 151,936 x 4 B = 4.6 GiB if held at once (Unsloth computes the GRPO loss
#   in chunks instead).
# Without standby vLLM keeps gpu_memory_utilization x 14.74 GiB for the whole run: 0.9 leaves 1.5 GiB for the CUDA
# context, the 0.65 GB of LoRA state and every activation above, which does not fit. With UNSLOTH_VLLM_STANDBY=1
# (read when unsloth is imported) vLLM sleeps while the trainer runs, handing its KV cache back, and unsloth_zoo
# 2026.10.9 sets the share itself (load_vllm: 0.8 x 0.95 = 0.76 for GPUs with 14-20 GiB when vLLM >= 0.11): 11.2 GiB
# = 7.6 weights + ~3.6 for vLLM's cache and activations while generating. Without standby, 0.7 (10.3 GiB: weights
# + 2.7 GiB for vLLM) leaves 4.4 GiB for training; Unsloth's saved T4 run (Unsloth 2025.5.7, vLLM 0.8.5) ran vLLM at
# 0.69. Sizes from Qwen3-4B's config and Unsloth's saved run (4,088,528,384 parameters, 66,060,288 trainable); this
# arithmetic was not checked on a GPU here.
GPU_MEMORY_WITH_STANDBY = 0.9  # the notebook's value; Unsloth replaces it with its standby share (0.76 on a T4)
GPU_MEMORY_WITHOUT_STANDBY = 0.7

# Values that --smoke changes (anything given on the command line still wins).
SMOKE_DEFAULTS: dict[str, Any] = {
    "model": None,  # a tiny random Qwen3 is built instead
    "dataset": str(SAMPLE_DATA),
    "question_column": "question",
    "answer_column": "answer",
    "reasoning_column": "reasoning",
    "max_seq_length": 1024,
    "max_completion_length": 24,
    "sft_max_steps": 2,
    "max_steps": 2,
    "save_steps": 2,
    "check_max_tokens": 16,
    "gradient_checkpointing": False,  # nothing to save on a tiny model
    "output_dir": "outputs/smoke/qwen3_4b_grpo",
}


log = prefixed_log("[qwen3-grpo]", timed=True)  # seconds since the start


# -- command line ----------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Korean GRPO on Qwen3-4B-Base (the Unsloth Qwen3 GRPO workflow) for one 16 GB Tesla T4.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--smoke", action="store_true", help="tiny random model, bundled data, CPU, 2 steps")
    parser.add_argument("--output-dir", default="outputs/qwen3_4b_grpo_ko", help="checkpoints, LoRA and logs")
    parser.add_argument("--seed", type=int, default=3407)

    model = parser.add_argument_group("model")
    model.add_argument("--model", default=DEFAULT_MODEL, help="hub name or local directory")
    model.add_argument(
        "--backend",
        choices=("auto", "unsloth", "transformers"),
        default="auto",
        help="auto: Unsloth + vLLM when a CUDA GPU and unsloth are present, else plain transformers + PEFT",
    )
    model.add_argument("--max-seq-length", type=int, default=2048)
    model.add_argument("--lora-rank", type=int, default=32)
    model.add_argument("--lora-alpha", type=int, default=None, help="default: 2 x --lora-rank")
    model.add_argument(
        "--gpu-memory-utilization",
        type=float,
        default=None,
        help=f"vLLM's share of GPU memory; default {GPU_MEMORY_WITH_STANDBY} with standby (Unsloth then sets its own "
        f"share, 0.76 on a T4), {GPU_MEMORY_WITHOUT_STANDBY} without",
    )
    model.add_argument(
        "--vllm-standby",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Unsloth's vLLM standby mode (UNSLOTH_VLLM_STANDBY=1): vLLM frees its KV cache while the trainer runs",
    )
    model.add_argument("--load-in-4bit", action="store_true", help="4-bit base weights (Unsloth backend)")
    model.add_argument(
        "--gradient-checkpointing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="trade compute for memory (Unsloth always uses its own)",
    )

    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default=DEFAULT_DATASET, help="hub name or a local .jsonl/.json/.csv/.parquet")
    data.add_argument("--dataset-config", default=None, help="the hub dataset's configuration (subset) name")
    data.add_argument("--split", default="train")
    data.add_argument("--question-column", default="question", help="column with the problem text")
    data.add_argument("--answer-column", default="answer", help="column with the gold (numeric) answer")
    data.add_argument("--max-rows", type=int, default=None, help="use at most this many rows (after filtering)")
    data.add_argument("--prompt-quantile", type=float, default=0.9, help="keep prompts up to this length quantile")

    sft = parser.add_argument_group("SFT pre-finetune (teaches the tag format)")
    sft.add_argument("--skip-sft", action="store_true")
    sft.add_argument("--sft-dataset", default=None, help="default: the same as --dataset")
    sft.add_argument("--sft-dataset-config", default=None)
    sft.add_argument("--sft-split", default=None, help="default: the same as --split")
    sft.add_argument("--sft-question-column", default=None, help="default: --question-column")
    sft.add_argument("--sft-answer-column", default=None, help="default: --answer-column")
    sft.add_argument(
        "--reasoning-column",
        default="answer",
        help="column with the worked solution (SFT); a GSM8K-style '... #### N' column gives its part before ####",
    )
    sft.add_argument(
        "--sft-rows", type=int, default=DEFAULT_SFT_ROWS, help="use at most this many SFT rows (0: all of them)"
    )
    sft.add_argument("--sft-epochs", type=float, default=2.0)
    sft.add_argument("--sft-max-steps", type=int, default=-1, help="overrides --sft-epochs when > 0")
    sft.add_argument("--sft-learning-rate", type=float, default=2e-4)

    grpo = parser.add_argument_group("GRPO")
    grpo.add_argument("--learning-rate", type=float, default=5e-6)
    grpo.add_argument("--weight-decay", type=float, default=0.001)
    grpo.add_argument("--warmup-ratio", type=float, default=0.1)
    grpo.add_argument("--lr-scheduler", default="linear")
    grpo.add_argument("--optim", default=None, help="default: adamw_8bit on a GPU, adamw_torch on CPU")
    grpo.add_argument("--num-generations", type=int, default=4)
    grpo.add_argument(
        "--per-device-batch", type=int, default=None, help="default: --num-generations (what Unsloth uses)"
    )
    grpo.add_argument("--grad-accum", type=int, default=1, help="keep 1 on a T4 (see docs/training.md, T4 notes)")
    grpo.add_argument("--max-steps", type=int, default=100)
    grpo.add_argument("--save-steps", type=int, default=100)
    grpo.add_argument("--logging-steps", type=int, default=1)
    grpo.add_argument("--max-completion-length", type=int, default=None, help="default: seq length - prompt length")
    grpo.add_argument("--temperature", type=float, default=1.0)
    grpo.add_argument("--min-p", type=float, default=0.1)
    grpo.add_argument("--top-p", type=float, default=1.0)
    grpo.add_argument("--top-k", type=int, default=-1, help="-1 (or 0) disables top-k")
    grpo.add_argument("--report-to", default="none", help="e.g. wandb, tensorboard")

    check = parser.add_argument_group("final check")
    check.add_argument("--check-question", default="한 상자에 사과가 열두 개씩 들어 있습니다. 일곱 상자에는 모두 몇 개입니까?")
    check.add_argument("--check-answer", default="84")
    check.add_argument("--check-max-tokens", type=int, default=1024)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; with ``--smoke`` the smoke defaults replace the real ones."""
    parser = build_parser()
    args = parse_with_smoke_defaults(parser, SMOKE_DEFAULTS, argv)
    if args.lora_alpha is None:
        args.lora_alpha = 2 * args.lora_rank
    if args.per_device_batch is None:
        args.per_device_batch = args.num_generations
    if args.gpu_memory_utilization is None:
        args.gpu_memory_utilization = GPU_MEMORY_WITH_STANDBY if args.vllm_standby else GPU_MEMORY_WITHOUT_STANDBY
    if args.sft_rows is not None and args.sft_rows <= 0:
        args.sft_rows = None  # every row
    if not 0.0 < args.prompt_quantile <= 1.0:
        parser.error(f"--prompt-quantile must be in (0, 1], got {args.prompt_quantile}")
    return args


# -- prompts and chat template ---------------------------------------------------------------------------------


def system_prompt(tags: Tags = NOTEBOOK_TAGS) -> str:
    """The system prompt: show the working between the reasoning tags, then the answer between the solution tags."""
    return (
        "문제가 주어집니다. 문제를 차근차근 생각하고 풀이 과정을 "
        f"{tags.reasoning_start}와 {tags.reasoning_end} 사이에 쓰세요. "
        f"그다음 최종 답을 {tags.solution_start}와 {tags.solution_end} 사이에 숫자로 쓰세요."
    )


def chat_template(tags: Tags = NOTEBOOK_TAGS) -> str:
    """The notebook's chat template: system + EOS, user raw, assistant + EOS; generation prompt = reasoning start.

    Completions therefore start inside the reasoning and never contain ``tags.reasoning_start``.
    """
    start = tags.reasoning_start.replace("'", "\\'")
    return (
        "{% if messages[0]['role'] == 'system' %}"
        "{{ messages[0]['content'] + eos_token }}{% set loop_messages = messages[1:] %}"
        "{% else %}{% set loop_messages = messages %}{% endif %}"
        "{% for message in loop_messages %}"
        "{% if message['role'] == 'user' %}{{ message['content'] }}"
        "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}"
        "{% endfor %}"
        "{% if add_generation_prompt %}{{ '" + start + "' }}{% endif %}"
    )


def prompt_messages(question: str, tags: Tags = NOTEBOOK_TAGS) -> list[dict[str, str]]:
    return [{"role": "system", "content": system_prompt(tags)}, {"role": "user", "content": question}]


_THINK_TAGS = re.compile(r"</?think>")


def sft_assistant_text(reasoning: str, answer: str, tags: Tags = NOTEBOOK_TAGS) -> str:
    """What the SFT step teaches: the reasoning between its tags (``<think>`` tags removed), then the answer."""
    thoughts = _THINK_TAGS.sub("", reasoning).strip()
    return (
        f"{tags.reasoning_start}{thoughts}{tags.reasoning_end}"
        f"{tags.solution_start}{answer.strip()}{tags.solution_end}"
    )


_CALCULATOR_NOTE = re.compile(r"<<[^<>]{0,200}>>")  # GSM8K's calculator annotations: <<16-3-4=9>>


def split_gsm8k(text: str) -> tuple[str, str]:
    """``(worked solution, answer)`` of a GSM8K-style ``"풀이 … #### 72"`` (calculator notes removed), or
    ``(text, text)`` for any other text."""
    before, mark, after = text.rpartition("####")
    if not mark:
        return text, text
    return _CALCULATOR_NOTE.sub("", before).strip(), after.strip().replace(",", "")


def has_numeric_answer(answer: Any) -> bool:
    """True when the gold answer reads as one number (Korean numerals, commas and units allowed)."""
    return isinstance(answer, (str, int, float)) and extract_answer_number(str(answer)) is not None


# -- data ------------------------------------------------------------------------------------------------------

_LOCAL_FORMATS = {".json": "json", ".jsonl": "json", ".csv": "csv", ".parquet": "parquet"}


def load_table(source: str, config: str | None, split: str) -> Any:
    """Load ``source`` (a hub dataset name, a local data file or a local dataset folder) as one split.

    A hub failure (offline, wrong name, no access) raises :class:`UsageError` with what to do about it.
    """
    from datasets import load_dataset

    path = Path(source)
    if path.is_file():
        fmt = _LOCAL_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise UsageError(f"{source}: unknown data file type; use one of {sorted(_LOCAL_FORMATS)}")
        return load_dataset(fmt, data_files=str(path), split="train")
    if path.is_dir():
        return load_dataset(str(path), config, split=split)
    try:
        return load_dataset(source, config, split=split)
    except Exception as error:  # noqa: BLE001 - every hub failure gets the same advice
        raise UsageError(
            f"could not load the dataset {source!r} (config {config!r}, split {split!r}): "
            f"{type(error).__name__}: {error}\n"
            "Check the name, your network connection and HF_TOKEN, or pass a local file, "
            "e.g. --dataset examples/data/korean_math_sample.jsonl"
        ) from error


def require_columns(dataset: Any, columns: dict[str, str], source: str) -> None:
    """Raise :class:`UsageError` naming every missing column, the option that set it and the columns there are."""
    missing = [f"{column!r} (--{option})" for option, column in columns.items() if column not in dataset.column_names]
    if missing:
        raise UsageError(
            f"the dataset {source} has no column {', '.join(missing)}; its columns are {dataset.column_names}. "
            "Map yours with --question-column/--answer-column (and --reasoning-column for the SFT step). "
            "Without a reasoning column, use --skip-sft, or the notebook's SFT data: --sft-dataset "
            "unsloth/OpenMathReasoning-mini --sft-split cot --sft-question-column problem "
            "--reasoning-column generated_solution --sft-answer-column expected_answer"
        )


# The rows are prepared in plain Python and put into a new Dataset: datasets' map/filter would hash these
# functions (with dill, slowly) for their cache fingerprints, and the sets here are small (thousands of rows).


def grpo_dataset(raw: Any, question_column: str, answer_column: str, tags: Tags, max_rows: int | None) -> Any:
    """Rows with a numeric gold answer as ``{"prompt": [system, user], "answer": gold}``."""
    from datasets import Dataset

    rows = [
        {"prompt": prompt_messages(str(question), tags), "answer": split_gsm8k(str(answer).strip())[1]}
        for question, answer in zip(raw[question_column], raw[answer_column])
        if has_numeric_answer(split_gsm8k(str(answer))[1])
    ]
    if not rows:
        raise UsageError(
            f"no row of the column {answer_column!r} holds a number; the math rewards need numeric gold answers"
        )
    return Dataset.from_list(rows[:max_rows] if max_rows is not None else rows)


def sft_dataset(
    raw: Any,
    question_column: str,
    reasoning_column: str,
    answer_column: str,
    tags: Tags,
    tokenizer: Any,
    max_tokens: int,
    max_rows: int | None,
) -> Any:
    """Formatted conversations as a ``text`` column: rows with a reasoning, a numeric answer, <= ``max_tokens``."""
    from datasets import Dataset

    texts = []
    for question, reasoning, answer in zip(raw[question_column], raw[reasoning_column], raw[answer_column]):
        reasoning = split_gsm8k(str(reasoning))[0] if reasoning else reasoning
        answer = split_gsm8k(str(answer))[1]
        if not reasoning or not has_numeric_answer(answer):
            continue
        assistant = {"role": "assistant", "content": sft_assistant_text(str(reasoning), str(answer), tags)}
        texts.append(tokenizer.apply_chat_template(prompt_messages(str(question), tags) + [assistant], tokenize=False))
    lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]] if texts else []
    kept = [text for text, length in zip(texts, lengths) if length <= max_tokens]
    return Dataset.from_dict({"text": kept[:max_rows] if max_rows is not None else kept})


def prompt_lengths(dataset: Any, tokenizer: Any) -> list[int]:
    """Tokens in each row's rendered prompt (chat template with the generation prompt)."""
    texts = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=False) for p in dataset["prompt"]]
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


def filter_by_prompt_length(dataset: Any, tokenizer: Any, quantile: float) -> tuple[Any, int]:
    """Keep prompts up to the ``quantile`` of tokenized prompt length; return them and that length + 1."""
    import numpy as np

    lengths = prompt_lengths(dataset, tokenizer)
    limit = int(np.quantile(lengths, quantile))
    keep = [index for index, length in enumerate(lengths) if length <= limit]
    return dataset.select(keep), limit + 1


# -- model loading: the only part that differs between a real run and --smoke ---------------------------------


@dataclass
class Loaded:
    model: Any
    tokenizer: Any
    backend: str  # "unsloth" or "transformers"


def resolve_backend(requested: str, smoke: bool) -> str:
    """``"unsloth"`` or ``"transformers"``; decided before CUDA is initialised, so Unsloth can be imported first."""
    if smoke or requested == "transformers":
        return "transformers"
    import torch

    has_unsloth = importlib.util.find_spec("unsloth") is not None
    has_cuda = torch.cuda.is_available()  # counts devices; does not set up CUDA's memory allocator
    if requested == "unsloth" and not (has_cuda and has_unsloth):
        raise UsageError("--backend unsloth needs a CUDA GPU and `pip install -r examples/requirements-t4.txt`")
    return "unsloth" if has_cuda and has_unsloth else "transformers"


def start_unsloth(args: argparse.Namespace) -> None:
    """Set Unsloth's vLLM standby switch, then import unsloth, before CUDA, transformers, TRL or PEFT are set up.

    unsloth_zoo 2026.10.9 reads ``UNSLOTH_VLLM_STANDBY`` when it is imported (it then keeps PyTorch's
    ``expandable_segments`` off, which vLLM's sleep mode needs), and Unsloth patches transformers and TRL on import.
    """
    os.environ["UNSLOTH_VLLM_STANDBY"] = "1" if args.vllm_standby else "0"
    import unsloth  # noqa: F401

    log(f"unsloth {unsloth.__version__} imported; vLLM standby {'on' if args.vllm_standby else 'off'}")


def load_unsloth(args: argparse.Namespace) -> Loaded:
    """Unsloth + vLLM, as in the notebook (16-bit base weights, LoRA r=32, Unsloth gradient checkpointing)."""
    from unsloth import FastLanguageModel

    try:
        model, tokenizer = FastLanguageModel.from_pretrained(
            model_name=args.model,
            max_seq_length=args.max_seq_length,
            load_in_4bit=args.load_in_4bit,
            fast_inference=True,
            max_lora_rank=args.lora_rank,
            gpu_memory_utilization=args.gpu_memory_utilization,
        )
    except OSError as error:
        raise UsageError(hub_model_advice(args.model, error)) from error
    model = FastLanguageModel.get_peft_model(
        model,
        r=args.lora_rank,
        target_modules=list(LORA_TARGETS),
        lora_alpha=args.lora_alpha,
        use_gradient_checkpointing="unsloth",
        random_state=args.seed,
    )
    return Loaded(model, tokenizer, "unsloth")


def load_transformers(model_name: str, args: argparse.Namespace, device: Device) -> Loaded:
    """Plain transformers + PEFT LoRA with the same rank, alpha and target modules."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(model_name)
        model = AutoModelForCausalLM.from_pretrained(model_name, dtype=device.torch_dtype)
    except OSError as error:
        raise UsageError(hub_model_advice(model_name, error)) from error
    if device.kind == "cuda":
        model = model.to("cuda")
    lora = LoraConfig(
        r=args.lora_rank,
        lora_alpha=args.lora_alpha,
        target_modules=list(LORA_TARGETS),
        lora_dropout=0.0,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return Loaded(get_peft_model(model, lora), tokenizer, "transformers")


def build_smoke_model(directory: Path) -> str:
    """Save a tiny random Qwen3 and its chat tokenizer (trained on the sample data) for ``from_pretrained``."""
    corpus = [line for line in SAMPLE_DATA.read_text(encoding="utf-8").splitlines() if line]
    corpus.append(system_prompt())
    return save_smoke_policy(directory, corpus)


def load_model(args: argparse.Namespace, device: Device, backend: str) -> Loaded:
    if args.smoke:
        model_dir = build_smoke_model(Path(args.output_dir) / "tiny-model")
        loaded = load_transformers(model_dir, args, device)
    elif backend == "unsloth":
        loaded = load_unsloth(args)
    else:
        loaded = load_transformers(args.model, args, device)
    loaded.tokenizer.chat_template = chat_template(NOTEBOOK_TAGS)
    pad_left(loaded.tokenizer)
    return loaded


# -- training --------------------------------------------------------------------------------------------------


def checkpointing(args: argparse.Namespace, backend: str) -> dict[str, Any]:
    """Gradient checkpointing for the trainers: Unsloth's model already has its own ("unsloth") mode."""
    return {} if backend == "unsloth" else {"gradient_checkpointing": args.gradient_checkpointing}


def run_sft(loaded: Loaded, dataset: Any, args: argparse.Namespace, device: Device) -> None:
    from trl import SFTConfig, SFTTrainer

    values = dict(
        output_dir=str(Path(args.output_dir) / "sft"),
        dataset_text_field="text",
        per_device_train_batch_size=1,
        gradient_accumulation_steps=1,
        warmup_steps=5,
        num_train_epochs=args.sft_epochs,
        max_steps=args.sft_max_steps,
        learning_rate=args.sft_learning_rate,
        logging_steps=args.logging_steps,
        optim=args.optim,
        weight_decay=0.001,
        lr_scheduler_type="linear",
        seed=args.seed,
        report_to=args.report_to,
        save_strategy="no",
        max_length=args.max_seq_length,
        **checkpointing(args, loaded.backend),
        **device.trainer_kwargs,
    )
    config = SFTConfig(**supported_kwargs(SFTConfig, values, log))
    trainer = SFTTrainer(model=loaded.model, args=config, train_dataset=dataset, processing_class=loaded.tokenizer)
    result = trainer.train()
    log(f"SFT finished: {trainer.state.global_step} steps, loss {result.training_loss:.4f}")


def sampling_options(args: argparse.Namespace, backend: str, eos_token: str) -> dict[str, Any]:
    """GRPOConfig options for min_p, top_p and top-k (and, with vLLM, stopping at EOS with the EOS text kept).

    They go into GRPOConfig's own ``min_p`` / ``top_p`` / ``top_k`` fields, which every supported TRL reads when it
    builds vLLM's SamplingParams (trl 0.22.2: ``GRPOTrainer._generate_and_score_completions``; trl 0.24.0:
    ``GRPOTrainer._generate_single_turn``; trl 1.x: ``trl.generation.vllm_generation``) and transformers'
    GenerationConfig. The vLLM-only ``stop`` / ``include_stop_str_in_output`` go into ``generation_kwargs``, which
    those same TRL versions merge into vLLM's SamplingParams. The notebook's ``vllm_sampling_params`` is not used:
    which of its fields reach vLLM depends on the Unsloth version (unsloth_zoo 2026.1.2 copies only non-empty list
    fields, so min_p fell back to TRL's 0.0; unsloth 2026.10.9 copies fields that differ from vLLM's defaults except
    seed, n, temperature, max_tokens and logprobs). No per-request seed either: one seed for the 4 copies of a prompt
    would make them identical. Top-k 0 means off for vLLM 0.11.2, transformers and TRL 1.x (unsloth 2026.10.9 turns
    0 into vLLM's -1).
    """
    options: dict[str, Any] = {"min_p": args.min_p, "top_p": args.top_p, "top_k": max(args.top_k, 0)}
    if backend == "unsloth":
        options["generation_kwargs"] = {"stop": [eos_token], "include_stop_str_in_output": True}
    return options


# The notebook's check_numbers scores "<SOLUTION>.</SOLUTION>" 0.0 but a wrong number -1.5, and reads only the first
# number, so "84 85 86" earns full marks when 84 is right: here garbage and several numbers score like no number.
check_numbers_safe = CheckNumbersKo(unparseable=-2.5, several_numbers=-2.5, name="check_numbers_ko_safe")
# An answer with no working (under 10 characters of reasoning) or pages of filler loses 3 points.
reasoning_length = ReasoningLength(too_short=-3.0, too_long=-3.0, name="reasoning_length_math")


def reward_functions() -> list[Any]:
    """The notebook's four rewards, in its order, with Korean-aware answer and number checks, the number check made
    safe against garbage and sprayed numbers, a reasoning-length term, and ``accuracy_reward_ko`` (1.0 for a right
    final answer in any shape, even before the tags are learned).

    Audit it on your data before training (exit status 3 when a degenerate completion beats an honest one)::

        korean-rewards audit data.jsonl --prompt-column question -r examples/qwen3_4b_grpo_t4.py:reward_functions
    """
    return [
        match_format_exactly,
        match_format_approximately,
        check_answer_ko,
        check_numbers_safe,
        reasoning_length,
        accuracy_reward_ko,
    ]


def grpo_config(
    args: argparse.Namespace, backend: str, eos_token: str, device: Device, max_prompt_length: int
) -> Any:
    """The GRPOConfig of this TRL version for the run; ``backend`` is ``"unsloth"`` or ``"transformers"``."""
    from trl import GRPOConfig

    max_completion_length = args.max_completion_length or args.max_seq_length - max_prompt_length
    if max_completion_length < 1:
        raise UsageError(
            f"prompts take {max_prompt_length} tokens, leaving no room for a completion in --max-seq-length "
            f"{args.max_seq_length}; raise it or lower --prompt-quantile"
        )
    log(f"max_prompt_length={max_prompt_length} max_completion_length={max_completion_length}")
    values = dict(
        output_dir=args.output_dir,
        temperature=args.temperature,
        learning_rate=args.learning_rate,
        weight_decay=args.weight_decay,
        warmup_ratio=args.warmup_ratio,
        lr_scheduler_type=args.lr_scheduler,
        optim=args.optim,
        logging_steps=args.logging_steps,
        per_device_train_batch_size=args.per_device_batch,
        gradient_accumulation_steps=args.grad_accum,
        num_generations=args.num_generations,
        max_prompt_length=max_prompt_length,
        max_completion_length=max_completion_length,
        max_steps=args.max_steps,
        save_steps=args.save_steps,
        report_to=args.report_to,
        seed=args.seed,
        **sampling_options(args, backend, eos_token),
        **checkpointing(args, backend),
        **device.trainer_kwargs,
    )
    return GRPOConfig(**supported_kwargs(GRPOConfig, values, log))


def run_grpo(
    loaded: Loaded, dataset: Any, rewards: list[Any], args: argparse.Namespace, device: Device, max_prompt_length: int
) -> Any:
    from trl import GRPOTrainer

    config = grpo_config(args, loaded.backend, loaded.tokenizer.eos_token, device, max_prompt_length)
    trainer = GRPOTrainer(
        model=loaded.model,
        processing_class=loaded.tokenizer,
        reward_funcs=rewards,
        args=config,
        train_dataset=dataset,
    )
    trainer.train()
    log(f"GRPO finished: {trainer.state.global_step} steps")
    return trainer


# -- after training --------------------------------------------------------------------------------------------


def save_lora(loaded: Loaded, directory: Path) -> None:
    if loaded.backend == "unsloth":
        loaded.model.save_lora(str(directory))
    else:
        loaded.model.save_pretrained(str(directory))
    loaded.tokenizer.save_pretrained(str(directory))
    log(f"saved the LoRA to {directory}")


def generate_once(loaded: Loaded, question: str, lora_dir: Path, args: argparse.Namespace) -> str:
    """One sampled completion for ``question`` with the trained LoRA (vLLM with Unsloth, else ``generate``)."""
    text = loaded.tokenizer.apply_chat_template(prompt_messages(question), add_generation_prompt=True, tokenize=False)
    if loaded.backend == "unsloth":
        from vllm import SamplingParams

        params = SamplingParams(temperature=1.0, top_k=50, max_tokens=args.check_max_tokens, seed=args.seed)
        output = loaded.model.fast_generate(
            [text], sampling_params=params, lora_request=loaded.model.load_lora(str(lora_dir))
        )
        return output[0].outputs[0].text
    import torch

    model = loaded.model
    model.eval()
    # generation wants the KV cache, which gradient checkpointing turns off
    disable = getattr(model, "activation_checkpointing_disable", None) or getattr(
        model, "gradient_checkpointing_disable", None
    )
    if callable(disable):
        disable()
    inputs = loaded.tokenizer(text, return_tensors="pt", add_special_tokens=False).to(model.device)
    torch.manual_seed(args.seed)
    with torch.no_grad():
        output = model.generate(
            **inputs,
            max_new_tokens=args.check_max_tokens,
            do_sample=True,
            temperature=1.0,
            top_k=50,
            pad_token_id=loaded.tokenizer.pad_token_id,
        )
    return loaded.tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def check_generation(loaded: Loaded, lora_dir: Path, args: argparse.Namespace) -> dict[str, float | None]:
    """Generate for ``--check-question`` and score the completion with the training rewards."""
    completion = generate_once(loaded, args.check_question, lora_dir, args)
    log(f"check question: {args.check_question}")
    log(f"check completion: {completion[:500]!r}")
    scores = {reward.__name__: reward.score(completion, args.check_answer) if reward.needs_gold else reward.score(completion)
              for reward in reward_functions()}
    log("check rewards: " + ", ".join(f"{name}={score}" for name, score in scores.items()))
    return scores


# -- main ------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    return run_main(run, parse_args(argv), log)


def run(args: argparse.Namespace) -> None:
    check_batch(args.per_device_batch, args.grad_accum, args.num_generations, int(os.environ.get("WORLD_SIZE", 1)))
    backend = resolve_backend(args.backend, args.smoke)
    if backend == "unsloth":
        start_unsloth(args)  # before pick_device sets up CUDA
    # The precision is the trainer configs' explicit bf16/fp16 (fp16 on a T4): transformers 4.56.2 and newer set
    # ACCELERATE_MIXED_PRECISION from them, so that variable needs no setting here.
    device = pick_device(args.smoke)
    if args.grad_accum > 1 and device.kind == "cuda":
        log("warning: gradient accumulation > 1 gave loss 0 / NaN grad-norm in this workflow; keep --grad-accum 1")
    if args.optim is None:
        args.optim = "adamw_8bit" if device.kind == "cuda" else "adamw_torch"
    log(f"device={device.kind} bf16={device.bf16} fp16={device.fp16} backend={backend}")

    # Data first: a wrong name or column fails in seconds, before the model is loaded.
    raw = load_table(args.dataset, args.dataset_config, args.split)
    require_columns(raw, {"question-column": args.question_column, "answer-column": args.answer_column}, args.dataset)
    sft_raw = None
    if not args.skip_sft:
        sft_source = args.sft_dataset or args.dataset
        same = sft_source == args.dataset and args.sft_dataset_config in (None, args.dataset_config)
        sft_raw = raw if same and args.sft_split in (None, args.split) else load_table(
            sft_source, args.sft_dataset_config, args.sft_split or args.split
        )
        sft_columns = {
            "sft-question-column": args.sft_question_column or args.question_column,
            "reasoning-column": args.reasoning_column,
            "sft-answer-column": args.sft_answer_column or args.answer_column,
        }
        require_columns(sft_raw, sft_columns, sft_source)

    # Rewards next: any that holds a model (e.g. a BERTScore term you add) loads now, before the policy does.
    rewards = load_rewards(reward_functions(), log)
    loaded = load_model(args, device, backend)
    tags = NOTEBOOK_TAGS

    if sft_raw is not None:
        sft_rows = sft_dataset(
            sft_raw,
            sft_columns["sft-question-column"],
            sft_columns["reasoning-column"],
            sft_columns["sft-answer-column"],
            tags,
            loaded.tokenizer,
            max_tokens=args.max_seq_length // 2,
            max_rows=args.sft_rows,
        )
        log(f"SFT rows: {len(sft_rows)} of {len(sft_raw)}")
        if len(sft_rows) == 0:
            raise UsageError(f"no SFT row fits in {args.max_seq_length // 2} tokens with a numeric answer; use --skip-sft")
        run_sft(loaded, sft_rows, args, device)

    dataset = grpo_dataset(raw, args.question_column, args.answer_column, tags, args.max_rows)
    dataset, max_prompt_length = filter_by_prompt_length(dataset, loaded.tokenizer, args.prompt_quantile)
    log(f"GRPO rows: {len(dataset)} of {len(raw)} (numeric answer, prompt <= {max_prompt_length - 1} tokens)")
    run_grpo(loaded, dataset, rewards, args, device, max_prompt_length)

    lora_dir = Path(args.output_dir) / "grpo_saved_lora"
    save_lora(loaded, lora_dir)
    check_generation(loaded, lora_dir, args)


if __name__ == "__main__":
    sys.exit(main())
