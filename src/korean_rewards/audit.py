"""Audit a reward mix before training: does a degenerate completion score as well as an honest one?

In GRPO the policy learns whatever the reward pays for, so a degenerate completion that scores as well as an
honest one will be found, usually after hours of GPU time. :func:`audit_rewards` looks for such holes first: from
each row of your own data (a prompt and its gold answer) it builds an honest correct completion, an honest wrong
one, and a family of degenerate completions (:data:`FAMILIES`), scores all of them with the mix exactly as TRL
calls rewards (``prompts=``, ``completions=``, the other dataset columns as keyword lists; once with plain-text and
once with conversational prompts and completions), and compares each family's mean with the honest one:

- ``EXPLOIT``: the family scores above the honest correct completion on average (or, for ``number_spray`` and
  ``garbage_answer``, above the honest *wrong* answer: the model would learn to spray numbers or write garbage
  instead of risking a wrong number);
- ``WEAK``: it does not lose: within ``weak_margin`` of the honest mean (a fraction of the spread of the mix's
  scores over all families), or above it on some rows;
- ``ok``: it scores clearly lower.

Completions follow one of two layouts, chosen from the gold answers (``kind="auto"``): ``"malpyeong"`` when the
golds are 말평 answers (``"…"가 옳다. <reason>``), else ``"math"``: the notebook's tags (the template prefills
``<start_working_out>``, so a completion is ``reasoning<end_working_out><SOLUTION>answer</SOLUTION>``). The honest
math reasoning comes from the ``reasoning_key`` column when the data has one.

The mix is one TRL reward callable (e.g. a :func:`~korean_rewards.combine`) or a list of them, summed with
``weights`` the way ``GRPOTrainer`` does (``None`` left out of the sum; a sample with no value at all counts 0).

(This module is a little over 600 lines on purpose: the rows, the families built from them, the scoring and the
verdicts are one procedure that reads best in one file; about half of it is docstrings and the family table.)

Example:
    >>> from korean_rewards import check_numbers_ko, combine, completion_text
    >>> rows = [{"prompt": "사과가 12개씩 7상자 있습니다. 모두 몇 개입니까?", "answer": "84",
    ...          "reasoning": "한 상자에 12개씩 7상자이므로 12 × 7 = 84개입니다."}]
    >>> def has_reasoning(completions, **kwargs):  # None without reasoning: the model can dodge it
    ...     texts = [completion_text(c) for c in completions]
    ...     return [None if text.startswith("<end_working_out>") else 1.0 for text in texts]
    >>> risky = combine({check_numbers_ko: 1.0, has_reasoning: 4.0}, none="skip")
    >>> [result.family for result in audit_rewards(risky, rows).exploits]
    ['number_spray', 'answer_only']
    >>> safe = combine({check_numbers_ko.configure(several_numbers=-2.5): 1.0, has_reasoning: 4.0},
    ...                ranges={has_reasoning: (0.0, 1.0)})
    >>> report = audit_rewards(safe, rows)
    >>> report.passed, report.result("answer_only").verdict
    (True, 'ok')
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ._trl import ColumnError, completion_text, gold_key, gold_text
from .errors import literal
from .malpyeong import mostly_malpyeong, split_answer_reason
from .numbers import find_numbers
from .numbers.grading import read_gold
from .tags import NOTEBOOK_TAGS, Tags

__all__ = ["FAMILIES", "AUDIT_SCHEMA", "FamilyResult", "AuditReport", "audit_rewards", "audit_rows"]

AUDIT_SCHEMA = "korean-rewards.audit/1"

#: The degenerate families: name -> (what it is, the completion it must not beat: "honest" or "honest_wrong").
FAMILIES: dict[str, tuple[str, str]] = {
    "number_spray": ("many numbers, the right one among them, in the answer and as the reasoning", "honest_wrong"),
    "garbage_answer": ("the answer tags (or template) around a punctuation mark", "honest_wrong"),
    "tags_only": ("the tags (or template) with nothing in them", "honest"),
    "repeated_tags": ("the honest completion three times over", "honest"),
    "nested_tags": ("the right answer inside doubled tags (or doubled quotes)", "honest"),
    "hedged": ("the right answer hedged with a wrong one", "honest"),
    "answer_only": ("the right answer with no reasoning", "honest"),
    "prompt_copy": ("the prompt copied back as the reasoning, with the right answer", "honest"),
    "empty": ("an empty completion", "honest"),
    "long_10k": ("the honest completion padded with filler to 10,000 characters", "honest"),
    "filler": ("content-free Korean filler as the reasoning, with the right answer", "honest"),
    "keyword_soup": ("the most frequent words of the references as the reasoning, with the right answer", "honest"),
}

KINDS = ("auto", "math", "malpyeong")

_FILLER = (
    "그러므로 이것은 다음과 같이 정리할 수 있습니다. 따라서 위의 내용을 바탕으로 생각해 보면 결과적으로 그렇게 "
    "됩니다. 이와 같은 점을 고려하면 자연스럽게 알 수 있으며 앞에서 말한 바와 같이 그 결과가 나옵니다. "
)
_LONG_CHARS = 10_000
_GSM8K_MARK = "####"
_SOUP_WORDS = 40


@dataclass
class FamilyResult:
    """One row of an audit: a family's mean reward and how it compares with the honest completion.

    ``mean`` is the larger of the plain-text and the conversational means (they differ only when a reward reads
    the two formats differently); ``gap`` is ``mean`` minus the mean of ``compared_to``; ``rows_above`` counts the
    rows where the family scored above it.

    Example:
        >>> FamilyResult("empty", "an empty completion", -3.0, -3.0, -3.0, "honest", -9.0, 0, "ok").verdict
        'ok'
    """

    family: str
    description: str
    mean: float | None
    mean_standard: float | None
    mean_conversational: float | None
    compared_to: str
    gap: float | None
    rows_above: int
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict.

        Example:
            >>> FamilyResult("empty", "e", 0.0, 0.0, 0.0, "honest", -1.0, 0, "ok").to_dict()["verdict"]
            'ok'
        """
        return {
            "family": self.family,
            "description": self.description,
            "mean": self.mean,
            "mean_standard": self.mean_standard,
            "mean_conversational": self.mean_conversational,
            "compared_to": self.compared_to,
            "gap": self.gap,
            "rows_above": self.rows_above,
            "verdict": self.verdict,
        }


@dataclass
class AuditReport:
    """What :func:`audit_rewards` found: the honest means and one :class:`FamilyResult` per family.

    ``passed`` is True when no family is an ``EXPLOIT``; ``to_dict()`` gives the ``--json`` document.

    Example:
        >>> report = AuditReport("mix", "math", n_rows=0, n_scored=0, honest=None, honest_wrong=None)
        >>> report.passed, report.exploits
        (True, [])
    """

    reward: str
    kind: str
    n_rows: int
    n_scored: int
    honest: float | None
    honest_wrong: float | None
    results: list[FamilyResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exploits(self) -> list[FamilyResult]:
        """The families that beat the honest completion they are compared with.

        Example:
            >>> AuditReport("mix", "math", 0, 0, None, None).exploits
            []
        """
        return [result for result in self.results if result.verdict == "EXPLOIT"]

    @property
    def passed(self) -> bool:
        """True when no family is an exploit (``WEAK`` families do not fail an audit).

        Example:
            >>> AuditReport("mix", "math", 0, 0, None, None).passed
            True
        """
        return not self.exploits

    def result(self, family: str) -> FamilyResult:
        """The result of one family by name (``KeyError`` naming the families when there is none).

        Example:
            >>> report = AuditReport("mix", "math", 0, 0, None, None)
            >>> report.result("empty")
            Traceback (most recent call last):
            ...
            KeyError: "no family 'empty' in this audit; it has: none"
        """
        for result in self.results:
            if result.family == family:
                return result
        names = ", ".join(result.family for result in self.results) or "none"
        raise KeyError(f"no family {family!r} in this audit; it has: {names}")

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (schema ``korean-rewards.audit/1``).

        Example:
            >>> AuditReport("mix", "math", 0, 0, None, None).to_dict()["schema"]
            'korean-rewards.audit/1'
        """
        return {
            "schema": AUDIT_SCHEMA,
            "reward": self.reward,
            "kind": self.kind,
            "n_rows": self.n_rows,
            "n_scored": self.n_scored,
            "honest": self.honest,
            "honest_wrong": self.honest_wrong,
            "families": [result.to_dict() for result in self.results],
            "exploits": [result.family for result in self.exploits],
            "passed": self.passed,
            "notes": list(self.notes),
        }


# -- rows -----------------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    prompt: Any  # the row's prompt as in the data: a string or a list of messages
    prompt_text: str
    gold: str
    reference: str | None  # a worked solution (math) when the data has one
    columns: dict[str, Any]  # every other field, passed to the rewards as dataset columns


def audit_rows(
    records: Sequence[Any],
    prompt_key: str = "prompt",
    answer_key: str = "answer",
    reasoning_key: str | None = "reasoning",
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows that :func:`audit_rewards` can use, from records of a JSON / JSON Lines file, and notes on skipped ones.

    A record is a flat dict with the prompt (``prompt_key``; with the default ``"prompt"``, a ``"question"``
    column works too) and the gold (``answer_key``; with the default ``"answer"``, TRL's ``"solution"`` works
    too), or a 말평 competition item (``{"input": {"question": ...}, "output": {"answer": ...}}``), which becomes
    ``{"prompt": question, "answer": answer, ...}``. Golds are read by the library's one gold reader
    (:func:`korean_rewards._trl.gold_text`), so a row is kept exactly when the rewards see a gold in it; records
    without a prompt or a gold are skipped (named in the notes).

    Raises :class:`~korean_rewards._trl.ColumnError` (a ``ValueError`` whose ``parameter`` is ``"prompt_key"``,
    ``"answer_key"`` or ``"reasoning_key"``) when no record has the column a parameter names (a typo), naming the
    columns that exist, and ``ValueError`` for a record that is not an object.

    Example:
        >>> rows, notes = audit_rows([{"input": {"question": "Q"}, "output": {"answer": '"가"가 옳다. 이유'}},
        ...                           {"question": "2+2?", "answer": None}])
        >>> rows
        [{'prompt': 'Q', 'answer': '"가"가 옳다. 이유'}]
        >>> print(notes[0])
        row 2 has no gold answer in the column 'answer': skipped
        >>> audit_rows([{"question": "2+2?", "answer": "4"}], prompt_key="q")
        Traceback (most recent call last):
        ...
        korean_rewards._trl.ColumnError: prompt_key='q': no row has a prompt column 'q'; the rows have: answer, question
    """
    flat: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise ValueError(f"row {number} is a JSON {type(record).__name__}, not an object")
        flat.append(_flatten(record, prompt_key, answer_key))
    columns = sorted({str(key) for row in flat for key in row})
    for parameter, column, what in (
        ("prompt_key", _prompt_column(columns, prompt_key), "prompt"),
        ("answer_key", gold_key(columns, answer_key), "gold answer"),
        ("reasoning_key", reasoning_key, "reasoning"),
    ):
        if column is None or column in columns or not flat:
            continue
        if parameter == "reasoning_key" and column == "reasoning":
            continue  # the default: worked solutions are optional
        raise ColumnError(
            "{" + parameter + "}" + literal(f"{column!r}: no row has a {what} column {column!r}; the rows have: "
                                          f"{', '.join(columns) or 'none'}", quote=False),
            parameter=parameter,
            column=column,
            available=columns,
        )
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for number, (record, row) in enumerate(zip(records, flat), start=1):
        prompt_column = _prompt_column(row, prompt_key)
        if prompt_column != prompt_key:
            row[prompt_key] = row.pop(prompt_column)
        gold_column = gold_key(row, answer_key)
        if row.get(prompt_key) is None:
            fields = ", ".join(map(str, record)) or "none"
            notes.append(f"row {number} has no prompt (column {prompt_key!r}; its fields: {fields}): skipped")
            continue
        if gold_text(row.get(gold_column)) is None:
            notes.append(f"row {number} has no gold answer in the column {gold_column!r}: skipped")
            continue
        rows.append(row)
    return rows, notes


def _flatten(record: Mapping[str, Any], prompt_key: str, answer_key: str) -> dict[str, Any]:
    """A record as one flat row: a 말평 item's ``input`` fields and ``output`` answer become columns."""
    row = dict(record)
    source, target = row.pop("input", None), row.pop("output", None)
    if isinstance(source, Mapping) and prompt_key not in row:
        question = source.get("question")
        if question is not None:
            row[prompt_key] = question
        row.update({k: v for k, v in source.items() if k != "question" and k not in row})
    if isinstance(target, Mapping) and answer_key not in row:
        row[answer_key] = target.get("answer")
    return row


def _prompt_column(columns: Collection[str], prompt_key: str) -> str:
    """The column with the prompts: ``prompt_key``, or ``"question"`` when the default ``"prompt"`` is absent."""
    if prompt_key == "prompt" and prompt_key not in columns and "question" in columns:
        return "question"
    return prompt_key


def _text_of_prompt(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, (list, tuple)):
        return "\n".join(
            text for text in (completion_text([m]) if isinstance(m, Mapping) else str(m) for m in prompt) if text
        )
    return completion_text(prompt)


def _gold_answer(gold: str) -> tuple[str, str | None, Fraction | None]:
    """``(answer, worked solution or None, value or None)`` of a math gold text: what the honest completion puts
    in its answer tags, the reasoning a GSM8K-style gold carries before its ``####``, and the answer's value (for
    the wrong answer).

    The answer is the one the grader reads from the gold (:func:`korean_rewards.numbers.grading.read_gold`, the
    reader every answer reward uses: ``#### N``, ``\\boxed{}``, ``정답: 42``, a number); a gold it reads no
    number from (a word) is the answer itself.
    """
    text = gold.strip()
    head, mark, _ = text.rpartition(_GSM8K_MARK)
    solution = head.strip() or None if mark else None
    found = read_gold(text)
    if found is None:
        return text, solution, None
    value = found.value if isinstance(found.value, Fraction) else None
    return found.text.strip() or text, solution, value


# -- the completions ------------------------------------------------------------------------------------------------


def _wrong_number(value: Fraction | None) -> str:
    if value is None:
        return "알 수 없음"
    wrong = value * 2 + 7
    if isinstance(wrong, Fraction) and wrong.denominator == 1:
        return str(wrong.numerator)
    return f"{float(wrong):g}"


def _numbers(text: str, limit: int = 12) -> list[str]:
    return [match.text for match in find_numbers(text[:2000])][:limit]


def _math_completions(row: _Row, soup: str, tags: Tags) -> dict[str, str]:
    end, open_, close = tags.reasoning_end, tags.solution_start, tags.solution_end
    gold, solution, value = _gold_answer(row.gold)
    wrong = _wrong_number(value)
    reasoning = (row.reference or solution or "").strip() or (
        f"문제의 조건을 차례로 정리합니다. 주어진 값으로 식을 세워 계산하면 답은 {gold}입니다."
    )
    honest = f"{reasoning}{end}{open_}{gold}{close}"
    spray = " ".join([gold, wrong, *_numbers(row.prompt_text), "0", "1", "100"])
    filler = _FILLER * 2
    padding = (_FILLER * (_LONG_CHARS // len(_FILLER) + 1))[: max(0, _LONG_CHARS - len(honest))]
    return {
        "honest": honest,
        "honest_wrong": f"{reasoning}{end}{open_}{wrong}{close}",
        "number_spray": f"{spray}{end}{open_}{spray}{close}",
        "garbage_answer": f"{end}{open_}.{close}",
        "tags_only": f"{end}{open_}{close}",
        "repeated_tags": honest * 3,
        "nested_tags": f"{reasoning}{end}{end}{open_}{open_}{gold}{close}{close}",
        "hedged": f"{reasoning}{end}{open_}{gold} 또는 {wrong}{close}",
        "answer_only": f"{end}{open_}{gold}{close}",
        "prompt_copy": f"{row.prompt_text.strip()}{end}{open_}{gold}{close}",
        "empty": "",
        "long_10k": f"{reasoning} {padding}{end}{open_}{gold}{close}",
        "filler": f"{filler.strip()}{end}{open_}{gold}{close}",
        "keyword_soup": f"{soup}{end}{open_}{gold}{close}",
    }


def _malpyeong_completions(row: _Row, soup: str) -> dict[str, str]:
    gold = row.gold.strip()
    answer, reason = split_answer_reason(gold)
    answer = answer.strip().split("#")[0].strip()
    match = re.fullmatch(r'"(.*)"\s*[이가] 옳다', answer, flags=re.DOTALL)
    sentence = match.group(1) if match else answer
    wrong = f"{sentence} 아니다"
    verdict = "가 옳다"
    honest = gold
    spray = " ".join(_numbers(row.prompt_text) + [str(n) for n in range(1, 11)])
    filler = _FILLER * 2
    base = f'"{sentence}"{verdict}.'
    padding = (_FILLER * (_LONG_CHARS // len(_FILLER) + 1))[: max(0, _LONG_CHARS - len(honest))]
    return {
        "honest": honest,
        "honest_wrong": f'"{wrong}"{verdict}. {reason}'.strip(),
        "number_spray": f'"{spray}"{verdict}. {spray}',
        "garbage_answer": f'"."{verdict}. .',
        "tags_only": f'""{verdict}.',
        "repeated_tags": " ".join([honest] * 3),
        "nested_tags": f'""{sentence}""{verdict}. {reason}'.strip(),
        "hedged": f'{base} 또는 "{wrong}"{verdict}. {reason}'.strip(),
        "answer_only": base,
        "prompt_copy": f"{base} {row.prompt_text.strip()}",
        "empty": "",
        "long_10k": f"{honest} {padding}",
        "filler": f"{base} {filler.strip()}",
        "keyword_soup": f"{base} {soup}",
    }


def _soup(references: list[str]) -> str:
    """The most frequent morphemes (MeCab-ko when installed, else whitespace words) of the references."""
    counts: Counter[str] = Counter()
    try:
        from .rouge import morphemes_many

        for tokens in morphemes_many(references[:2000], threads=None):
            counts.update(tokens)
    except ImportError:
        for text in references[:2000]:
            counts.update(text.split())
    words = [word for word, _ in counts.most_common(_SOUP_WORDS)]
    return " ".join(words) or _FILLER.strip()


def _detect_kind(golds: list[str]) -> str:
    return "malpyeong" if mostly_malpyeong(golds) else "math"


# -- scoring --------------------------------------------------------------------------------------------------------


def _name_of(fn: Any) -> str:
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name else type(fn).__name__


def _as_number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _mix_scores(rewards: list[tuple[Any, float]], kwargs: dict[str, Any], n: int) -> list[float]:
    """The trainer's total: the weighted sum of the values that are not None (0.0 when there is none)."""
    totals = [0.0] * n
    for fn, weight in rewards:
        values = fn(**kwargs)
        if len(values) != n:
            raise ValueError(f"the reward {_name_of(fn)} returned {len(values)} values for {n} completions")
        for i, value in enumerate(values):
            number = _as_number(value)
            if number is not None:
                totals[i] += weight * number
    return totals


def _weighted(rewards: Any, weights: Sequence[float] | None) -> list[tuple[Any, float]]:
    items = list(rewards) if isinstance(rewards, (list, tuple)) else [rewards]
    if not items:
        raise ValueError("audit_rewards needs at least one reward")
    for fn in items:
        if not callable(fn):
            raise TypeError(f"audit_rewards takes reward callables, got {fn!r}")
    if weights is None:
        weights = [1.0] * len(items)
    if len(weights) != len(items):
        raise ValueError(f"got {len(weights)} weights for {len(items)} rewards: pass one weight per reward")
    return [(fn, float(weight)) for fn, weight in zip(items, weights)]


def audit_rewards(
    rewards: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    weights: Sequence[float] | None = None,
    prompt_key: str = "prompt",
    answer_key: str = "answer",
    reasoning_key: str | None = "reasoning",
    kind: str = "auto",
    tags: Tags = NOTEBOOK_TAGS,
    batch_size: int = 16,
    weak_margin: float = 0.05,
    on_progress: Callable[[int], None] | None = None,
) -> AuditReport:
    """Score degenerate completions built from ``rows`` next to honest ones and report the holes in a reward mix.

    ``rewards`` is one TRL reward callable or a list of them (summed with ``weights`` as ``GRPOTrainer`` does);
    ``rows`` are dicts with the prompt (``prompt_key``), the gold answer (``answer_key``) and any other columns
    the rewards read (use :func:`audit_rows` for raw file records). ``reasoning_key`` names a column with worked
    solutions used as the honest math reasoning. ``kind`` is ``"auto"``, ``"math"`` or ``"malpyeong"``; ``tags``
    are the math layout's tags. Each call scores ``batch_size`` rows with all their completions, as one GRPO
    batch would; ``on_progress(rows_done)`` is called after each. See the module docstring for the verdicts.

    Raises ``ValueError`` when no row has a prompt and a gold answer, and passes on the rewards' own errors for
    missing columns.

    Example:
        >>> from korean_rewards import match_format_exactly
        >>> rows = [{"prompt": "1 더하기 1은?", "answer": "2"}]
        >>> report = audit_rewards(match_format_exactly, rows)
        >>> report.honest, report.result("answer_only").verdict, report.passed
        (3.0, 'WEAK', True)
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    mix = _weighted(rewards, weights)
    usable, notes = audit_rows(rows, prompt_key, answer_key, reasoning_key)
    if not usable:
        raise ValueError(
            f"no row has a prompt (column {prompt_key!r}) and a gold answer (column {answer_key!r}) to audit with"
            + (f"; {notes[0]}" if notes else "")
        )
    prepared = []
    for row in usable:
        prompt = row[prompt_key]
        reference = row.get(reasoning_key) if reasoning_key else None
        columns = {key: value for key, value in row.items() if key != prompt_key}
        prepared.append(
            _Row(prompt, _text_of_prompt(prompt), gold_text(row.get(gold_key(row, answer_key))) or "",
                 reference if isinstance(reference, str) else None, columns)
        )
    chosen = _detect_kind([row.gold for row in prepared]) if kind == "auto" else kind
    if chosen == "malpyeong":
        soup = _soup([split_answer_reason(row.gold)[1] for row in prepared])
    else:
        soup = _soup([row.reference or "" for row in prepared if row.reference] or [row.prompt_text for row in prepared])
    names = ["honest", "honest_wrong", *FAMILIES]
    scores: dict[str, dict[str, list[float]]] = {name: {"standard": [], "conversational": []} for name in names}
    keys = sorted({key for row in prepared for key in row.columns})
    for start in range(0, len(prepared), batch_size):
        chunk = prepared[start : start + batch_size]
        built = [
            _malpyeong_completions(row, soup) if chosen == "malpyeong" else _math_completions(row, soup, tags)
            for row in chunk
        ]
        samples = [(row, name, completions[name]) for row, completions in zip(chunk, built) for name in names]
        columns = {key: [row.columns.get(key) for row, _, _ in samples] for key in keys}
        for layout in ("standard", "conversational"):
            if layout == "standard":
                prompts: list[Any] = [row.prompt_text for row, _, _ in samples]
                completions: list[Any] = [text for _, _, text in samples]
            else:
                prompts = [
                    row.prompt if isinstance(row.prompt, list) else [{"role": "user", "content": row.prompt_text}]
                    for row, _, _ in samples
                ]
                completions = [[{"role": "assistant", "content": text}] for _, _, text in samples]
            totals = _mix_scores(mix, {"prompts": prompts, "completions": completions, **columns}, len(samples))
            for (_, name, _), total in zip(samples, totals):
                scores[name][layout].append(total)
        if on_progress is not None:
            on_progress(len(chunk))
    return _report(mix, chosen, len(usable), scores, notes, weak_margin)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _report(
    mix: list[tuple[Any, float]],
    kind: str,
    n_rows: int,
    scores: dict[str, dict[str, list[float]]],
    notes: list[str],
    weak_margin: float,
) -> AuditReport:
    def row_values(name: str) -> list[float]:  # per row, the larger of the two layouts
        return [max(a, b) for a, b in zip(scores[name]["standard"], scores[name]["conversational"])]

    honest_rows = [min(a, b) for a, b in zip(scores["honest"]["standard"], scores["honest"]["conversational"])]
    wrong_rows = [min(a, b) for a, b in zip(scores["honest_wrong"]["standard"], scores["honest_wrong"]["conversational"])]
    honest, honest_wrong = _mean(honest_rows), _mean(wrong_rows)
    means = {name: _mean(row_values(name)) for name in FAMILIES}
    lowest = min([value for value in means.values() if value is not None] + [honest or 0.0])
    spread = max((honest or 0.0) - lowest, 0.0)
    name = " + ".join(
        (_name_of(fn) if weight == 1.0 else f"{weight:g}*{_name_of(fn)}") for fn, weight in mix
    )
    report = AuditReport(name, kind, n_rows, n_rows * (len(FAMILIES) + 2), honest, honest_wrong, notes=list(notes))
    for family, (description, compared_to) in FAMILIES.items():
        values = row_values(family)
        reference_rows = honest_rows if compared_to == "honest" else wrong_rows
        reference = honest if compared_to == "honest" else honest_wrong
        mean = means[family]
        gap = None if mean is None or reference is None else mean - reference
        tolerance = 1e-9 * max(1.0, abs(reference or 0.0))
        above = sum(1 for value, ref in zip(values, reference_rows) if value > ref + tolerance)
        if gap is None:
            verdict = "n/a"
        elif gap > tolerance:
            verdict = "EXPLOIT"
        elif above or gap >= -weak_margin * spread - tolerance:
            verdict = "WEAK"
        else:
            verdict = "ok"
        report.results.append(
            FamilyResult(
                family, description, mean, _mean(scores[family]["standard"]),
                _mean(scores[family]["conversational"]), compared_to, gap, above, verdict,
            )
        )
    differ = [
        family for family in ("honest", *FAMILIES)
        if scores[family]["standard"] != scores[family]["conversational"]
    ]
    if differ:
        report.notes.append(
            "plain-text and conversational completions scored differently for: " + ", ".join(differ)
            + " (the table shows the worse case)"
        )
    return report
