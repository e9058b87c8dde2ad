#!/usr/bin/env python3
"""Check that ``examples/requirements-t4.txt`` still resolves to the versions ``docs/training.md`` states.

The docs' table of the T4 recipe (between the ``t4-recipe-versions`` markers in ``docs/training.md``) is the one
place the expected versions are written; this script and ``tests/test_examples.py`` read it from there::

    python scripts/t4_recipe.py                  # the resolution check (CI runs it as the `t4-recipe` step)
    python scripts/t4_recipe.py --import-check   # on demand, not in CI: install the recipe and import it

The resolution check runs ``pip install --dry-run --ignore-installed --report`` on the recipe without its
project line (``-e .[rouge]``) for the running interpreter, compares the resolved versions of the packages in the
table with the table and prints both. It fails when they differ, e.g. when a new upstream release moves the
resolution (then re-check the recipe and update the table), or when the recipe no longer resolves at all.
It reads only metadata: pip takes each wheel's metadata from the index (PEP 658) or, where the index does not
offer it, with HTTP range requests (``--use-feature=fast-deps``), so the CUDA wheels (torch alone is 900 MB)
are not downloaded. On 2026-12-07, with pip 26.3, it took 35-50 s and about 150 MB, against 5.4 GB of full
wheels without ``fast-deps`` on an index that does not announce PEP 658 metadata (pip 23.2.1 took 186 s).

``--import-check`` installs the same set into a throwaway venv (several GB of CUDA wheels) and imports
``transformers.modeling_utils``, ``peft.get_peft_model``, ``trl.GRPOTrainer`` and ``vllm.SamplingParams``
there; ``import unsloth`` itself needs a GPU, so it is not part of it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "examples" / "requirements-t4.txt"
DOCS = ROOT / "docs" / "training.md"
TABLE_START = "<!-- t4-recipe-versions -->"
TABLE_END = "<!-- /t4-recipe-versions -->"
RESOLVE_TIMEOUT = 900  # seconds; a resolution that backtracks for longer than this is a failure in itself
IMPORTS = (
    "import transformers.modeling_utils",
    "from peft import get_peft_model",
    "from trl import GRPOConfig, GRPOTrainer",
    "from vllm import SamplingParams",
)


def canonical(name: str) -> str:
    """A distribution name in its PEP 503 form, so ``unsloth_zoo`` and ``Unsloth-Zoo`` compare equal.

    Example:
        >>> canonical("Unsloth_Zoo")
        'unsloth-zoo'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def documented_versions(docs: Path = DOCS) -> dict[str, str]:
    """``{package: version}`` from the first two columns of the table between the markers in ``docs``."""
    text = docs.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"{docs}: no table between {TABLE_START} and {TABLE_END}")
    versions: dict[str, str] = {}
    for line in text[start + len(TABLE_START) : end].splitlines():
        cells = [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.fullmatch(r"\d[\w.+!-]*", cells[1]):
            continue  # the header, the separator row or a blank line
        versions[canonical(cells[0])] = cells[1]
    if not versions:
        raise ValueError(f"{docs}: the table between {TABLE_START} and {TABLE_END} lists no package")
    return versions


def recipe_requirements(recipe: Path = RECIPE) -> list[str]:
    """The recipe's requirement lines without comments and without the project line (``-e .[rouge]``)."""
    lines = []
    for raw in recipe.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#") or line.startswith(("-e", ".")):
            continue
        lines.append(line)
    return lines


def resolve(requirements: list[str], python: str = sys.executable) -> tuple[dict[str, str], float]:
    """``({package: version}, seconds)`` of what ``pip install`` would install for ``requirements`` (metadata only).

    Raises ``RuntimeError`` with pip's output when the set does not resolve.
    """
    with tempfile.TemporaryDirectory(prefix="t4-recipe-") as tmp:
        requirements_file = Path(tmp) / "requirements.txt"
        requirements_file.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        report = Path(tmp) / "report.json"
        command = [
            python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
            "--use-feature=fast-deps", "--report", str(report), "-r", str(requirements_file),
        ]
        started = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=RESOLVE_TIMEOUT)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"pip did not resolve the recipe in {RESOLVE_TIMEOUT} s (backtracking?)") from error
        seconds = time.perf_counter() - started
        if done.returncode != 0 or not report.is_file():
            output = "\n".join(line for line in (done.stdout + done.stderr).splitlines() if "is ignored" not in line)
            raise RuntimeError(f"pip could not resolve the recipe (exit {done.returncode}):\n{output[-4000:]}")
        installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {canonical(item["metadata"]["name"]): item["metadata"]["version"] for item in installed}, seconds


def compare(documented: dict[str, str], resolved: dict[str, str]) -> list[tuple[str, str, str, bool]]:
    """``(package, documented, resolved, same)`` for each documented package, in the table's order.

    Example:
        >>> compare({"torch": "2.9.0", "peft": "0.21.2"}, {"torch": "2.9.0", "peft": "0.22.0"})
        [('torch', '2.9.0', '2.9.0', True), ('peft', '0.21.2', '0.22.0', False)]
    """
    rows = []
    for package, version in documented.items():
        found = resolved.get(package, "(not installed)")
        rows.append((package, version, found, found == version))
    return rows


def format_rows(rows: list[tuple[str, str, str, bool]]) -> str:
    """The comparison as a plain-text table.

    Example:
        >>> print(format_rows([("torch", "2.9.0", "2.9.0", True)]))
        package       docs        resolved    
        torch         2.9.0       2.9.0       ok
    """
    lines = [f"{'package':<13} {'docs':<11} {'resolved':<12}"]
    lines += [f"{package:<13} {want:<11} {got:<12} {'ok' if same else 'DIFFERENT'}" for package, want, got, same in rows]
    return "\n".join(lines)


def pip_version(python: str = sys.executable) -> str:
    """The version of the pip that resolves (older pips are slower at ``fast-deps``: pip 23.2.1 took 186 s here)."""
    done = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, text=True)
    words = done.stdout.split()
    return words[1] if len(words) > 1 and words[0] == "pip" else "unknown"


def check_resolution(python: str = sys.executable) -> tuple[list[tuple[str, str, str, bool]], float]:
    """Resolve the recipe and compare it with the docs: ``(rows, seconds)``; raises ``RuntimeError`` if it fails."""
    documented = documented_versions()
    resolved, seconds = resolve(recipe_requirements(), python)
    return compare(documented, resolved), seconds


def import_check(python: str = sys.executable) -> int:
    """Install the recipe (without the project) into a throwaway venv and import the libraries the example uses."""
    with tempfile.TemporaryDirectory(prefix="t4-recipe-venv-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.check_call([python, "-m", "venv", str(venv)])
        venv_python = str(venv / "bin" / "python")
        requirements_file = Path(tmp) / "requirements.txt"
        requirements_file.write_text("\n".join(recipe_requirements()) + "\n", encoding="utf-8")
        subprocess.check_call([venv_python, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        subprocess.check_call([venv_python, "-m", "pip", "install", "-q", "-r", str(requirements_file)])
        code = "\n".join(IMPORTS) + (
            "\nimport importlib.metadata as m"
            f"\nfor name in {list(documented_versions())!r}: print(name, m.version(name))"
            "\nprint('imports ok')"
        )
        return subprocess.call([venv_python, "-c", code])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--import-check", action="store_true", help="install the recipe in a throwaway venv and import it")
    args = parser.parse_args(argv)
    if args.import_check:
        return import_check()
    try:
        rows, seconds = check_resolution()
    except (RuntimeError, ValueError, OSError) as error:
        print(f"t4-recipe: {error}", file=sys.stderr)
        return 1
    print(format_rows(rows))
    print(f"resolved {RECIPE.relative_to(ROOT)} for Python {sys.version_info.major}.{sys.version_info.minor} "
          f"with pip {pip_version()} in {seconds:.0f} s")
    different = [row for row in rows if not row[3]]
    if different:
        print(f"t4-recipe: the recipe now resolves differently from the table in {DOCS.relative_to(ROOT)}; check the "
              "new versions (imports on the T4's torch, Unsloth's caps) and update the table and the recipe's notes",
              file=sys.stderr)
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
