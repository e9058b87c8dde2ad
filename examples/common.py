"""Glue shared by the training scripts in this folder; the training workflows themselves live in the scripts.

The scripts run as ``python examples/<script>.py``, so this folder is on ``sys.path`` and they import from here
with ``from common import ...``. Copy this file along with a script you take elsewhere.

What is here: logging, the command-line plumbing (``--smoke`` defaults, errors printed without a traceback), the GRPO
batch check, options that differ between TRL/transformers versions, device and precision choice, and the tiny
random policy that ``--smoke`` trains. Nothing in it is specific to one script's data, prompts or rewards.
"""

from __future__ import annotations

import argparse
import inspect
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Every attention and MLP projection of a Qwen3 block: where both scripts put their LoRA.
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

Log = Callable[[str], None]


class UsageError(ValueError):
    """A problem the user fixes on the command line or in the data; printed without a traceback."""


# -- logging and the command line ------------------------------------------------------------------------------


def prefixed_log(prefix: str, timed: bool = False) -> Log:
    """A ``log(message)`` that prints ``prefix message`` at once, with the seconds since this call when ``timed``.

    Lines are flushed as they are written, so they keep their place among the trainers' own output.

    Example:
        >>> log = prefixed_log("[my-script]")
        >>> log("train items: 8")
        [my-script] train items: 8
        >>> prefixed_log("[my-script]", timed=True)("loading")
        [my-script] ...s loading
    """
    started = time.perf_counter()

    def log(message: str) -> None:
        if timed:
            print(f"{prefix} {time.perf_counter() - started:6.1f}s {message}", flush=True)
        else:
            print(f"{prefix} {message}", flush=True)

    return log


def parse_with_smoke_defaults(
    parser: argparse.ArgumentParser, smoke_defaults: dict[str, Any], argv: Sequence[str] | None
) -> argparse.Namespace:
    """Parse ``argv``; with ``--smoke`` in it, ``smoke_defaults`` replace the parser's defaults first.

    Values given on the command line still win over the smoke defaults.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> _ = parser.add_argument("--smoke", action="store_true")
        >>> _ = parser.add_argument("--max-steps", type=int, default=300)
        >>> [parse_with_smoke_defaults(parser, {"max_steps": 2}, argv).max_steps
        ...  for argv in ([], ["--smoke"], ["--smoke", "--max-steps", "5"])]
        [300, 2, 5]
    """
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--smoke", action="store_true")
    known, _ = pre.parse_known_args(argv)
    if known.smoke:
        parser.set_defaults(**smoke_defaults)
    return parser.parse_args(argv)


def run_main(run: Callable[[argparse.Namespace], None], args: argparse.Namespace, log: Log) -> int:
    """Call ``run(args)`` and return the exit status: 0, or 2 after printing a :class:`UsageError` to stderr.

    Example:
        >>> def fails(args: argparse.Namespace) -> None:
        ...     raise UsageError("--train is missing")
        >>> import contextlib
        >>> with contextlib.redirect_stderr(sys.stdout):
        ...     run_main(fails, argparse.Namespace(output_dir="out"), print)
        error: --train is missing
        2
    """
    started = time.perf_counter()
    try:
        run(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    log(f"done in {time.perf_counter() - started:.1f} s; outputs in {args.output_dir}")
    return 0


def load_rewards(rewards: Sequence[Any], log: Log) -> list[Any]:
    """Load every reward that holds a model (those with a ``load()``, e.g. BERTScore or a ``combine`` with it) now.

    Call it before loading the policy: a wrong model path or a missing network then costs seconds, not a policy
    load and a first training step. A load error becomes a :class:`UsageError` (printed without a traceback).

    Example:
        >>> from korean_rewards import check_numbers_ko
        >>> [reward.__name__ for reward in load_rewards([check_numbers_ko], print)]   # rule rewards load nothing
        ['check_numbers_ko']
    """
    for reward in rewards:
        load = getattr(reward, "load", None)
        if not callable(load):
            continue
        name = getattr(reward, "__name__", type(reward).__name__)
        try:
            load()
        except (OSError, ValueError) as error:  # the model cannot be loaded, or its options are wrong
            raise UsageError(f"reward {name}: {error}") from error
        log(f"reward {name} loaded")
    return list(rewards)


# -- batch arithmetic and configs ------------------------------------------------------------------------------


def check_batch(per_device: int, grad_accum: int, num_generations: int, processes: int = 1) -> int:
    """Check that the effective batch holds whole groups of ``num_generations`` completions; return its size.

    The error names the smallest ``--per-device-batch`` that works with the other values.

    Example:
        >>> check_batch(2, 2, 4)
        4
        >>> check_batch(3, 1, 4)
        Traceback (most recent call last):
        common.UsageError: the effective batch (... = 3) must be a multiple of ...; e.g. --per-device-batch 4, ...
    """
    if min(per_device, grad_accum, processes) < 1 or num_generations < 2:
        raise UsageError("batch sizes must be >= 1 and --num-generations >= 2 (GRPO compares completions)")
    effective = per_device * processes * grad_accum
    if effective % num_generations:
        fix = num_generations // math.gcd(num_generations, processes * grad_accum)
        raise UsageError(
            f"the effective batch (per-device batch {per_device} x {processes} process(es) x grad-accum "
            f"{grad_accum} = {effective}) must be a multiple of --num-generations {num_generations}; "
            f"e.g. --per-device-batch {fix}, or change --num-generations"
        )
    return effective


def accepted_options(config_class: type) -> set[str]:
    """The keyword arguments ``config_class`` takes: its own and those its ``**kwargs`` pass to its bases.

    Unsloth's patched configs declare a few options of their own and hand the rest on through ``**kwargs``.

    Example:
        >>> class Base:
        ...     def __init__(self, learning_rate: float = 1e-5) -> None: ...
        >>> class Patched(Base):
        ...     def __init__(self, sampling: object = None, **kwargs: object) -> None: ...
        >>> sorted(accepted_options(Patched))
        ['learning_rate', 'sampling']
    """
    names: set[str] = set()
    for cls in config_class.__mro__:
        init = cls.__dict__.get("__init__")
        if init is None:
            continue
        try:
            parameters = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            continue
        names.update(p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    names.discard("self")
    return names


def supported_kwargs(config_class: type, values: dict[str, Any], log: Log = print) -> dict[str, Any]:
    """Keep the options this TRL/transformers version's ``config_class`` accepts, under the names it uses.

    TRL 0.22 (the T4 pins) and TRL 1.x differ: ``max_prompt_length`` left TRL 1.0; transformers 5 reads a
    float ``warmup_steps`` below 1 as a ratio (no ``warmup_ratio``) and renamed ``gradient_checkpointing``.
    What is left out is named through ``log``.

    Example:
        >>> class Config:
        ...     def __init__(self, learning_rate: float = 1e-5, warmup_steps: float = 0) -> None: ...
        >>> supported_kwargs(Config, {"learning_rate": 1e-6, "warmup_ratio": 0.1, "no_such_option": 1})
        note: Config of this TRL version has no ['no_such_option']; left out
        {'learning_rate': 1e-06, 'warmup_steps': 0.1}
    """
    accepted = accepted_options(config_class)
    values = dict(values)
    if "warmup_ratio" in values and "warmup_ratio" not in accepted and "warmup_steps" not in values:
        values["warmup_steps"] = values.pop("warmup_ratio")
    if "gradient_checkpointing" in values and "activation_checkpointing" in accepted:
        values["activation_checkpointing"] = values.pop("gradient_checkpointing")
    dropped = sorted(key for key in values if key not in accepted)
    if dropped:
        log(f"note: {config_class.__name__} of this TRL version has no {dropped}; left out")
    return {key: value for key, value in values.items() if key in accepted}


# -- device and models -----------------------------------------------------------------------------------------


@dataclass
class Device:
    """Where training runs and in which precision.

    Example:
        >>> Device("cuda", fp16=True).trainer_kwargs
        {'bf16': False, 'fp16': True, 'use_cpu': False}
    """

    kind: str  # "cuda" or "cpu"
    bf16: bool = False
    fp16: bool = False

    @property
    def trainer_kwargs(self) -> dict[str, Any]:
        """The precision and device options of a trainer config."""
        return {"bf16": self.bf16, "fp16": self.fp16, "use_cpu": self.kind == "cpu"}

    @property
    def torch_dtype(self) -> Any:
        """The dtype to load weights in: bfloat16, float16 or float32."""
        import torch

        return torch.bfloat16 if self.bf16 else torch.float16 if self.fp16 else torch.float32


def pick_device(smoke: bool) -> Device:
    """CPU for smoke runs; on a GPU bf16 where supported (compute capability >= 8), else fp16 (a T4 is 7.5).

    Example:
        >>> pick_device(smoke=True)
        Device(kind='cpu', bf16=False, fp16=False)
    """
    import torch

    if smoke or not torch.cuda.is_available():
        return Device("cpu")
    # torch.cuda.is_bf16_supported() can report emulated bf16 on a T4; the capability is what matters.
    bf16 = torch.cuda.get_device_capability()[0] >= 8
    return Device("cuda", bf16=bf16, fp16=not bf16)


def hub_model_advice(name: str, error: Exception) -> str:
    """The message for a model that would not load: the error and what to check.

    Example:
        >>> print(hub_model_advice("no/such-model", OSError("not found")))
        could not load the model 'no/such-model': OSError: not found
        Check the name, your network connection and HF_TOKEN, or pass a local model directory with --model.
    """
    return (
        f"could not load the model {name!r}: {type(error).__name__}: {error}\n"
        "Check the name, your network connection and HF_TOKEN, or pass a local model directory with --model."
    )


def pad_left(tokenizer: Any) -> Any:
    """Left padding for generation, with EOS as the pad token where the model has none; returns ``tokenizer``."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def save_smoke_policy(directory: Path, corpus: list[str], chat_template: str | None = None) -> str:
    """Save a tiny random Qwen3 and a chat tokenizer trained on ``corpus`` to ``directory`` (for ``--smoke``).

    ``chat_template`` replaces the tokenizer's template when given. Returns the directory for ``from_pretrained``.
    """
    from korean_rewards.testing import build_chat_tokenizer, build_tiny_qwen3

    tokenizer = build_chat_tokenizer(corpus=corpus, vocab_size=1500)
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(directory)
    build_tiny_qwen3(tokenizer).save_pretrained(directory)
    return str(directory)
