"""BLEURT in PyTorch: a batched scorer for bleurt-pytorch checkpoints (the reward is in :mod:`korean_rewards.bleurt`).

The 2025 말평 leaderboard ranks by ``final = (EM + mean(ROUGE-1, BERTScore, BLEURT)) / 2`` with BLEURT-20. This
module scores BLEURT with torch and sentencepiece (no TensorFlow, no ``bleurt-pytorch``, which does not import
under transformers 5), on checkpoints in bleurt-pytorch's format: ``lucadiliello/BLEURT-20`` (32 layers, about
579M parameters) and its distilled ``-D12`` / ``-D6`` / ``-D3``, from the hub or a local folder.

The model, rule for rule:

- input ``[CLS] reference [SEP] candidate [SEP]``, token types 0 then 1; texts go through the checkpoint's
  sentencepiece model as they are (no lowercasing, no stripping; sentencepiece's own normaliser applies);
- text that happens to contain a special-token string (``"[SEP]"``) goes through sentencepiece like any other
  text, as in TensorFlow BLEURT; bleurt-pytorch's transformers tokenizer splits such strings out first, which
  changes a whitespace piece next to them (the only known tokenization difference from bleurt-pytorch);
- truncated to ``max_length`` (512) tokens with TensorFlow BLEURT's pair rule: drop the last token of the longer
  text until the pair fits, of the candidate on ties;
- word + position + token-type embeddings at ``embedding_size``, LayerNorm, a linear projection to
  ``hidden_size``, BERT post-LayerNorm layers with the config's ``hidden_act``, the pooler
  ``tanh(dense(h[CLS]))`` and a linear head: the score is its single logit (about 0-1 for BLEURT-20, not clipped).

Scores equal bleurt-pytorch's (under transformers 4, where it still runs) to 1e-5 in float32. One difference is
deliberate and optional: bleurt-pytorch computes ``hidden_act: "gelu"`` as the exact (erf) GELU, while
TensorFlow BLEURT's ``gelu`` is the tanh approximation; ``tf_gelu=True`` uses the tanh form so that scores follow
the official TensorFlow scorer. On the tiny test checkpoint the two differ by up to 2.5e-3 (mean 3.8e-4 over 78
pairs, checked by ``tests/test_bleurt.py``); bleurt-pytorch's issue #1 reports up to about 0.1% on the real models.

For speed: pairs are deduplicated within a call (GRPO repeats each reference ``num_generations`` times), sorted by
length and batched with dynamic padding (never padded to 512), run under ``torch.inference_mode`` and, on CUDA,
in float16 autocast (``dtype=`` picks bfloat16 or float32; a batch that overflows is redone in float32); a CUDA
out-of-memory error halves the batch and retries.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bleurt
    >>> scorer = BLEURTScorer(save_tiny_bleurt(tempfile.mkdtemp()), device="cpu")   # a tiny random checkpoint
    >>> scores = scorer.score(["사과가 세 개 있다", "배가 있다"], ["사과가 세 개 있습니다", "배가 있다"])
    >>> len(scores), all(isinstance(s, float) for s in scores)
    (2, True)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bleurt_checkpoint import (
    DEFAULT_CHECKPOINT,
    IGNORED_KEYS,
    load_state_dict,
    read_config,
    resolve_checkpoint,
    special_tokens,
)
from .models import ModelHolder, ScorerRegistry, check_batch_size, default_device, require, resolve_dtype_name

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["DEFAULT_CHECKPOINT", "BLEURTScorer", "SCORERS", "get_scorer", "truncate_pair"]

# Batching (as BERTScore): a batch is cut short when padding would pass 15% of its tokens, once it holds 2048.
PAD_TOLERANCE = 0.15
MIN_BATCH_TOKENS = 2048


class BLEURTScorer(ModelHolder):
    """BLEURT with a reusable model: ``BLEURTScorer(checkpoint).score(references, candidates) -> list[float]``.

    Args:
        checkpoint: a local folder or a hub id of a checkpoint in bleurt-pytorch's format (``config.json`` with
            ``model_type: "bleurt"``, ``spm.model``, weights in ``model.safetensors`` or ``pytorch_model.bin``).
            A hub id is downloaded and cached the ordinary way (``huggingface_hub``); offline, or when the hub
            cannot be reached, loading fails at once with a message saying whether the string was read as a local
            folder or as a hub id.
        device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``...; ``None``: the process's accelerator (accelerate's
            ``PartialState().device`` under multi-GPU training), else CPU.
        batch_size: the most pairs per forward pass (fewer when padding would be large, and after a CUDA
            out-of-memory error, which halves it).
        dtype: ``None`` = float16 autocast on CUDA, float32 elsewhere; or "float32", "float16", "bfloat16".
            Float32 scores equal bleurt-pytorch's to 1e-5; half precision moves them by about 1e-3.
        max_length: the most tokens of a pair, special tokens included (capped by the checkpoint's position table).
        tf_gelu: compute ``hidden_act: "gelu"`` as TensorFlow BLEURT does (tanh approximation) instead of the
            exact GELU that bleurt-pytorch uses (see the module notes for the difference).

    Nothing loads until the first :meth:`score` (or :meth:`load`); constructing does not import torch.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> scorer = BLEURTScorer(save_tiny_bleurt(tempfile.mkdtemp()), device="cpu")
        >>> scorer.loaded
        False
        >>> a, b, c = scorer.score(["정답은 여덟 개", "정답은 여덟 개", "배"], ["정답은 여덟", "정답은 여덟", "배"])
        >>> a == b, scorer.loaded, scorer.activation
        (True, True, 'gelu')
    """

    def __init__(
        self,
        checkpoint: str | os.PathLike[str] = DEFAULT_CHECKPOINT,
        device: str | Any | None = None,
        batch_size: int = 32,
        dtype: str | Any | None = None,
        max_length: int = 512,
        tf_gelu: bool = False,
    ) -> None:
        if isinstance(checkpoint, os.PathLike):
            checkpoint = os.fspath(checkpoint)
        if not isinstance(checkpoint, str) or not checkpoint.strip():
            raise TypeError(f"checkpoint must be a local folder or a hub id (a string), got {checkpoint!r}")
        check_batch_size(batch_size)
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 3:
            raise ValueError(f"max_length must be an integer >= 3 ([CLS] and two [SEP] included), got {max_length!r}")
        self.checkpoint = checkpoint
        self.device = device
        self.batch_size = batch_size
        self.dtype = resolve_dtype_name(dtype)
        self.max_length = max_length
        self.tf_gelu = bool(tf_gelu)
        self._init_state()

    _COUNTERS = ("pairs_scored",)  # pairs that went through the model (for tests and benchmarks)

    def _init_state(self) -> None:
        super()._init_state()
        self._sp: Any = None
        self._folder: Path | None = None
        self._config: dict[str, Any] = {}
        self._autocast: Any = None
        self._limit = self.max_length
        self._special: tuple[int, int] = (0, 0)  # [CLS], [SEP]
        self._lower = False

    def __repr__(self) -> str:
        return (
            f"BLEURTScorer(checkpoint={self.checkpoint!r}, device={self.device!r}, tf_gelu={self.tf_gelu}, "
            f"loaded={self.loaded})"
        )

    # -- loading ------------------------------------------------------------------------------------------------
    @property
    def activation(self) -> str:
        """The activation the layers compute: the config's ``hidden_act``, or ``"gelu_tanh"`` when ``tf_gelu``
        replaces an exact ``"gelu"`` (loads the config if needed).

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bleurt
            >>> BLEURTScorer(save_tiny_bleurt(tempfile.mkdtemp()), tf_gelu=True).activation
            'gelu_tanh'
        """
        with self._lock:
            if not self._config:
                self._folder = resolve_checkpoint(self.checkpoint)
                self._config = read_config(self._folder)
        return _activation_name(self._config.get("hidden_act", "gelu"), self.tf_gelu)

    @property
    def folder(self) -> Path | None:
        """The local folder the checkpoint was read from (a hub cache snapshot for a hub id), once known.

        Example:
            >>> BLEURTScorer("lucadiliello/BLEURT-20").folder is None
            True
        """
        return self._folder

    def load(self) -> BLEURTScorer:
        """Load the checkpoint now (the first :meth:`score` does it otherwise) and return ``self``.

        Raises ``OSError`` at once when the checkpoint is neither a local folder nor obtainable from the hub
        (offline, hub unreachable, no such repository), saying how the string was read and what to do.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bleurt
            >>> BLEURTScorer(save_tiny_bleurt(tempfile.mkdtemp()), device="cpu").load().loaded
            True
            >>> BLEURTScorer("./no/such/folder").load()
            Traceback (most recent call last):
            ...
            korean_rewards.errors.ModelLoadError: BLEURT checkpoint './no/such/folder' was read as a local folder (it is a path), and there is ...
        """
        return super().load()

    def _load(self) -> None:
        require("sentencepiece", "BLEURT", "bleurt")
        import sentencepiece
        import torch

        from .bleurt_model import BleurtForScoring, activation_function

        folder = self._folder or resolve_checkpoint(self.checkpoint)
        config = self._config or read_config(folder)
        device = torch.device(default_device() if self.device is None else self.device)
        activation = activation_function(_activation_key(config.get("hidden_act", "gelu"), self.tf_gelu))
        model = BleurtForScoring(config, activation)
        state = load_state_dict(folder)
        for key in IGNORED_KEYS:
            state.pop(key, None)
        missing, unexpected = model.load_state_dict(state, strict=False)
        unexpected = [key for key in unexpected if not key.startswith("cls.")]  # an MLM head is not used
        if missing or unexpected:
            raise OSError(
                f"{folder} is not a BLEURT checkpoint in bleurt-pytorch's format: "
                + (f"missing weights {', '.join(missing[:5])}" if missing else "")
                + ("; " if missing and unexpected else "")
                + (f"unexpected weights {', '.join(unexpected[:5])}" if unexpected else "")
            )
        model.to(device=device, dtype=torch.float32).eval()
        model.requires_grad_(False)

        sp = sentencepiece.SentencePieceProcessor(model_file=str(folder / "spm.model"))
        tokens = special_tokens(folder)
        ids = []
        for role in ("cls_token", "sep_token"):
            piece = tokens[role]
            index = sp.piece_to_id(piece)
            if sp.id_to_piece(index) != piece:
                raise OSError(f"{folder / 'spm.model'} has no {piece!r} piece: not a BLEURT sentencepiece model")
            ids.append(index)
        # an unknown piece gets sentencepiece's unk id, as in bleurt-pytorch (PieceToId) and TensorFlow BLEURT
        if max(ids + [sp.unk_id()]) >= config["vocab_size"]:
            raise OSError(f"{folder}: spm.model has ids beyond the config's vocab_size {config['vocab_size']}")

        dtype_name = self.dtype or ("float16" if device.type == "cuda" else "float32")
        self._autocast = None if dtype_name == "float32" else getattr(torch, dtype_name)
        self._folder, self._config, self._device, self._sp = folder, config, device, sp
        self._special = (ids[0], ids[1])
        self._lower = bool(tokens.get("do_lower_case", False))
        self._limit = min(self.max_length, int(config["max_position_embeddings"]))
        self._model = model

    # -- scoring ------------------------------------------------------------------------------------------------
    def score(
        self, references: Sequence[str], candidates: Sequence[str], batch_size: int | None = None
    ) -> list[float]:
        """BLEURT of each candidate against its reference, one float per pair (order as given).

        Identical pairs within a call are scored once. ``batch_size`` overrides the scorer's for this call.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bleurt
            >>> scorer = BLEURTScorer(save_tiny_bleurt(tempfile.mkdtemp()), device="cpu")
            >>> scorer.score([], [])
            []
            >>> scorer.score(["배"], ["배", "사과"])
            Traceback (most recent call last):
            ...
            ValueError: got 1 references but 2 candidates: pass one reference per candidate
        """
        _check_texts(references, candidates)
        if batch_size is None:
            batch_size = self.batch_size
        else:
            check_batch_size(batch_size)
        if not references:
            return []
        with self._lock:
            self.load()
            pairs = list(zip(references, candidates))
            unique = list(dict.fromkeys(pairs))
            values = self._score_unique(unique, batch_size)
            by_pair = dict(zip(unique, values))
        return [by_pair[pair] for pair in pairs]

    def _score_unique(self, pairs: list[tuple[str, str]], batch_size: int) -> list[float]:
        import torch

        sequences = self._encode(pairs)
        with torch.inference_mode():
            out = self._run_batched(
                sequences, [len(ids) for ids, _ in sequences], batch_size, self._score_batch, PAD_TOLERANCE,
                MIN_BATCH_TOKENS, "BLEURT pairs",
            )  # fmt: skip
        self.pairs_scored += len(sequences)
        return out

    def _encode(self, pairs: list[tuple[str, str]]) -> list[tuple[list[int], int]]:
        """(ids of ``[CLS] ref [SEP] cand [SEP]``, length of the first segment) of each pair, truncated."""
        texts = list(dict.fromkeys(text for pair in pairs for text in pair))
        encoded = self._sp.encode([text.lower() for text in texts] if self._lower else texts, out_type=int)
        cls, sep = self._special
        ids_of = dict(zip(texts, encoded))
        budget = self._limit - 3
        sequences = []
        truncated = False
        for reference, candidate in pairs:
            ref_ids, cand_ids = ids_of[reference], ids_of[candidate]
            keep_ref, keep_cand = truncate_pair(len(ref_ids), len(cand_ids), budget)
            truncated = truncated or (keep_ref, keep_cand) != (len(ref_ids), len(cand_ids))
            sequences.append(([cls, *ref_ids[:keep_ref], sep, *cand_ids[:keep_cand], sep], keep_ref + 2))
        if truncated:
            self._warn_once(
                "truncated",
                f"BLEURT: a pair is longer than {self._limit} tokens and was truncated as TensorFlow BLEURT does "
                "(the longer text loses its end; shown once per scorer).",
            )
        return sequences

    def _score_batch(self, sequences: list[tuple[list[int], int]]) -> list[float]:
        import torch

        longest = max(len(ids) for ids, _ in sequences)
        input_ids = torch.zeros((len(sequences), longest), dtype=torch.long)
        token_types = torch.zeros((len(sequences), longest), dtype=torch.long)
        mask = torch.zeros((len(sequences), longest), dtype=torch.bool)
        for row, (ids, first) in enumerate(sequences):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            token_types[row, first : len(ids)] = 1
            mask[row, : len(ids)] = True
        input_ids, token_types, mask = (t.to(self._device) for t in (input_ids, token_types, mask))
        scores = self._forward(input_ids, token_types, mask, self._autocast)
        if self._autocast is not None and not bool(torch.isfinite(scores).all()):
            self._warn_once("overflow", "BLEURT: a batch overflowed in half precision and was redone in float32.")
            scores = self._forward(input_ids, token_types, mask, None)
        return [float(value) for value in scores.float().cpu().tolist()]

    def _forward(self, input_ids: torch.Tensor, token_types: torch.Tensor, mask: torch.Tensor, dtype: Any) -> Any:
        """The model's scores for one padded batch (``dtype``: an autocast dtype, or ``None`` for float32)."""
        import torch

        if dtype is None:
            return self._model(input_ids, token_types, mask)
        with torch.autocast(device_type=self._device.type, dtype=dtype):
            return self._model(input_ids, token_types, mask)


def truncate_pair(len_a: int, len_b: int, budget: int) -> tuple[int, int]:
    """How many tokens of each text TensorFlow BLEURT keeps: it drops the last token of the longer text until the
    pair fits ``budget``, the second text's on ties (the same as transformers' ``longest_first``).

    Example:
        >>> truncate_pair(10, 4, 10), truncate_pair(5, 5, 8)
        ((6, 4), (4, 4))
    """
    excess = len_a + len_b - budget
    if excess <= 0:
        return len_a, len_b
    first = min(excess, abs(len_a - len_b))
    if len_a > len_b:
        len_a -= first
    else:
        len_b -= first
    excess -= first
    return len_a - excess // 2, len_b - (excess - excess // 2)


def _check_texts(references: Any, candidates: Any) -> None:
    for name, value in (("references", references), ("candidates", candidates)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of strings, got {type(value).__name__}")
        if not all(isinstance(text, str) for text in value):
            raise TypeError(f"{name} must be a list of strings")
    if len(references) != len(candidates):
        raise ValueError(
            f"got {len(references)} references but {len(candidates)} candidates: pass one reference per candidate"
        )


def _activation_key(hidden_act: str, tf_gelu: bool) -> str:
    return "gelu_new" if tf_gelu and hidden_act == "gelu" else hidden_act


def _activation_name(hidden_act: str, tf_gelu: bool) -> str:
    return "gelu_tanh" if tf_gelu and hidden_act == "gelu" else hidden_act


# -- one scorer per configuration and process -----------------------------------------------------------------------
#: The process's BLEURT scorers by configuration (see :func:`get_scorer`).
SCORERS: ScorerRegistry[BLEURTScorer] = ScorerRegistry()


def get_scorer(
    checkpoint: str = DEFAULT_CHECKPOINT,
    device: str | None = None,
    batch_size: int = 32,
    dtype: str | None = None,
    max_length: int = 512,
    tf_gelu: bool = False,
) -> BLEURTScorer:
    """The process's :class:`BLEURTScorer` for this configuration (created on first request, not loaded), shared by
    every reward and evaluation with the same settings.

    Example:
        >>> get_scorer() is get_scorer(batch_size=32), get_scorer().loaded
        (True, False)
    """
    key = (checkpoint, None if device is None else str(device), batch_size, resolve_dtype_name(dtype), max_length,
           bool(tf_gelu))  # fmt: skip
    return SCORERS.get(
        key,
        lambda: BLEURTScorer(
            checkpoint, device=device, batch_size=batch_size, dtype=dtype, max_length=max_length, tf_gelu=tf_gelu
        ),
    )
