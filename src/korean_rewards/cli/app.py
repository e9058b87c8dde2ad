"""The command-line application: the typer app, error handling, consoles and what every command shares.

Each command lives in its own module of this package (``evaluate``, ``score``, ``audit``, ``demo``) and registers
itself with :func:`command`. Library errors name keyword arguments (:mod:`korean_rewards.errors`); this module
alone turns them into flag names (:data:`FLAGS`).
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from .. import __version__
from ..errors import ModelLoadError, ParameterError
from ..evaluation import EvaluationInputError
from ..registry import SpecError

__all__ = ["app", "main", "CLIError", "FLAGS", "command", "flag_message", "natural_width"]

class _FlagHelp:
    """``--help`` shown as a plain flag, like every other boolean option (no ``<bool>`` value column)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class _Command(_FlagHelp, TyperCommand):
    pass


class _Group(_FlagHelp, TyperGroup):
    pass


app = typer.Typer(
    name="korean-rewards",
    cls=_Group,
    help="Korean GRPO rewards: evaluate 말평 prediction files, score completions, audit a reward mix, serve "
    "rewards over HTTP, run the offline demo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Library parameter -> the flag that sets it (with the space that precedes a value), for every command.
FLAGS: dict[str, str] = {
    "model_type": "--bertscore-model ",
    "num_layers": "--num-layers ",
    "batch_size": "--batch-size ",
    "checkpoint": "--bleurt-model ",
    "device": "--device ",
    "force": "--force ",
    "prompt_key": "--prompt-column ",
    "answer_key": "--answer-column ",
    "reasoning_key": "--reasoning-column ",
}


class CLIError(Exception):
    """A problem with the user's input or environment: printed as one clear message, exit status 1.

    Example:
        >>> str(CLIError("--out x.json exists already: pass --force to overwrite it"))
        '--out x.json exists already: pass --force to overwrite it'
    """


def flag_message(error: BaseException) -> str:
    """The message of a library error in the command line's words: parameters become flags (:data:`FLAGS`).

    Example:
        >>> flag_message(ParameterError("{num_layers}99, but 'x' has only 4 layers", parameter="num_layers"))
        "--num-layers 99, but 'x' has only 4 layers"
        >>> flag_message(ValueError("plain"))
        'plain'
    """
    if isinstance(error, (ParameterError, ModelLoadError)):
        return error.render(FLAGS)
    return str(error)


F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(function: F) -> F:
    """Turn every error of a command into a message on stderr and exit status 1 (no traceback)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            error_console().print("[red]interrupted[/red]")
            raise typer.Exit(130) from None
        except (CLIError, EvaluationInputError, SpecError, ParameterError, ModelLoadError) as error:
            fail(flag_message(error))
        except Exception as error:  # noqa: BLE001 - a CLI must not show a traceback for bad input
            if os.environ.get("KOREAN_REWARDS_DEBUG"):
                raise
            fail(f"{type(error).__name__}: {flag_message(error)} (set KOREAN_REWARDS_DEBUG=1 to see the traceback)")

    return wrapper  # type: ignore[return-value]


def reflow(doc: str | None) -> str:
    """A docstring as help text: the lines of each paragraph joined (the terminal wraps them), paragraphs kept.

    Example:
        >>> reflow("First line.\\n\\n    More text,\\n    on two lines.\\n")
        'First line.\\n\\nMore text, on two lines.'
    """
    paragraphs = re.split(r"\n\s*\n", (doc or "").strip())
    return "\n\n".join(" ".join(line.strip() for line in paragraph.splitlines()) for paragraph in paragraphs)


def command(function: F) -> F:
    """Register a command on :data:`app`: its docstring reflowed as the help (plain text, no rich markup), errors
    handled (:func:`handles_errors`).

    Example:
        >>> "evaluate" in [c.name or c.callback.__name__ for c in app.registered_commands]
        True
    """
    from rich.markup import escape  # the docstring is plain text: "the [serve] extra" is shown as written

    app.command(help=escape(reflow(function.__doc__)), cls=_Command)(handles_errors(function))
    return function


def flag(*names: str, help: str) -> Any:  # noqa: A002 - typer's own keyword
    """A boolean option shown as a plain flag in ``--help`` (no ``<bool>`` value column).

    Example:
        >>> flag("--json", help="Print JSON.").metavar
        ''
    """
    return typer.Option(*names, help=help, metavar="")


def file_argument(metavar: str, help: str) -> Any:  # noqa: A002 - typer's own keyword
    """The file a command reads, as a required positional argument.

    Example:
        >>> file_argument("FILE", help="Rows to score.").metavar
        'FILE'
    """
    return typer.Argument(metavar=metavar, help=help, show_default=False)


def fail(message: str) -> None:
    console = error_console()
    console.print(Text("error: ", style="bold red") + Text(message))
    raise typer.Exit(1)


def error_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def console() -> Console:
    return Console(highlight=False)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress]:
    """A rich progress display on stderr; disabled when stderr is not a terminal or output is JSON."""
    console = error_console()
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


def status(message: str, enabled: bool) -> Any:
    """A spinner with ``message`` on stderr while a model loads (nothing when not a terminal or for JSON output)."""
    console = error_console()
    return console.status(message) if enabled and console.is_terminal else nullcontext()


def display(path: Path | str) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def natural_width(output: Console, renderable: Any) -> int:
    """The narrowest ``renderable`` (e.g. a table) can be drawn without cutting or dropping a cell, whatever the
    terminal's width (rich's own measure stops at the terminal's width).

    Example:
        >>> from rich.table import Table
        >>> table = Table(); table.add_column("x" * 120, no_wrap=True)
        >>> natural_width(Console(width=80), table) > 80
        True
    """
    from rich.measure import Measurement

    return Measurement.get(output, output.options.update_width(100_000), renderable).minimum


def fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return f"{value:.{digits}f}"


def refuse_input_as_output(out: Path, inputs: Sequence[Path], flag: str = "--out") -> None:
    """``--out`` may not name a file the command reads, with or without --force."""
    target = out.resolve()
    for path in inputs:
        if path.resolve() == target:
            raise CLIError(
                f"{flag} {out} is one of the input files ({path}): choose another file name (--force never "
                "overwrites an input)"
            )


def refuse_existing_output(out: Path | None, inputs: Sequence[Path], force: bool) -> None:
    """``--out`` is never an input, and replaces an existing file only with ``--force``."""
    if out is None:
        return
    refuse_input_as_output(out, inputs)
    if out.exists() and not force:
        raise CLIError(f"{out} exists already: pass --force to overwrite it")


def quiet_transformers() -> None:
    """No transformers progress bars or info logs in the middle of our own output (this process only)."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()


def _version(value: bool) -> None:
    if value:
        print(f"korean-rewards {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, metavar="", help="Print the version and exit."),
    ] = False,
) -> None:
    """Korean GRPO rewards: evaluate 말평 prediction files, score completions, audit a reward mix before training,
    serve rewards over HTTP, run the offline demo."""


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
    from . import audit, demo, evaluate, score, serve  # noqa: F401 - each registers its command

    app(prog_name="korean-rewards")
