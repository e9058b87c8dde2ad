"""Competition items and how predictions pair with labels: by ``id``, every id on both sides, no duplicates.

Example:
    >>> labels = load_items([{"id": "1", "output": {"answer": "가"}}, {"id": "2", "output": {"answer": "나"}}])
    >>> [(p.id, g.id) for p, g in align_items(list(reversed(labels)), labels)]
    [('1', '1'), ('2', '2')]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._io import EvaluationInputError, _decode, _json_error, read_records

__all__ = ["Item", "load_items", "read_ids", "select_items", "align_items"]

_MAX_LISTED_IDS = 10


@dataclass(frozen=True)
class Item:
    """One competition item: its id, its answer text and its input (question type and question).

    Example:
        >>> Item(id="7", answer='"깨끗이"가 옳다. 부사이다.').answer
        '"깨끗이"가 옳다. 부사이다.'
    """

    id: str
    answer: str
    input: Mapping[str, Any] = field(default_factory=dict)


def _item_from_record(record: Any, index: int, source: str, what: str) -> Item:
    where = f"{source}: item {index}"
    if not isinstance(record, Mapping):
        raise EvaluationInputError(f"{where} is a JSON {type(record).__name__}, not an object")
    if "id" not in record or record["id"] is None:
        raise EvaluationInputError(f'{where} has no "id"')
    raw_id = record["id"]
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        raise EvaluationInputError(f'{where} has an "id" that is neither a string nor an integer: {raw_id!r}')
    item_id = str(raw_id)
    where = f'{source}: item {index} (id "{item_id}")'
    output = record.get("output")
    if not isinstance(output, Mapping):
        raise EvaluationInputError(f'{where} has no "output": expected "output": {{"answer": "..."}}')
    if "answer" not in output:
        raise EvaluationInputError(f'{where} has no "output"."answer"')
    answer = output["answer"]
    if answer is None and what == "predictions":
        answer = ""  # a failed generation: scored as a wrong, empty answer
    if not isinstance(answer, str):
        raise EvaluationInputError(f'{where}: "output"."answer" must be a string, got {type(answer).__name__}')
    if what == "labels" and not answer.strip():
        raise EvaluationInputError(f'{where}: the gold "output"."answer" is empty')
    raw_input = record.get("input")
    return Item(id=item_id, answer=answer, input=dict(raw_input) if isinstance(raw_input, Mapping) else {})


def load_items(
    source: str | os.PathLike[str] | Iterable[Any], *, what: str = "labels", name: str | None = None
) -> list[Item]:
    """Competition items from a file (JSON or JSON Lines) or from records already in memory.

    Each record is ``{"id": ..., "input": {...}, "output": {"answer": ...}}`` (``input`` is optional). Ids are compared as strings (``7`` and ``"7"`` are the same item) and must be unique.
    ``what`` is ``"labels"`` (answers must be non-empty) or ``"predictions"`` (an empty or ``null`` answer
    is allowed: it scores as wrong). ``name`` names an in-memory source in error messages.

    Example:
        >>> [item.id for item in load_items([{"id": 1, "output": {"answer": "x가 옳다."}}])]
        ['1']
        >>> load_items([{"id": 1, "output": {"answer": "a"}}, {"id": "1", "output": {"answer": "b"}}], name="dev")
        Traceback (most recent call last):
        ...
        korean_rewards.evaluation.EvaluationInputError: dev: id "1" appears 2 times (items 1, 2); ids must be unique
    """
    if what not in ("labels", "predictions"):
        raise ValueError(f'what must be "labels" or "predictions", got {what!r}')
    if isinstance(source, (str, os.PathLike)):
        label = name or str(source)
        records = read_records(source)
    else:
        label = name or f"the {what}"
        if isinstance(source, Mapping):
            raise EvaluationInputError(f"{label} must be a list of items, got one mapping")
        records = list(source)
    if not records:
        raise EvaluationInputError(f"{label} holds no items")
    items = [_item_from_record(record, index, label, what) for index, record in enumerate(records, start=1)]
    positions: dict[str, list[int]] = {}
    for index, item in enumerate(items, start=1):
        positions.setdefault(item.id, []).append(index)
    for item_id, where in positions.items():
        if len(where) > 1:
            shown = ", ".join(str(i) for i in where[:_MAX_LISTED_IDS])
            raise EvaluationInputError(
                f'{label}: id "{item_id}" appears {len(where)} times (items {shown}); ids must be unique'
            )
    return items


def read_ids(path: str | os.PathLike[str]) -> list[str]:
    """The item ids listed in a file: one per line (blank lines and ``#`` comments skipped), or a JSON list.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "ids.txt")
        >>> with open(path, "w", encoding="utf-8") as f:
        ...     _ = f.write("101\\n# a comment\\n\\n 102 \\n")
        >>> read_ids(path)
        ['101', '102']
    """
    source = str(path)
    file = Path(path)
    if not file.is_file():
        raise EvaluationInputError(f"{source}: no such file" if not file.exists() else f"{source} is not a file")
    try:
        text = _decode(file.read_bytes(), source)
    except OSError as error:
        raise EvaluationInputError(f"cannot read {source}: {error.strerror or error}") from None
    if text.lstrip().startswith("["):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise _json_error(error, source) from None
        ids = [str(value) for value in values if not isinstance(value, (dict, list))]
    else:
        ids = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    if not ids:
        raise EvaluationInputError(f"{source} lists no ids")
    return list(dict.fromkeys(ids))


def select_items(
    labels: Sequence[Item], *, ids: Sequence[str] | None = None, limit: int | None = None, ids_name: str = "the ids"
) -> list[Item]:
    """The labels to score: those whose id is in ``ids`` (when given), then the first ``limit`` of them.

    Label order is kept. An id that is not in the labels is an :class:`EvaluationInputError` (a typo would
    otherwise shrink the subset silently).

    Example:
        >>> labels = [Item("1", "a"), Item("2", "b"), Item("3", "c")]
        >>> [item.id for item in select_items(labels, ids=["3", "1"])], [i.id for i in select_items(labels, limit=2)]
        (['1', '3'], ['1', '2'])
    """
    selected = list(labels)
    if ids is not None:
        wanted = {str(i) for i in ids}
        known = {item.id for item in labels}
        unknown = [i for i in dict.fromkeys(str(i) for i in ids) if i not in known]
        if unknown:
            raise EvaluationInputError(f"{ids_name}: ids not in the labels: {_list_ids(unknown)}")
        selected = [item for item in selected if item.id in wanted]
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise EvaluationInputError(f"the limit must be a positive number of items, got {limit!r}")
        selected = selected[:limit]
    return selected


def _list_ids(ids: Sequence[str]) -> str:
    shown = ", ".join(f'"{i}"' for i in ids[:_MAX_LISTED_IDS])
    more = len(ids) - _MAX_LISTED_IDS
    return shown + (f" and {more} more" if more > 0 else "")


def align_items(
    predictions: Sequence[Item], labels: Sequence[Item], *, predictions_name: str = "the predictions",
    labels_name: str = "the labels",
) -> list[tuple[Item, Item]]:
    """Pair each label with the prediction of the same id, in the labels' order.

    Every label id needs a prediction and every prediction id a label; otherwise an
    :class:`EvaluationInputError` lists the missing and the extra ids.

    Example:
        >>> labels = [Item("1", "a"), Item("2", "b")]
        >>> [(p.id, g.id) for p, g in align_items([Item("2", "x"), Item("1", "y")], labels)]
        [('1', '1'), ('2', '2')]
        >>> align_items([Item("1", "y"), Item("9", "z")], labels, predictions_name="p.json", labels_name="dev.json")
        Traceback (most recent call last):
        ...
        korean_rewards.evaluation.EvaluationInputError: p.json does not match dev.json (2 predictions, 2 labels): missing predictions for ids "2"; ids not in the labels: "9"
    """
    by_id = {item.id: item for item in predictions}
    label_ids = {item.id for item in labels}
    missing = [item.id for item in labels if item.id not in by_id]
    extra = [item.id for item in predictions if item.id not in label_ids]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"missing predictions for ids {_list_ids(missing)}")
        if extra:
            problems.append(f"ids not in the labels: {_list_ids(extra)}")
        raise EvaluationInputError(
            f"{predictions_name} does not match {labels_name} ({len(predictions)} predictions, {len(labels)} "
            f"labels): " + "; ".join(problems)
        )
    return [(by_id[label.id], label) for label in labels]

