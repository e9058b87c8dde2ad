"""Reading a BLEURT checkpoint in bleurt-pytorch's format: a local folder or a hub id (downloaded and cached the
ordinary way), its config, weights and special tokens. Loading errors say how the string was read and what to do.

Example:
    >>> import tempfile
    >>> from korean_rewards.testing import save_tiny_bleurt
    >>> folder = resolve_checkpoint(save_tiny_bleurt(tempfile.mkdtemp()))
    >>> read_config(folder)["model_type"], (folder / "spm.model").is_file()
    ('bleurt', True)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError, literal
from .models import NotObtainable, from_cache_or_hub, looks_like_path

__all__ = ["DEFAULT_CHECKPOINT", "IGNORED_KEYS", "resolve_checkpoint", "read_config", "load_state_dict", "special_tokens"]

#: The checkpoint of the official 말평 BLEURT (BLEURT-20, converted to PyTorch by bleurt-pytorch's author).
DEFAULT_CHECKPOINT = "lucadiliello/BLEURT-20"

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
_OPTIONAL_FILES = ("tokenizer_config.json", "special_tokens_map.json")
IGNORED_KEYS = ("bleurt.embeddings.position_ids", "bleurt.embeddings.token_type_ids")


# -- reading a checkpoint -------------------------------------------------------------------------------------------
def resolve_checkpoint(checkpoint: str) -> Path:
    """The local folder of a checkpoint: the folder itself, or the hub cache snapshot of a hub id (downloaded).

    A string that can only be a path (:func:`~korean_rewards.scorers.models.looks_like_path`) is never looked up
    on the hub; a hub id that is neither cached nor obtainable fails at once, saying why.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> folder = save_tiny_bleurt(tempfile.mkdtemp())
        >>> str(resolve_checkpoint(folder)) == folder
        True
    """
    local = Path(os.path.expanduser(checkpoint))
    if local.is_dir():
        _check_folder(local, f"BLEURT checkpoint {checkpoint!r} (a local folder)")
        return local
    if local.exists():
        raise _load_error(f"BLEURT checkpoint {checkpoint!r} was read as a local folder, but it is a file: pass the folder")
    if looks_like_path(checkpoint):
        raise _load_error(
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
        return from_cache_or_hub(
            lambda: _fetch_files(repo_id, local_only=True),
            lambda: _fetch_files(repo_id, local_only=False),
            catch=(Exception,),
        )
    except NotObtainable as missing:
        raise _load_error(
            f"BLEURT checkpoint {repo_id!r} was read as a hub id: it is not in the local Hugging Face cache and "
            f"{missing.where}. " + hint
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


def read_config(folder: Path) -> dict[str, Any]:
    """The checkpoint's ``config.json``, checked to be a BLEURT config with the sizes the model needs.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> read_config(Path(save_tiny_bleurt(tempfile.mkdtemp())))["model_type"]
        'bleurt'
    """
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


def load_state_dict(folder: Path) -> dict[str, Any]:
    """The checkpoint's weights (safetensors or a torch pickle, sharded or not) as one state dict on the CPU.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> "bleurt.embeddings.word_embeddings.weight" in load_state_dict(Path(save_tiny_bleurt(tempfile.mkdtemp())))
        True
    """
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


def special_tokens(folder: Path) -> dict[str, Any]:
    """The special-token strings (``[CLS]``, ``[SEP]`` unless the tokenizer files say otherwise) and
    ``do_lower_case`` (False unless ``tokenizer_config.json`` says otherwise).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> special_tokens(Path(tempfile.mkdtemp()))
        {'cls_token': '[CLS]', 'sep_token': '[SEP]', 'do_lower_case': False}
    """
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


def _load_error(message: str) -> ModelLoadError:
    """A loading error about the ``checkpoint`` parameter (the message names no parameter)."""
    return ModelLoadError(literal(message, quote=False), parameter="checkpoint")
