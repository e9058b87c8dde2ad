"""BERTScore for rewards: a batched, cached scorer with bert-score's numbers (the reward is in
:mod:`korean_rewards.bertscore`).

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

import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ModelLoadError, ParameterError, literal
from .bert import (
    DEFAULT_MODEL,
    MIN_BATCH_TOKENS,
    PAD_TOLERANCE,
    CacheInfo,
    EmbeddingCache,
    Entry,
    check_pairs,
    default_num_layers,
    greedy_match,
    idf_weights,
    layer_count,
    length_limit,
    tokenize,
    truncate_layers,
    with_prefix_space,
)
from .models import (
    ModelHolder,
    ScorerRegistry,
    check_batch_size,
    default_device,
    from_pretrained,
    looks_like_path,
    resolve_dtype_name,
)

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["BERTScorer", "SCORERS", "get_scorer", "score"]


def _checked_options(
    model_type: Any, num_layers: Any, batch_size: Any, idf: bool, idf_sents: Any, max_length: Any, cache_size_mb: Any
) -> int:
    """Check :class:`BERTScorer`'s options (errors name the parameter) and return the layer to use."""
    if not isinstance(model_type, str) or not model_type:
        raise TypeError(f"model_type must be a hub id or a local folder (a string), got {model_type!r}")
    if num_layers is None:
        num_layers = default_num_layers(model_type)
        if num_layers is None and looks_like_path(model_type) and not os.path.isdir(os.path.expanduser(model_type)):
            raise ModelLoadError(
                f"could not load {literal(model_type)}, read as a local folder: no such folder. Check the path, or "
                f"give a hub id such as {DEFAULT_MODEL!r}.",
                parameter="model_type",
            )
        if num_layers is None:
            raise ParameterError(
                f"bert-score has no default layer for {{model_type}}{literal(model_type)}: pass {{num_layers}}<layer> "
                "(bert-base-multilingual-cased uses 9 of 12; about 3/4 of the depth is a common choice). "
                f"For a local copy of a known model, name its folder after it (e.g. .../{DEFAULT_MODEL}).",
                parameter="num_layers",
            )
    if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 0:
        raise ParameterError(
            f"{{num_layers}}{literal(num_layers)} is not an integer >= 0 (0 = the embedding layer)", parameter="num_layers"
        )
    check_batch_size(batch_size)
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 2):
        raise ParameterError(
            f"{{max_length}}{literal(max_length)} is neither None nor an integer >= 2 (special tokens included)",
            parameter="max_length",
        )
    if not isinstance(cache_size_mb, (int, float)) or isinstance(cache_size_mb, bool) or cache_size_mb < 0:
        raise ParameterError(f"{{cache_size_mb}}{literal(cache_size_mb)} is not a number >= 0", parameter="cache_size_mb")
    if idf_sents is not None:
        if not idf:
            raise ParameterError(
                "{idf_sents}[...] is used only with idf=True: pass {idf}True, {idf_sents}[...]", parameter="idf_sents"
            )
        if isinstance(idf_sents, str) or not all(isinstance(s, str) for s in idf_sents):
            raise TypeError("idf_sents must be a list of strings")
    return num_layers


class BERTScorer(ModelHolder):
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

    Nothing loads until the first :meth:`score` (or :meth:`load`); constructing does not import torch. Loading,
    pickling (the model stays behind), warnings and batching come from
    :class:`~korean_rewards.scorers.models.ModelHolder`; the class is longer than most (about 330 lines, a sixth of
    them this docstring) because it is bert-score's algorithm in one place: tokenizing, caching, embedding, idf and
    matching read as one sequence, and splitting them would scatter one rule over several files.

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
        num_layers = _checked_options(model_type, num_layers, batch_size, idf, idf_sents, max_length, cache_size_mb)
        self.model_type = model_type
        self.num_layers = num_layers
        self.device = device
        self.batch_size = batch_size
        self.idf = bool(idf)
        self.max_length = max_length
        self.dtype = resolve_dtype_name(dtype)
        self.cache_size_mb = float(cache_size_mb)
        self.cache_candidates = bool(cache_candidates)
        self._idf_sents = list(idf_sents) if idf_sents is not None else None
        self._init_state()

    _PICKLED = ("_idf_sents",)  # the idf documents travel; the model and the cache stay behind
    _COUNTERS = ("texts_embedded",)  # how many texts went through the model (for tests and benchmarks)

    def _init_state(self) -> None:
        super()._init_state()
        self._tokenizer: Any = None
        self._torch_dtype: Any = None
        self._limit: int | None = None
        self._special_ids: set[int] = set()
        self._truncate_ok = True
        self._idf_dict: dict[int, float] | None = None
        self._idf_default = 0.0
        self._cache = EmbeddingCache(int(self.cache_size_mb * 2**20))

    def __repr__(self) -> str:
        return (
            f"BERTScorer(model_type={self.model_type!r}, num_layers={self.num_layers}, idf={self.idf}, "
            f"device={self.device!r}, loaded={self.loaded})"
        )

    # -- loading (load() and loaded come from ModelHolder) ----------------------------------------------
    def _load(self) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        device = torch.device(default_device() if self.device is None else self.device)
        dtype_name = self.dtype or ("float16" if device.type == "cuda" else "float32")
        torch_dtype = getattr(torch, dtype_name)
        tokenizer = from_pretrained(AutoTokenizer, self.model_type)
        tokenizer = with_prefix_space(tokenizer, self.model_type)
        model = from_pretrained(AutoModel, self.model_type, dtype=torch_dtype)
        if getattr(model.config, "is_encoder_decoder", False) and hasattr(model, "get_encoder"):
            model = model.get_encoder()
        total = layer_count(model)
        if total is not None and self.num_layers > total:
            raise ParameterError(
                f"{{num_layers}}{self.num_layers}, but {literal(self.model_type)} has only {total} layers",
                parameter="num_layers",
            )
        self._truncate_ok = truncate_layers(model, self.num_layers, total)
        model.to(device=device, dtype=torch_dtype).eval()
        model.requires_grad_(False)

        self._tokenizer = tokenizer
        self._model = model
        self._device = device
        self._torch_dtype = torch_dtype
        self._limit = length_limit(tokenizer, model.config, self.max_length)
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
            self._idf_dict, self._idf_default = idf_weights(self._tokenize([s.strip() for s in sents]))
            self._idf_sents = list(sents)

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
        cands, refs, groups = check_pairs(cands, refs)
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
                idf_dict, default = idf_weights([entries[k].ids for k in ref_keys])
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
                greedy_match(
                    [entries[k].embedding for k in c],
                    [weights[k] for k in c],
                    [entries[k].embedding for k in r],
                    [weights[k] for k in r],
                    self._device,
                )
            )
        return torch.cat(rows).cpu()

    def _weights(self, ids: list[int], idf_dict: dict[int, float] | None, default: float) -> Any:
        import torch

        if idf_dict is None:
            values = [0.0 if i in self._special_ids else 1.0 for i in ids]
        else:
            values = [idf_dict.get(i, default) for i in ids]
        return torch.tensor(values, dtype=torch.float32)

    def _entries(self, cand_keys: list[str], ref_keys: list[str], batch_size: int) -> dict[str, Entry]:
        """Token ids and embeddings of every distinct text of the call: from the cache, or computed now."""
        found: dict[str, Entry] = {}
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
                entry = Entry(ids, embedding, embedding.numel() * embedding.element_size() + 8 * len(ids))
                found[key] = entry
                if self._cache.max_bytes > 0 and (self.cache_candidates or key in ref_set):
                    self._cache.put(key, entry)
        return found

    def _tokenize(self, texts: list[str]) -> list[list[int]]:
        id_lists, truncated = tokenize(self._tokenizer, texts, self._limit)
        if truncated:
            self._warn_once(
                "truncated",
                f"BERTScore: a text is longer than the model's limit of {self._limit} tokens and was truncated, "
                "as bert-score does (shown once per scorer).",
            )
        return id_lists

    # -- the forward pass -------------------------------------------------------------------------------------
    def _embed(self, id_lists: list[list[int]], batch_size: int) -> list[Any]:
        """Unit-length token embeddings of each id list, batched by length; CUDA OOM halves the batch."""
        lengths = [len(ids) for ids in id_lists]
        return self._run_batched(
            id_lists, lengths, batch_size, self._embed_batch, PAD_TOLERANCE, MIN_BATCH_TOKENS, "BERTScore texts"
        )

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


# -- one scorer per configuration and process ---------------------------------------------------------------------
#: The process's BERTScore scorers by configuration (see :func:`get_scorer`).
SCORERS: ScorerRegistry[BERTScorer] = ScorerRegistry()


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
        resolve_dtype_name(dtype),
        float(cache_size_mb),
        bool(cache_candidates),
    )
    return SCORERS.get(
        key,
        lambda: BERTScorer(
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
        ),
    )


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
