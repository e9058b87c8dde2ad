"""Fixtures for the tests that drive the real RL engines (the `engines` stack of scripts/run_tests.py)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def chat_tokenizer_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A saved tiny byte-level BPE tokenizer with special tokens (what the engines load as the actor's)."""
    from korean_rewards.testing import build_chat_tokenizer

    path = tmp_path_factory.mktemp("chat-tokenizer")
    build_chat_tokenizer().save_pretrained(path)
    return str(path)


def stub_vllm() -> None:
    """OpenRLHF imports vLLM at module level; CPU machines have none. Only names are needed, never used."""
    if "vllm" in sys.modules:
        return
    vllm = types.ModuleType("vllm")

    class SamplingParams:  # the few attributes OpenRLHF reads
        def __init__(self, **kwargs: object) -> None:
            self.max_tokens = None
            self.logprobs = None
            self.__dict__.update(kwargs)

    vllm.SamplingParams = SamplingParams  # type: ignore[attr-defined]
    inputs = types.ModuleType("vllm.inputs")
    inputs.TokensPrompt = dict  # type: ignore[attr-defined]
    utils = types.ModuleType("vllm.utils")
    utils.random_uuid = lambda: "0"  # type: ignore[attr-defined]
    vllm.inputs, vllm.utils = inputs, utils  # type: ignore[attr-defined]
    sys.modules.update({"vllm": vllm, "vllm.inputs": inputs, "vllm.utils": utils})


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)
