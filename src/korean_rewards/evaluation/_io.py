"""Reading prediction and label files (JSON list or JSON Lines) with errors that say which file, line and
encoding, and writing reports atomically.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "p.jsonl")
    >>> _ = atomic_write_text(path, chr(10).join(['{"id": "1"}', '{"id": "2"}']))
    >>> [record["id"] for record in read_records(path)]
    ['1', '2']
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["EvaluationInputError", "OutputExistsError", "read_records", "atomic_write_text", "write_json"]


class EvaluationInputError(ValueError):
    """A file or a set of items cannot be evaluated; the message says what is wrong and where.

    Example:
        >>> load_items([{"output": {"answer": "x"}}], name="preds.json")
        Traceback (most recent call last):
        ...
        korean_rewards.evaluation.EvaluationInputError: preds.json: item 1 has no "id"
    """


class OutputExistsError(EvaluationInputError):
    """An output file exists already and ``force`` was not given.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "out.json")
        >>> _ = atomic_write_text(path, "{}")
        >>> atomic_write_text(path, "[]")
        Traceback (most recent call last):
        ...
        korean_rewards.evaluation.OutputExistsError: ... exists already: pass --force (force=True) to overwrite it
    """


class _NotAList(EvaluationInputError):
    """A valid JSON document that is not a list of items (e.g. a config or a summary file)."""


# ------------------------------------------------------------------------------------------------
# reading files
# ------------------------------------------------------------------------------------------------
def _decode(data: bytes, source: str) -> str:
    """UTF-8 text of a file's bytes (a UTF-8 BOM is dropped), or an error that names the encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EvaluationInputError(
            f"{source} is UTF-16, not UTF-8: save it as UTF-8 (e.g. iconv -f utf-16 -t utf-8 FILE > NEW)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        try:
            data.decode("cp949")
        except UnicodeDecodeError:
            raise EvaluationInputError(
                f"{source} is not UTF-8 text (undecodable byte at line {line}): save it as UTF-8"
            ) from None
        raise EvaluationInputError(
            f"{source} is not UTF-8: it looks like CP949/EUC-KR (the Korean Windows encoding; first non-UTF-8 "
            f"byte on line {line}). Convert it to UTF-8, e.g. iconv -f cp949 -t utf-8 FILE > NEW"
        ) from None


def _json_error(error: json.JSONDecodeError, source: str, line_offset: int = 0) -> EvaluationInputError:
    return EvaluationInputError(
        f"invalid JSON in {source}, line {error.lineno + line_offset}, column {error.colno}: {error.msg}"
    )


def _parse_jsonl(text: str, source: str) -> list[Any]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise _json_error(error, source, line_offset=number - 1) from None
    return records


def read_records(path: str | os.PathLike[str]) -> list[Any]:
    """Read a JSON list, or JSON Lines (one value per line), from a UTF-8 file.

    A ``.jsonl`` file is read as JSON Lines; any other file as one JSON document, falling back to JSON Lines
    when the document is a series of objects. Errors are :class:`EvaluationInputError` naming the file and
    the line: a missing or unreadable file, invalid JSON, a non-UTF-8 file (CP949/EUC-KR is recognised and
    named), an empty file, a document that is not a list.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "preds.jsonl")
        >>> with open(path, "w", encoding="utf-8") as f:
        ...     _ = f.write('{"id": "1"}\\n\\n{"id": "2"}\\n')
        >>> read_records(path)
        [{'id': '1'}, {'id': '2'}]
        >>> with open(path, "w", encoding="utf-8") as f:
        ...     _ = f.write('{"id": "1"}\\n{"id": 2,}\\n')
        >>> read_records(path)
        Traceback (most recent call last):
        ...
        korean_rewards.evaluation.EvaluationInputError: invalid JSON in .../preds.jsonl, line 2, column 10: Expecting property name enclosed in double quotes
    """
    source = str(path)
    file = Path(path)
    if not file.exists():
        raise EvaluationInputError(f"{source}: no such file")
    if file.is_dir():
        raise EvaluationInputError(f"{source} is a folder, not a JSON file")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise EvaluationInputError(f"cannot read {source}: {error.strerror or error}") from None
    text = _decode(data, source)
    if not text.strip():
        raise EvaluationInputError(f"{source} is empty")
    if file.suffix.lower() == ".jsonl":
        return _parse_jsonl(text, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and text.lstrip().startswith("{"):
            return _parse_jsonl(text, source)  # JSON Lines in a .json file
        raise _json_error(error, source) from None
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        for key in ("data", "items", "predictions"):
            if isinstance(document.get(key), list):
                return document[key]
        raise _NotAList(
            f"{source} holds one JSON object, not a list of items: expected [{{\"id\": ..., \"output\": "
            f"{{\"answer\": ...}}}}, ...] or JSON Lines"
        )
    raise _NotAList(f"{source} holds a JSON {type(document).__name__}, not a list of items")



def atomic_write_text(path: str | os.PathLike[str], text: str, *, force: bool = False) -> Path:
    """Write UTF-8 text atomically: a temporary file in the same folder, then ``os.replace``.

    Readers never see a half-written file, and an interrupted write leaves the old file intact. An existing
    file is replaced only with ``force=True`` (else :class:`OutputExistsError`).

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "scores.json")
        >>> atomic_write_text(path, "[1]").read_text()
        '[1]'
        >>> atomic_write_text(path, "[2]", force=True).read_text()
        '[2]'
    """
    target = Path(path)
    if target.is_dir():
        raise EvaluationInputError(f"{target} is a folder: give a file name to write")
    if target.exists() and not force:
        raise OutputExistsError(f"{target} exists already: pass --force (force=True) to overwrite it")
    folder = target.parent
    if not folder.is_dir():
        raise EvaluationInputError(f"cannot write {target}: the folder {folder} does not exist")
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise EvaluationInputError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return target


def write_json(path: str | os.PathLike[str], data: Any, *, force: bool = False) -> Path:
    """Write ``data`` as indented UTF-8 JSON (Korean kept readable), atomically; see :func:`atomic_write_text`.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "p.json")
        >>> print(write_json(path, {"answer": "옳다"}).read_text())
        {
          "answer": "옳다"
        }
    """
    return atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n", force=force)
