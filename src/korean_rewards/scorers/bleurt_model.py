"""The BLEURT network in plain torch, with bleurt-pytorch's parameter names (imported only when a model loads).

Word, position and token-type embeddings at ``embedding_size``, LayerNorm, a linear projection to
``hidden_size`` (``bleurt.encoder.embedding_projection``), BERT post-LayerNorm layers, the pooler
``tanh(dense(h[CLS]))`` and a linear head whose single logit is the score. Attention runs through
``torch.nn.functional.scaled_dot_product_attention`` with a key-padding mask, so padding never changes a score.
No transformers model class is used (only its activation table), so the same code runs on transformers 4 and 5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["BleurtForScoring", "activation_function"]


def activation_function(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """transformers' activation for a config's ``hidden_act`` (the table bleurt-pytorch uses).

    ``"gelu"`` is the exact (erf) GELU there; ``"gelu_new"`` is the tanh approximation that TensorFlow BLEURT's
    ``gelu`` computes.
    """
    from transformers.activations import ACT2FN

    if name not in ACT2FN:
        raise ValueError(f"unknown hidden_act {name!r} in the BLEURT config.json; known: {', '.join(sorted(ACT2FN))}")
    return ACT2FN[name]


class _Embeddings(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        size = config.get("embedding_size") or config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], size)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], size)
        self.token_type_embeddings = nn.Embedding(config.get("type_vocab_size", 2), size)
        self.LayerNorm = nn.LayerNorm(size, eps=config.get("layer_norm_eps", 1e-12))

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(positions)[None]
        return self.LayerNorm(embeddings)


class _SelfAttention(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden, heads = config["hidden_size"], config["num_attention_heads"]
        if hidden % heads:
            raise ValueError(f"hidden_size {hidden} is not a multiple of num_attention_heads {heads}")
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, size = hidden.shape

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(batch, length, self.heads, size // self.heads).transpose(1, 2)

        context = F.scaled_dot_product_attention(
            split(self.query(hidden)), split(self.key(hidden)), split(self.value(hidden)), attn_mask=mask
        )
        return context.transpose(1, 2).reshape(batch, length, size)


class _DenseNorm(nn.Module):
    """``LayerNorm(dense(x) + residual)``: BERT's post-LN output block."""

    def __init__(self, size_in: int, size_out: int, eps: float) -> None:
        super().__init__()
        self.dense = nn.Linear(size_in, size_out)
        self.LayerNorm = nn.LayerNorm(size_out, eps=eps)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden) + residual)


class _Attention(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden = config["hidden_size"]
        self.self = _SelfAttention(config)
        self.output = _DenseNorm(hidden, hidden, config.get("layer_norm_eps", 1e-12))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(hidden, mask), hidden)


class _Intermediate(nn.Module):
    def __init__(self, config: dict[str, Any], activation: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["intermediate_size"])
        self.activation = activation

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.activation(self.dense(hidden))


class _Layer(nn.Module):
    def __init__(self, config: dict[str, Any], activation: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.attention = _Attention(config)
        self.intermediate = _Intermediate(config, activation)
        eps = config.get("layer_norm_eps", 1e-12)
        self.output = _DenseNorm(config["intermediate_size"], config["hidden_size"], eps)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        attended = self.attention(hidden, mask)
        return self.output(self.intermediate(attended), attended)


class _Encoder(nn.Module):
    def __init__(self, config: dict[str, Any], activation: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        embedding_size = config.get("embedding_size")
        if embedding_size is not None:
            self.embedding_projection = nn.Linear(embedding_size, config["hidden_size"])
        self.layer = nn.ModuleList(_Layer(config, activation) for _ in range(config["num_hidden_layers"]))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if hasattr(self, "embedding_projection"):
            hidden = self.embedding_projection(hidden)
        for layer in self.layer:
            hidden = layer(hidden, mask)
        return hidden


class _Pooler(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["hidden_size"])

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.dense(hidden[:, 0]))


class _Bleurt(nn.Module):
    def __init__(self, config: dict[str, Any], activation: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.embeddings = _Embeddings(config)
        self.encoder = _Encoder(config, activation)
        self.pooler = _Pooler(config)


class BleurtForScoring(nn.Module):
    """BLEURT's regression model: ``forward(input_ids, token_type_ids, attention_mask) -> scores [batch]``."""

    def __init__(self, config: dict[str, Any], activation: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.bleurt = _Bleurt(config, activation)
        self.classifier = nn.Linear(config["hidden_size"], config.get("num_labels", 1))

    def forward(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        mask = attention_mask.bool()[:, None, None, :]  # [batch, 1 (heads), 1 (queries), keys]
        hidden = self.bleurt.embeddings(input_ids, token_type_ids)
        hidden = self.bleurt.encoder(hidden.to(self.classifier.weight.dtype), mask)
        return self.classifier(self.bleurt.pooler(hidden))[:, 0]
