"""The official 말평 scores of paired items: EM over all items, ROUGE-1 / BERTScore / BLEURT over the items where
both reasons are non-empty, the descriptive average and the final score, in total and per question type.

Example:
    >>> from korean_rewards.evaluation import load_items
    >>> gold = load_items([{"id": "1", "output": {"answer": '"가"가 옳다. 이유'}}])
    >>> evaluate_items(gold, gold, rouge=False).exact_match
    100.0
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..malpyeong import exact_match, normalize_answer, split_answer_reason
from ._alignment import Item, align_items, load_items

__all__ = ["TextScorer", "ItemScore", "EvaluationResult", "evaluate_items", "evaluate_file", "best_result"]

#: A corpus scorer of reasons: ``(candidates, references) -> one float per pair``, on the 0-1 scale.
TextScorer = Callable[[list[str], list[str]], Sequence[float]]


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
    ``final`` comes from :func:`~korean_rewards.malpyeong.malpyeong_final_score` and ``final_rule`` says how:

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
        from ..rouge import rouge1_f1

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
    """(descriptive average, final score, rule) with :func:`korean_rewards.malpyeong.malpyeong_final_score`."""
    from ..malpyeong import malpyeong_final_score

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
