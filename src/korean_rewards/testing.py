"""Tiny, randomly initialised models and tokenizers built on the fly, with nothing downloaded.

The tests, the examples' ``--smoke`` mode and the benchmarks share these builders, so that the real TRL
``GRPOTrainer``, transformers' ``from_pretrained`` and the BERTScore engine all run offline on CPU in seconds.
Needs the ``[bertscore]`` extra (torch, transformers) and ``tokenizers``.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bert
    >>> path = save_tiny_bert(tempfile.mkdtemp())
    >>> from transformers import AutoModel, AutoTokenizer
    >>> AutoTokenizer.from_pretrained(path).tokenize("정답은 삼백")[:1] != []
    True
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "SAMPLE_CORPUS",
    "NOTEBOOK_CHAT_TEMPLATE",
    "build_chat_tokenizer",
    "build_tiny_qwen3",
    "build_wordpiece_tokenizer",
    "build_tiny_bert",
    "save_tiny_bert",
    "save_tiny_qwen3",
    "build_bleurt_sentencepiece",
    "save_tiny_bleurt",
]

# A few lines of Korean and math text (written for this project) to train the tiny tokenizers on.
SAMPLE_CORPUS: tuple[str, ...] = (
    "사과가 세 개 있고 배가 다섯 개 있습니다. 모두 몇 개입니까?",
    "정답은 여덟 개입니다. 3 + 5 = 8",
    "<start_working_out> 먼저 식을 세웁니다. <end_working_out><SOLUTION>42</SOLUTION>",
    "삼백오십 원짜리 연필을 두 자루 샀다면 칠백 원을 냅니다.",
    "\"나는 학교에 갔다\"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.",
    "\"깨끗이\"가 옳다. 어간이 'ㅅ' 받침으로 끝나면 '-이'로 적는다.",
    "1,234개의 상자에 각각 12개씩 들어 있다면 모두 14,808개이다.",
    "마이너스 칠 더하기 십은 삼이다. 3분의 1은 약 0.333이다.",
    "The answer is 12. Let me think step by step about the problem.",
    "스물다섯 명의 학생이 한 줄에 다섯 명씩 섭니다. 몇 줄입니까?",
    "一千二百 더하기 三百은 一千五百이다. 영하 5도에서 3도가 오르면 영하 2도이다.",
    "표준어 규정에 따르면 '웃어른'이 옳은 표기이다. 띄어쓰기는 단어별로 한다.",
    "0123456789 + - * / = ( ) [ ] { } . , ? ! : ; ' \" % \\boxed{} \\frac{1}{3}",
)

# The Unsloth notebook's chat template, re-written: system text then EOS, user content raw, assistant content
# then EOS, and the generation prompt is the reasoning start tag.
NOTEBOOK_CHAT_TEMPLATE = (
    "{% if messages[0]['role'] == 'system' %}{{ messages[0]['content'] + eos_token }}"
    "{% set loop_messages = messages[1:] %}{% else %}{% set loop_messages = messages %}{% endif %}"
    "{% for message in loop_messages %}"
    "{% if message['role'] == 'user' %}{{ message['content'] }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_working_out>' }}{% endif %}"
)

_CHAT_SPECIAL_TOKENS = ["<|endoftext|>", "<|pad|>"]


def _corpus(extra: Iterable[str] | None) -> list[str]:
    lines = list(SAMPLE_CORPUS)
    if extra is not None:
        lines.extend(extra)
    return lines


def build_chat_tokenizer(corpus: Iterable[str] | None = None, vocab_size: int = 600) -> Any:
    """Train a byte-level BPE tokenizer in about a second and wrap it for transformers and TRL.

    It has ``<|endoftext|>`` as EOS, ``<|pad|>`` as padding (left padding, as GRPO generation wants) and the
    notebook's chat template, so both standard and conversational datasets work.

    Example:
        >>> tok = build_chat_tokenizer()
        >>> tok.eos_token, tok.pad_token, tok.padding_side
        ('<|endoftext|>', '<|pad|>', 'left')
        >>> tok.decode(tok("정답은 42")["input_ids"])
        '정답은 42'
        >>> sorted(tok("정답은 42"))   # no token_type_ids: generate() on transformers 4.x refuses them
        ['attention_mask', 'input_ids']
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=_CHAT_SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_corpus(corpus), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|endoftext|>",
        pad_token="<|pad|>",
        padding_side="left",
        # a causal LM takes no token types; transformers 4.x would pass them on to generate() and fail there
        model_input_names=["input_ids", "attention_mask"],
    )
    fast.chat_template = NOTEBOOK_CHAT_TEMPLATE
    return fast


def build_tiny_qwen3(tokenizer: Any, hidden_size: int = 32, num_layers: int = 2, seed: int = 0) -> Any:
    """A randomly initialised Qwen3 causal LM sized for CPU tests (about 50k parameters).

    Example:
        >>> tok = build_chat_tokenizer()
        >>> model = build_tiny_qwen3(tok)
        >>> model.config.model_type, model.config.vocab_size == len(tok)
        ('qwen3', True)
    """
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(seed)
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=hidden_size // 4,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    model = Qwen3ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def save_tiny_qwen3(path: str | os.PathLike[str], **kwargs: Any) -> str:
    """Build the chat tokenizer and a tiny Qwen3 model and save both to ``path`` for ``from_pretrained``.

    Example:
        >>> import tempfile
        >>> from transformers import AutoModelForCausalLM
        >>> path = save_tiny_qwen3(tempfile.mkdtemp())
        >>> AutoModelForCausalLM.from_pretrained(path).config.model_type
        'qwen3'
    """
    tokenizer = build_chat_tokenizer()
    return _save_pretrained(path, tokenizer, build_tiny_qwen3(tokenizer, **kwargs))


def build_wordpiece_tokenizer(corpus: Iterable[str] | None = None, vocab_size: int = 800) -> Any:
    """Train a BERT-style WordPiece tokenizer (``[CLS]``, ``[SEP]``, ``[PAD]``, ``[UNK]``, ``[MASK]``) on the fly.

    Example:
        >>> tok = build_wordpiece_tokenizer()
        >>> tok("사과", add_special_tokens=True)["input_ids"][0] == tok.cls_token_id
        True
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special, show_progress=False)
    tokenizer.train_from_iterator(_corpus(corpus), trainer=trainer)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return BertTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        mask_token="[MASK]",
        do_lower_case=False,
        model_max_length=512,
    )


def build_tiny_bert(
    tokenizer: Any, hidden_size: int = 32, num_layers: int = 4, max_position_embeddings: int = 512, seed: int = 0
) -> Any:
    """A randomly initialised ``BertModel`` sized for CPU tests.

    Example:
        >>> model = build_tiny_bert(build_wordpiece_tokenizer())
        >>> model.config.num_hidden_layers
        4
    """
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=4,
        intermediate_size=hidden_size * 2,
        max_position_embeddings=max_position_embeddings,
        pad_token_id=tokenizer.pad_token_id,
    )
    return BertModel(config).eval()


def save_tiny_bert(path: str | os.PathLike[str], **kwargs: Any) -> str:
    """Build a WordPiece tokenizer and a tiny BERT and save both to ``path`` (a local ``model_type``).

    Keyword arguments go to :func:`build_tiny_bert` (e.g. ``hidden_size=768, num_layers=12`` for a
    BERT-base-sized model in benchmarks).

    Example:
        >>> import json, os, tempfile
        >>> config = json.load(open(os.path.join(save_tiny_bert(tempfile.mkdtemp()), "config.json")))
        >>> config["model_type"], config["num_hidden_layers"]
        ('bert', 4)
    """
    tokenizer = build_wordpiece_tokenizer()
    return _save_pretrained(path, tokenizer, build_tiny_bert(tokenizer, **kwargs))


def _save_pretrained(path: str | os.PathLike[str], tokenizer: Any, model: Any) -> str:
    """Save a tokenizer and a model to ``path`` (created if needed), as ``from_pretrained`` reads them."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return str(folder)


# -- BLEURT (bleurt-pytorch's checkpoint format) -------------------------------------------------------------------
_BLEURT_SPECIAL = ("[CLS]", "[SEP]", "[MASK]")


def _bleurt_corpus() -> list[str]:
    """A few hundred fixed Korean/English lines: the sample corpus and word sequences drawn from it by formula."""
    words = " ".join(SAMPLE_CORPUS).split()
    n = len(words)
    lines = list(SAMPLE_CORPUS)
    lines += [" ".join(words[(i * k + k * k) % n] for k in range(1, 6 + i % 9)) for i in range(300)]
    return lines


def build_bleurt_sentencepiece(vocab_size: int = 400, unk_piece: str = "[UNK]") -> bytes:
    """Train a small unigram sentencepiece model like BLEURT-20's ``spm.model`` (deterministic, ~30 ms).

    ``[PAD]`` is id 0, ``[UNK]`` (sentencepiece's unknown piece) id 1, then the user-defined ``[CLS]``, ``[SEP]``,
    ``[MASK]``. With another ``unk_piece`` (e.g. sentencepiece's default ``"<unk>"``) that piece is id 0 and
    ``[PAD]``, ``[UNK]``, ``[CLS]``, ``[SEP]``, ``[MASK]`` are user-defined symbols after it. The normaliser is
    sentencepiece's default (``nmt_nfkc``). Characters outside the training lines (e.g. ``漢``) are unknown. The
    training is single-threaded, so the same sentencepiece version gives the same bytes every time.

    Example:
        >>> import sentencepiece as spm
        >>> sp = spm.SentencePieceProcessor(model_proto=build_bleurt_sentencepiece())
        >>> sp.piece_to_id("[CLS]"), sp.piece_to_id("[SEP]"), sp.unk_id()
        (2, 3, 1)
    """
    import io

    from .scorers.models import require

    require("sentencepiece", "A BLEURT checkpoint", "bleurt")
    import sentencepiece as spm

    if unk_piece == "[UNK]":
        layout: dict[str, Any] = dict(pad_id=0, pad_piece="[PAD]", unk_id=1, unk_piece="[UNK]",
                                      user_defined_symbols=list(_BLEURT_SPECIAL))
    else:
        layout = dict(pad_id=-1, unk_id=0, unk_piece=unk_piece,
                      user_defined_symbols=["[PAD]", "[UNK]", *_BLEURT_SPECIAL])
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_bleurt_corpus()),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        bos_id=-1,
        eos_id=-1,
        **layout,
        hard_vocab_limit=False,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def _bleurt_shapes(config: dict[str, Any]) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, shape, kind) of every weight of bleurt-pytorch's ``BleurtForSequenceClassification``, in a fixed
    order; kind is "weight", "bias" or "norm" (a LayerNorm scale)."""
    v, e, h = config["vocab_size"], config["embedding_size"], config["hidden_size"]
    i, p, t = config["intermediate_size"], config["max_position_embeddings"], config["type_vocab_size"]
    shapes = [
        ("bleurt.embeddings.word_embeddings.weight", (v, e), "weight"),
        ("bleurt.embeddings.position_embeddings.weight", (p, e), "weight"),
        ("bleurt.embeddings.token_type_embeddings.weight", (t, e), "weight"),
        ("bleurt.embeddings.LayerNorm.weight", (e,), "norm"),
        ("bleurt.embeddings.LayerNorm.bias", (e,), "bias"),
        ("bleurt.encoder.embedding_projection.weight", (h, e), "weight"),
        ("bleurt.encoder.embedding_projection.bias", (h,), "bias"),
    ]
    for layer in range(config["num_hidden_layers"]):
        prefix = f"bleurt.encoder.layer.{layer}."
        for name in ("query", "key", "value"):
            shapes += [(f"{prefix}attention.self.{name}.weight", (h, h), "weight"),
                       (f"{prefix}attention.self.{name}.bias", (h,), "bias")]
        shapes += [
            (f"{prefix}attention.output.dense.weight", (h, h), "weight"),
            (f"{prefix}attention.output.dense.bias", (h,), "bias"),
            (f"{prefix}attention.output.LayerNorm.weight", (h,), "norm"),
            (f"{prefix}attention.output.LayerNorm.bias", (h,), "bias"),
            (f"{prefix}intermediate.dense.weight", (i, h), "weight"),
            (f"{prefix}intermediate.dense.bias", (i,), "bias"),
            (f"{prefix}output.dense.weight", (h, i), "weight"),
            (f"{prefix}output.dense.bias", (h,), "bias"),
            (f"{prefix}output.LayerNorm.weight", (h,), "norm"),
            (f"{prefix}output.LayerNorm.bias", (h,), "bias"),
        ]
    shapes += [
        ("bleurt.pooler.dense.weight", (h, h), "weight"),
        ("bleurt.pooler.dense.bias", (h,), "bias"),
        ("classifier.weight", (1, h), "weight"),
        ("classifier.bias", (1,), "bias"),
    ]
    return shapes


def save_tiny_bleurt(
    path: str | os.PathLike[str],
    *,
    hidden_size: int = 32,
    embedding_size: int = 16,
    num_layers: int = 2,
    num_heads: int = 4,
    intermediate_size: int = 64,
    hidden_act: str = "gelu",
    max_position_embeddings: int = 512,
    seed: int = 0,
    safetensors: bool = False,
    unk_piece: str = "[UNK]",
) -> str:
    """Save a tiny random BLEURT checkpoint in bleurt-pytorch's format (as ``lucadiliello/BLEURT-20``) to ``path``.

    The folder gets ``config.json`` (``model_type: "bleurt"``, ``embedding_size`` < ``hidden_size``),
    ``spm.model`` (:func:`build_bleurt_sentencepiece`), ``tokenizer_config.json`` and the weights
    (``bleurt.*``, ``classifier.*``) in ``pytorch_model.bin``, or ``model.safetensors`` with ``safetensors=True``;
    ``unk_piece`` goes to :func:`build_bleurt_sentencepiece`.
    The weights are drawn with ``torch.randn`` from a generator seeded with ``seed``, tensor by tensor in a fixed
    order, so the same seed gives bit-identical weights with any transformers version. Other sizes make
    benchmark models (e.g. ``hidden_size=512, num_layers=6`` is about BLEURT-20-D6's depth).

    Example:
        >>> import json, os, tempfile
        >>> path = save_tiny_bleurt(tempfile.mkdtemp())
        >>> sorted(os.listdir(path))
        ['config.json', 'pytorch_model.bin', 'spm.model', 'tokenizer_config.json']
        >>> json.load(open(os.path.join(path, "config.json")))["model_type"]
        'bleurt'
    """
    import json

    from .scorers.models import require

    require("sentencepiece", "A BLEURT checkpoint", "bleurt")
    import sentencepiece as spm
    import torch

    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    model_proto = build_bleurt_sentencepiece(unk_piece=unk_piece)
    (folder / "spm.model").write_bytes(model_proto)
    vocab_size = spm.SentencePieceProcessor(model_proto=model_proto).get_piece_size()
    config: dict[str, Any] = {
        "architectures": ["BleurtForSequenceClassification"],
        "model_type": "bleurt",
        "vocab_size": vocab_size,
        "embedding_size": embedding_size,
        "hidden_size": hidden_size,
        "num_hidden_layers": num_layers,
        "num_attention_heads": num_heads,
        "intermediate_size": intermediate_size,
        "hidden_act": hidden_act,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": max_position_embeddings,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "num_labels": 1,
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"do_lower_case": False}, indent=2) + "\n", encoding="utf-8"
    )
    generator = torch.Generator().manual_seed(seed)
    scales = {"weight": 2.0 / (hidden_size ** 0.5), "bias": 0.1, "norm": 0.1}
    state: dict[str, Any] = {}
    for name, shape, kind in _bleurt_shapes(config):
        values = torch.randn(shape, generator=generator, dtype=torch.float32) * scales[kind]
        state[name] = values + 1.0 if kind == "norm" else values
    # bleurt-pytorch's checkpoints also hold the position-ids buffer
    state["bleurt.embeddings.position_ids"] = torch.arange(max_position_embeddings).unsqueeze(0)
    if safetensors:
        from safetensors.torch import save_file

        save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    else:
        torch.save(state, folder / "pytorch_model.bin")
    return str(folder)
