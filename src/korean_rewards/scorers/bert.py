"""BERT plumbing for BERTScore: bert-score's layer table, loading details, the length limit, the embedding cache
and the greedy matching (what :class:`~korean_rewards.scorers.bertscore.BERTScorer` is built from).

Example:
    >>> default_num_layers("bert-base-multilingual-cased"), length_limit(None, None, 100)
    (9, 100)
"""

from __future__ import annotations

import math
import os
from collections import Counter, OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .models import from_pretrained, looks_like_path

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_LAYERS",
    "PAD_TOLERANCE",
    "MIN_BATCH_TOKENS",
    "CHARS_PER_TOKEN",
    "MAX_CHARS_PER_TOKEN",
    "default_num_layers",
    "CacheInfo",
    "Entry",
    "EmbeddingCache",
    "with_prefix_space",
    "layer_count",
    "truncate_layers",
    "cut_for_tokens",
    "length_limit",
    "greedy_match",
    "check_pairs",
    "tokenize",
    "idf_weights",
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

# Batching: a batch is cut short when padding would pass 15% of its tokens, once it has 1024 real tokens.
PAD_TOLERANCE = 0.15
MIN_BATCH_TOKENS = 1024

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
    looks_local = looks_like_path(model_type) or os.path.isdir(path)
    if looks_local and parts:  # a folder named after the model (a hub id "org/name" is never cut down)
        names.extend(["/".join(parts[-2:]), parts[-1]])
    return names




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


class Entry(NamedTuple):
    """A cached text: its token ids, its unit-length token embeddings and their size in bytes.

    Example:
        >>> Entry(ids=[101, 102], embedding=None, nbytes=16).nbytes
        16
    """

    ids: list[int]
    embedding: Any  # torch.Tensor [tokens, hidden], unit rows, on the scorer's device
    nbytes: int


class EmbeddingCache:
    """An LRU map ``text -> Entry`` bounded by the total bytes of its embeddings.

    Example:
        >>> cache = EmbeddingCache(max_bytes=20)
        >>> cache.put("a", Entry([1], None, 12)); cache.put("b", Entry([2], None, 12))
        >>> cache.get("a") is None, len(cache), (cache.hits, cache.misses)
        (True, 1, (0, 1))
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[str, Entry] = OrderedDict()

    def get(self, key: str) -> Entry | None:
        entry = self._data.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._data.move_to_end(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
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


def with_prefix_space(tokenizer: Any, model_type: str) -> Any:
    """bert-score encodes with ``add_prefix_space=True`` for GPT-2 and RoBERTa tokenizers; load them that way
    (other tokenizers come back as they are).

    Example:
        >>> import tempfile
        >>> from transformers import AutoTokenizer
        >>> from korean_rewards.testing import save_tiny_bert
        >>> path = save_tiny_bert(tempfile.mkdtemp())
        >>> tokenizer = AutoTokenizer.from_pretrained(path)
        >>> with_prefix_space(tokenizer, path) is tokenizer
        True
    """
    from transformers import GPT2Tokenizer, RobertaTokenizer

    classes: tuple[type, ...] = (GPT2Tokenizer, RobertaTokenizer)
    if isinstance(tokenizer, classes) and not getattr(tokenizer, "add_prefix_space", True):
        from transformers import AutoTokenizer

        return from_pretrained(AutoTokenizer, model_type, add_prefix_space=True)
    return tokenizer


def layer_count(model: Any) -> int | None:
    """The number of layers a model's config declares, or ``None`` when it names none.

    Example:
        >>> from types import SimpleNamespace
        >>> layer_count(SimpleNamespace(config=SimpleNamespace(num_hidden_layers=12)))
        12
    """
    config = model.config
    for name in ("num_hidden_layers", "num_layers", "n_layers", "n_layer"):
        value = getattr(config, name, None)
        if isinstance(value, int):
            return value
    return None


def truncate_layers(model: Any, num_layers: int, total: int | None) -> bool:
    """Drop the layers after ``num_layers`` (the output is then that layer's); False when no layer list is found.

    Example:
        >>> import torch
        >>> model = torch.nn.Module(); model.layers = torch.nn.ModuleList(torch.nn.Identity() for _ in range(4))
        >>> truncate_layers(model, 2, 4), len(model.layers)
        (True, 2)
    """
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
#: :func:`cut_for_tokens`); a token of any tokenizer covers far fewer on real text.
CHARS_PER_TOKEN = 8

#: The most characters per token of the limit that a text keeps when its first part has too few tokens.
MAX_CHARS_PER_TOKEN = 64


def cut_for_tokens(text: str, limit: int, tokenizer: Any, kwargs: dict[str, Any]) -> str:
    """A prefix of ``text`` whose tokens, truncated to ``limit``, are those of the whole text, found cheaply.

    Tokenizing a megabyte takes about a second, and all but the first ``limit`` tokens are thrown away. A text
    longer than ``CHARS_PER_TOKEN * limit`` characters is cut at the last whitespace before that length;
    tokenizers split words at whitespace before anything else, so when the prefix already has ``limit`` tokens
    its truncation is the whole text's. When it has fewer (long whitespace runs, words the tokenizer maps to one
    unknown token), the prefix grows fourfold up to ``MAX_CHARS_PER_TOKEN * limit`` characters; past that a
    degenerate text is cut there. Texts of ordinary length are not touched.

    Example:
        >>> def words(text, **kwargs):
        ...     return {"input_ids": text.split()}
        >>> len(cut_for_tokens("가 " * 1000, 4, words, {})) < 100
        True
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


def length_limit(tokenizer: Any, config: Any, max_length: int | None) -> int | None:
    """The most tokens per text: the tokenizer's ``model_max_length``, the position table (less the offset of
    RoBERTa-style models) and ``max_length``, whichever is smallest; ``None`` when none is known.

    Example:
        >>> from types import SimpleNamespace
        >>> length_limit(SimpleNamespace(model_max_length=512), SimpleNamespace(max_position_embeddings=128), None)
        128
    """
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



def greedy_match(
    cand_embs: list[Any], cand_weights: list[Any], ref_embs: list[Any], ref_weights: list[Any], device: Any
) -> torch.Tensor:
    """bert-score's greedy cosine matching for a chunk of pairs: a ``[pairs, 3]`` tensor of P, R, F.

    Example:
        >>> import torch
        >>> e = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
        >>> w = torch.tensor([0.0, 1.0, 1.0, 0.0])
        >>> greedy_match([e], [w], [e], [w], "cpu").round(decimals=4).tolist()
        [[1.0, 1.0, 1.0]]
    """
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


def check_pairs(cands: Any, refs: Any) -> tuple[list[str], list[str], list[tuple[int, int]] | None]:
    """Candidates and references as flat, equally long lists, and for several references per candidate the
    ``(start, end)`` range of each candidate's pairs (else ``None``).

    Example:
        >>> check_pairs(["a"], [["b", "c"]])
        (['a', 'a'], ['b', 'c'], [(0, 2)])
    """
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


def tokenize(tokenizer: Any, texts: list[str], limit: int | None) -> tuple[list[list[int]], bool]:
    """Token ids with special tokens, truncated to ``limit`` as bert-score does, and whether a text was longer.

    Example:
        >>> import tempfile
        >>> from transformers import AutoTokenizer
        >>> from korean_rewards.testing import save_tiny_bert
        >>> tokenizer = AutoTokenizer.from_pretrained(save_tiny_bert(tempfile.mkdtemp()))
        >>> ids, truncated = tokenize(tokenizer, ["사과 배 사과 배"], limit=4)
        >>> len(ids[0]), truncated
        (4, True)
    """
    if not texts:
        return [], False
    kwargs: dict[str, Any] = {"add_special_tokens": True}
    if limit is not None:
        kwargs.update(truncation=True, max_length=limit)
        texts = [cut_for_tokens(text, limit, tokenizer, kwargs) for text in texts]
    id_lists = [list(ids) for ids in tokenizer(texts, **kwargs)["input_ids"]]
    truncated = False
    if limit is not None:
        at_limit = [i for i, ids in enumerate(id_lists) if len(ids) >= limit]
        if at_limit:
            full = tokenizer([texts[i] for i in at_limit], add_special_tokens=True, verbose=False)["input_ids"]
            truncated = any(len(ids) > limit for ids in full)
    return id_lists, truncated


def idf_weights(id_lists: list[list[int]]) -> tuple[dict[int, float], float]:
    """bert-score's idf from token-id documents: ``log((N + 1) / (df + 1))`` per token, and ``log(N + 1)`` (the
    weight of a token in no document).

    Example:
        >>> weights, unseen = idf_weights([[1, 2], [1, 3]])
        >>> weights[1], round(weights[2], 4), round(unseen, 4)
        (0.0, 0.4055, 1.0986)
    """
    counts: Counter[int] = Counter()
    for ids in id_lists:
        counts.update(set(ids))
    n = len(id_lists)
    return {token: math.log((n + 1) / (c + 1)) for token, c in counts.items()}, math.log(n + 1)
