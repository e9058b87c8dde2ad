"""``korean-rewards audit``: look for degenerate completions that a reward mix pays as much as honest ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..evaluation import read_records
from ..registry import resolve_rewards
from .app import CLIError, command, console, display, file_argument, flag, flag_message, fmt, progress_bar
from .score import reward_option

__all__ = ["audit", "EXPLOIT_EXIT_CODE"]

#: Exit status of ``audit`` when a degenerate family beats the honest completion.
EXPLOIT_EXIT_CODE = 3

_VERDICT_STYLES = {"EXPLOIT": "bold red", "WEAK": "yellow", "ok": "green", "n/a": "dim"}


@command
def audit(
    data: Annotated[
        Path,
        file_argument(
            "DATA",
            help="JSON or JSON Lines rows with the prompt and gold answer columns the rewards read (other fields "
            "are passed as dataset columns), or 말평 competition items.",
        ),
    ],
    reward: Annotated[
        list[str] | None, reward_option("The mix (repeat the option; summed as GRPOTrainer sums reward_funcs): ")
    ] = None,
    rewards_alias: Annotated[list[str] | None, typer.Option("--rewards", hidden=True)] = None,
    weight: Annotated[
        list[float] | None,
        typer.Option("--weight", "-w", metavar="W", help="One weight per reward, as GRPOConfig(reward_weights=...)."),
    ] = None,
    prompt_column: Annotated[
        str, typer.Option(metavar="NAME", help="Column with the prompt (else 'question').")
    ] = "prompt",
    answer_column: Annotated[str, typer.Option(metavar="NAME", help="Column with the gold answer.")] = "answer",
    reasoning_column: Annotated[
        str,
        typer.Option(metavar="NAME", help="Column with worked solutions, used as the honest math reasoning when "
                     "present."),
    ] = "reasoning",
    combined: Annotated[
        bool, flag("--combine", help="Audit combine(rewards, weights, none=--none) instead of the trainer's sum.")
    ] = False,
    none: Annotated[str, typer.Option("--none", metavar="POLICY", help="combine's None policy with --combine.")] = "worst",
    kind: Annotated[
        str, typer.Option(metavar="KIND", help="Completion layout: auto, math (notebook tags) or malpyeong.")
    ] = "auto",
    limit: Annotated[int | None, typer.Option(min=1, metavar="N", help="Audit only the first N rows.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, metavar="N", help="Rows per reward call.")] = 16,
    json_output: Annotated[bool, flag("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Find degenerate completions that a reward mix pays as much as honest ones (exit status 3 if any).

    Builds degenerate completions (number spraying, tags only, hedged answers, copied prompts, filler, 10k
    characters, ...) from the rows of DATA, scores them next to honest ones in TRL's calling convention and prints
    each family's mean reward, its gap to the honest answer and a verdict (EXPLOIT / WEAK / ok).
    """
    from ..audit import KINDS, audit_rewards, audit_rows

    specs = [*(reward or []), *(rewards_alias or [])]
    if not specs:
        raise CLIError("give the mix to audit with --reward SPEC (repeat it for several rewards)")
    if kind not in KINDS:
        raise CLIError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    records = read_records(data)
    if not records:
        raise CLIError(f"{data} holds no rows")
    try:
        rows, notes = audit_rows(records, prompt_column, answer_column, reasoning_column)
    except ValueError as error:  # a column flag that names no column: the library's parameter, as the flag
        raise CLIError(f"{data}: {flag_message(error)}") from None
    if not rows:
        raise CLIError(
            f"{data}: no row has a prompt (column {prompt_column!r}) and a gold answer (column {answer_column!r})"
            + (f"; {notes[0]}" if notes else "")
        )
    if limit is not None:
        rows = rows[:limit]
    mix, weight = _mix(specs, weight, combined, none)
    with progress_bar(not json_output) as progress:
        task = progress.add_task("auditing", total=len(rows))
        try:
            report = audit_rewards(
                mix, rows, weights=weight or None, prompt_key=prompt_column, answer_key=answer_column,
                reasoning_key=reasoning_column, kind=kind, batch_size=batch_size,
                on_progress=lambda n: progress.advance(task, n),
            )  # fmt: skip
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


def _mix(specs: list[str], weight: list[float] | None, combined: bool, none: str) -> tuple[list[Any], list[float] | None]:
    """The rewards of the specs, and their weights (``None`` once they are combined into one reward)."""
    mix = [fn for spec in specs for fn in resolve_rewards(spec)]
    if weight and len(weight) != len(mix):
        raise CLIError(f"got {len(weight)} --weight values for {len(mix)} rewards: give one per reward")
    if not combined:
        return mix, weight
    from ..combining import combine

    try:
        return [combine(list(zip(mix, weight or [1.0] * len(mix))), none=none)], None
    except (TypeError, ValueError) as error:
        raise CLIError(f"--combine: {error}") from None


def _print_audit(report: Any, data: Path) -> None:
    output = console()
    table = Table(
        title=f"audit of {report.reward} on {display(data)} ({report.n_rows} rows, {report.kind} layout)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("family", "mean", "vs", "gap", "above", "verdict"):
        table.add_column(column, justify="left" if column in ("family", "vs", "verdict") else "right", no_wrap=True)
    table.add_row("honest", fmt(report.honest, 3), "", "", "", "ref")
    table.add_row("honest_wrong", fmt(report.honest_wrong, 3), "", "", "", "ref")
    for result in report.results:
        gap = "—" if result.gap is None else f"{result.gap:+.3f}"
        table.add_row(
            result.family, fmt(result.mean, 3), result.compared_to.replace("_", " "), gap,
            f"{result.rows_above}/{report.n_rows}", Text(result.verdict, style=_VERDICT_STYLES.get(result.verdict, "")),
        )  # fmt: skip
    output.print(table)
    for note in report.notes:
        output.print(f"[dim]note: {escape(note)}[/dim]")
    if report.passed:
        weak = [result.family for result in report.results if result.verdict == "WEAK"]
        output.print("[green]no exploit found[/green]" + (f"; weak (ties the honest answer): {', '.join(weak)}" if weak else ""))
    else:
        names = ", ".join(result.family for result in report.exploits)
        output.print(f"[bold red]EXPLOIT[/bold red]: {escape(names)} score above the honest completion")
