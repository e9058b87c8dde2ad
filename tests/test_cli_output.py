"""What the CLI prints in an 80-column terminal (a pipe or a notebook): help, tables, notes, missing extras."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import korean_rewards.cli
from korean_rewards.cli import app

DATA = Path(__file__).parent / "data"
LABELS = DATA / "cli_dev_labels.json"
EPOCH2 = DATA / "cli_pred_epoch2.json"
COMMANDS = ("evaluate", "score", "audit", "serve", "demo")
runner = CliRunner()


def invoke(*args: object, columns: int = 80):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns), "NO_COLOR": "1"})


def assert_fits(text: str, columns: int = 80) -> None:
    for line in text.splitlines():
        assert cell_len(line) <= columns, line


# -- help ------------------------------------------------------------------------------------------------------------
def test_top_level_help_and_module_docstring_list_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    listed = [name for name in COMMANDS if re.search(rf"│ {name}\s", result.stdout)]
    assert listed == list(COMMANDS)
    registered = [command.callback.__name__ for command in app.registered_commands]
    assert sorted(registered) == sorted(COMMANDS)
    for name in registered:
        assert f"korean-rewards {name}" in korean_rewards.cli.__doc__


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_hard_breaks_and_flags_take_no_value(command: str) -> None:
    info = next(c for c in app.registered_commands if c.callback.__name__ == command)
    for paragraph in info.help.split("\n\n"):  # the terminal wraps paragraphs; the text never breaks one itself
        assert "\n" not in paragraph, paragraph
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    assert_fits(result.stdout)
    for flag in ("--json", "--force", "--no-bertscore", "--combine", "--items", "--verbose"):
        for line in result.stdout.splitlines():
            if re.search(rf"{flag}\b(?!-)", line) and line.lstrip("│ ").startswith(flag):
                assert not re.search(rf"{flag}\s+(-\w\s+)?<", line), line  # shown as a flag, no value type


# -- demo --------------------------------------------------------------------------------------------------------------
def _tables(text: str) -> list[list[str]]:
    """The demo's tables as lists of lines: from a title to the legend under it."""
    tables, current = [], None
    for line in text.splitlines():
        if line.startswith(("Korean math", "말평-style")):
            current = [line]
            tables.append(current)
        elif current is not None:
            current.append(line)
            if " = no score (None)" in line:
                current = None
    return tables


@pytest.mark.parametrize("columns", [80, 60, 120])
def test_demo_fits_and_never_drops_a_column(columns: int) -> None:
    result = invoke("demo", columns=columns)
    assert result.exit_code == 0, result.output
    assert_fits(result.stdout, columns)
    shown: set[str] = set()
    for table in _tables(result.stdout):
        text = "\n".join(table)
        header = next(line for line in table if line.lstrip().startswith("#"))
        legend = " ".join(text.split("\n\n")[-1].split())  # the legend may wrap
        pairs = dict(re.findall(r"(\S+) = ([a-z0-9]+_[a-z0-9_]+)", legend))
        headings = header.split()[2:]
        assert headings == list(pairs), (headings, legend)  # every column has a legend entry and vice versa
        shown.update(pairs.values())
        rows = [line for line in table if re.match(r"^\s+\d+\s", line)]
        body = table[table.index(header) + 2 : table.index(next(line for line in table if line.lstrip().startswith("mean")))]
        continuation = [line for line in body if line.strip() and not re.match(r"^\s+\d+\s", line)]
        assert len(continuation) <= len(rows)  # no sample name over more than two lines
    from korean_rewards.cli import RULE_BASED_REWARDS

    assert set(RULE_BASED_REWARDS) <= shown  # every rule-based reward got a column somewhere


# -- evaluate ----------------------------------------------------------------------------------------------------------
def test_evaluate_keeps_file_names_whole_at_80_columns(tmp_path: Path) -> None:
    folder = tmp_path / "a_rather_long_folder_name_for_checkpoints"
    folder.mkdir()
    names = [f"inference_predictions_checkpoint_epoch_number_{n}.json" for n in (1, 2, 10)]
    for name in names:
        shutil.copy(EPOCH2, folder / name)
    result = invoke("evaluate", folder, "--labels", LABELS, "--no-bertscore")
    assert result.exit_code == 0, result.output
    assert_fits(result.stdout)
    for name in names:
        assert name in result.stdout  # whole, on one line
    short = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", columns=200)
    assert "cli_pred_epoch2.json" in short.stdout and "[1]" not in short.stdout  # numbered only when needed


def test_the_bleurt_note_is_short_unless_verbose() -> None:
    quiet = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore")
    verbose = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--verbose")
    assert quiet.exit_code == verbose.exit_code == 0
    note = quiet.stdout[quiet.stdout.index("note: BLEURT") :].split("note:")[1]
    assert len(note.strip().splitlines()) <= 3 and "--verbose" in note
    assert "pip install 'korean-rewards[bleurt]'" in verbose.stdout
    assert "pip install 'korean-rewards[bleurt]'" not in quiet.stdout
    as_json = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--json")
    assert any("pip install 'korean-rewards[bleurt]'" in note for note in __import__("json").loads(as_json.stdout)["notes"])


# -- missing extras name the extra -------------------------------------------------------------------------------------
def test_missing_sentencepiece_names_the_bleurt_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from korean_rewards.testing import save_tiny_bleurt

    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # as if not installed
    with pytest.raises(ImportError, match=re.escape("pip install -e '.[bleurt]'")):
        save_tiny_bleurt(tmp_path)
    result = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-model", tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "pip install -e '.[bleurt]'" in result.output
