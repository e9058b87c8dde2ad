"""BERTScore for rewards: a batched, cached scorer and the Malpyeong reason reward.

The official 말평 scorer computes BERTScore with ``bert-base-multilingual-cased``, layer 9, no idf, no baseline
rescaling, F1. This module computes the same numbers as ``bert_score.BERTScorer`` (bert-score 0.3.13) with
transformers and torch directly, and is built for a GRPO loop, where the same references come back
``num_generations`` times per batch and again every epoch:

- the model loads on the first score (nothing at construction, no torch import at ``import korean_rewards``),
  once per process and configuration (:func:`get_scorer`);
- texts are deduplicated within a call, and reference embeddings are kept across calls in an LRU cache bounded by
  a memory budget (``cache_size_mb``), token ids included, so a cached reference is neither re-tokenized nor
  re-embedded;
- the model is cut after the scoring layer, texts are sorted by token length and batched so that padding stays
  small, the forward pass runs in ``torch.inference_mode`` and in float16 on CUDA (float32 elsewhere);
- a CUDA out-of-memory error halves the batch and retries (the smaller size is kept for later calls).

The algorithm is bert-score's, rule for rule: the text is stripped, tokenized with the model's special tokens
(``[CLS] ... [SEP]``; an empty text is just ``[CLS] [SEP]``) and truncated to the model's length limit; token
embeddings come from layer ``num_layers`` (0 = the embedding layer); each candidate token is matched to its most
similar reference token by cosine (special tokens take part in the matching) and vice versa; P and R average those
maxima with weights 1 (or idf with ``idf=True``), where ``[CLS]`` and ``[SEP]`` weigh 0;
``F = 2PR / (P + R)``. A candidate or reference with no tokens besides ``[CLS] [SEP]`` scores P = R = F = 0.
There is one deliberate difference: bert-score takes the maximum cosine with the padding of its batch counted as 0,
so its score of a pair can depend on which other pairs share the batch whenever every cosine of a token is
negative; here the maximum is over the real tokens only. With trained models cosines of this kind are positive and
both agree.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bert
    >>> path = save_tiny_bert(tempfile.mkdtemp())   # a tiny random BERT; use a real model for real scores
    >>> P, R, F = score(["정답은 여덟 개입니다."], ["정답은 여덟 개입니다."], model_type=path, num_layers=2)
    >>> round(F.item(), 4)
    1.0
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import socket
import threading
import time
import urllib.parse
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ._trl import RewardFunction
from ._util import warn

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_LAYERS",
    "default_num_layers",
    "BERTScorer",
    "CacheInfo",
    "get_scorer",
    "score",
    "BERTScoreReward",
    "AsyncBERTScoreReward",
    "bertscore_reward",
]

#: The model of the official 말평 BERTScore.
DEFAULT_MODEL = "bert-base-multilingual-cased"

#: bert-score's default layer for common models (the layer tuned on WMT16 by bert-score's authors), as facts.
MODEL_LAYERS: dict[str, int] = {
    "bert-base-multilingual-cased": 9,
    "bert-base-uncased": 9,
    "bert-base-cased-finetuned-mrpc": 9,
    "bert-large-uncased": 18,
    "bert-base-chinese": 8,
    "distilbert-base-multilingual-cased": 5,
    "distilbert-base-uncased": 5,
    "distilbert-base-uncased-distilled-squad": 4,
    "roberta-base": 10,
    "roberta-large": 17,
    "roberta-large-mnli": 19,
    "distilroberta-base": 5,
    "xlm-roberta-base": 9,
    "xlm-roberta-large": 17,
    "xlm-mlm-100-1280": 10,
    "xlnet-base-cased": 5,
    "xlnet-large-cased": 7,
    "albert-base-v2": 9,
    "albert-large-v2": 14,
    "albert-xlarge-v2": 13,
    "albert-xxlarge-v2": 8,
    "google/electra-base-discriminator": 9,
    "google/electra-large-discriminator": 14,
    "microsoft/deberta-base": 9,
    "microsoft/deberta-base-mnli": 9,
    "microsoft/deberta-large": 16,
    "microsoft/deberta-large-mnli": 18,
    "microsoft/deberta-xlarge": 18,
    "microsoft/deberta-xlarge-mnli": 40,
    "microsoft/deberta-v3-base": 9,
    "microsoft/deberta-v3-large": 12,
    "microsoft/mdeberta-v3-base": 10,
    "facebook/bart-base": 6,
    "facebook/bart-large": 10,
    "t5-small": 6,
    "t5-base": 11,
    "t5-large": 23,
    "google/mt5-small": 8,
    "google/mt5-base": 11,
    "google/mt5-large": 19,
    "dbmdz/bert-base-turkish-cased": 10,
}

# Organisations under which the hub now lists models that bert-score knows by their old, bare names.
_HUB_ALIASES = ("google-bert/", "FacebookAI/", "distilbert/", "albert/", "google-t5/", "openai-community/")

_DTYPES = {
    "float32": "float32", "fp32": "float32", "float": "float32",
    "float16": "float16", "fp16": "float16", "half": "float16",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
}  # fmt: skip

# Batching: a batch is cut short when padding would pass 15% of its tokens, once it has 1024 real tokens.
_PAD_TOLERANCE = 0.15
_MIN_BATCH_TOKENS = 1024

# Model types whose learned positions start after the padding index (usable positions = table size - pad - 1).
_OFFSET_POSITION_MODELS = frozenset({"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "longformer"})


def default_num_layers(model_type: str) -> int | None:
    """bert-score's default layer for ``model_type``, or ``None`` when it has none.

    Hub ids are looked up as written and without the organisation the hub moved old models under
    (``google-bert/bert-base-multilingual-cased`` is ``bert-base-multilingual-cased``). A local folder (an existing
    one, or a path starting with ``/``, ``.`` or ``~``) is looked up by its name, and a Hugging Face cache
    snapshot (``.../models--org--name/snapshots/<hash>``) by its repository.

    Example:
        >>> default_num_layers("bert-base-multilingual-cased"), default_num_layers("google-bert/bert-base-uncased")
        (9, 9)
        >>> default_num_layers("/models/xlm-roberta-large"), default_num_layers("/tmp/my-finetuned-bert") is None
        (17, True)
    """
    if not isinstance(model_type, str):
        return None
    for name in _layer_lookup_names(model_type):
        if name in MODEL_LAYERS:
            return MODEL_LAYERS[name]
    return None


def _layer_lookup_names(model_type: str) -> list[str]:
    names = [model_type]
    for prefix in _HUB_ALIASES:
        if model_type.startswith(prefix):
            names.append(model_type[len(prefix) :])
    path = os.path.normpath(os.path.expanduser(model_type))
    parts = [part for part in path.split(os.sep) if part]
    for part in parts:
        if part.startswith("models--"):  # the hub cache: models--org--name
            names.extend(_layer_lookup_names(part[len("models--") :].replace("--", "/")))
    looks_local = model_type.startswith(("/", "./", "../", "~")) or os.path.isdir(path)
    if looks_local and parts:  # a folder named after the model (a hub id "org/name" is never cut down)
        names.extend(["/".join(parts[-2:]), parts[-1]])
    return names


def _resolve_dtype_name(dtype: Any) -> str | None:
    if dtype is None:
        return None
    if isinstance(dtype, str):
        name = _DTYPES.get(dtype.lower().removeprefix("torch."))
        if name is None:
            raise ValueError(f"dtype must be one of float32, float16, bfloat16 (or a torch dtype), got {dtype!r}")
        return name
    text = str(dtype)  # a torch.dtype, e.g. torch.float16
    if text.startswith("torch."):
        return _resolve_dtype_name(text)
    raise TypeError(f"dtype must be a string such as 'float16' or a torch dtype, got {type(dtype).__name__}")


def _offline() -> bool:
    return any(
        os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}
        for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _looks_like_path(name: str) -> bool:
    """Whether ``name`` can only be a local path: a hub id is ``name`` or ``org/name``, never ``/x``, ``./x``,
    ``~/x``, ``C:\\x`` or ``a/b/c``.

    Example:
        >>> [_looks_like_path(n) for n in ["bert-base-multilingual-cased", "org/model", "./mbert", "/m", "a/b/c"]]
        [False, False, True, True, True]
    """
    return (
        name.startswith(("/", ".", "~"))
        or "\\" in name
        or name.count("/") > 1
        or name.endswith("/")
        or (len(name) > 1 and name[1] == ":")
    )


def _from_pretrained(loader: Any, model_type: str, **kwargs: Any) -> Any:
    """``loader.from_pretrained`` that fails at once, with the fix in the message, when the model is unavailable.

    The message says how ``model_type`` was read: as a local folder (it exists, or can only be a path) or as a
    hub id (looked up in the local Hugging Face cache, then on the hub when it can be reached).
    """
    local = os.path.expanduser(model_type)
    if os.path.isdir(local):
        try:
            return loader.from_pretrained(local, **kwargs)
        except Exception as error:  # noqa: BLE001 - a malformed folder fails in many ways, per transformers release
            raise OSError(
                f"could not load {model_type!r}, read as a local folder (it exists): {error}. The folder must hold "
                f"what save_pretrained writes (config.json, the weights, the tokenizer files)."
            ) from error
    if _looks_like_path(model_type):
        raise OSError(
            f"could not load {model_type!r}, read as a local folder: no such folder "
            f"(resolved to {os.path.abspath(local)!r}). Check the path, or give a hub id such as "
            f"'bert-base-multilingual-cased'."
        )
    try:
        return loader.from_pretrained(model_type, local_files_only=True, **kwargs)
    except (OSError, ValueError) as error:
        first = error
    reachable = not _offline() and _hub_reachable()
    if reachable:
        try:
            return loader.from_pretrained(model_type, **kwargs)
        except (OSError, ValueError) as error:
            first = error
    if _offline():
        where = "HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set"
    elif reachable:
        where = f"the hub did not give it ({first})"
    else:
        where = "the hub cannot be reached"
    raise OSError(
        f"could not load {model_type!r}, read as a hub id (there is no local folder of that name): it is not in "
        f"the local Hugging Face cache and {where}. "
        f"Download it where there is network (`hf download {model_type}`, or "
        f"`AutoModel.from_pretrained({model_type!r}).save_pretrained(DIR)` and the same for AutoTokenizer), then "
        f"pass model_type='DIR' (a local folder; give num_layers= if the folder name is not the model's name), "
        f"or set HF_HOME to a cache that has it."
    ) from first


def _hub_reachable(timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the hub opens within ``timeout`` seconds (the hub client itself retries for
    a minute before giving up). Behind a proxy this cannot be told, so the answer is yes."""
    if any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")):
        return True
    try:
        from huggingface_hub import constants

        endpoint = urllib.parse.urlparse(constants.ENDPOINT)
    except Exception:  # noqa: BLE001 - no hub client to ask: let from_pretrained try
        return True
    if endpoint.hostname is None:
        return True
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        socket.create_connection((endpoint.hostname, port), timeout=timeout).close()
    except OSError:
        return False
    return True


class CacheInfo(NamedTuple):
    """Statistics of a scorer's reference-embedding cache (see :meth:`BERTScorer.cache_info`).

    Example:
        >>> CacheInfo(hits=3, misses=1, entries=1, bytes=1024, max_bytes=2048).hits
        3
    """

    hits: int
    misses: int
    entries: int
    bytes: int
    max_bytes: int


class _Entry(NamedTuple):
    ids: list[int]
    embedding: Any  # torch.Tensor [tokens, hidden], unit rows, on the scorer's device
    nbytes: int


class _LRU:
    """An LRU map ``text -> _Entry`` bounded by the total bytes of its embeddings."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, key: str) -> _Entry | None:
        entry = self._data.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._data.move_to_end(key)
        return entry

    def put(self, key: str, entry: _Entry) -> None:
        if entry.nbytes > self.max_bytes:
            return
        old = self._data.pop(key, None)
        if old is not None:
            self.bytes -= old.nbytes
        self._data[key] = entry
        self.bytes += entry.nbytes
        while self.bytes > self.max_bytes:
            _, evicted = self._data.popitem(last=False)
            self.bytes -= evicted.nbytes

    def clear(self) -> None:
        self._data.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._data)


class BERTScorer:
    """BERTScore with a reusable model: ``BERTScorer(...).score(cands, refs) -> (P, R, F)``.

    Same arguments and results as ``bert_score.BERTScorer`` for the options it shares (``model_type``,
    ``num_layers``, ``batch_size``, ``idf``, ``idf_sents``, ``device``); P, R and F are 1-D float32 CPU tensors,
    one value per pair, and equal bert-score's to float rounding (see the module notes).

    Args:
        model_type: a hub id or a local folder (loaded with ``AutoModel``/``AutoTokenizer.from_pretrained``).
        num_layers: the layer whose token embeddings are compared (0 = embeddings). ``None`` picks bert-score's
            default for a known model (:data:`MODEL_LAYERS`, e.g. 9 for ``bert-base-multilingual-cased``) and raises
            ``ValueError`` for an unknown one: the score depends strongly on the layer, so it is never guessed.
        device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``...; ``None``: the process's accelerator (accelerate's
            ``PartialState().device`` under multi-GPU training), else CPU.
        batch_size: the most texts per forward pass (smaller batches are used to cut padding, and after a CUDA
            out-of-memory error).
        idf: weight tokens by inverse document frequency. The frequencies come from ``idf_sents`` when given
            (as ``bert_score.BERTScorer``), else from the references of each :meth:`score` call (as
            ``bert_score.score``).
        idf_sents: the documents for the idf weights (needs ``idf=True``).
        max_length: the most tokens per text, special tokens included; ``None``: the model's limit (the
            tokenizer's ``model_max_length``, capped by the model's position table). Longer texts are truncated,
            as bert-score does, with one warning per scorer.
        dtype: the model's dtype: ``None`` = float16 on CUDA, float32 elsewhere; or "float32", "float16",
            "bfloat16". Scores match bert-score to 1e-5 in float32; float16 moves them by about 1e-3.
        cache_size_mb: memory budget of the reference-embedding cache (on the scorer's device); 0 disables it.
        cache_candidates: also keep candidate embeddings across calls (off by default: GRPO candidates rarely
            come back, and they would push the references out).

    Nothing loads until the first :meth:`score` (or :meth:`load`); constructing does not import torch.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bert
        >>> path = save_tiny_bert(tempfile.mkdtemp())
        >>> scorer = BERTScorer(model_type=path, num_layers=2)
        >>> scorer.loaded
        False
        >>> P, R, F = scorer.score(["사과가 세 개 있다", ""], ["사과가 세 개 있습니다", "배가 있다"])
        >>> F.shape, F[1].item()   # an empty candidate scores 0, as in bert-score
        (torch.Size([2]), 0.0)
        >>> _ = scorer.score(["배가 다섯 개"], ["사과가 세 개 있습니다"])  # the reference comes from the cache
        >>> scorer.cache_info().hits
        1
        >>> BERTScorer().num_layers   # bert-base-multilingual-cased, the official model
        9
    """

    def __init__(
        self,
        model_type: str = DEFAULT_MODEL,
        num_layers: int | None = None,
        device: str | Any | None = None,
        batch_size: int = 64,
        idf: bool = False,
        idf_sents: Sequence[str] | None = None,
        max_length: int | None = None,
        dtype: str | Any | None = None,
        cache_size_mb: float = 256.0,
        cache_candidates: bool = False,
    ) -> None:
        if not isinstance(model_type, str) or not model_type:
            raise TypeError(f"model_type must be a hub id or a local folder (a string), got {model_type!r}")
        if num_layers is None:
            num_layers = default_num_layers(model_type)
            if num_layers is None:
                raise ValueError(
                    f"bert-score has no default layer for model_type={model_type!r}: pass num_layers=<layer> "
                    f"(bert-base-multilingual-cased uses 9 of 12; about 3/4 of the depth is a common choice). "
                    f"For a local copy of a known model, name its folder after it (e.g. .../{DEFAULT_MODEL})."
                )
        if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 0:
            raise ValueError(f"num_layers must be an integer >= 0 (0 = the embedding layer), got {num_layers!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if max_length is not None and (
            isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 2
        ):
            raise ValueError(
                f"max_length must be None or an integer >= 2 (special tokens included), got {max_length!r}"
            )
        if not isinstance(cache_size_mb, (int, float)) or isinstance(cache_size_mb, bool) or cache_size_mb < 0:
            raise ValueError(f"cache_size_mb must be a number >= 0, got {cache_size_mb!r}")
        if idf_sents is not None:
            if not idf:
                raise ValueError("idf_sents is used only with idf=True: pass idf=True, idf_sents=[...]")
            if isinstance(idf_sents, str) or not all(isinstance(s, str) for s in idf_sents):
                raise TypeError("idf_sents must be a list of strings")
        self.model_type = model_type
        self.num_layers = num_layers
        self.device = device
        self.batch_size = batch_size
        self.idf = bool(idf)
        self.max_length = max_length
        self.dtype = _resolve_dtype_name(dtype)
        self.cache_size_mb = float(cache_size_mb)
        self.cache_candidates = bool(cache_candidates)
        self._idf_sents = list(idf_sents) if idf_sents is not None else None
        self._init_state()

    def _init_state(self) -> None:
        self._lock = threading.RLock()
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: Any = None
        self._torch_dtype: Any = None
        self._limit: int | None = None
        self._special_ids: set[int] = set()
        self._truncate_ok = True
        self._idf_dict: dict[int, float] | None = None
        self._idf_default = 0.0
        self._cache = _LRU(int(self.cache_size_mb * 2**20))
        self._oom_cap: int | None = None
        self._warned: set[str] = set()
        self.texts_embedded = 0  # how many texts went through the model (a counter for tests and benchmarks)

    # -- pickling: the model and the cache stay behind and reload on first use -------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = {key: value for key, value in self.__dict__.items() if not key.startswith("_")}
        state["texts_embedded"] = 0
        state["_idf_sents"] = self._idf_sents
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_state()

    def __repr__(self) -> str:
        return (
            f"BERTScorer(model_type={self.model_type!r}, num_layers={self.num_layers}, idf={self.idf}, "
            f"device={self.device!r}, loaded={self.loaded})"
        )

    # -- loading ----------------------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded.

        Example:
            >>> BERTScorer().loaded
            False
        """
        return self._model is not None

    def load(self) -> BERTScorer:
        """Load the tokenizer and the model now (the first :meth:`score` does it otherwise) and return ``self``.

        Raises ``OSError`` at once, saying how to point at a local copy, when the model is neither a local folder
        nor in the Hugging Face cache and the hub cannot be reached (or ``HF_HUB_OFFLINE=1``).

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bert
            >>> BERTScorer(save_tiny_bert(tempfile.mkdtemp()), num_layers=1).load().loaded
            True
        """
        with self._lock:
            if self._model is None:
                self._load()
        return self

    def _load(self) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        device = torch.device(_default_device() if self.device is None else self.device)
        dtype_name = self.dtype or ("float16" if device.type == "cuda" else "float32")
        torch_dtype = getattr(torch, dtype_name)
        tokenizer = _from_pretrained(AutoTokenizer, self.model_type)
        tokenizer = _with_prefix_space(tokenizer, self.model_type)
        model = _from_pretrained(AutoModel, self.model_type, dtype=torch_dtype)
        if getattr(model.config, "is_encoder_decoder", False) and hasattr(model, "get_encoder"):
            model = model.get_encoder()
        total = _layer_count(model)
        if total is not None and self.num_layers > total:
            raise ValueError(f"num_layers={self.num_layers}, but {self.model_type!r} has only {total} layers")
        self._truncate_ok = _truncate_layers(model, self.num_layers, total)
        model.to(device=device, dtype=torch_dtype).eval()
        model.requires_grad_(False)

        self._tokenizer = tokenizer
        self._model = model
        self._device = device
        self._torch_dtype = torch_dtype
        self._limit = _length_limit(tokenizer, model.config, self.max_length)
        self._special_ids = {i for i in (tokenizer.cls_token_id, tokenizer.sep_token_id) if i is not None}
        if self._idf_sents is not None:
            self.compute_idf(self._idf_sents)

    # -- idf --------------------------------------------------------------------------------------------------
    def compute_idf(self, sents: Sequence[str]) -> None:
        """Compute the idf weights from ``sents`` (each text a document), as bert-score's ``compute_idf``.

        ``idf(token) = log((N + 1) / (df + 1))``, and ``log(N + 1)`` for a token in no document; ``[CLS]`` and
        ``[SEP]`` are in every document, so they weigh 0. Only used with ``idf=True``.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bert
            >>> scorer = BERTScorer(save_tiny_bert(tempfile.mkdtemp()), num_layers=2, idf=True)
            >>> scorer.compute_idf(["사과가 있다", "배가 있다"])
            >>> P, R, F = scorer.score(["사과가 있다"], ["사과가 있다"])
            >>> round(F.item(), 4)
            1.0
        """
        if isinstance(sents, str) or not all(isinstance(s, str) for s in sents):
            raise TypeError("compute_idf takes a list of strings")
        with self._lock:
            self.load()
            self._idf_dict, self._idf_default = self._idf_from(list(sents))
            self._idf_sents = list(sents)

    def _idf_from(self, sents: list[str]) -> tuple[dict[int, float], float]:
        counts: Counter[int] = Counter()
        for ids in self._tokenize([s.strip() for s in sents]):
            counts.update(set(ids))
        n = len(sents)
        return {token: math.log((n + 1) / (c + 1)) for token, c in counts.items()}, math.log(n + 1)

    # -- scoring ----------------------------------------------------------------------------------------------
    def score(
        self,
        cands: Sequence[str],
        refs: Sequence[str] | Sequence[Sequence[str]],
        verbose: bool = False,
        batch_size: int | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Score each candidate against its reference: ``(P, R, F)``, 1-D float32 CPU tensors.

        ``refs`` may also give several references per candidate (a list of lists); each metric is then the
        maximum over them, as in bert-score. ``batch_size`` overrides the scorer's for this call; ``verbose``
        prints what was embedded and how long it took.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bert
            >>> scorer = BERTScorer(save_tiny_bert(tempfile.mkdtemp()), num_layers=2)
            >>> P, R, F = scorer.score(["사과가 있다", "배가 있다"], [["배가 있다", "사과가 있다"], ["배가 있다"]])
            >>> [round(f, 4) for f in F.tolist()]
            [1.0, 1.0]
        """
        cands, refs, groups = _check_pairs(cands, refs)
        if batch_size is None:
            batch_size = self.batch_size
        elif isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        start = time.perf_counter()
        with self._lock:
            self.load()
            import torch

            with torch.inference_mode():
                embedded_before = self.texts_embedded
                result = self._score_pairs(cands, refs, batch_size)
        result = result.clone()  # a plain tensor, not an inference-mode one
        if groups is not None:
            result = torch.stack([result[a:b].max(dim=0).values for a, b in groups]) if groups else result[:0]
        if verbose:
            print(
                f"BERTScore: {len(cands)} pairs, {self.texts_embedded - embedded_before} texts embedded, "
                f"{time.perf_counter() - start:.2f} s"
            )
        return result[:, 0].contiguous(), result[:, 1].contiguous(), result[:, 2].contiguous()

    def _score_pairs(self, cands: list[str], refs: list[str], batch_size: int) -> torch.Tensor:
        import torch

        if not cands:
            return torch.zeros((0, 3), dtype=torch.float32)
        cand_keys = [c.strip() for c in cands]
        ref_keys = [r.strip() for r in refs]
        entries = self._entries(cand_keys, ref_keys, batch_size)
        if self.idf:
            if self._idf_dict is not None:
                idf_dict, default = self._idf_dict, self._idf_default
            else:  # bert_score.score: idf from this call's references (repeats count as documents)
                idf_dict, default = self._idf_from_ids([entries[k].ids for k in ref_keys])
        else:
            idf_dict, default = None, 1.0
        weights = {key: self._weights(entries[key].ids, idf_dict, default) for key in set(cand_keys) | set(ref_keys)}
        if any(len(entries[k].ids) == 2 for k in (*cand_keys, *ref_keys)):
            self._warn_once(
                "empty",
                "BERTScore: an empty candidate or reference (no tokens besides the special ones) scores "
                "P = R = F = 0, as in bert-score (shown once per scorer).",
            )
        rows = []
        chunk = max(1, batch_size)
        for start in range(0, len(cands), chunk):
            c = cand_keys[start : start + chunk]
            r = ref_keys[start : start + chunk]
            rows.append(
                _greedy_match(
                    [entries[k].embedding for k in c],
                    [weights[k] for k in c],
                    [entries[k].embedding for k in r],
                    [weights[k] for k in r],
                    self._device,
                )
            )
        return torch.cat(rows).cpu()

    def _idf_from_ids(self, id_lists: list[list[int]]) -> tuple[dict[int, float], float]:
        counts: Counter[int] = Counter()
        for ids in id_lists:
            counts.update(set(ids))
        n = len(id_lists)
        return {token: math.log((n + 1) / (c + 1)) for token, c in counts.items()}, math.log(n + 1)

    def _weights(self, ids: list[int], idf_dict: dict[int, float] | None, default: float) -> Any:
        import torch

        if idf_dict is None:
            values = [0.0 if i in self._special_ids else 1.0 for i in ids]
        else:
            values = [idf_dict.get(i, default) for i in ids]
        return torch.tensor(values, dtype=torch.float32)

    def _entries(self, cand_keys: list[str], ref_keys: list[str], batch_size: int) -> dict[str, _Entry]:
        """Token ids and embeddings of every distinct text of the call: from the cache, or computed now."""
        found: dict[str, _Entry] = {}
        missing: list[str] = []
        ref_set = set(ref_keys)
        for key in dict.fromkeys([*ref_keys, *cand_keys]):  # unique, in order
            entry = self._cache.get(key) if self._cache.max_bytes > 0 else None
            if entry is None:
                missing.append(key)
            else:
                found[key] = entry
        if missing:
            id_lists = self._tokenize(missing)
            embeddings = self._embed(id_lists, batch_size)
            self.texts_embedded += len(missing)
            for key, ids, embedding in zip(missing, id_lists, embeddings):
                entry = _Entry(ids, embedding, embedding.numel() * embedding.element_size() + 8 * len(ids))
                found[key] = entry
                if self._cache.max_bytes > 0 and (self.cache_candidates or key in ref_set):
                    self._cache.put(key, entry)
        return found

    def _tokenize(self, texts: list[str]) -> list[list[int]]:
        """Token ids with special tokens, truncated to the model's limit as bert-score does (texts are stripped)."""
        if not texts:
            return []
        tokenizer = self._tokenizer
        limit = self._limit
        kwargs: dict[str, Any] = {"add_special_tokens": True}
        if limit is not None:
            kwargs.update(truncation=True, max_length=limit)
            texts = [_cut_for_tokens(text, limit, tokenizer, kwargs) for text in texts]
        id_lists = [list(ids) for ids in tokenizer(texts, **kwargs)["input_ids"]]
        if limit is not None:
            at_limit = [i for i, ids in enumerate(id_lists) if len(ids) >= limit]
            if at_limit:
                full = tokenizer([texts[i] for i in at_limit], add_special_tokens=True, verbose=False)["input_ids"]
                if any(len(ids) > limit for ids in full):
                    self._warn_once(
                        "truncated",
                        f"BERTScore: a text is longer than the model's limit of {limit} tokens and was truncated, "
                        "as bert-score does (shown once per scorer).",
                    )
        return id_lists

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            warn(message)

    # -- the forward pass -------------------------------------------------------------------------------------
    def _embed(self, id_lists: list[list[int]], batch_size: int) -> list[Any]:
        """Unit-length token embeddings of each id list, batched by length; CUDA OOM halves the batch."""
        if self._oom_cap is not None:
            batch_size = min(batch_size, self._oom_cap)
        order = sorted(range(len(id_lists)), key=lambda i: len(id_lists[i]), reverse=True)
        out: list[Any] = [None] * len(id_lists)
        lengths = [len(id_lists[i]) for i in order]
        for batch in _plan_batches(lengths, batch_size, _PAD_TOLERANCE, _MIN_BATCH_TOKENS):
            indices = [order[k] for k in batch]
            for index, embedding in zip(indices, self._embed_with_retry([id_lists[i] for i in indices])):
                out[index] = embedding
        return out

    def _embed_with_retry(self, seqs: list[list[int]]) -> list[Any]:
        import torch

        try:
            return self._embed_batch(seqs)
        except torch.cuda.OutOfMemoryError:
            if len(seqs) == 1:
                raise
            if self._device.type == "cuda":
                torch.cuda.empty_cache()
            half = (len(seqs) + 1) // 2
            self._oom_cap = half if self._oom_cap is None else min(self._oom_cap, half)
            self._warn_once(
                "oom", f"BERTScore: out of memory on {self._device}; batches of at most {half} texts from now on."
            )
            return self._embed_with_retry(seqs[:half]) + self._embed_with_retry(seqs[half:])

    def _embed_batch(self, seqs: list[list[int]]) -> list[Any]:
        import torch

        longest = max(len(s) for s in seqs)
        pad = self._tokenizer.pad_token_id
        pad = 0 if pad is None else pad
        input_ids = torch.full((len(seqs), longest), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(seqs), longest), dtype=torch.long)
        for row, ids in enumerate(seqs):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, : len(ids)] = 1
        hidden = self._forward(input_ids.to(self._device), attention_mask.to(self._device))
        hidden = hidden.float()
        hidden = hidden / hidden.norm(dim=-1, keepdim=True)
        hidden = hidden.to(self._torch_dtype)
        return [hidden[row, : len(ids)].clone() for row, ids in enumerate(seqs)]

    def _forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Hidden states of layer ``num_layers`` for one padded batch, ``[batch, tokens, hidden]``."""
        if self._truncate_ok:
            return self._model(input_ids=input_ids, attention_mask=attention_mask)[0]
        output = self._model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return output.hidden_states[self.num_layers]

    # -- the cache --------------------------------------------------------------------------------------------
    def cache_info(self) -> CacheInfo:
        """Hits, misses, entries and bytes of the reference-embedding cache.

        Example:
            >>> BERTScorer(cache_size_mb=1).cache_info()
            CacheInfo(hits=0, misses=0, entries=0, bytes=0, max_bytes=1048576)
        """
        cache = self._cache
        return CacheInfo(cache.hits, cache.misses, len(cache), cache.bytes, cache.max_bytes)

    def clear_cache(self) -> None:
        """Forget every cached embedding (the model stays loaded).

        Example:
            >>> scorer = BERTScorer()
            >>> scorer.clear_cache(); scorer.cache_info().entries
            0
        """
        with self._lock:
            self._cache.clear()


def _default_device() -> str:
    import torch

    if torch.cuda.is_available():
        try:
            from accelerate import PartialState

            return str(PartialState().device)
        except Exception:  # noqa: BLE001 - accelerate missing or not usable here: the first GPU
            return "cuda"
    return "cpu"


def _with_prefix_space(tokenizer: Any, model_type: str) -> Any:
    """bert-score encodes with ``add_prefix_space=True`` for GPT-2 and RoBERTa tokenizers; load them that way."""
    from transformers import GPT2Tokenizer, RobertaTokenizer

    classes: tuple[type, ...] = (GPT2Tokenizer, RobertaTokenizer)
    if isinstance(tokenizer, classes) and not getattr(tokenizer, "add_prefix_space", True):
        from transformers import AutoTokenizer

        return _from_pretrained(AutoTokenizer, model_type, add_prefix_space=True)
    return tokenizer


def _layer_count(model: Any) -> int | None:
    config = model.config
    for name in ("num_hidden_layers", "num_layers", "n_layers", "n_layer"):
        value = getattr(config, name, None)
        if isinstance(value, int):
            return value
    return None


def _truncate_layers(model: Any, num_layers: int, total: int | None) -> bool:
    """Drop the layers after ``num_layers`` (the output is then that layer's); False when no layer list is found."""
    import torch

    if total is None:
        return False
    lists = [
        (name, module)
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.ModuleList) and len(module) == total and name
    ]
    if not lists:
        return False
    name, module = min(lists, key=lambda item: item[0].count("."))
    parent_name, _, attribute = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, attribute, torch.nn.ModuleList(list(module)[:num_layers]))
    return True


#: Characters per token of the model's length limit that a text keeps before it is tokenized (see
#: :func:`_cut_for_tokens`); a token of any tokenizer covers far fewer on real text.
CHARS_PER_TOKEN = 8

#: The most characters per token of the limit that a text keeps when its first part has too few tokens.
MAX_CHARS_PER_TOKEN = 64


def _cut_for_tokens(text: str, limit: int, tokenizer: Any, kwargs: dict[str, Any]) -> str:
    """A prefix of ``text`` whose tokens, truncated to ``limit``, are those of the whole text, found cheaply.

    Tokenizing a megabyte takes about a second, and all but the first ``limit`` tokens are thrown away. A text
    longer than ``CHARS_PER_TOKEN * limit`` characters is cut at the last whitespace before that length;
    tokenizers split words at whitespace before anything else, so when the prefix already has ``limit`` tokens
    its truncation is the whole text's. When it has fewer (long whitespace runs, words the tokenizer maps to one
    unknown token), the prefix grows fourfold up to ``MAX_CHARS_PER_TOKEN * limit`` characters; past that a
    degenerate text is cut there. Texts of ordinary length are not touched.
    """
    budget = CHARS_PER_TOKEN * limit
    longest = MAX_CHARS_PER_TOKEN * limit
    while len(text) > budget:
        cut = _whitespace_before(text, budget)
        prefix = text[:cut]
        if budget >= longest:
            return prefix
        if len(tokenizer(prefix, **kwargs)["input_ids"]) >= limit:
            return prefix
        budget = min(4 * budget, longest)
    return text


def _whitespace_before(text: str, end: int) -> int:
    """The index of the last whitespace character before ``end`` in its second half, else ``end``."""
    for index in range(end - 1, end // 2, -1):
        if text[index].isspace():
            return index
    return end


def _length_limit(tokenizer: Any, config: Any, max_length: int | None) -> int | None:
    limits = []
    model_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(model_max, int) and 0 < model_max < 1_000_000:
        limits.append(model_max)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0 and getattr(config, "position_embedding_type", "absolute") in (
        "absolute",
        None,
    ):
        if getattr(config, "model_type", None) in _OFFSET_POSITION_MODELS:
            positions -= (config.pad_token_id or 0) + 1
        limits.append(positions)
    if max_length is not None:
        limits.append(max_length)
    return min(limits) if limits else None


def _plan_batches(lengths: list[int], batch_size: int, tolerance: float, min_tokens: int = 0) -> list[range]:
    """Split positions ``0..n`` (lengths in descending order) into batches of at most ``batch_size``.

    A batch is closed early, to cut padding, when the next text would make its padding more than ``tolerance``
    of its tokens, but only once it holds ``min_tokens`` real tokens (small batches waste more than padding does).
    """
    batches = []
    start, n = 0, len(lengths)
    while start < n:
        longest = lengths[start]
        end, total = start + 1, lengths[start]
        while end < n and end - start < batch_size:
            size = end - start + 1
            if total >= min_tokens and size * longest - (total + lengths[end]) > tolerance * size * longest:
                break
            total += lengths[end]
            end += 1
        batches.append(range(start, end))
        start = end
    return batches


def _greedy_match(
    cand_embs: list[Any], cand_weights: list[Any], ref_embs: list[Any], ref_weights: list[Any], device: Any
) -> torch.Tensor:
    """bert-score's greedy cosine matching for a chunk of pairs: a ``[pairs, 3]`` tensor of P, R, F."""
    import torch
    from torch.nn.utils.rnn import pad_sequence

    cands = pad_sequence(cand_embs, batch_first=True).float()
    refs = pad_sequence(ref_embs, batch_first=True).float()
    cand_lens = torch.tensor([e.shape[0] for e in cand_embs], device=cands.device)
    ref_lens = torch.tensor([e.shape[0] for e in ref_embs], device=refs.device)
    cand_mask = torch.arange(cands.shape[1], device=cands.device)[None, :] < cand_lens[:, None]
    ref_mask = torch.arange(refs.shape[1], device=refs.device)[None, :] < ref_lens[:, None]
    sim = torch.bmm(cands, refs.transpose(1, 2))
    best_for_cand = sim.masked_fill(~ref_mask[:, None, :], -math.inf).max(dim=2).values
    best_for_ref = sim.masked_fill(~cand_mask[:, :, None], -math.inf).max(dim=1).values
    cand_w = pad_sequence(cand_weights, batch_first=True).to(cands.device)
    ref_w = pad_sequence(ref_weights, batch_first=True).to(refs.device)
    cand_w = cand_w / cand_w.sum(dim=1, keepdim=True)
    ref_w = ref_w / ref_w.sum(dim=1, keepdim=True)
    precision = (best_for_cand.masked_fill(~cand_mask, 0.0) * cand_w).sum(dim=1)
    recall = (best_for_ref.masked_fill(~ref_mask, 0.0) * ref_w).sum(dim=1)
    f1 = 2 * precision * recall / (precision + recall)
    empty = (cand_lens == 2) | (ref_lens == 2)  # [CLS] [SEP] only: bert-score's "empty sentence"
    precision = precision.masked_fill(empty, 0.0)
    recall = recall.masked_fill(empty, 0.0)
    f1 = f1.masked_fill(torch.isnan(f1), 0.0)
    return torch.stack((precision, recall, f1), dim=-1)


def _check_pairs(cands: Any, refs: Any) -> tuple[list[str], list[str], list[tuple[int, int]] | None]:
    for name, value in (("cands", cands), ("refs", refs)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of strings, got {type(value).__name__}")
    if len(cands) != len(refs):
        raise ValueError(f"got {len(cands)} candidates but {len(refs)} references: pass one reference per candidate")
    if not all(isinstance(c, str) for c in cands):
        raise TypeError("cands must be a list of strings")
    if all(isinstance(r, str) for r in refs):
        return list(cands), list(refs), None
    flat_cands: list[str] = []
    flat_refs: list[str] = []
    groups: list[tuple[int, int]] = []
    for cand, group in zip(cands, refs):
        if isinstance(group, str) or not isinstance(group, Sequence) or not group:
            raise TypeError(
                "refs must be a list of strings, or a list of non-empty lists of strings (several per candidate)"
            )
        if not all(isinstance(r, str) for r in group):
            raise TypeError("each group of references must hold strings")
        groups.append((len(flat_refs), len(flat_refs) + len(group)))
        flat_cands.extend([cand] * len(group))
        flat_refs.extend(group)
    return flat_cands, flat_refs, groups


# -- one scorer per configuration and process ---------------------------------------------------------------------
_SCORERS: dict[tuple[Any, ...], BERTScorer] = {}
_SCORERS_LOCK = threading.Lock()


def get_scorer(
    model_type: str = DEFAULT_MODEL,
    num_layers: int | None = None,
    device: str | None = None,
    batch_size: int = 64,
    idf: bool = False,
    idf_sents: Sequence[str] | None = None,
    max_length: int | None = None,
    dtype: str | None = None,
    cache_size_mb: float = 256.0,
    cache_candidates: bool = False,
) -> BERTScorer:
    """The process's shared :class:`BERTScorer` for this configuration (created on first request, not loaded).

    Rewards and :func:`score` use it, so one model and one cache serve every reward with the same settings.

    Example:
        >>> get_scorer() is get_scorer(num_layers=9)
        True
    """
    if num_layers is None:
        num_layers = default_num_layers(model_type)
    key = (
        model_type,
        num_layers,
        None if device is None else str(device),
        batch_size,
        bool(idf),
        None if idf_sents is None else tuple(idf_sents),
        max_length,
        _resolve_dtype_name(dtype),
        float(cache_size_mb),
        bool(cache_candidates),
    )
    with _SCORERS_LOCK:
        scorer = _SCORERS.get(key)
        if scorer is None:
            scorer = BERTScorer(
                model_type=model_type,
                num_layers=num_layers,
                device=device,
                batch_size=batch_size,
                idf=idf,
                idf_sents=idf_sents,
                max_length=max_length,
                dtype=dtype,
                cache_size_mb=cache_size_mb,
                cache_candidates=cache_candidates,
            )
            _SCORERS[key] = scorer
        return scorer


def score(
    cands: Sequence[str],
    refs: Sequence[str] | Sequence[Sequence[str]],
    model_type: str = DEFAULT_MODEL,
    num_layers: int | None = None,
    verbose: bool = False,
    idf: bool = False,
    device: str | None = None,
    batch_size: int = 64,
    **options: Any,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """BERTScore ``(P, R, F)`` of candidate/reference pairs, like ``bert_score.score``, on a cached scorer.

    The model loads once per process and configuration (see :func:`get_scorer`); ``idf=True`` takes the idf
    weights from ``refs``, as ``bert_score.score`` does. Other keyword arguments (``max_length``, ``dtype``,
    ``cache_size_mb``...) go to :class:`BERTScorer`.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bert
        >>> path = save_tiny_bert(tempfile.mkdtemp())
        >>> P, R, F = score(["배가 다섯 개 있습니다"], ["사과가 세 개 있습니다"], model_type=path, num_layers=2)
        >>> 0.0 < F.item() < 1.0
        True
    """
    scorer = get_scorer(
        model_type=model_type, num_layers=num_layers, device=device, batch_size=batch_size, idf=idf, **options
    )
    return scorer.score(cands, refs, verbose=verbose)


# -- the reward ---------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class BERTScoreReward(RewardFunction):
    """BERTScore of the Malpyeong reason as a TRL reward: the F1 (by default) between reasons, at most 1.

    Each completion and its gold answer are split with :func:`korean_rewards.malpyeong.split_answer_reason`
    (``"X"가 옳다. <reason>``), and the reasons are compared with the official settings
    (``bert-base-multilingual-cased``, layer 9, no idf, no rescaling). A completion or gold with an empty reason
    (no ``가/이 옳다`` pattern, or nothing after it) gets 0.0: the official scorer leaves such items out, but a
    reward must score every completion, and an answer without a reason should not be rewarded.

    The model loads on the first call, once per process and configuration, on the trainer's device (accelerate's
    ``PartialState().device``) unless ``device`` is given, and the scorer keeps reference embeddings across steps.
    Pickling the reward never pickles the model. Other scorer options (``max_length``, ``dtype``,
    ``cache_size_mb``, ``idf_sents``, ``cache_candidates``) are fields too. ``metric`` picks ``"f1"``,
    ``"precision"`` or ``"recall"``. :meth:`as_async` gives the same reward as an ``async`` callable, which TRL
    awaits together with its other async rewards.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bert
        >>> reward = BERTScoreReward(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2)
        >>> gold = '"나는 학교에 갔다"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.'
        >>> completions = [gold, '"나는 학교에 갔다"가 옳다.', "모르겠다"]
        >>> [round(x, 4) for x in reward(completions=completions, answer=[gold] * 3)]
        [1.0, 0.0, 0.0]
        >>> bertscore_reward.__name__, bertscore_reward.num_layers   # the default: layer 9 of mBERT
        ('bertscore_reward', None)
    """

    base_name: ClassVar[str] = "bertscore_reward"
    needs_gold: ClassVar[bool] = True

    model_type: str = DEFAULT_MODEL
    num_layers: int | None = None
    answer_key: str = "answer"
    device: str | None = None
    batch_size: int = 64
    idf: bool = False
    idf_sents: Sequence[str] | None = None
    max_length: int | None = None
    dtype: str | None = None
    cache_size_mb: float = 256.0
    cache_candidates: bool = False
    metric: str = "f1"
    name: str | None = None

    def __post_init__(self) -> None:
        if self.metric not in _METRICS:
            raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {self.metric!r}")
        if not isinstance(self.answer_key, str) or not self.answer_key:
            raise TypeError(f"answer_key must be the name of a dataset column, got {self.answer_key!r}")
        if self.num_layers is None and default_num_layers(self.model_type) is None:
            raise ValueError(
                f"bert-score has no default layer for model_type={self.model_type!r}: pass num_layers=<layer> "
                f"(bert-base-multilingual-cased uses 9)"
            )
        if self.idf_sents is not None:
            if isinstance(self.idf_sents, str):
                raise TypeError("idf_sents must be a list of strings")
            self.idf_sents = tuple(self.idf_sents)
        _resolve_dtype_name(self.dtype)
        super().__post_init__()
        self._scorer: BERTScorer | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scorer"] = None  # the model stays in this process; the copy finds or loads its own
        return state

    @property
    def scorer(self) -> BERTScorer:
        """The shared :class:`BERTScorer` this reward uses (not loaded until the first call).

        Example:
            >>> bertscore_reward.scorer.model_type
            'bert-base-multilingual-cased'
        """
        if self._scorer is None:
            self._scorer = get_scorer(
                model_type=self.model_type,
                num_layers=self.num_layers,
                device=self.device,
                batch_size=self.batch_size,
                idf=self.idf,
                idf_sents=self.idf_sents,
                max_length=self.max_length,
                dtype=self.dtype,
                cache_size_mb=self.cache_size_mb,
                cache_candidates=self.cache_candidates,
            )
        return self._scorer

    def load(self) -> BERTScoreReward:
        """Load the model now and return ``self``: call it before building the trainer, so a wrong or unreachable
        model fails at once instead of at the first training step.

        Raises ``OSError`` saying whether ``model_type`` was read as a local folder or a hub id, and how to fix it.

        Example:
            >>> import tempfile
            >>> from korean_rewards.testing import save_tiny_bert
            >>> reward = BERTScoreReward(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2).load()
            >>> reward.scorer.loaded
            True
            >>> BERTScoreReward(model_type="./no-such-mbert", num_layers=9).load()
            Traceback (most recent call last):
            ...
            OSError: could not load './no-such-mbert', read as a local folder: no such folder ...
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
            values = self.scorer.score([reasons[i] for i in todo], [gold_reasons[i] for i in todo])
            chosen = values[_METRICS[self.metric]].tolist()
            for i, value in zip(todo, chosen):
                scores[i] = value
        return scores

    def _score_range(self) -> tuple[float, float]:
        # P and R are means of cosines; with trained models they (and F) lie in [0, 1]
        return -1.0, 1.0

    def as_async(self) -> BERTScoreReward:
        """The same reward (same options, same shared scorer) as an ``async`` callable for TRL.

        TRL releases before async reward support (0.22-0.24 among the supported ones) would get a coroutine
        instead of scores; there this returns the synchronous reward itself, with a one-time warning.

        Example:
            >>> from trl.trainer.utils import is_async_callable   # TRL releases that await async rewards
            >>> is_async_callable(bertscore_reward.as_async())
            True
        """
        if not trl_awaits_async_rewards():
            warn(
                "the installed TRL does not await async reward functions (TRL 1.0 added them): as_async() gives "
                "the synchronous BERTScore reward instead, which scores the same"
            )
            return self
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        return AsyncBERTScoreReward(**values)


_METRICS = {"precision": 0, "recall": 1, "f1": 2}


def trl_awaits_async_rewards() -> bool:
    """Whether the installed TRL awaits ``async`` reward functions (it has ``trl.trainer.utils.is_async_callable``).

    Example:
        >>> isinstance(trl_awaits_async_rewards(), bool)
        True
    """
    try:
        from trl.trainer.utils import is_async_callable  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(eq=False)
class AsyncBERTScoreReward(BERTScoreReward):
    """:class:`BERTScoreReward` as an ``async`` reward: TRL awaits it with its other async rewards.

    TRL recognises it by its ``async def __call__``; the scoring runs in a worker thread
    (``asyncio.to_thread``), so other async rewards (and the event loop) go on meanwhile. TRL runs its synchronous
    rewards first and then gathers the async ones, so the overlap is with other *async* rewards.
    ``.score(completion, gold)`` stays synchronous.

    Example:
        >>> import asyncio, tempfile
        >>> from korean_rewards.testing import save_tiny_bert
        >>> reward = AsyncBERTScoreReward(model_type=save_tiny_bert(tempfile.mkdtemp()), num_layers=2)
        >>> gold = '"깨끗이"가 옳다. 어간이 받침으로 끝나면 적는다.'
        >>> [round(x, 4) for x in asyncio.run(reward(completions=[gold], answer=[gold]))]
        [1.0]
    """

    base_name: ClassVar[str] = "bertscore_reward_async"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not trl_awaits_async_rewards():
            warn(
                "the installed TRL does not await async reward functions (TRL 1.0 added them): in its GRPOTrainer "
                "use BERTScoreReward (or reward.as_async(), which falls back to it) instead of AsyncBERTScoreReward"
            )

    async def __call__(  # type: ignore[override]
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        return await asyncio.to_thread(self._call_sync, prompts, completions, completion_ids, kwargs)

    def _call_sync(
        self, prompts: Any, completions: Any, completion_ids: Any, kwargs: dict[str, Any]
    ) -> list[float | None]:
        return BERTScoreReward.__call__(self, prompts, completions, completion_ids, **kwargs)

    def score(self, completion: Any, gold: Any = None, **columns: Any) -> float | None:
        """Score one completion against its gold answer, synchronously.

        Example:
            >>> AsyncBERTScoreReward.score is not BERTScoreReward.score
            True
        """
        batch = {key: [value] for key, value in columns.items()}
        batch[self.answer_key] = [gold]
        return self._call_sync([None], [completion], None, batch)[0]


#: The default instance: Malpyeong reason BERTScore F1 with the official settings (mBERT, layer 9).
bertscore_reward = BERTScoreReward()
