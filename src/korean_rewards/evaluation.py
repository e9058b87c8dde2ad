"""Score competition-format prediction files against labels, the way the official 말평 scorer does.

One implementation shared by the ``korean-rewards evaluate`` command and
:class:`~korean_rewards.callbacks.EvaluateOnSaveCallback`:

1. read a file (a JSON list of items, or JSON Lines) with clear errors (which file, which line, which
   encoding) - :func:`read_records`, :func:`load_items`;
2. pair predictions with labels by ``id`` (every id on both sides, no duplicates) - :func:`align_items`;
3. score each pair with the official rules - :func:`evaluate_items`:

   - **EM** over all items: the answer part (up to the first ``가 옳다``, else ``이 옳다``) with ASCII quotes
     removed must equal one of the gold's ``#``-separated alternatives;
   - **ROUGE-1**, **BERTScore** and **BLEURT**: means over the items where both the gold reason and the
     predicted reason are non-empty (the official rule: a prediction without the ``옳다`` pattern is left out,
     not scored 0);
   - ``descriptive_avg`` and ``final`` from :func:`korean_rewards.combining.malpyeong_final_score` (see
     :class:`EvaluationResult` for what happens without BLEURT or BERTScore).

**Scale.** Corpus numbers are on the leaderboard's 0-100 scale (EM 45.58 means 45.58 %), as in the
organisers' published results; per-item values (:class:`ItemScore`) stay on 0-1, like the rewards.

**BLEURT.** The official BLEURT-20 runs on TensorFlow's ``bleurt`` package, which cannot be installed with
this library's dependencies; :class:`BLEURTScore` computes it in PyTorch
(:class:`korean_rewards.bleurt.BLEURTScorer`, same scores as bleurt-pytorch). Any callable ``(candidates,
references) -> list[float]`` on the 0-1 scale plugs in as well (:func:`load_bleurt_checkpoint` wraps the
TensorFlow package where you have it, :func:`import_scorer` imports your own). Without one, ``bleurt`` is ``None`` and ``final``
averages ROUGE-1 and BERTScore only (``malpyeong_final_score(..., bleurt_missing="average_of_two")``), so it
is comparable between your own checkpoints but not with leaderboard numbers.

Example:
    >>> labels = [{"id": "1", "output": {"answer": '"물이 불었다."가 옳다. 붇다는 ㄷ 불규칙 용언이다.'}},
    ...           {"id": "2", "output": {"answer": '"깨끗이"가 옳다. 부사는 -이로 적는다.'}}]
    >>> preds = [{"id": "2", "output": {"answer": '"깨끗히"가 옳다. 부사이다.'}},
    ...          {"id": "1", "output": {"answer": '"물이 불었다."가 옳다. 붇다는 불규칙 용언이다.'}}]
    >>> result = evaluate_items(load_items(preds, what="predictions"), load_items(labels), rouge=False)
    >>> result.exact_match, result.n_correct, result.n_reason_items
    (50.0, 1, 2)
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .malpyeong import exact_match, normalize_answer, split_answer_reason

__all__ = [
    "EvaluationInputError",
    "OutputExistsError",
    "Item",
    "ItemScore",
    "EvaluationResult",
    "TextScorer",
    "read_records",
    "load_items",
    "align_items",
    "evaluate_items",
    "evaluate_file",
    "find_prediction_files",
    "select_items",
    "read_ids",
    "best_result",
    "BERTScoreF1",
    "BLEURTScore",
    "load_bleurt_checkpoint",
    "import_scorer",
    "atomic_write_text",
    "write_json",
]

#: A corpus scorer of reasons: ``(candidates, references) -> one float per pair``, on the 0-1 scale.
TextScorer = Callable[[list[str], list[str]], Sequence[float]]

_MAX_LISTED_IDS = 10


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


# ------------------------------------------------------------------------------------------------
# items
# ------------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------------
# scoring
# ------------------------------------------------------------------------------------------------
@dataclass
class ItemScore:
    """Scores of one item on the 0-1 scale; reason metrics are ``None`` where the item does not enter them.

    Example:
        >>> ItemScore(id="1", correct=True, pred_answer="x가 옳다", gold_answer="x가 옳다", pred_reason="",
        ...           gold_reason="이유").scored
        False
    """

    id: str
    correct: bool
    pred_answer: str
    gold_answer: str
    pred_reason: str
    gold_reason: str
    rouge1: float | None = None
    bertscore: float | None = None
    bleurt: float | None = None
    question_type: str | None = None

    @property
    def scored(self) -> bool:
        """Whether the item enters ROUGE-1, BERTScore and BLEURT (both reasons non-empty)."""
        return bool(self.pred_reason) and bool(self.gold_reason)


@dataclass
class EvaluationResult:
    """Corpus scores of one prediction file (or one set of predictions), on the official 0-100 scale.

    ``rouge1``, ``bertscore`` and ``bleurt`` are ``None`` when that metric was not computed.
    ``final`` comes from :func:`~korean_rewards.combining.malpyeong_final_score` and ``final_rule`` says how:

    - ``"official"``: ``descriptive_avg = (ROUGE-1 + BERTScore + BLEURT) / 3``, ``final = (EM + descriptive_avg) / 2``;
    - ``"average_of_two"`` (no BLEURT scorer): ``descriptive_avg = (ROUGE-1 + BERTScore) / 2``, same ``final``
      formula: comparable between your own files, not with the leaderboard;
    - ``None``: ROUGE-1 or BERTScore was not computed, so there is no final score (``descriptive_avg`` and
      ``final`` are ``None``).

    ``by_type`` breaks the same numbers down by the labels' ``input.question_type`` (선택형, 교정형; items
    without one count as ``"unknown"``): ``{type: {"n_items", "n_correct", "n_reason_items", "exact_match",
    "rouge1", "bertscore", "bleurt", "descriptive_avg", "final"}}``, empty when the labels have no types.
    ``items`` holds the per-item scores (0-1).

    Example:
        >>> result = EvaluationResult(source="p.json", n_items=2, n_correct=1, n_reason_items=2,
        ...                           exact_match=50.0, rouge1=40.0, bertscore=None, bleurt=None,
        ...                           descriptive_avg=40.0, final=45.0)
        >>> sorted(result.to_dict())[:4]
        ['bertscore', 'bleurt', 'by_type', 'descriptive_avg']
    """

    source: str | None
    n_items: int
    n_correct: int
    n_reason_items: int
    exact_match: float
    rouge1: float | None
    bertscore: float | None
    bleurt: float | None
    descriptive_avg: float | None
    final: float | None
    final_rule: str | None = None
    items: list[ItemScore] = field(default_factory=list, repr=False)
    by_type: dict[str, dict[str, Any]] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        """The corpus numbers that were computed (no ``None``), keyed by metric name.

        Example:
            >>> EvaluationResult(None, 1, 1, 0, 100.0, 0.0, None, None, 0.0, 50.0).metrics()
            {'exact_match': 100.0, 'rouge1': 0.0, 'descriptive_avg': 0.0, 'final': 50.0}
        """
        names = ("exact_match", "rouge1", "bertscore", "bleurt", "descriptive_avg", "final")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def to_dict(self, items: bool = False) -> dict[str, Any]:
        """A JSON-ready dict of the result; per-item scores are included when ``items`` is true.

        Example:
            >>> EvaluationResult("p.json", 1, 1, 0, 100.0, 0.0, None, None, 0.0, 50.0).to_dict()["final"]
            50.0
        """
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "items"}
        if items:
            data["items"] = [dataclasses.asdict(item) | {"scored": item.scored} for item in self.items]
        return data


def _question_type(item: Item) -> str | None:
    kind = item.input.get("question_type") if isinstance(item.input, Mapping) else None
    return kind.strip() if isinstance(kind, str) and kind.strip() else None


def _mean_percent(values: Sequence[float]) -> float:
    return 100.0 * sum(values) / len(values) if values else 0.0


def _checked_scores(name: str, scores: Any, n: int) -> list[float]:
    if hasattr(scores, "tolist"):
        scores = scores.tolist()
    scores = [float(s) for s in scores]
    if len(scores) != n:
        raise ValueError(f"the {name} scorer returned {len(scores)} scores for {n} pairs: it must return one per pair")
    return scores


def evaluate_items(
    predictions: Sequence[Item],
    labels: Sequence[Item],
    *,
    rouge: bool = True,
    bertscore: TextScorer | None = None,
    bleurt: TextScorer | None = None,
    source: str | None = None,
    labels_name: str = "the labels",
) -> EvaluationResult:
    """Score predictions against labels with the official rules (see the module docstring).

    ``rouge`` computes ROUGE-1 with MeCab-ko (needs the ``[rouge]`` extra); ``bertscore`` and ``bleurt`` are
    scorers ``(candidates, references) -> list[float]`` (0-1) called once with every item that enters the
    reason metrics, e.g. :class:`BERTScoreF1`. Missing ones are reported as ``None``.

    Example:
        >>> labels = load_items([{"id": "1", "output": {"answer": '"가"가 옳다. 이유 하나'}}])
        >>> preds = load_items([{"id": "1", "output": {"answer": '"가"가 옳다. 이유 둘'}}], what="predictions")
        >>> overlap = lambda cands, refs: [len(set(c) & set(r)) / len(set(c) | set(r)) for c, r in zip(cands, refs)]
        >>> result = evaluate_items(preds, labels, bertscore=overlap)
        >>> result.exact_match, result.bertscore  # 3 of 6 characters shared
        (100.0, 50.0)
        >>> round(result.rouge1, 2), result.final_rule, round(result.final, 2)  # no BLEURT: (R + B) / 2
        (50.0, 'average_of_two', 75.0)
    """
    pairs = align_items(predictions, labels, predictions_name=source or "the predictions", labels_name=labels_name)
    rouge1_f1 = None
    if rouge:
        from .rouge import rouge1_f1

    scores: list[ItemScore] = []
    for prediction, label in pairs:
        pred_answer, pred_reason = split_answer_reason(prediction.answer)
        gold_answer, gold_reason = split_answer_reason(label.answer)
        scores.append(
            ItemScore(
                id=label.id,
                correct=exact_match(prediction.answer, label.answer),
                pred_answer=normalize_answer(pred_answer),
                gold_answer=normalize_answer(gold_answer),
                pred_reason=pred_reason,
                gold_reason=gold_reason,
                question_type=_question_type(label),
            )
        )
    entering = [score for score in scores if score.scored]
    candidates = [score.pred_reason for score in entering]
    references = [score.gold_reason for score in entering]

    rouge_mean = bert_mean = bleurt_mean = None
    if rouge1_f1 is not None:
        for score in entering:
            score.rouge1 = float(rouge1_f1(score.pred_reason, score.gold_reason))
        rouge_mean = _mean_percent([score.rouge1 for score in entering])  # type: ignore[misc]
    if bertscore is not None:
        values = _checked_scores("BERTScore", bertscore(candidates, references) if entering else [], len(entering))
        for score, value in zip(entering, values):
            score.bertscore = value
        bert_mean = _mean_percent(values)
    if bleurt is not None:
        values = _checked_scores("BLEURT", bleurt(candidates, references) if entering else [], len(entering))
        for score, value in zip(entering, values):
            score.bleurt = value
        bleurt_mean = _mean_percent(values)

    totals = _aggregate(scores, rouge_mean is not None, bert_mean is not None, bleurt_mean is not None)
    types = [score.question_type for score in scores]
    by_type: dict[str, dict[str, Any]] = {}
    if any(kind is not None for kind in types):
        for kind in dict.fromkeys(kind or "unknown" for kind in types):
            subset = [score for score in scores if (score.question_type or "unknown") == kind]
            by_type[kind] = _aggregate(
                subset, rouge_mean is not None, bert_mean is not None, bleurt_mean is not None
            )
    return EvaluationResult(
        source=source,
        n_items=totals["n_items"],
        n_correct=totals["n_correct"],
        n_reason_items=totals["n_reason_items"],
        exact_match=totals["exact_match"],
        rouge1=totals["rouge1"],
        bertscore=totals["bertscore"],
        bleurt=totals["bleurt"],
        descriptive_avg=totals["descriptive_avg"],
        final=totals["final"],
        final_rule=totals["final_rule"],
        items=scores,
        by_type=by_type,
    )


def _aggregate(scores: Sequence[ItemScore], rouge: bool, bert: bool, bleurt: bool) -> dict[str, Any]:
    """Corpus numbers (0-100) of some items, with the official rules (see :func:`evaluate_items`)."""
    entering = [score for score in scores if score.scored]

    def mean(name: str, computed: bool) -> float | None:
        return _mean_percent([getattr(score, name) for score in entering]) if computed else None

    n_correct = sum(score.correct for score in scores)
    em = 100.0 * n_correct / len(scores) if scores else 0.0
    rouge_mean, bert_mean, bleurt_mean = mean("rouge1", rouge), mean("bertscore", bert), mean("bleurt", bleurt)
    descriptive, final, rule = _final(em, rouge_mean, bert_mean, bleurt_mean)
    return {
        "n_items": len(scores),
        "n_correct": n_correct,
        "n_reason_items": len(entering),
        "exact_match": em,
        "rouge1": rouge_mean,
        "bertscore": bert_mean,
        "bleurt": bleurt_mean,
        "descriptive_avg": descriptive,
        "final": final,
        "final_rule": rule,
    }


def _final(
    em: float, rouge1: float | None, bert: float | None, bleurt: float | None
) -> tuple[float | None, float | None, str | None]:
    """(descriptive average, final score, rule) with :func:`korean_rewards.combining.malpyeong_final_score`."""
    from .combining import malpyeong_final_score

    if rouge1 is None or bert is None:
        return None, None, None
    if bleurt is None:
        final = malpyeong_final_score(em, rouge1, bert, bleurt_missing="average_of_two")
        return (rouge1 + bert) / 2, final, "average_of_two"
    return (rouge1 + bert + bleurt) / 3, malpyeong_final_score(em, rouge1, bert, bleurt), "official"


def evaluate_file(
    path: str | os.PathLike[str],
    labels: Sequence[Item] | str | os.PathLike[str],
    **options: Any,
) -> EvaluationResult:
    """Load a prediction file and score it against labels (a file or items); options go to :func:`evaluate_items`.

    Example:
        >>> import tempfile, os, json
        >>> folder = tempfile.mkdtemp()
        >>> labels = os.path.join(folder, "dev.json")
        >>> with open(labels, "w", encoding="utf-8") as f:
        ...     json.dump([{"id": "1", "output": {"answer": '"가"가 옳다. 이유'}}], f, ensure_ascii=False)
        >>> evaluate_file(labels, labels, rouge=False).exact_match
        100.0
    """
    labels_name = "the labels"
    if isinstance(labels, (str, os.PathLike)):
        labels_name = str(labels)
        labels = load_items(labels, what="labels")
    predictions = load_items(path, what="predictions")
    return evaluate_items(predictions, labels, source=str(path), labels_name=labels_name, **options)


# ------------------------------------------------------------------------------------------------
# files and folders
# ------------------------------------------------------------------------------------------------
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


def best_result(results: Sequence[EvaluationResult], metric: str = "final") -> EvaluationResult | None:
    """The result with the highest ``metric`` (ties: the earlier one); ``None`` when none has it.

    Example:
        >>> a = EvaluationResult("a", 1, 0, 0, 0.0, None, None, None, None, 10.0)
        >>> b = EvaluationResult("b", 1, 1, 0, 100.0, None, None, None, None, 60.0)
        >>> best_result([a, b]).source
        'b'
    """
    best: EvaluationResult | None = None
    for result in results:
        value = getattr(result, metric)
        if value is None:
            continue
        if best is None or value > getattr(best, metric):
            best = result
    return best


# ------------------------------------------------------------------------------------------------
# scorers
# ------------------------------------------------------------------------------------------------
class BERTScoreF1:
    """BERTScore F1 as a :data:`TextScorer`, with the official defaults (``bert-base-multilingual-cased``,
    its default layer 9, no idf, no baseline rescaling).

    The model loads on the first call (torch and transformers are imported only then), through
    :class:`korean_rewards.bertscore.BERTScorer`. ``model_type`` may be a hub id or a local folder.

    Example:
        >>> scorer = BERTScoreF1("bert-base-multilingual-cased")
        >>> scorer.model_type, scorer.num_layers
        ('bert-base-multilingual-cased', None)
    """

    def __init__(
        self,
        model_type: str = "bert-base-multilingual-cased",
        num_layers: int | None = None,
        device: str | None = None,
        batch_size: int = 64,
    ) -> None:
        self.model_type = model_type
        self.num_layers = num_layers
        self.device = device
        self.batch_size = batch_size
        self._scorer: Any = None

    def load(self) -> Any:
        """Load the model now (if not loaded yet) and return the :class:`~korean_rewards.bertscore.BERTScorer`.

        The scorer is the process's shared one for these settings (:func:`korean_rewards.bertscore.get_scorer`),
        so an evaluation during training reuses the model and reference cache of a BERTScore reward.
        """
        if self._scorer is None:
            from .bertscore import get_scorer

            scorer = get_scorer(
                model_type=self.model_type, num_layers=self.num_layers, device=self.device, batch_size=self.batch_size
            )
            scorer.load()
            self._scorer = scorer
        return self._scorer

    def __call__(self, candidates: list[str], references: list[str]) -> list[float]:
        if not candidates:
            return []
        _, _, f1 = self.load().score(list(candidates), list(references))
        return [float(value) for value in f1.tolist()]


class BLEURTScore:
    """BLEURT as a :data:`TextScorer` ``(candidates, references) -> scores``, with
    :class:`korean_rewards.bleurt.BLEURTScorer` on a checkpoint in bleurt-pytorch's format (the official scorer
    uses BLEURT-20: ``lucadiliello/BLEURT-20``).

    The model loads on the first call or :meth:`load` (torch is imported only then), once per process and
    settings, shared with :class:`~korean_rewards.bleurt.BLEURTReward`. :meth:`describe` says which checkpoint
    and activation were used.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> scorer = BLEURTScore(save_tiny_bleurt(tempfile.mkdtemp()), device="cpu")
        >>> len(scorer(["후보 이유"], ["정답 이유"])), scorer.describe()["activation"]
        (1, 'gelu')
    """

    def __init__(
        self,
        checkpoint: str = "lucadiliello/BLEURT-20",
        device: str | None = None,
        batch_size: int = 32,
        dtype: str | None = None,
        tf_gelu: bool = False,
    ) -> None:
        self.checkpoint = checkpoint
        self.device = device
        self.batch_size = batch_size
        self.dtype = dtype
        self.tf_gelu = tf_gelu
        self._scorer: Any = None

    def load(self) -> Any:
        """Load the model now (if not loaded yet) and return the :class:`~korean_rewards.bleurt.BLEURTScorer`."""
        if self._scorer is None:
            from .scorers.bleurt import get_scorer

            scorer = get_scorer(self.checkpoint, self.device, self.batch_size, self.dtype, 512, self.tf_gelu)
            scorer.load()
            self._scorer = scorer
        return self._scorer

    def describe(self) -> dict[str, Any]:
        """What the report records: ``{"checkpoint", "folder", "activation", "tf_gelu"}`` (loads the model).

        ``activation`` is the config's ``hidden_act`` (``"gelu"`` is the exact GELU, as bleurt-pytorch), or
        ``"gelu_tanh"`` with ``tf_gelu`` (TensorFlow BLEURT's approximation).
        """
        scorer = self.load()
        return {
            "checkpoint": self.checkpoint,
            "folder": None if scorer.folder is None else str(scorer.folder),
            "activation": scorer.activation,
            "tf_gelu": bool(self.tf_gelu),
        }

    def __call__(self, candidates: list[str], references: list[str]) -> list[float]:
        if not candidates:
            return []
        return self.load().score(list(references), list(candidates))


def load_bleurt_checkpoint(checkpoint: str, batch_size: int = 64) -> TextScorer:
    """BLEURT through Google's TensorFlow ``bleurt`` package (the official scorer uses ``BLEURT-20``).

    That package (``pip install git+https://github.com/google-research/bleurt``, plus TensorFlow and a
    downloaded checkpoint) is not a dependency of this library and cannot be installed next to it in many
    environments; without it this raises :class:`EvaluationInputError` saying so.

    Example:
        >>> try:
        ...     load_bleurt_checkpoint("BLEURT-20")
        ... except EvaluationInputError as error:
        ...     print(str(error)[:55])
        BLEURT needs Google's TensorFlow "bleurt" package, whic
    """
    try:
        from bleurt import score as bleurt_score  # type: ignore[import-not-found]
    except ImportError:
        raise EvaluationInputError(
            'BLEURT needs Google\'s TensorFlow "bleurt" package, which is not installed (it is not installable '
            "with this library's dependencies): install it with TensorFlow "
            "(pip install git+https://github.com/google-research/bleurt) and download BLEURT-20, or pass "
            "your own scorer with --bleurt-function module:function"
        ) from None
    if not Path(checkpoint).is_dir():
        raise EvaluationInputError(f"BLEURT checkpoint {checkpoint}: no such folder")
    scorer = bleurt_score.BleurtScorer(checkpoint)

    def bleurt(candidates: list[str], references: list[str]) -> list[float]:
        return list(scorer.score(references=references, candidates=candidates, batch_size=batch_size))

    return bleurt


def import_scorer(spec: str) -> TextScorer:
    """Import a scorer ``(candidates, references) -> list[float]`` given as ``"module:name"`` or ``"file.py:name"``.

    A module is looked up in the current folder first (as ``python -c`` would), then on the usual path; a
    ``.py`` file is imported from that file.

    Example:
        >>> import_scorer("os.path:join") is os.path.join
        True
        >>> import_scorer("no_such_module_xyz:f")
        Traceback (most recent call last):
        ...
        korean_rewards.evaluation.EvaluationInputError: cannot import no_such_module_xyz:f: No module named 'no_such_module_xyz'
    """
    module_name, sep, attribute = spec.rpartition(":")
    if not sep or not module_name or not attribute:
        raise EvaluationInputError(f"a scorer is given as module:function (e.g. my_bleurt:score), got {spec!r}")
    if module_name.endswith(".py"):
        module = _import_file(module_name, spec)
    else:
        try:
            with _current_folder_on_path():
                module = importlib.import_module(module_name)
        except ImportError as error:
            raise EvaluationInputError(f"cannot import {spec}: {error}") from None
    scorer: Any = module
    for part in attribute.split("."):
        if not hasattr(scorer, part):
            raise EvaluationInputError(f"cannot import {spec}: {module_name} has no attribute {attribute!r}")
        scorer = getattr(scorer, part)
    if not callable(scorer):
        raise EvaluationInputError(f"{spec} is not callable")
    return scorer


class _current_folder_on_path:  # noqa: N801 - a context manager used like a function
    """Put the current folder first on ``sys.path`` while importing (console scripts do not have it there)."""

    def __enter__(self) -> None:
        import sys

        self.added = os.getcwd()
        self.present = self.added in sys.path or "" in sys.path
        if not self.present:
            sys.path.insert(0, self.added)

    def __exit__(self, *exc: Any) -> None:
        import sys

        if not self.present and self.added in sys.path:
            sys.path.remove(self.added)


def _import_file(filename: str, spec: str) -> Any:
    import importlib.util
    import sys

    path = Path(filename).expanduser()
    if not path.is_file():
        raise EvaluationInputError(f"cannot import {spec}: {filename}: no such file")
    name = f"_korean_rewards_scorer_{abs(hash(str(path.resolve())))}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise EvaluationInputError(f"cannot import {spec}: {filename} is not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        with _current_folder_on_path():
            module_spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - the user's file failed to run: say so, no traceback
        sys.modules.pop(name, None)
        raise EvaluationInputError(f"cannot import {spec}: {type(error).__name__}: {error}") from None
    return module


# ------------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------------
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
