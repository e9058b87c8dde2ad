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
   - ``descriptive_avg`` and ``final`` from :func:`korean_rewards.malpyeong.malpyeong_final_score` (see
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

from ._alignment import Item, align_items, load_items, read_ids, select_items
from ._files import find_prediction_files
from ._io import EvaluationInputError, OutputExistsError, atomic_write_text, read_records, write_json
from ._metrics import EvaluationResult, ItemScore, TextScorer, best_result, evaluate_file, evaluate_items
from ._scorers import BERTScoreF1, BLEURTScore, import_scorer, load_bleurt_checkpoint

# the errors are raised to users under the package's name (tracebacks and doctests show korean_rewards.evaluation.X)
EvaluationInputError.__module__ = OutputExistsError.__module__ = __name__

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

