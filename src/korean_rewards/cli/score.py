"""``korean-rewards score``: run rewards on rows of completions and print each reward's mean."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..evaluation import atomic_write_text, read_records
from ..registry import default_reward_names, resolve_reward, resolve_rewards
from .app import CLIError, command, console, display, file_argument, flag, fmt, progress_bar, refuse_existing_output

__all__ = ["score", "REWARD_OPTION_HELP", "reward_option", "read_rows", "score_rows", "summary"]

#: What ``--reward`` takes, the same on every command that takes rewards.
REWARD_OPTION_HELP = (
    "a library name such as check_numbers_ko or accuracy_reward_ko, name(option=value), module:attr or "
    "path/to/file.py:attr (a reward, a list of rewards, or a function returning them)."
)


def reward_option(lead: str, tail: str = "") -> Any:
    """The ``--reward`` / ``-r`` option (repeatable), with the same help on every command.

    Example:
        >>> reward_option("A reward: ").metavar
        'SPEC'
    """
    return typer.Option("--reward", "-r", metavar="SPEC", help=lead + REWARD_OPTION_HELP + tail, show_default=False)


@command
def score(
    file: Annotated[
        Path,
        file_argument(
            "FILE",
            help='JSON Lines (or a JSON list) of {"prompt"?, "completion", "answer", ...} rows; a completion may '
            "be a string or a list of chat messages; other fields are passed to the rewards as dataset columns.",
        ),
    ],
    reward: Annotated[
        list[str] | None,
        reward_option(
            "A reward to run (repeat the option): ",
            " Default: the rule-based rewards for the kind of rows (math or 말평).",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(metavar="FILE", help="Write per-row scores here (JSON Lines).")] = None,
    force: Annotated[bool, flag("--force", help="Overwrite --out if it exists.")] = False,
    json_output: Annotated[bool, flag("--json", help="Print the means as JSON on stdout.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, metavar="N", help="Rows per reward call.")] = 64,
    reasoning_start: Annotated[
        str | None,
        typer.Option(metavar="TAG", help="Tag that opens the reasoning (default: the notebook's <start_working_out>)."),
    ] = None,
    reasoning_end: Annotated[
        str | None, typer.Option(metavar="TAG", help="Tag that closes the reasoning (default: <end_working_out>).")
    ] = None,
    solution_start: Annotated[
        str | None, typer.Option(metavar="TAG", help="Tag that opens the answer (default: <SOLUTION>).")
    ] = None,
    solution_end: Annotated[
        str | None, typer.Option(metavar="TAG", help="Tag that closes the answer (default: </SOLUTION>).")
    ] = None,
    eos_token: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT", help="Text allowed after the closing answer tag (default: <|endoftext|>; '' allows none)."
        ),
    ] = None,
) -> None:
    """Score completions with the library's rewards and print each reward's mean.

    Without --reward, the rule-based rewards for the kind of rows run (math rows: the format, answer and number
    rewards with accuracy_reward_ko; 말평 rows: EM, template and ROUGE-1), and the command says which set it
    chose. The tag options set the tags that the format and answer rewards read (for models trained with other
    tags, e.g. --reasoning-start "<think>" --reasoning-end "</think>"); rewards that read no tags ignore them.
    """
    refuse_existing_output(out, [file], force)
    tags = _tags_from_options(reasoning_start, reasoning_end, solution_start, solution_end, eos_token)
    rows = read_rows(file)
    chosen = None
    if reward:
        rewards = [fn for spec in reward for fn in resolve_rewards(spec)]
    else:
        kind, names = default_reward_names(rows)
        chosen = f"{kind} rows: the default {kind} rewards ({', '.join(names)}); choose others with --reward"
        rewards = [resolve_reward(name) for name in names]
    if tags is not None:
        rewards = [_with_tags(fn, tags) for fn in rewards]
    all_scores: dict[str, list[float | None]] = {}
    with progress_bar(not json_output) as progress:
        for fn in rewards:
            task = progress.add_task(_name(fn), total=len(rows))
            all_scores[_name(fn)] = score_rows(
                fn, rows, batch_size, on_batch=lambda n, task=task: progress.advance(task, n)
            )
            progress.remove_task(task)

    if out is not None:
        _write_rows(out, rows, all_scores, force)
    summaries = {name: summary(values) for name, values in all_scores.items()}
    if json_output:
        document = {"file": str(file), "n_rows": len(rows), "rewards": summaries}
        if chosen is not None:
            document["default_set"] = chosen.split(" rows")[0]
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    _print_summaries(file, rows, summaries, chosen, out)


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a ``score`` file: JSON objects with a ``completion``."""
    records = read_records(path)
    if not records:
        raise CLIError(f"{path} holds no rows")
    for number, row in enumerate(records, start=1):
        if not isinstance(row, dict):
            raise CLIError(f"{path}: row {number} is a JSON {type(row).__name__}, not an object")
        if "completion" not in row:
            raise CLIError(f'{path}: row {number} has no "completion" (fields: {", ".join(row) or "none"})')
    return records


def score_rows(
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
                reward(prompts=[row.get("prompt") for row in chunk], completions=[row["completion"] for row in chunk],
                       **kwargs)  # fmt: skip
            )
        except ImportError as error:
            raise CLIError(f"{_name(reward)} cannot run here: {error}") from None
        except (ValueError, TypeError, KeyError, OSError) as error:
            raise CLIError(f"{_name(reward)}: {error}") from None
        if on_batch is not None:
            on_batch(len(chunk))
    return scores


def summary(scores: Sequence[float | None]) -> dict[str, Any]:
    """Mean, min, max and counts of a reward's scores (``None`` and NaN left out)."""
    values = [s for s in scores if s is not None and not math.isnan(s)]
    return {
        "mean": sum(values) / len(values) if values else None,
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "n": len(values),
        "n_none": len(scores) - len(values),
    }


def _tags_from_options(
    reasoning_start: str | None, reasoning_end: str | None, solution_start: str | None, solution_end: str | None,
    eos_token: str | None,
) -> Any:
    """A :class:`~korean_rewards.tags.Tags` from the tag options (the notebook's for those not given), or ``None``
    when no tag option is given."""
    options = {
        "--reasoning-start": ("reasoning_start", reasoning_start),
        "--reasoning-end": ("reasoning_end", reasoning_end),
        "--solution-start": ("solution_start", solution_start),
        "--solution-end": ("solution_end", solution_end),
    }
    if all(value is None for _, value in options.values()) and eos_token is None:
        return None
    from ..tags import Tags

    values: dict[str, Any] = {}
    for flag_name, (field, value) in options.items():
        if value is not None:
            if not value.strip():
                raise CLIError(f"{flag_name} must be a non-empty tag, got {value!r}")
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


def _write_rows(out: Path, rows: list[dict[str, Any]], all_scores: dict[str, list[float | None]], force: bool) -> None:
    lines = []
    for index, row in enumerate(rows):
        record: dict[str, Any] = {"row": index + 1}
        if "id" in row:
            record["id"] = row["id"]
        record.update({name: values[index] for name, values in all_scores.items()})
        lines.append(json.dumps(record, ensure_ascii=False))
    atomic_write_text(out, "\n".join(lines) + "\n", force=force)


def _print_summaries(
    file: Path, rows: list[dict[str, Any]], summaries: dict[str, dict[str, Any]], chosen: str | None, out: Path | None
) -> None:
    table = Table(title=f"{display(file)}: {len(rows)} rows", title_justify="left")
    for column in ("reward", "mean", "min", "max", "scored"):
        table.add_column(column, justify="left" if column == "reward" else "right", no_wrap=column != "reward")
    for name, values in summaries.items():
        table.add_row(name, fmt(values["mean"]), fmt(values["min"]), fmt(values["max"]), f"{values['n']}/{len(rows)}")
    output = console()
    output.print(table)
    if chosen is not None:
        output.print(f"[dim]{escape(chosen)}[/dim]")
    if out is not None:
        output.print(f"per-row scores written to {escape(str(out))}")
