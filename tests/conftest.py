"""Shared fixtures: tiny models and tokenizers built on the fly (nothing is downloaded)."""

from __future__ import annotations

import os

import pytest

# Never reach for a hub in tests: everything is built locally.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("WANDB_DISABLED", "true")


@pytest.fixture(scope="session")
def tiny_bert_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A saved tiny BERT (4 layers, hidden 32) with a WordPiece tokenizer, usable as a local model_type."""
    from korean_rewards.testing import save_tiny_bert

    return save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_qwen3_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A saved tiny Qwen3 causal LM with the notebook's chat template."""
    from korean_rewards.testing import save_tiny_qwen3

    return save_tiny_qwen3(tmp_path_factory.mktemp("tiny-qwen3"))


# Property tests explore the same examples on every run under CI (CI=true), so a submission's result does not
# depend on the draw; locally they keep exploring new examples (set HYPOTHESIS_PROFILE=explore in CI to do so too).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
_hypothesis_settings.register_profile("explore")
_hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI", "").lower() == "true" else "explore")
)
