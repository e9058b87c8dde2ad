"""Plumbing shared by the tests that run a script in a child process (the examples, the 2-process GRPO run)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def offline_env(**extra: str) -> dict[str, str]:
    """This process's environment for a child that must reach no hub, no GPU and no wandb, plus ``extra``.

    Example:
        >>> env = offline_env(OMP_NUM_THREADS="1")
        >>> env["HF_HUB_OFFLINE"], env["CUDA_VISIBLE_DEVICES"], env["OMP_NUM_THREADS"]
        ('1', '', '1')
    """
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        WANDB_DISABLED="true",
        CUDA_VISIBLE_DEVICES="",
    )
    env.update(extra)
    return env


def explain(result: subprocess.CompletedProcess[str]) -> str:
    """A child's exit status and the last 6,000 characters of its stdout and stderr, for an assertion message.

    Example:
        >>> print(explain(subprocess.CompletedProcess(["x"], 1, stdout="out", stderr="err")))
        exit 1
        --- stdout ---
        out
        --- stderr ---
        err
    """
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
