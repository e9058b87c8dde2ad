"""The ``korean-rewards`` command (also ``python -m korean_rewards``).

Commands:

``korean-rewards evaluate PRED [PRED ...] --labels LABELS.json``
    Score competition-format prediction files (or folders of them) against the labels with the official
    말평 rules (see :mod:`korean_rewards.evaluation`): EM, ROUGE-1, BERTScore, BLEURT (``--bleurt-model``
    for BLEURT-20 in PyTorch, or a plugged-in scorer), descriptive average and final score on the leaderboard's
    0-100 scale, in total and per question type, then name the best file.
    ``--json`` prints a machine-readable report instead of the table (schema below); ``--out FILE`` writes
    it to a file.

``korean-rewards score FILE --reward NAME [--reward NAME ...]``
    Score the rows of a JSON Lines file (``{"prompt"?, "completion", "answer", ...}``; a completion may be a
    string or a list of chat messages) with the library's rewards, print each reward's mean and optionally
    write the per-row scores (``--out FILE``, JSON Lines).

``korean-rewards audit DATA --rewards SPEC [--rewards SPEC ...]``
    Look for holes in a reward mix before training (:mod:`korean_rewards.audit`): build degenerate completions
    (number spraying, tags only, hedged answers, copied prompts, filler, 10k characters, ...) from the rows of
    DATA (JSON / JSON Lines with the prompt and gold columns, or 말평 competition items), score them next to
    honest ones in TRL's calling convention and print a table (family, mean reward, gap to the honest answer,
    EXPLOIT / WEAK / ok), or ``--json``. A SPEC is ``module:attr`` or ``path/to/file.py:attr`` (a reward, a list
    of rewards, or a function that returns them; ``attr(option=value)`` calls it with options) or a library
    reward name as for ``score``; several SPECs are summed as GRPOTrainer sums its ``reward_funcs`` (``--combine``:
    wrapped in ``combine`` with ``--none POLICY``). Exit status 3 when an exploit is found, so it can gate training
    in CI.

``korean-rewards serve -r SPEC [-r SPEC ...] [--host 127.0.0.1] [--port 5000]``
    Serve rewards over HTTP on OpenRLHF's protocol (``POST /get_reward``, ``GET /health``; see
    :mod:`korean_rewards.integrations.server`), e.g. BERTScore on a GPU node for CPU-only rollout workers.
    Needs the ``[serve]`` extra. Stops cleanly on Ctrl-C / SIGTERM.

``korean-rewards demo``
    Score the bundled sample completions with every rule-based reward, offline, and print one table per kind
    of sample (BERTScore is added when its model is on this machine, else named as skipped with the reason).

Exit status: 0 on success, 3 when ``audit`` finds an exploit, 1 on bad input (a clear message on stderr, never a traceback; set
``KOREAN_REWARDS_DEBUG=1`` to see one), 2 on a usage error (unknown option, missing argument). Nothing is
overwritten without ``--force``; files are written atomically (a temporary file, then ``os.replace``).

The ``evaluate --json`` schema (version 1)::

    {
      "schema": "korean-rewards.evaluate/1",
      "scale": "0-100",
      "labels": "dev.json",           # the labels file
      "n_labels": 127,
      "subset": {"ids": "ids.txt" | null, "limit": 50 | null} | null,   # --ids / --limit
      "bertscore": {"model": "bert-base-multilingual-cased", "num_layers": null} | null,
      "bleurt": "lucadiliello/BLEURT-20" | "module:function" | "checkpoint path" | null,
      "bleurt_model": {"checkpoint": ..., "folder": ..., "activation": "gelu" | "gelu_tanh", ...} | null,
      "files": [                      # one per prediction file scored, in the order evaluated
        {"source": "pred.json", "n_items": 127, "n_correct": 58, "n_reason_items": 120,
         "exact_match": 45.67, "rouge1": 34.96, "bertscore": 73.93, "bleurt": null,
         "descriptive_avg": ..., "final": ...,
         "final_rule": "official" | "average_of_two" | null,   # see EvaluationResult
         "by_type": {"선택형": {same numbers}, "교정형": {...}},
         "items": [...]}              # only with --items: per-item scores on 0-1
      ],
      "best": {"source": "pred.json", "metric": "final", "value": ...} | null,   # metric: "exact_match"
                                      # when there is no final score (--no-bertscore)
      "errors": [{"source": "broken.json", "error": "..."}],   # files reported and skipped (exit status 1)
      "notes": ["..."]                # e.g. that BLEURT was not computed
    }

Importing this module imports only typer, rich and the standard library; torch loads only when BERTScore
runs.

Example:
    >>> from typer.testing import CliRunner
    >>> result = CliRunner().invoke(app, ["score", "no-such-file.jsonl", "--reward", "match_format_exactly"])
    >>> result.exit_code, "no such file" in result.output
    (1, True)
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import importlib.resources
import importlib.util
import inspect
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .evaluation import (
    EvaluationInputError,
    EvaluationResult,
    Item,
    TextScorer,
    atomic_write_text,
    best_result,
    BERTScoreF1,
    BLEURTScore,
    evaluate_items,
    find_prediction_files,
    import_scorer,
    load_bleurt_checkpoint,
    load_items,
    read_ids,
    read_records,
    select_items,
)
from .bertscore import DEFAULT_MODEL

__all__ = ["app", "main", "REWARD_NAMES", "RULE_BASED_REWARDS", "resolve_reward", "resolve_mix"]

EVALUATE_SCHEMA = "korean-rewards.evaluate/1"

#: The rule-based rewards (default instances) and the kind of sample each one is meant for.
RULE_BASED_REWARDS: dict[str, str] = {
    "match_format_exactly": "math",
    "match_format_approximately": "math",
    "check_answer_ko": "math",
    "check_numbers_ko": "math",
    "malpyeong_em_reward": "malpyeong",
    "malpyeong_format_reward": "malpyeong",
    "rouge1_reward": "malpyeong",
    "language_consistency_ko": "any",
    "repetition_penalty_ko": "any",
}
#: Rewards that need a BERT model.
MODEL_REWARDS: dict[str, str] = {"bertscore_reward": "malpyeong", "malpyeong_reward": "malpyeong"}
#: Rewards that need a BLEURT checkpoint (``score`` only; the demo does not download one).
BLEURT_REWARDS: dict[str, str] = {"bleurt_reward": "malpyeong"}
#: Every reward name accepted by ``score --reward`` (default instances), in display order.
REWARD_NAMES: tuple[str, ...] = tuple(RULE_BASED_REWARDS) + tuple(MODEL_REWARDS) + tuple(BLEURT_REWARDS)
#: Reward classes (factories) accepted by ``score --reward``, e.g. ``CheckNumbersKo(rel_tol=0.01)``.
REWARD_CLASSES: tuple[str, ...] = (
    "MatchFormatExactly",
    "MatchFormatApproximately",
    "CheckAnswerKo",
    "CheckNumbersKo",
    "MalpyeongEMReward",
    "MalpyeongFormatReward",
    "Rouge1Reward",
    "BERTScoreReward",
    "BLEURTReward",
    "LanguageConsistencyKo",
    "RepetitionPenaltyKo",
)

app = typer.Typer(
    name="korean-rewards",
    help="Korean GRPO rewards: score completions, run the offline demo, evaluate 말평 prediction files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class CLIError(Exception):
    """A problem with the user's input or environment: printed as one clear message, exit status 1."""


F = TypeVar("F", bound=Callable[..., Any])


def _handles_errors(command: F) -> F:
    """Turn every error of a command into a message on stderr and exit status 1 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _error_console().print("[red]interrupted[/red]")
            raise typer.Exit(130) from None
        except (CLIError, EvaluationInputError) as error:
            _fail(str(error))
        except Exception as error:  # noqa: BLE001 - a CLI must not show a traceback for bad input
            if os.environ.get("KOREAN_REWARDS_DEBUG"):
                raise
            _fail(f"{type(error).__name__}: {error} (set KOREAN_REWARDS_DEBUG=1 to see the traceback)")

    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> None:
    console = _error_console()
    console.print(Text("error: ", style="bold red") + Text(message))
    raise typer.Exit(1)


def _error_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _console() -> Console:
    return Console(highlight=False)


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    """A rich progress display on stderr; disabled when stderr is not a terminal or output is JSON."""
    console = _error_console()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    )
    with progress:
        yield progress


def _version(value: bool) -> None:
    if value:
        print(f"korean-rewards {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Korean GRPO rewards: score completions, run the offline demo, evaluate 말평 prediction files."""


def _display(path: Path | str) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return f"{value:.{digits}f}"


# ------------------------------------------------------------------------------------------------
# evaluate
# ------------------------------------------------------------------------------------------------
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


def _quiet_transformers() -> None:
    """No transformers progress bars or info logs in the middle of our own output (this process only)."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()


#: How library messages name options (``num_layers=``) -> the flags of ``evaluate`` and ``demo``.
_FLAG_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bmodel_type='([^']*)'", r"--bertscore-model \1"),
    (r"\bmodel_type=", "--bertscore-model "),
    (r"\bnum_layers=<layer>", "--num-layers <layer>"),
    (r"\bnum_layers=(?=\s)", "--num-layers"),
    (r"\bnum_layers=", "--num-layers "),
    (r"\bnum_layers\b", "--num-layers"),
    (r"\bbatch_size\b", "--batch-size"),
    (r"\bcheckpoint=", "--bleurt-model "),
    (r"\bdevice=", "--device "),
    (r" \(force=True\)", ""),
)


def _as_flags(message: str) -> str:
    """A library message with its keyword arguments (``num_layers=``) renamed to this command's flags.

    Example:
        >>> _as_flags("num_layers=99, but 'x' has only 4 layers")
        "--num-layers 99, but 'x' has only 4 layers"
    """
    import re

    for pattern, flag in _FLAG_WORDS:
        message = re.sub(pattern, flag, message)
    return message


def _load_bertscore(model: str, num_layers: int | None, device: str | None, batch_size: int) -> BERTScoreF1:
    missing = [name for name in ("torch", "transformers") if importlib.util.find_spec(name) is None]
    if missing:
        raise CLIError(
            f"BERTScore needs {' and '.join(missing)}: pip install -e '.[bertscore]' in the korean-rewards clone, "
            "or pass --no-bertscore"
        )
    looks_local = os.path.isabs(model) or model.startswith((".", "~")) or os.sep + os.sep in model
    if looks_local and not os.path.isdir(os.path.expanduser(model)):
        raise CLIError(
            f"cannot load the BERTScore model {model!r}: no such folder. Pass a local model folder or a hub id with "
            "--bertscore-model, or --no-bertscore to skip BERTScore"
        )
    scorer = BERTScoreF1(model, num_layers=num_layers, device=device, batch_size=batch_size)
    _quiet_transformers()
    try:
        scorer.load()
    except Exception as error:  # noqa: BLE001 - any loading failure is reported as a user-facing message
        raise CLIError(
            f"cannot load the BERTScore model {model!r}: {_as_flags(str(error)).rstrip('.')}. Pass a local folder with "
            "--bertscore-model PATH, or --no-bertscore to skip BERTScore"
        ) from None
    return scorer


def _load_bleurt(model: str, device: str | None, batch_size: int, tf_gelu: bool) -> tuple[BLEURTScore, dict[str, Any]]:
    missing = [name for name in ("torch", "transformers", "sentencepiece") if importlib.util.find_spec(name) is None]
    if missing:
        raise CLIError(
            f"--bleurt-model needs {' and '.join(missing)}: pip install 'korean-rewards[bleurt]', or leave "
            "--bleurt-model out"
        )
    scorer = BLEURTScore(model, device=device, batch_size=batch_size, tf_gelu=tf_gelu)
    try:
        described = scorer.describe()
    except Exception as error:  # noqa: BLE001 - any loading failure is reported as a user-facing message
        raise CLIError(f"cannot load the BLEURT model given with --bleurt-model: {_as_flags(str(error))}") from None
    return scorer, described


def _input_paths(labels: Path, predictions: Sequence[Path], ids: Path | None, bleurt_function: str | None) -> list[Path]:
    """Every file the command reads (an output path may never be one of them)."""
    paths = [labels, *predictions]
    if ids is not None:
        paths.append(ids)
    if bleurt_function:
        module = bleurt_function.rpartition(":")[0]
        if module.endswith(".py"):
            paths.append(Path(module))
    return paths


def _refuse_input_as_output(out: Path, inputs: Sequence[Path], flag: str = "--out") -> None:
    """``--out`` may not name a file the command reads, with or without --force."""
    target = out.resolve()
    for path in inputs:
        if path.resolve() == target:
            raise CLIError(
                f"{flag} {out} is one of the input files ({path}): choose another file name (--force never "
                "overwrites an input)"
            )


@app.command()
@_handles_errors
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
    labels: Annotated[Path, typer.Option("--labels", "-l", help="The gold file (competition format).")],
    bertscore_model: Annotated[
        str, typer.Option(help="BERTScore model: a hub id or a local folder.")
    ] = DEFAULT_MODEL,
    num_layers: Annotated[
        int | None, typer.Option(help="BERT layer for BERTScore (default: bert-score's choice, 9 for mBERT).")
    ] = None,
    device: Annotated[str | None, typer.Option(help="Device for BERTScore and BLEURT: cpu, cuda, cuda:1 ...")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="BERTScore batch size.")] = 64,
    no_bertscore: Annotated[bool, typer.Option("--no-bertscore", help="Skip BERTScore (no torch needed).")] = False,
    bleurt_model: Annotated[
        str | None,
        typer.Option(
            help="BLEURT checkpoint in bleurt-pytorch's format, a local folder or a hub id (the official scorer "
            "uses BLEURT-20: lucadiliello/BLEURT-20). Gives the official final score.",
        ),
    ] = None,
    bleurt_tf_gelu: Annotated[
        bool,
        typer.Option(
            "--bleurt-tf-gelu",
            help="Compute the checkpoint's \"gelu\" as TensorFlow BLEURT does (tanh approximation) instead of the "
            "exact GELU that bleurt-pytorch uses.",
        ),
    ] = False,
    bleurt_batch_size: Annotated[int, typer.Option(min=1, help="BLEURT batch size (--bleurt-model).")] = 32,
    bleurt_function: Annotated[
        str | None,
        typer.Option(
            help="BLEURT scorer to import, module:function or file.py:function (the current folder is searched "
            "first), called as f(candidates, references) -> scores on 0-1."
        ),
    ] = None,
    bleurt_checkpoint: Annotated[
        str | None,
        typer.Option(help="BLEURT checkpoint folder for Google's TensorFlow bleurt package (not installable here)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Score only the first N labels (and their predictions).")
    ] = None,
    ids: Annotated[
        Path | None,
        typer.Option(help="Score only the items whose ids this file lists (one per line, or a JSON list)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    items: Annotated[bool, typer.Option("--items", help="Include per-item scores in the JSON report.")] = False,
    out: Annotated[Path | None, typer.Option(help="Also write the JSON report to this file.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite --out if it exists (never an input file).")
    ] = False,
) -> None:
    """Score prediction files with the official 말평 rules (0-100 scale) and name the best one.

    EM counts every item; ROUGE-1 (MeCab-ko morphemes), BERTScore (F1) and BLEURT average over the items
    where both the gold and the predicted reason are non-empty. final = (EM + descriptive average) / 2.
    Scores are also broken down by question type (선택형 / 교정형). A file that cannot be read or scored is
    reported and skipped; the others are scored, and the exit status is 1.
    """
    given = [flag for flag, value in (("--bleurt-model", bleurt_model), ("--bleurt-function", bleurt_function),
                                      ("--bleurt-checkpoint", bleurt_checkpoint)) if value]  # fmt: skip
    if len(given) > 1:
        raise CLIError(f"give one BLEURT scorer, not {' and '.join(given)}")
    if bleurt_tf_gelu and not bleurt_model:
        raise CLIError("--bleurt-tf-gelu applies to --bleurt-model only")
    if out is not None:
        _refuse_input_as_output(out, _input_paths(labels, predictions, ids, bleurt_function))
        if out.exists() and not force:
            raise CLIError(f"{out} exists already: pass --force to overwrite it")
    if importlib.util.find_spec("mecab_ko") is None:
        raise CLIError("ROUGE-1 needs MeCab-ko: pip install -e '.[rouge]' in the korean-rewards clone")

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
    gold_ids = {item.id for item in gold}

    skipped: list[Path] = []
    failures: list[tuple[str, str]] = []  # (file, message): reported, skipped, exit status 1
    broken: list[tuple[Path, str]] = []
    files = find_prediction_files(predictions, exclude=[labels], skipped=skipped, broken=broken)
    failures += [(_display(path), message) for path, message in broken]
    if out is not None:  # a prediction file found in a folder is an input too
        _refuse_input_as_output(out, [*files, *(path for path, _ in broken)])
    loaded: list[tuple[Path, list[Item]]] = []
    for path in files:  # all input errors before the model
        try:
            predicted = load_items(path, what="predictions")
        except EvaluationInputError as error:
            failures.append((_display(path), str(error)))
            continue
        if subset:
            predicted = [item for item in predicted if item.id in gold_ids]
        loaded.append((path, predicted))
    if not loaded:
        if failures:
            raise CLIError("no prediction file could be read:\n" + "\n".join(message for _, message in failures))
        raise CLIError("no prediction files found in " + ", ".join(str(p) for p in predictions))

    notes: list[str] = [f"skipped {_display(path)}: not competition items" for path in skipped]
    if subset:
        notes.append(f"scored a subset: {len(gold)} labels (" + ", ".join(
            part for part in (f"--ids {ids}" if ids is not None else "", f"--limit {limit}" if limit else "") if part
        ) + ")")
    bleurt: TextScorer | None = None
    bleurt_name: str | None = None
    bleurt_info: dict[str, Any] | None = None
    if bleurt_model:
        status = f"loading BLEURT {bleurt_model} ..."
        with _error_console().status(status) if not json_output and sys.stderr.isatty() else _null():
            bleurt, bleurt_info = _load_bleurt(bleurt_model, device, bleurt_batch_size, bleurt_tf_gelu)
        bleurt_name = bleurt_model
    elif bleurt_function:
        bleurt, bleurt_name = import_scorer(bleurt_function), bleurt_function
    elif bleurt_checkpoint:
        bleurt, bleurt_name = load_bleurt_checkpoint(bleurt_checkpoint), bleurt_checkpoint
    else:
        notes.append(
            "BLEURT not computed: pass --bleurt-model lucadiliello/BLEURT-20 (a bleurt-pytorch checkpoint, "
            "pip install 'korean-rewards[bleurt]') for the official final score; TensorFlow's bleurt package is "
            "not installable here (or plug a scorer in with --bleurt-function module:function)."
        )
    bert: BERTScoreF1 | None = None
    if no_bertscore:
        notes.append("BERTScore skipped (--no-bertscore).")
    else:
        with _error_console().status(f"loading {bertscore_model} ...") if not json_output and sys.stderr.isatty() else _null():
            bert = _load_bertscore(bertscore_model, num_layers, device, batch_size)

    results: list[EvaluationResult] = []
    with _progress(not json_output) as progress:
        files_task = progress.add_task("evaluating", total=len(loaded))
        for path, predicted in loaded:
            name = _display(path)
            try:
                results.append(
                    evaluate_items(
                        predicted,
                        gold,
                        rouge=True,
                        bertscore=_ChunkedScorer(bert, batch_size, progress, f"BERTScore {name}") if bert else None,
                        bleurt=_ChunkedScorer(bleurt, 64, progress, f"BLEURT {name}") if bleurt else None,
                        source=name,
                        labels_name=_display(labels) + (" (the selected subset)" if subset else ""),
                    )
                )
            except EvaluationInputError as error:
                failures.append((name, str(error)))
            progress.advance(files_task)

    best_metric = "final"
    best = best_result(results)
    if best is None:
        best_metric, best = "exact_match", best_result(results, "exact_match")
        if results:
            notes.append("no final score without BERTScore: the best file is the one with the highest EM.")
    elif any(result.final_rule == "average_of_two" for result in results):
        notes.append(
            "without BLEURT, final = (EM + (ROUGE-1 + BERTScore) / 2) / 2: compare files with each other, not "
            "with the leaderboard (pass --bleurt-model for the official final score)."
        )
    report = {
        "schema": EVALUATE_SCHEMA,
        "scale": "0-100",
        "labels": _display(labels),
        "n_labels": len(gold),
        "subset": {"ids": None if ids is None else str(ids), "limit": limit} if subset else None,
        "bertscore": {"model": bertscore_model, "num_layers": num_layers} if bert else None,
        "bleurt": bleurt_name,
        "bleurt_model": bleurt_info,
        "files": [result.to_dict(items=items) for result in results],
        "best": {"source": best.source, "metric": best_metric, "value": getattr(best, best_metric)} if best else None,
        "errors": [{"source": source, "error": message} for source, message in failures],
        "notes": notes,
    }
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if out is not None:
        atomic_write_text(out, text, force=force)
    if json_output:
        sys.stdout.write(text)
    else:
        _print_evaluation(results, best, best_metric, gold, notes, out, bleurt_info)
    if failures:
        console = _error_console()
        for source, message in failures:
            console.print(Text("error: ", style="bold red") + Text(f"skipped {source}: {message}"))
        console.print(
            Text(f"{len(failures)} of {len(failures) + len(results)} prediction files could not be scored "
                 "(see the errors above)")
        )
        raise typer.Exit(1)


@contextmanager
def _null() -> Iterator[None]:
    yield None


def _short_names(sources: list[str]) -> tuple[str, list[str]]:
    """The common folder of the files and each file's path inside it (for a narrow table)."""
    paths = [Path(source) for source in sources]
    try:
        common = Path(os.path.commonpath([str(path.parent) for path in paths]))
    except ValueError:  # different drives
        return "", sources
    return ("" if str(common) == "." else str(common)), [str(path.relative_to(common)) for path in paths]


def _print_evaluation(
    results: list[EvaluationResult], best: EvaluationResult | None, best_metric: str, gold: list[Item],
    notes: list[str], out: Path | None, bleurt_info: dict[str, Any] | None = None,
) -> None:
    console = _console()
    folder, names = _short_names([str(result.source) for result in results])
    where = f" in {folder}{os.sep}" if folder else ""
    columns = {"EM": "exact_match", "ROUGE-1": "rouge1", "BERTScore": "bertscore", "BLEURT": "bleurt",
               "desc": "descriptive_avg", "final": "final"}
    shown = {title: key for title, key in columns.items() if any(getattr(r, key) is not None for r in results)}
    table = Table(title=f"말평 scores{where} (0-100, {len(gold)} labels)", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("file", overflow="fold", min_width=10)
    for title in [*shown, "n"]:
        table.add_column(title, justify="right", no_wrap=True)
    for result, name in zip(results, names):
        is_best = best is not None and result is best
        table.add_row(
            name + (" *" if is_best else ""),
            *(_fmt(getattr(result, key), 2) for key in shown.values()),
            f"{result.n_reason_items}/{result.n_items}",
            style="bold green" if is_best and len(results) > 1 else None,
        )
        for kind, numbers in result.by_type.items():  # the same numbers per question type, under the total
            table.add_row(
                f"  {kind}",
                *(_fmt(numbers[key], 2) for key in shown.values()),
                f"{numbers['n_reason_items']}/{numbers['n_items']}",
                style="dim",
            )
    console.print(table)
    legend = "n = items with both reasons (they enter ROUGE-1, BERTScore, BLEURT)"
    if "desc" in shown:
        legend = "desc = descriptive average; " + legend
    if any(result.by_type for result in results):
        legend += "; indented rows: the same scores per question type"
    console.print(f"[dim]{legend}; * = best[/dim]")
    if bleurt_info is not None:
        console.print(
            f"BLEURT: {escape(str(bleurt_info['checkpoint']))} (activation {escape(str(bleurt_info['activation']))})"
        )
    if best is not None:
        label = "final" if best_metric == "final" else "EM"
        console.print(f"best: [bold]{escape(str(best.source))}[/bold] ({label} {_fmt(getattr(best, best_metric))})")
    for note in notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    if out is not None:
        console.print(f"report written to {escape(str(out))}")


# ------------------------------------------------------------------------------------------------
# rewards by name
# ------------------------------------------------------------------------------------------------
def _valid_names() -> str:
    return ", ".join(REWARD_NAMES) + "; or a class with options, e.g. CheckNumbersKo(rel_tol=0.01): " + ", ".join(
        REWARD_CLASSES
    )


def _parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``name`` or ``name(option=value, ...)`` with Python literal values."""
    try:
        node = ast.parse(spec.strip(), mode="eval").body
    except SyntaxError:
        raise CLIError(f"cannot read the reward {spec!r}: write a name, or name(option=value, ...)") from None
    if isinstance(node, ast.Name):
        return node.id, {}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args:
        options: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise CLIError(f"cannot read the reward {spec!r}: write options as option=value")
            try:
                options[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                raise CLIError(
                    f"cannot read the option {keyword.arg} of {spec!r}: values must be Python literals "
                    "(numbers, strings in quotes, True/False/None, lists)"
                ) from None
        return node.func.id, options
    raise CLIError(f"cannot read the reward {spec!r}: write a name, or name(option=value, ...)")


def _option_names(obj: Any) -> list[str] | None:
    """The options a reward, reward class or factory accepts; ``None`` when it takes any keyword."""
    if isinstance(obj, type) or not callable(obj) or dataclasses.is_dataclass(obj):
        target = obj if isinstance(obj, type) else type(obj)
        if dataclasses.is_dataclass(target):
            return [f.name for f in dataclasses.fields(target) if f.init]
        return []
    parameters = inspect.signature(obj).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def resolve_reward(spec: str) -> Any:
    """The reward named by ``spec``: a default instance (``check_numbers_ko``), one with options changed
    (``check_numbers_ko(rel_tol=0.01)``), a class with options (``CheckNumbersKo(rel_tol=0.01)``) or a factory
    (``malpyeong_reward(bertscore_model="path/to/bert")``).

    Example:
        >>> resolve_reward("match_format_exactly").__name__
        'match_format_exactly'
        >>> resolve_reward("no_such_reward")
        Traceback (most recent call last):
        ...
        korean_rewards.cli.CLIError: unknown reward 'no_such_reward'. Valid names: match_format_exactly, ...
    """
    name, options = _parse_spec(spec)
    if name not in REWARD_NAMES and name not in REWARD_CLASSES:
        raise CLIError(f"unknown reward {name!r}. Valid names: {_valid_names()}")
    import korean_rewards

    try:
        target = getattr(korean_rewards, name)
    except ImportError as error:
        raise CLIError(f"{name} is not available: {error}") from None
    accepted = _option_names(target)
    unknown = sorted(set(options) - set(accepted)) if accepted is not None else []
    if unknown:
        raise CLIError(f"{name} has no option {', '.join(unknown)}; its options: {', '.join(accepted or []) or 'none'}")
    try:
        if isinstance(target, type) or not hasattr(target, "configure"):
            return target(**options)  # a class or a factory such as malpyeong_reward
        return target.configure(**options) if options else target
    except (TypeError, ValueError) as error:
        raise CLIError(f"bad option for {name}: {error}") from None


# ------------------------------------------------------------------------------------------------
# score
# ------------------------------------------------------------------------------------------------
def _read_rows(path: Path) -> list[dict[str, Any]]:
    records = read_records(path)
    if not records:
        raise CLIError(f"{path} holds no rows")
    for number, row in enumerate(records, start=1):
        if not isinstance(row, dict):
            raise CLIError(f"{path}: row {number} is a JSON {type(row).__name__}, not an object")
        if "completion" not in row:
            raise CLIError(f'{path}: row {number} has no "completion" (fields: {", ".join(row) or "none"})')
    return records


def _score_rows(
    reward: Any, rows: Sequence[dict[str, Any]], batch: int = 64, on_batch: Callable[[int], None] | None = None
) -> list[float | None]:
    """Call a reward the way TRL does, on batches of rows; every other field is passed as a column."""
    columns = sorted({key for row in rows for key in row} - {"prompt", "completion"})
    scores: list[float | None] = []
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        kwargs = {column: [row.get(column) for row in chunk] for column in columns}
        try:
            scores.extend(
                reward(prompts=[row.get("prompt") for row in chunk], completions=[row["completion"] for row in chunk], **kwargs)
            )
        except ImportError as error:
            raise CLIError(f"{reward.__name__} cannot run here: {error}") from None
        except (ValueError, TypeError, KeyError, OSError) as error:
            raise CLIError(f"{reward.__name__}: {error}") from None
        if on_batch is not None:
            on_batch(len(chunk))
    return scores


def _tags_from_options(
    reasoning_start: str | None,
    reasoning_end: str | None,
    solution_start: str | None,
    solution_end: str | None,
    eos_token: str | None,
) -> Any:
    """A :class:`~korean_rewards.tags.Tags` from ``score``'s tag options (the notebook's for those not given), or
    ``None`` when no tag option is given."""
    options = {
        "--reasoning-start": ("reasoning_start", reasoning_start),
        "--reasoning-end": ("reasoning_end", reasoning_end),
        "--solution-start": ("solution_start", solution_start),
        "--solution-end": ("solution_end", solution_end),
    }
    if all(value is None for _, value in options.values()) and eos_token is None:
        return None
    from .tags import Tags

    values: dict[str, Any] = {}
    for flag, (field, value) in options.items():
        if value is not None:
            if not value.strip():
                raise CLIError(f"{flag} must be a non-empty tag, got {value!r}")
            values[field] = value
    if eos_token is not None:
        values["eos_token"] = eos_token or None
    return Tags(**values)


def _with_tags(reward: Any, tags: Any) -> Any:
    """The reward reading ``tags``, when it reads tags at all (rewards with ``tags=None`` keep reading none)."""
    fields = {f.name for f in dataclasses.fields(reward)} if dataclasses.is_dataclass(reward) else set()
    if "tags" not in fields or reward.tags is None or not hasattr(reward, "configure"):
        return reward
    return reward.configure(tags=tags)


def _summary(scores: Sequence[float | None]) -> dict[str, Any]:
    values = [s for s in scores if s is not None and not math.isnan(s)]
    return {
        "mean": sum(values) / len(values) if values else None,
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "n": len(values),
        "n_none": len(scores) - len(values),
    }


@app.command()
@_handles_errors
def score(
    file: Annotated[
        Path,
        typer.Argument(
            help='JSON Lines (or a JSON list) of {"prompt"?, "completion", "answer", ...} rows; a completion may '
            "be a string or a list of chat messages; other fields are passed to the rewards as dataset columns.",
            show_default=False,
        ),
    ],
    reward: Annotated[
        list[str] | None,
        typer.Option(
            "--reward",
            "-r",
            help="A reward to run (repeat the option): a name such as check_numbers_ko, malpyeong_reward, or "
            "name(option=value). Default: every rule-based reward.",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write per-row scores here (JSON Lines).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the means as JSON on stdout.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per reward call.")] = 64,
    reasoning_start: Annotated[
        str | None, typer.Option(help="Tag that opens the reasoning (default: the notebook's <start_working_out>).")
    ] = None,
    reasoning_end: Annotated[
        str | None, typer.Option(help="Tag that closes the reasoning (default: <end_working_out>).")
    ] = None,
    solution_start: Annotated[
        str | None, typer.Option(help="Tag that opens the answer (default: <SOLUTION>).")
    ] = None,
    solution_end: Annotated[
        str | None, typer.Option(help="Tag that closes the answer (default: </SOLUTION>).")
    ] = None,
    eos_token: Annotated[
        str | None,
        typer.Option(help="Text allowed after the closing answer tag (default: <|endoftext|>; '' allows none)."),
    ] = None,
) -> None:
    """Score completions with the library's rewards and print each reward's mean.

    The tag options set the tags that the format and answer rewards read (for models trained with other tags,
    e.g. --reasoning-start "<think>" --reasoning-end "</think>"); rewards that read no tags ignore them.
    """
    if out is not None:
        _refuse_input_as_output(out, [file])
        if out.exists() and not force:
            raise CLIError(f"{out} exists already: pass --force to overwrite it")
    tags = _tags_from_options(reasoning_start, reasoning_end, solution_start, solution_end, eos_token)
    rewards = [resolve_reward(spec) for spec in (reward or list(RULE_BASED_REWARDS))]
    if tags is not None:
        rewards = [_with_tags(fn, tags) for fn in rewards]
    rows = _read_rows(file)
    all_scores: dict[str, list[float | None]] = {}
    with _progress(not json_output) as progress:
        for fn in rewards:
            task = progress.add_task(fn.__name__, total=len(rows))
            all_scores[fn.__name__] = _score_rows(
                fn, rows, batch_size, on_batch=lambda n, task=task: progress.advance(task, n)
            )
            progress.remove_task(task)

    if out is not None:
        lines = []
        for index, row in enumerate(rows):
            record: dict[str, Any] = {"row": index + 1}
            if "id" in row:
                record["id"] = row["id"]
            record.update({name: values[index] for name, values in all_scores.items()})
            lines.append(json.dumps(record, ensure_ascii=False))
        atomic_write_text(out, "\n".join(lines) + "\n", force=force)

    summaries = {name: _summary(values) for name, values in all_scores.items()}
    if json_output:
        sys.stdout.write(
            json.dumps({"file": str(file), "n_rows": len(rows), "rewards": summaries}, ensure_ascii=False, indent=2)
            + "\n"
        )
        return
    table = Table(title=f"{_display(file)}: {len(rows)} rows", title_justify="left")
    for column in ("reward", "mean", "min", "max", "scored"):
        table.add_column(column, justify="left" if column == "reward" else "right")
    for name, summary in summaries.items():
        table.add_row(
            name, _fmt(summary["mean"]), _fmt(summary["min"]), _fmt(summary["max"]), f"{summary['n']}/{len(rows)}"
        )
    console = _console()
    console.print(table)
    if out is not None:
        console.print(f"per-row scores written to {escape(str(out))}")


# ------------------------------------------------------------------------------------------------
# audit
# ------------------------------------------------------------------------------------------------
#: Exit status of ``audit`` when a degenerate family beats the honest completion.
EXPLOIT_EXIT_CODE = 3


def _is_reward(obj: Any) -> bool:
    """Whether ``obj`` is a reward callable (takes ``completions``) rather than a factory that returns rewards."""
    if not callable(obj) or isinstance(obj, type):
        return False
    if hasattr(obj, "_score_batch") or hasattr(obj, "components"):
        return True
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return True
    return "completions" in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def _import_target(location: str) -> Any:
    """The module named by ``location``: a dotted module name or a path to a ``.py`` file (its folder goes on
    ``sys.path``, as ``python file.py`` would put it, so its sibling imports work)."""
    if location.endswith(".py") or os.sep in location or "/" in location:
        path = Path(location)
        if not path.is_file():
            raise CLIError(f"{location}: no such Python file")
        folder = str(path.resolve().parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        name = f"_korean_rewards_audit_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise CLIError(f"{location}: cannot import this file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:  # noqa: BLE001 - the user's module failed: say so without a traceback
            raise CLIError(f"importing {location} failed: {type(error).__name__}: {error}") from None
        return module
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(location)
    except ImportError as error:
        raise CLIError(f"cannot import the module {location!r}: {error}") from None


def resolve_mix(spec: str) -> list[Any]:
    """The rewards named by an ``audit --rewards`` SPEC: ``module:attr``, ``file.py:attr``, ``attr(option=value)``
    after the colon to call a factory with options, or a library reward name (as for ``score``).

    Example:
        >>> [fn.__name__ for fn in resolve_mix("korean_rewards:check_numbers_ko")]
        ['check_numbers_ko']
        >>> resolve_mix("korean_rewards:no_such_name")
        Traceback (most recent call last):
        ...
        korean_rewards.cli.CLIError: korean_rewards has no attribute 'no_such_name'
    """
    if ":" not in spec:
        return [resolve_reward(spec)]
    location, _, target = spec.rpartition(":")
    name, options = _parse_spec(target)
    module = _import_target(location)
    if not hasattr(module, name):
        raise CLIError(f"{location} has no attribute {name!r}")
    value = getattr(module, name)
    if options or (callable(value) and not _is_reward(value)):
        try:
            value = value(**options)
        except Exception as error:  # noqa: BLE001 - the user's factory failed: say so without a traceback
            raise CLIError(f"calling {location}:{target} failed: {type(error).__name__}: {error}") from None
    rewards = list(value) if isinstance(value, (list, tuple)) else [value]
    for fn in rewards:
        if not callable(fn):
            raise CLIError(f"{spec} gives {fn!r}, which is not a reward callable")
    return rewards


_VERDICT_STYLES = {"EXPLOIT": "bold red", "WEAK": "yellow", "ok": "green", "n/a": "dim"}


@app.command()
@_handles_errors
def audit(
    data: Annotated[
        Path,
        typer.Argument(
            help="JSON or JSON Lines rows with the prompt and gold answer columns the rewards read (other fields "
            "are passed as dataset columns), or 말평 competition items.",
            show_default=False,
        ),
    ],
    rewards: Annotated[
        list[str],
        typer.Option(
            "--rewards",
            "-r",
            help="The mix (repeat the option; summed as GRPOTrainer sums reward_funcs): module:attr or "
            "path/to/file.py:attr (a reward, a list, or a function returning them; attr(option=value) calls it), or "
            "a library reward name.",
            show_default=False,
        ),
    ],
    weight: Annotated[
        list[float] | None,
        typer.Option("--weight", "-w", help="One weight per reward, as GRPOConfig(reward_weights=...)."),
    ] = None,
    prompt_column: Annotated[str, typer.Option(help="Column with the prompt (else 'question').")] = "prompt",
    answer_column: Annotated[str, typer.Option(help="Column with the gold answer.")] = "answer",
    reasoning_column: Annotated[
        str, typer.Option(help="Column with worked solutions, used as the honest math reasoning when present.")
    ] = "reasoning",
    combined: Annotated[
        bool,
        typer.Option("--combine", help="Audit combine(rewards, weights, none=--none) instead of the trainer's sum."),
    ] = False,
    none: Annotated[str, typer.Option("--none", help="combine's None policy with --combine.")] = "worst",
    kind: Annotated[str, typer.Option(help="Completion layout: auto, math (notebook tags) or malpyeong.")] = "auto",
    limit: Annotated[int | None, typer.Option(min=1, help="Audit only the first N rows.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per reward call.")] = 16,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Find degenerate completions that a reward mix pays as much as honest ones (exit status 3 if any)."""
    from ._trl import ColumnError
    from .audit import KINDS, audit_rewards, audit_rows

    if kind not in KINDS:
        raise CLIError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    records = read_records(data)
    if not records:
        raise CLIError(f"{data} holds no rows")
    try:
        rows, notes = audit_rows(records, prompt_column, answer_column, reasoning_column)
    except ColumnError as error:  # the library names its parameter; this command names its flag
        flags = {"prompt_key": "--prompt-column", "answer_key": "--answer-column", "reasoning_key": "--reasoning-column"}
        raise CLIError(f"{data}: {error.describe(flags.get(error.parameter, error.parameter))}") from None
    except ValueError as error:
        raise CLIError(f"{data}: {error}") from None
    if not rows:
        raise CLIError(
            f"{data}: no row has a prompt (column {prompt_column!r}) and a gold answer (column {answer_column!r})"
            + (f"; {notes[0]}" if notes else "")
        )
    if limit is not None:
        rows = rows[:limit]
    mix = [fn for spec in rewards for fn in resolve_mix(spec)]
    if weight and len(weight) != len(mix):
        raise CLIError(f"got {len(weight)} --weight values for {len(mix)} rewards: give one per reward")
    if combined:
        from .combining import combine

        try:
            mix = [combine(list(zip(mix, weight or [1.0] * len(mix))), none=none)]
        except (TypeError, ValueError) as error:
            raise CLIError(f"--combine: {error}") from None
        weight = None
    with _progress(not json_output) as progress:
        task = progress.add_task("auditing", total=len(rows))
        try:
            report = audit_rewards(
                mix, rows, weights=weight or None, prompt_key=prompt_column, answer_key=answer_column,
                reasoning_key=reasoning_column, kind=kind, batch_size=batch_size,
                on_progress=lambda n: progress.advance(task, n),
            )
        except ImportError as error:
            raise CLIError(f"a reward cannot run here: {error}") from None
        except (ValueError, TypeError, KeyError) as error:
            raise CLIError(str(error)) from None
    report.notes[:0] = notes
    if json_output:
        document = {"data": str(data), **report.to_dict()}
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_audit(report, data)
    if not report.passed:
        raise typer.Exit(EXPLOIT_EXIT_CODE)


def _print_audit(report: Any, data: Path) -> None:
    console = _console()
    table = Table(
        title=f"audit of {report.reward} on {_display(data)} ({report.n_rows} rows, {report.kind} layout)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("family", "mean", "vs", "gap", "above", "verdict"):
        table.add_column(column, justify="left" if column in ("family", "vs", "verdict") else "right", no_wrap=True)
    table.add_row("honest", _fmt(report.honest, 3), "", "", "", "ref")
    table.add_row("honest_wrong", _fmt(report.honest_wrong, 3), "", "", "", "ref")
    for result in report.results:
        gap = "—" if result.gap is None else f"{result.gap:+.3f}"
        table.add_row(
            result.family, _fmt(result.mean, 3), result.compared_to.replace("_", " "), gap,
            f"{result.rows_above}/{report.n_rows}", Text(result.verdict, style=_VERDICT_STYLES.get(result.verdict, "")),
        )
    console.print(table)
    for note in report.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    if report.passed:
        weak = [result.family for result in report.results if result.verdict == "WEAK"]
        console.print("[green]no exploit found[/green]" + (f"; weak (ties the honest answer): {', '.join(weak)}" if weak else ""))
    else:
        names = ", ".join(result.family for result in report.exploits)
        console.print(f"[bold red]EXPLOIT[/bold red]: {escape(names)} score above the honest completion")


# ------------------------------------------------------------------------------------------------
# demo
# ------------------------------------------------------------------------------------------------
def _demo_rows() -> list[dict[str, Any]]:
    resource = importlib.resources.files("korean_rewards") / "data" / "demo_completions.jsonl"
    return [json.loads(line) for line in resource.read_text(encoding="utf-8").splitlines() if line.strip()]


def _bertscore_source(model: str | None) -> tuple[str | None, str | None]:
    """(model to load, None) when BERTScore can run in the demo, else (None, reason it is skipped)."""
    missing = [name for name in ("torch", "transformers") if importlib.util.find_spec(name) is None]
    if missing:
        return None, f"{' and '.join(missing)} not installed (pip install -e '.[bertscore]' in the korean-rewards clone)"
    if model is not None:
        return model, None
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(DEFAULT_MODEL, "config.json")
    except Exception:  # noqa: BLE001 - an unusual hub install: treat as not cached
        cached = None
    if isinstance(cached, str):
        return DEFAULT_MODEL, None
    return None, (
        f"{DEFAULT_MODEL} is not in the local Hugging Face cache and the demo downloads nothing "
        "(pass --bertscore-model PATH or a hub id to load one)"
    )


def _bert_rewards(model: str, num_layers: int | None) -> dict[str, Any]:
    """bertscore_reward and malpyeong_reward configured for ``model``, loaded once (raises when it fails)."""
    import korean_rewards

    _quiet_transformers()
    options: dict[str, Any] = {"model_type": model}
    if num_layers is not None:
        options["num_layers"] = num_layers
    bert = korean_rewards.bertscore_reward.configure(**options)
    combined = korean_rewards.malpyeong_reward(bertscore_model=model, num_layers=num_layers)
    return {"bertscore_reward": bert, "malpyeong_reward": combined}


@app.command()
@_handles_errors
def demo(
    bertscore_model: Annotated[
        str | None,
        typer.Option(
            help="Add BERTScore with this model (a local folder or a hub id). Default: "
            f"{DEFAULT_MODEL} when it is already in the local cache, else skipped.",
        ),
    ] = None,
    num_layers: Annotated[int | None, typer.Option(help="BERT layer for BERTScore.")] = None,
) -> None:
    """Score bundled sample completions with every rule-based reward (offline) and print the tables."""
    rows = _demo_rows()
    rewards: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for name in RULE_BASED_REWARDS:
        try:
            rewards[name] = resolve_reward(name)
        except CLIError as error:
            skipped[name] = str(error)
    model, reason = _bertscore_source(bertscore_model)
    if model is None:
        for name in MODEL_REWARDS:
            skipped[name] = str(reason)
    else:
        try:
            with _error_console().status(f"loading {model} ..."):
                loaded = _bert_rewards(model, num_layers)
                loaded["bertscore_reward"].score("이유", "이유")  # load now, fail here
            rewards.update(loaded)
        except Exception as error:  # noqa: BLE001 - the demo goes on without BERTScore
            for name in MODEL_REWARDS:
                skipped[name] = f"cannot load the BERTScore model {model}: {_as_flags(str(error))}"

    kinds = {"math": "Korean math answers (notebook tags)", "malpyeong": "말평-style answers"}
    kind_of = RULE_BASED_REWARDS | MODEL_REWARDS
    console = _console()
    for kind, title in kinds.items():
        subset = [row for row in rows if row["kind"] == kind]
        names = [n for n in kind_of if kind_of[n] in (kind, "any")]
        scores: dict[str, list[float | None]] = {}
        for name in names:
            if name not in rewards:
                continue
            try:
                scores[name] = _score_rows(rewards[name], subset)
            except CLIError as error:
                skipped[name] = str(error)
        table = Table(title=title, title_justify="left", show_footer=True, box=box.SIMPLE_HEAD)
        table.add_column("#", footer="mean", justify="right")
        table.add_column("sample", overflow="fold", min_width=12)
        for name, values in scores.items():
            table.add_column(_DEMO_HEADERS.get(name, name), footer=_fmt(_summary(values)["mean"], 2),
                             justify="right", no_wrap=True)
        for index, row in enumerate(subset):
            table.add_row(str(index + 1), row["label"], *(_fmt(values[index], 2) for values in scores.values()))
        console.print(table)
        legend = ", ".join(f"{_DEMO_HEADERS.get(name, name)} = {name}" for name in scores)
        console.print(f"[dim]{escape(legend)}; — = no score (None)[/dim]", soft_wrap=False)
        console.print()
    for name, why in skipped.items():
        console.print(f"[yellow]skipped[/yellow] {escape(name)}: {escape(why)}")
    console.print(
        "[dim]Columns are rewards (TRL reward functions); rows are bundled sample completions "
        "(korean_rewards/data/demo_completions.jsonl). Score your own: korean-rewards score FILE.jsonl "
        "--reward check_numbers_ko[/dim]"
    )


#: Short column titles for the demo tables (the legend under each table gives the reward names).
_DEMO_HEADERS = {
    "match_format_exactly": "format",
    "match_format_approximately": "format~",
    "check_answer_ko": "answer",
    "check_numbers_ko": "numbers",
    "malpyeong_em_reward": "EM",
    "malpyeong_format_reward": "template",
    "rouge1_reward": "ROUGE-1",
    "bertscore_reward": "BERTScore",
    "malpyeong_reward": "team",
    "language_consistency_ko": "korean",
    "repetition_penalty_ko": "repeat",
}


@app.command()
@_handles_errors
def serve(
    reward: Annotated[
        list[str],
        typer.Option(
            "--reward",
            "-r",
            help="A reward to serve (repeat the option; several are summed, each logged under its own key): "
            "a name such as bertscore_reward, name(option=value), or module:attr.",
        ),
    ],
    host: Annotated[str, typer.Option(help="Address to bind (0.0.0.0 to accept other machines).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 5000,
    max_batch: Annotated[int, typer.Option(min=1, help="The most rows per reward call (model rewards).")] = 64,
    max_wait_ms: Annotated[
        float, typer.Option(min=0.0, help="How long to gather concurrent requests into one batch (model rewards).")
    ] = 5.0,
    missing_gold_score: Annotated[float, typer.Option(help="The reward of a row whose label is missing.")] = 0.0,
) -> None:
    """Serve rewards on OpenRLHF's reward-server protocol (POST /get_reward, GET /health)."""
    import logging

    try:
        from .integrations.rows import load_reward
        from .integrations.server import create_app, serve as run_server
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise CLIError(f"serve needs the [serve] extra ({error}): pip install 'korean-rewards[serve]'") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    rewards = [load_reward(spec) for spec in reward]
    application = create_app(rewards, max_batch=max_batch, max_wait_ms=max_wait_ms,
                             missing_gold_score=missing_gold_score)
    run_server(application, host=host, port=port)


def main() -> None:
    """Entry point of the ``korean-rewards`` console script.

    Example:
        >>> import sys
        >>> sys.argv = ["korean-rewards", "--version"]
        >>> try:
        ...     main()
        ... except SystemExit as exit:
        ...     print("exit", exit.code)
        korean-rewards 0.1.0
        exit 0
    """
    app(prog_name="korean-rewards")


if __name__ == "__main__":  # pragma: no cover
    main()
