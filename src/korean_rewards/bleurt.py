"""BLEURT in PyTorch: a batched scorer for bleurt-pytorch checkpoints, and the Malpyeong reason reward.

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

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ._trl import RewardFunction
from ._util import warn
from .bertscore import (
    _default_device,
    _hub_reachable,
    _looks_like_path,
    _offline,
    _plan_batches,
    _resolve_dtype_name,
)

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["DEFAULT_CHECKPOINT", "BLEURTScorer", "BLEURTReward", "bleurt_reward"]

#: The checkpoint of the official 말평 BLEURT (BLEURT-20, converted to PyTorch by bleurt-pytorch's author).
DEFAULT_CHECKPOINT = "lucadiliello/BLEURT-20"

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
_OPTIONAL_FILES = ("tokenizer_config.json", "special_tokens_map.json")
_IGNORED_KEYS = ("bleurt.embeddings.position_ids", "bleurt.embeddings.token_type_ids")

# Batching (as BERTScore): a batch is cut short when padding would pass 15% of its tokens, once it holds 2048.
_PAD_TOLERANCE = 0.15
_MIN_BATCH_TOKENS = 2048


class BLEURTScorer:
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
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 3:
            raise ValueError(f"max_length must be an integer >= 3 ([CLS] and two [SEP] included), got {max_length!r}")
        self.checkpoint = checkpoint
        self.device = device
        self.batch_size = batch_size
        self.dtype = _resolve_dtype_name(dtype)
        self.max_length = max_length
        self.tf_gelu = bool(tf_gelu)
        self._init_state()

    def _init_state(self) -> None:
        self._lock = threading.RLock()
        self._model: Any = None
        self._sp: Any = None
        self._folder: Path | None = None
        self._config: dict[str, Any] = {}
        self._device: Any = None
        self._autocast: Any = None
        self._limit = self.max_length
        self._special: tuple[int, int] = (0, 0)  # [CLS], [SEP]
        self._lower = False
        self._oom_cap: int | None = None
        self._warned: set[str] = set()
        self.pairs_scored = 0  # pairs that went through the model (a counter for tests and benchmarks)

    # -- pickling: the model stays behind and reloads on first use ----------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = {key: value for key, value in self.__dict__.items() if not key.startswith("_")}
        state["pairs_scored"] = 0
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_state()

    def __repr__(self) -> str:
        return (
            f"BLEURTScorer(checkpoint={self.checkpoint!r}, device={self.device!r}, tf_gelu={self.tf_gelu}, "
            f"loaded={self.loaded})"
        )

    # -- loading ------------------------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded.

        Example:
            >>> BLEURTScorer().loaded
            False
        """
        return self._model is not None

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
                self._folder = _resolve_checkpoint(self.checkpoint)
                self._config = _read_config(self._folder)
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
            OSError: BLEURT checkpoint './no/such/folder' was read as a local folder (it is a path), and there is ...
        """
        with self._lock:
            if self._model is None:
                self._load()
        return self

    def _load(self) -> None:
        import sentencepiece
        import torch

        from ._bleurt_model import BleurtForScoring, activation_function

        folder = self._folder or _resolve_checkpoint(self.checkpoint)
        config = self._config or _read_config(folder)
        device = torch.device(_default_device() if self.device is None else self.device)
        activation = activation_function(_activation_key(config.get("hidden_act", "gelu"), self.tf_gelu))
        model = BleurtForScoring(config, activation)
        state = _load_state_dict(folder)
        for key in _IGNORED_KEYS:
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
        tokens = _special_tokens(folder)
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
        elif isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
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
        if self._oom_cap is not None:
            batch_size = min(batch_size, self._oom_cap)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i][0]), reverse=True)
        lengths = [len(sequences[i][0]) for i in order]
        out: list[float] = [0.0] * len(sequences)
        with torch.inference_mode():
            for batch in _plan_batches(lengths, batch_size, _PAD_TOLERANCE, _MIN_BATCH_TOKENS):
                indices = [order[k] for k in batch]
                for index, value in zip(indices, self._score_with_retry([sequences[i] for i in indices])):
                    out[index] = value
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
            keep_ref, keep_cand = _truncate_pair(len(ref_ids), len(cand_ids), budget)
            truncated = truncated or (keep_ref, keep_cand) != (len(ref_ids), len(cand_ids))
            sequences.append(([cls, *ref_ids[:keep_ref], sep, *cand_ids[:keep_cand], sep], keep_ref + 2))
        if truncated:
            self._warn_once(
                "truncated",
                f"BLEURT: a pair is longer than {self._limit} tokens and was truncated as TensorFlow BLEURT does "
                "(the longer text loses its end; shown once per scorer).",
            )
        return sequences

    def _score_with_retry(self, sequences: list[tuple[list[int], int]]) -> list[float]:
        import torch

        try:
            return self._score_batch(sequences)
        except torch.cuda.OutOfMemoryError:
            if len(sequences) == 1:
                raise
            if self._device.type == "cuda":
                torch.cuda.empty_cache()
            half = (len(sequences) + 1) // 2
            self._oom_cap = half if self._oom_cap is None else min(self._oom_cap, half)
            self._warn_once(
                "oom", f"BLEURT: out of memory on {self._device}; batches of at most {half} pairs from now on."
            )
            return self._score_with_retry(sequences[:half]) + self._score_with_retry(sequences[half:])

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

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            warn(message)


def _truncate_pair(len_a: int, len_b: int, budget: int) -> tuple[int, int]:
    """How many tokens of each text TensorFlow BLEURT keeps: it drops the last token of the longer text until the
    pair fits ``budget``, the second text's on ties (the same as transformers' ``longest_first``)."""
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


# -- reading a checkpoint -------------------------------------------------------------------------------------------
def _resolve_checkpoint(checkpoint: str) -> Path:
    """The local folder of a checkpoint: the folder itself, or the hub cache snapshot of a hub id (downloaded)."""
    local = Path(os.path.expanduser(checkpoint))
    if local.is_dir():
        _check_folder(local, f"BLEURT checkpoint {checkpoint!r} (a local folder)")
        return local
    if local.exists():
        raise OSError(f"BLEURT checkpoint {checkpoint!r} was read as a local folder, but it is a file: pass the folder")
    if _looks_like_path(checkpoint):
        raise OSError(
            f"BLEURT checkpoint {checkpoint!r} was read as a local folder (it is a path), and there is no such folder. "
            f"Pass an existing folder with config.json, spm.model and the weights, or a hub id such as "
            f"{DEFAULT_CHECKPOINT!r}."
        )
    return _download(checkpoint)


def _check_folder(folder: Path, what: str) -> None:
    missing = [name for name in ("config.json", "spm.model") if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in _WEIGHT_FILES + _INDEX_FILES):
        missing.append(" or ".join(_WEIGHT_FILES))
    if missing:
        raise OSError(
            f"{what} is not a BLEURT checkpoint in bleurt-pytorch's format: {', '.join(missing)} missing in {folder}"
        )


def _download(repo_id: str) -> Path:
    """The hub cache snapshot holding ``repo_id``'s files: from the cache, else downloaded; fails fast offline."""
    hint = (
        f"Download it where there is network (`hf download {repo_id}`) and pass the folder, or set HF_HOME to a "
        f"cache that has it. (If you meant a local folder: there is no folder {repo_id!r} here.)"
    )
    try:
        from huggingface_hub.utils import validate_repo_id

        validate_repo_id(repo_id)
    except ImportError:
        raise OSError(f"BLEURT checkpoint {repo_id!r}: loading a hub id needs huggingface_hub") from None
    except Exception as error:  # noqa: BLE001 - HFValidationError: neither a folder nor a valid hub id
        raise OSError(
            f"BLEURT checkpoint {repo_id!r} is neither an existing local folder nor a valid hub id ({error})"
        ) from None
    try:
        return _fetch_files(repo_id, local_only=True)
    except Exception as error:  # noqa: BLE001 - not in the cache (or incomplete): try the hub
        first: Exception = error
    offline = _offline()
    reachable = not offline and _hub_reachable()
    if reachable:
        try:
            return _fetch_files(repo_id, local_only=False)
        except Exception as error:  # noqa: BLE001 - reported below with the fix
            first = error
    if offline:
        where = "HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set"
    elif reachable:
        where = f"the hub did not give it ({type(first).__name__}: {first})"
    else:
        where = "the hub cannot be reached"
    raise OSError(
        f"BLEURT checkpoint {repo_id!r} was read as a hub id: it is not in the local Hugging Face cache and {where}. "
        + hint
    ) from None


def _fetch_files(repo_id: str, local_only: bool) -> Path:
    from huggingface_hub import hf_hub_download

    def fetch(name: str) -> str:
        return hf_hub_download(repo_id, name, local_files_only=local_only)

    config = Path(fetch("config.json"))
    fetch("spm.model")
    for name in _OPTIONAL_FILES:
        try:
            fetch(name)
        except Exception:  # noqa: BLE001 - optional files
            pass
    errors = []
    for name in _WEIGHT_FILES:
        try:
            fetch(name)
            return config.parent
        except Exception as error:  # noqa: BLE001 - try the next format
            errors.append(error)
    for name in _INDEX_FILES:
        try:
            index = json.loads(Path(fetch(name)).read_text(encoding="utf-8"))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
            continue
        for shard in sorted(set(index["weight_map"].values())):
            fetch(shard)
        return config.parent
    raise errors[0]


def _read_config(folder: Path) -> dict[str, Any]:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise OSError(f"cannot read {folder / 'config.json'}: {error}") from None
    model_type = config.get("model_type")
    if model_type != "bleurt":
        raise OSError(
            f"{folder} is not a BLEURT checkpoint in bleurt-pytorch's format: config.json has model_type "
            f"{model_type!r}, expected 'bleurt'"
        )
    required = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                "max_position_embeddings")  # fmt: skip
    absent = [key for key in required if not isinstance(config.get(key), int)]
    if absent:
        raise OSError(f"{folder / 'config.json'} lacks {', '.join(absent)}")
    return config


def _load_state_dict(folder: Path) -> dict[str, Any]:
    import torch

    def load_file(path: Path) -> dict[str, Any]:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file as load_safetensors

            return load_safetensors(str(path))
        return torch.load(path, map_location="cpu", weights_only=True)

    for name in _WEIGHT_FILES:
        if (folder / name).is_file():
            return load_file(folder / name)
    for name in _INDEX_FILES:
        if (folder / name).is_file():
            index = json.loads((folder / name).read_text(encoding="utf-8"))
            state: dict[str, Any] = {}
            for shard in sorted(set(index["weight_map"].values())):
                state.update(load_file(folder / shard))
            return state
    raise OSError(f"{folder}: no {' or '.join(_WEIGHT_FILES)}")


def _special_tokens(folder: Path) -> dict[str, Any]:
    """The special-token strings (``[CLS]``, ``[SEP]`` unless the tokenizer files say otherwise) and
    ``do_lower_case`` (False unless ``tokenizer_config.json`` says otherwise)."""
    tokens: dict[str, Any] = {"cls_token": "[CLS]", "sep_token": "[SEP]", "do_lower_case": False}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for key in ("cls_token", "sep_token"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("content")
            if isinstance(value, str) and value:
                tokens[key] = value
        if isinstance(data.get("do_lower_case"), bool):
            tokens["do_lower_case"] = data["do_lower_case"]
    return tokens


# -- one scorer per configuration and process -----------------------------------------------------------------------
_SCORERS: dict[tuple[Any, ...], BLEURTScorer] = {}
_SCORERS_LOCK = threading.Lock()


def _shared_scorer(
    checkpoint: str, device: str | None, batch_size: int, dtype: str | None, max_length: int, tf_gelu: bool
) -> BLEURTScorer:
    """The process's :class:`BLEURTScorer` for this configuration (created on first request, not loaded)."""
    key = (checkpoint, None if device is None else str(device), batch_size, _resolve_dtype_name(dtype), max_length,
           bool(tf_gelu))  # fmt: skip
    with _SCORERS_LOCK:
        scorer = _SCORERS.get(key)
        if scorer is None:
            scorer = BLEURTScorer(
                checkpoint, device=device, batch_size=batch_size, dtype=dtype, max_length=max_length, tf_gelu=tf_gelu
            )
            _SCORERS[key] = scorer
        return scorer


# -- the reward -----------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class BLEURTReward(RewardFunction):
    """BLEURT of the Malpyeong reason as a TRL reward (BLEURT-20 by default, as the official scorer).

    Each completion and its gold answer are split with :func:`korean_rewards.malpyeong.split_answer_reason`
    (``"X"가 옳다. <reason>``) and BLEURT scores the completion's reason against the gold reason. A completion or
    gold with an empty reason (no ``가/이 옳다`` pattern, or nothing after it) gets 0.0, as in
    :class:`~korean_rewards.bertscore.BERTScoreReward`: an answer without a reason is not rewarded. BLEURT-20's
    scores are about 0-1 but not clipped, so a very poor reason can score below 0.

    The model loads on the first call (or :meth:`load`), once per process and configuration, on the trainer's
    device unless ``device`` is given; pickling the reward never pickles the model.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> reward = BLEURTReward(checkpoint=save_tiny_bleurt(tempfile.mkdtemp()), device="cpu").load()
        >>> gold = '"나는 학교에 갔다"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.'
        >>> scores = reward(completions=[gold, '"나는 학교에 갔다"가 옳다.', "모르겠다"], answer=[gold] * 3)
        >>> scores[1:], scores[0] != 0.0
        ([0.0, 0.0], True)
        >>> bleurt_reward.__name__, bleurt_reward.checkpoint
        ('bleurt_reward', 'lucadiliello/BLEURT-20')
    """

    base_name: ClassVar[str] = "bleurt_reward"
    needs_gold: ClassVar[bool] = True

    checkpoint: str = DEFAULT_CHECKPOINT
    answer_key: str = "answer"
    device: str | None = None
    batch_size: int = 32
    dtype: str | None = None
    max_length: int = 512
    tf_gelu: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.checkpoint, os.PathLike):
            self.checkpoint = os.fspath(self.checkpoint)
        if not isinstance(self.checkpoint, str) or not self.checkpoint.strip():
            raise TypeError(f"checkpoint must be a local folder or a hub id, got {self.checkpoint!r}")
        if not isinstance(self.answer_key, str) or not self.answer_key:
            raise TypeError(f"answer_key must be the name of a dataset column, got {self.answer_key!r}")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        _resolve_dtype_name(self.dtype)
        super().__post_init__()
        self._scorer: BLEURTScorer | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scorer"] = None  # the model stays in this process; the copy finds or loads its own
        return state

    @property
    def scorer(self) -> BLEURTScorer:
        """The shared :class:`BLEURTScorer` this reward uses (not loaded until the first call or :meth:`load`).

        Example:
            >>> bleurt_reward.scorer.checkpoint
            'lucadiliello/BLEURT-20'
        """
        if self._scorer is None:
            self._scorer = _shared_scorer(
                self.checkpoint, self.device, self.batch_size, self.dtype, self.max_length, self.tf_gelu
            )
        return self._scorer

    def load(self) -> BLEURTReward:
        """Load the model now and return the reward, so that a missing checkpoint fails before training starts.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bleurt
            >>> BLEURTReward(checkpoint=save_tiny_bleurt(tempfile.mkdtemp()), device="cpu").load().scorer.loaded
            True
        """
        self.scorer.load()
        return self

    def _score_batch(self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]) -> list[float | None]:
        from .malpyeong import split_answer_reason

        assert golds is not None
        reasons = [split_answer_reason(text)[1] for text in texts]
        gold_reasons = [split_answer_reason(gold)[1] for gold in golds]  # gold texts (RewardFunction reads them)
        scores: list[float | None] = [0.0] * len(texts)
        todo = [i for i, (r, g) in enumerate(zip(reasons, gold_reasons)) if r.strip() and g.strip()]
        if todo:
            values = self.scorer.score([gold_reasons[i] for i in todo], [reasons[i] for i in todo])
            for i, value in zip(todo, values):
                scores[i] = value
        return scores


#: The default instance: BLEURT-20 on the Malpyeong reason, as the official scorer (loads on first use).
bleurt_reward = BLEURTReward()
