"""``korean-rewards evaluate``: score 말평 prediction files with the official rules and name the best one."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.cells import cell_len
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from ..bertscore import DEFAULT_MODEL
from ..evaluation import (
    BERTScoreF1,
    BLEURTScore,
    EvaluationInputError,
    EvaluationResult,
    Item,
    TextScorer,
    atomic_write_text,
    best_result,
    evaluate_items,
    find_prediction_files,
    import_scorer,
    load_bleurt_checkpoint,
    load_items,
    read_ids,
    select_items,
)
from .app import (
    CLIError,
    command,
    console,
    display,
    error_console,
    flag,
    flag_message,
    fmt,
    natural_width,
    progress_bar,
    quiet_transformers,
    refuse_existing_output,
    refuse_input_as_output,
    status,
)

__all__ = ["evaluate", "EVALUATE_SCHEMA"]

EVALUATE_SCHEMA = "korean-rewards.evaluate/1"

#: What ``evaluate`` says when no BLEURT scorer is given: one line by default, the whole story with ``--verbose``.
BLEURT_NOTE = (
    "BLEURT not computed: pass --bleurt-model lucadiliello/BLEURT-20 for the official final score (TensorFlow's "
    "bleurt is not installable here; --verbose says more)."
)
BLEURT_NOTE_LONG = (
    "BLEURT not computed: pass --bleurt-model lucadiliello/BLEURT-20 (a bleurt-pytorch checkpoint, "
    "pip install 'korean-rewards[bleurt]') for the official final score; TensorFlow's bleurt package is "
    "not installable here (or plug a scorer in with --bleurt-function module:function)."
)


@dataclass
class _Inputs:
    """What ``evaluate`` read before any model loads: the labels, the prediction files, problems and notes."""

    gold: list[Item]
    subset: bool
    loaded: list[tuple[Path, list[Item]]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file, message): reported, skipped, exit 1
    notes: list[str] = field(default_factory=list)


@command
def evaluate(
    predictions: Annotated[
        list[Path],
        typer.Argument(
            metavar="PRED...",
            help="Prediction files (JSON list or JSON Lines, competition format) or folders of them. A folder "
            "gives its *.json/*.jsonl files and checkpoint-*/predictions.json.",
            show_default=False,
        ),
    ],
    labels: Annotated[
        Path, typer.Option("--labels", "-l", metavar="FILE", help="The gold file (competition format).")
    ],
    bertscore_model: Annotated[
        str, typer.Option(metavar="MODEL", help="BERTScore model: a hub id or a local folder.")
    ] = DEFAULT_MODEL,
    num_layers: Annotated[
        int | None,
        typer.Option(metavar="N", help="BERT layer for BERTScore (default: bert-score's choice, 9 for mBERT)."),
    ] = None,
    device: Annotated[
        str | None, typer.Option(metavar="DEVICE", help="Device for BERTScore and BLEURT: cpu, cuda, cuda:1 ...")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, metavar="N", help="BERTScore batch size.")] = 64,
    no_bertscore: Annotated[bool, flag("--no-bertscore", help="Skip BERTScore (no torch needed).")] = False,
    bleurt_model: Annotated[
        str | None,
        typer.Option(
            metavar="CHECKPOINT",
            help="BLEURT checkpoint in bleurt-pytorch's format, a local folder or a hub id (the official scorer "
            "uses BLEURT-20: lucadiliello/BLEURT-20). Gives the official final score.",
        ),
    ] = None,
    bleurt_tf_gelu: Annotated[
        bool,
        flag(
            "--bleurt-tf-gelu",
            help="Compute the checkpoint's \"gelu\" as TensorFlow BLEURT does (tanh approximation) instead of the "
            "exact GELU that bleurt-pytorch uses.",
        ),
    ] = False,
    bleurt_batch_size: Annotated[
        int, typer.Option(min=1, metavar="N", help="BLEURT batch size (--bleurt-model).")
    ] = 32,
    bleurt_function: Annotated[
        str | None,
        typer.Option(
            metavar="MODULE:FUNCTION",
            help="BLEURT scorer to import, module:function or file.py:function (the current folder is searched "
            "first), called as f(candidates, references) -> scores on 0-1.",
        ),
    ] = None,
    bleurt_checkpoint: Annotated[
        str | None,
        typer.Option(
            metavar="FOLDER",
            help="BLEURT checkpoint folder for Google's TensorFlow bleurt package (not installable here).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, metavar="N", help="Score only the first N labels (and their predictions).")
    ] = None,
    ids: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Score only the items whose ids this file lists (one per line, or a JSON "
                     "list)."),
    ] = None,
    json_output: Annotated[bool, flag("--json", help="Print the report as JSON on stdout.")] = False,
    items: Annotated[bool, flag("--items", help="Include per-item scores in the JSON report.")] = False,
    out: Annotated[Path | None, typer.Option(metavar="FILE", help="Also write the JSON report to this file.")] = None,
    force: Annotated[bool, flag("--force", help="Overwrite --out if it exists (never an input file).")] = False,
    verbose: Annotated[bool, flag("--verbose", "-v", help="Longer notes (e.g. how to get BLEURT).")] = False,
) -> None:
    """Score prediction files with the official 말평 rules (0-100 scale) and name the best one.

    EM counts every item; ROUGE-1 (MeCab-ko morphemes), BERTScore (F1) and BLEURT average over the items
    where both the gold and the predicted reason are non-empty. final = (EM + descriptive average) / 2.
    Scores are also broken down by question type (선택형 / 교정형). A file that cannot be read or scored is
    reported and skipped; the others are scored, and the exit status is 1.
    """
    _check_options(bleurt_model, bleurt_function, bleurt_checkpoint, bleurt_tf_gelu)
    refuse_existing_output(out, _input_paths(labels, predictions, ids, bleurt_function), force)
    if importlib.util.find_spec("mecab_ko") is None:
        raise CLIError("ROUGE-1 needs MeCab-ko: pip install -e '.[rouge]' in the korean-rewards clone")
    inputs = _read_inputs(predictions, labels, ids, limit, out)
    spinner = not json_output
    bleurt, bleurt_name, bleurt_info = _bleurt_scorer(
        bleurt_model, bleurt_function, bleurt_checkpoint, device, bleurt_batch_size, bleurt_tf_gelu, spinner
    )
    if bleurt is None:
        inputs.notes.append(BLEURT_NOTE_LONG if verbose or json_output or out is not None else BLEURT_NOTE)
    bert: BERTScoreF1 | None = None
    if no_bertscore:
        inputs.notes.append("BERTScore skipped (--no-bertscore).")
    else:
        with status(f"loading {bertscore_model} ...", spinner):
            bert = _load_bertscore(bertscore_model, num_layers, device, batch_size)

    results = _score_files(inputs, labels, bert, bleurt, batch_size, progress=not json_output)
    best, best_metric = _best(results, inputs.notes)
    report = {
        "schema": EVALUATE_SCHEMA,
        "scale": "0-100",
        "labels": display(labels),
        "n_labels": len(inputs.gold),
        "subset": {"ids": None if ids is None else str(ids), "limit": limit} if inputs.subset else None,
        "bertscore": {"model": bertscore_model, "num_layers": num_layers} if bert else None,
        "bleurt": bleurt_name,
        "bleurt_model": bleurt_info,
        "files": [result.to_dict(items=items) for result in results],
        "best": {"source": best.source, "metric": best_metric, "value": getattr(best, best_metric)} if best else None,
        "errors": [{"source": source, "error": message} for source, message in inputs.failures],
        "notes": inputs.notes,
    }
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if out is not None:
        atomic_write_text(out, text, force=force)
    if json_output:
        sys.stdout.write(text)
    else:
        _print_evaluation(results, best, best_metric, inputs.gold, inputs.notes, out, bleurt_info)
    _report_failures(inputs.failures, len(results))


def _check_options(model: str | None, function: str | None, checkpoint: str | None, tf_gelu: bool) -> None:
    given = [flag for flag, value in (("--bleurt-model", model), ("--bleurt-function", function),
                                      ("--bleurt-checkpoint", checkpoint)) if value]  # fmt: skip
    if len(given) > 1:
        raise CLIError(f"give one BLEURT scorer, not {' and '.join(given)}")
    if tf_gelu and not model:
        raise CLIError("--bleurt-tf-gelu applies to --bleurt-model only")


def _input_paths(labels: Path, predictions: list[Path], ids: Path | None, bleurt_function: str | None) -> list[Path]:
    """Every file the command reads (an output path may never be one of them)."""
    paths = [labels, *predictions]
    if ids is not None:
        paths.append(ids)
    if bleurt_function:
        module = bleurt_function.rpartition(":")[0]
        if module.endswith(".py"):
            paths.append(Path(module))
    return paths


def _read_inputs(predictions: list[Path], labels: Path, ids: Path | None, limit: int | None, out: Path | None) -> _Inputs:
    """Read the labels (``--ids`` / ``--limit`` applied) and every prediction file: all input errors before a model."""
    try:
        gold = load_items(labels, what="labels")
    except EvaluationInputError as error:
        raise CLIError(f"--labels: {error}") from None
    subset = ids is not None or limit is not None
    if subset:
        try:
            wanted = read_ids(ids) if ids is not None else None
        except EvaluationInputError as error:
            raise CLIError(f"--ids: {error}") from None
        gold = select_items(gold, ids=wanted, limit=limit, ids_name=f"--ids {ids}")
    inputs = _Inputs(gold=gold, subset=subset)
    gold_ids = {item.id for item in gold}
    skipped: list[Path] = []
    broken: list[tuple[Path, str]] = []
    files = find_prediction_files(predictions, exclude=[labels], skipped=skipped, broken=broken)
    inputs.failures += [(display(path), message) for path, message in broken]
    if out is not None:  # a prediction file found in a folder is an input too
        refuse_input_as_output(out, [*files, *(path for path, _ in broken)])
    for path in files:
        try:
            predicted = load_items(path, what="predictions")
        except EvaluationInputError as error:
            inputs.failures.append((display(path), str(error)))
            continue
        if subset:
            predicted = [item for item in predicted if item.id in gold_ids]
        inputs.loaded.append((path, predicted))
    if not inputs.loaded:
        if inputs.failures:
            raise CLIError("no prediction file could be read:\n" + "\n".join(m for _, m in inputs.failures))
        raise CLIError("no prediction files found in " + ", ".join(str(p) for p in predictions))
    inputs.notes += [f"skipped {display(path)}: not competition items" for path in skipped]
    if subset:
        chosen = [part for part in (f"--ids {ids}" if ids is not None else "", f"--limit {limit}" if limit else "")
                  if part]  # fmt: skip
        inputs.notes.append(f"scored a subset: {len(gold)} labels ({', '.join(chosen)})")
    return inputs


def _bleurt_scorer(
    model: str | None, function: str | None, checkpoint: str | None, device: str | None, batch_size: int,
    tf_gelu: bool, spinner: bool,
) -> tuple[TextScorer | None, str | None, dict[str, Any] | None]:
    """``(scorer, name for the report, model description)`` of the BLEURT option given, or ``(None, None, None)``."""
    if model:
        with status(f"loading BLEURT {model} ...", spinner):
            scorer, described = _load_bleurt(model, device, batch_size, tf_gelu)
        return scorer, model, described
    if function:
        return import_scorer(function), function, None
    if checkpoint:
        return load_bleurt_checkpoint(checkpoint), checkpoint, None
    return None, None, None


def _load_bertscore(model: str, num_layers: int | None, device: str | None, batch_size: int) -> BERTScoreF1:
    missing = [name for name in ("torch", "transformers") if importlib.util.find_spec(name) is None]
    if missing:
        raise CLIError(
            f"BERTScore needs {' and '.join(missing)}: pip install -e '.[bertscore]' in the korean-rewards clone, "
            "or pass --no-bertscore"
        )
    scorer = BERTScoreF1(model, num_layers=num_layers, device=device, batch_size=batch_size)
    quiet_transformers()
    try:
        scorer.load()
    except Exception as error:  # noqa: BLE001 - any loading failure is reported as a user-facing message
        raise CLIError(
            f"cannot load the BERTScore model {model!r}: {flag_message(error).rstrip('.')}. Pass a local folder with "
            "--bertscore-model PATH, or --no-bertscore to skip BERTScore"
        ) from None
    return scorer


def _load_bleurt(model: str, device: str | None, batch_size: int, tf_gelu: bool) -> tuple[BLEURTScore, dict[str, Any]]:
    missing = [name for name in ("torch", "transformers", "sentencepiece") if importlib.util.find_spec(name) is None]
    if missing:
        raise CLIError(
            f"--bleurt-model needs {' and '.join(missing)}: pip install -e '.[bleurt]' in the korean-rewards clone "
            "(or pip install 'korean-rewards[bleurt]'), or leave --bleurt-model out"
        )
    scorer = BLEURTScore(model, device=device, batch_size=batch_size, tf_gelu=tf_gelu)
    try:
        described = scorer.describe()
    except Exception as error:  # noqa: BLE001 - any loading failure is reported as a user-facing message
        raise CLIError(f"cannot load the BLEURT model given with --bleurt-model: {flag_message(error)}") from None
    return scorer, described


class _ChunkedScorer:
    """Call a scorer in chunks and advance a progress bar after each chunk."""

    def __init__(self, scorer: TextScorer, chunk: int, progress: Progress, label: str) -> None:
        self.scorer, self.chunk, self.progress, self.label = scorer, max(1, chunk), progress, label

    def __call__(self, candidates: list[str], references: list[str]) -> list[float]:
        task = self.progress.add_task(self.label, total=len(candidates))
        scores: list[float] = []
        for start in range(0, len(candidates), self.chunk):
            end = start + self.chunk
            scores.extend(self.scorer(candidates[start:end], references[start:end]))
            self.progress.update(task, completed=min(end, len(candidates)))
        self.progress.remove_task(task)
        return scores


def _score_files(
    inputs: _Inputs, labels: Path, bert: BERTScoreF1 | None, bleurt: TextScorer | None, batch_size: int,
    progress: bool,
) -> list[EvaluationResult]:
    results: list[EvaluationResult] = []
    labels_name = display(labels) + (" (the selected subset)" if inputs.subset else "")
    with progress_bar(progress) as bar:
        files_task = bar.add_task("evaluating", total=len(inputs.loaded))
        for path, predicted in inputs.loaded:
            name = display(path)
            try:
                results.append(
                    evaluate_items(
                        predicted,
                        inputs.gold,
                        rouge=True,
                        bertscore=_ChunkedScorer(bert, batch_size, bar, f"BERTScore {name}") if bert else None,
                        bleurt=_ChunkedScorer(bleurt, 64, bar, f"BLEURT {name}") if bleurt else None,
                        source=name,
                        labels_name=labels_name,
                    )
                )
            except EvaluationInputError as error:
                inputs.failures.append((name, str(error)))
            bar.advance(files_task)
    return results


def _best(results: list[EvaluationResult], notes: list[str]) -> tuple[EvaluationResult | None, str]:
    best = best_result(results)
    if best is None:
        if results:
            notes.append("no final score without BERTScore: the best file is the one with the highest EM.")
        return best_result(results, "exact_match"), "exact_match"
    if any(result.final_rule == "average_of_two" for result in results):
        notes.append(
            "without BLEURT, final = (EM + (ROUGE-1 + BERTScore) / 2) / 2: compare files with each other, not "
            "with the leaderboard (pass --bleurt-model for the official final score)."
        )
    return best, "final"


def _report_failures(failures: list[tuple[str, str]], n_scored: int) -> None:
    if not failures:
        return
    console = error_console()
    for source, message in failures:
        console.print(Text("error: ", style="bold red") + Text(f"skipped {source}: {message}"))
    console.print(
        Text(f"{len(failures)} of {len(failures) + n_scored} prediction files could not be scored (see the errors above)")
    )
    raise typer.Exit(1)


def _short_names(sources: list[str]) -> tuple[str, list[str]]:
    """The common folder of the files and each file's path inside it (for a narrow table)."""
    paths = [Path(source) for source in sources]
    try:
        common = Path(os.path.commonpath([str(path.parent) for path in paths]))
    except ValueError:  # different drives
        return "", sources
    return ("" if str(common) == "." else str(common)), [str(path.relative_to(common)) for path in paths]


_COLUMNS = {"EM": "exact_match", "ROUGE-1": "rouge1", "BERTScore": "bertscore", "BLEURT": "bleurt",
            "desc": "descriptive_avg", "final": "final"}  # fmt: skip


def _score_table(
    results: list[EvaluationResult], labels: list[str], best: EvaluationResult | None, title: str, shown: dict[str, str]
) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("file", no_wrap=True)
    for heading in [*shown, "n"]:
        table.add_column(heading, justify="right", no_wrap=True)
    for result, label in zip(results, labels):
        is_best = best is not None and result is best
        table.add_row(
            label + (" *" if is_best else ""),
            *(fmt(getattr(result, key), 2) for key in shown.values()),
            f"{result.n_reason_items}/{result.n_items}",
            style="bold green" if is_best and len(results) > 1 else None,
        )
        for kind, numbers in result.by_type.items():  # the same numbers per question type, under the total
            table.add_row(
                f"  {kind}",
                *(fmt(numbers[key], 2) for key in shown.values()),
                f"{numbers['n_reason_items']}/{numbers['n_items']}",
                style="dim",
            )
    return table


def _print_evaluation(
    results: list[EvaluationResult], best: EvaluationResult | None, best_metric: str, gold: list[Item],
    notes: list[str], out: Path | None, bleurt_info: dict[str, Any] | None = None,
) -> None:
    """The table of scores; file names too wide for the terminal are numbered in the table and listed under it
    in full (never cut in the middle of a name)."""
    output = console()
    folder, names = _short_names([str(result.source) for result in results])
    where = f" in {folder}{os.sep}" if folder else ""
    title = f"말평 scores{where} (0-100, {len(gold)} labels)"
    shown = {title: key for title, key in _COLUMNS.items() if any(getattr(r, key) is not None for r in results)}
    table = _score_table(results, names, best, title, shown)
    numbered = natural_width(output, table) > output.width
    if numbered:
        table = _score_table(results, [f"[{i}]" for i in range(1, len(names) + 1)], best, title, shown)
    table.min_width = min(cell_len(title), output.width)  # the title on one line when it fits the terminal
    output.print(table)
    if numbered:
        for index, name in enumerate(names, start=1):
            output.print(Text(f"[{index}] {name}"), soft_wrap=True)
    legend = "n = items with both reasons (they enter ROUGE-1, BERTScore, BLEURT)"
    if "desc" in shown:
        legend = "desc = descriptive average; " + legend
    if any(result.by_type for result in results):
        legend += "; indented rows: the same scores per question type"
    output.print(f"[dim]{legend}; * = best[/dim]")
    if bleurt_info is not None:
        output.print(
            f"BLEURT: {escape(str(bleurt_info['checkpoint']))} (activation {escape(str(bleurt_info['activation']))})"
        )
    if best is not None:
        label = "final" if best_metric == "final" else "EM"
        name = names[results.index(best)] if best in results else str(best.source)
        output.print(f"best: [bold]{escape(name)}[/bold] ({label} {fmt(getattr(best, best_metric))})")
    for note in notes:
        output.print(f"[yellow]note:[/yellow] {escape(note)}")
    if out is not None:
        output.print(f"report written to {escape(str(out))}")
