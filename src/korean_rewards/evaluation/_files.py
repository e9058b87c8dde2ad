"""Finding prediction files: the files given, and in a folder its ``*.json`` / ``*.jsonl`` files and
``checkpoint-*/predictions.json``, in natural order; files that are not competition items are skipped.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "config.json").write_text('{"lr": 1}')
    >>> find_prediction_files([folder])
    []
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._io import EvaluationInputError, _NotAList, read_records

__all__ = ["find_prediction_files"]


_NUMBER = re.compile(r"(\d+)")


def _natural_key(path: Path) -> list[Any]:
    """Sort key that orders ``epoch2`` before ``epoch10`` and ``checkpoint-5`` before ``checkpoint-40``."""
    return [int(part) if part.isdigit() else part for part in _NUMBER.split(str(path))]


#: File names that the trainer, the tokenizer or this library write next to predictions; never predictions.
_NOT_PREDICTIONS = frozenset(
    {
        "best.json",
        "config.json",
        "generation_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "vocab.json",
        "trainer_state.json",
        "adapter_config.json",
        "preprocessor_config.json",
        "chat_template.json",
        "all_results.json",
        "train_results.json",
        "eval_results.json",
        "model.safetensors.index.json",
    }
)


def _is_competition_file(path: Path) -> bool:
    """Whether a file found in a folder holds competition items (its first record has "id" and "output").

    Unreadable or invalid files raise :class:`EvaluationInputError`: a broken prediction file is reported,
    never skipped.
    """
    try:
        records = read_records(path)
    except _NotAList:
        return False
    first = records[0] if records else None
    return isinstance(first, Mapping) and "id" in first and "output" in first


def find_prediction_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    exclude: Iterable[str | os.PathLike[str]] = (),
    skipped: list[Path] | None = None,
    broken: list[tuple[Path, str]] | None = None,
) -> list[Path]:
    """Expand files and folders into prediction files, in a stable natural order.

    A file is taken as it is. A folder gives its ``*.json`` and ``*.jsonl`` files, then the
    ``checkpoint-*/predictions.json`` files that :class:`~korean_rewards.callbacks.EvaluateOnSaveCallback`
    writes, sorted naturally (``inference_epoch2`` before ``inference_epoch10``). In a folder, files that the
    trainer or tokenizer write (``config.json``, ``trainer_state.json``, ``best.json``, ...), files whose
    records are not competition items (no ``"id"`` and ``"output"``; appended to ``skipped`` when given)
    and paths in ``exclude`` (e.g. the labels) are left out; a file named explicitly is always taken. A path
    that does not exist raises :class:`EvaluationInputError`; so does a file in a folder that cannot be read
    (invalid JSON, not UTF-8...), unless ``broken`` is given: then ``(file, message)`` is appended to it and the
    other files are still found.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> item = '[{"id": "1", "output": {"answer": "x"}}]'
        >>> for name in ["inference_epoch10.json", "inference_epoch2.json", "config.json", "notes.txt"]:
        ...     _ = (folder / name).write_text(item)
        >>> _ = (folder / "rows.json").write_text('[{"completion": "x"}]')
        >>> skipped = []
        >>> [p.name for p in find_prediction_files([folder], skipped=skipped)], [p.name for p in skipped]
        (['inference_epoch2.json', 'inference_epoch10.json'], ['rows.json'])
    """
    excluded = {Path(p).resolve() for p in exclude}
    found: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.append(path)

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise EvaluationInputError(f"{path}: no such file or folder")
        if not path.is_dir():
            add(path)
            continue
        direct = [
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in (".json", ".jsonl") and p.name not in _NOT_PREDICTIONS
        ]
        nested = [p for p in path.glob("checkpoint-*/predictions.json") if p.is_file()]
        for file in sorted(direct, key=_natural_key) + sorted(nested, key=_natural_key):
            if file.resolve() in excluded or file.resolve() in seen:
                continue
            try:
                competition = _is_competition_file(file)
            except EvaluationInputError as error:
                if broken is None:
                    raise
                broken.append((file, str(error)))
                continue
            if competition:
                add(file)
            elif skipped is not None:
                skipped.append(file)
    return found

