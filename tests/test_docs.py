"""The documentation site: it builds strictly, documents every public name, and its examples run.

- ``mkdocs build --strict`` succeeds (skipped, with the reason, only when mkdocs or its plugins are missing);
- every name in ``korean_rewards.__all__`` is named in the pages' text and has an API-reference entry
  (an mkdocstrings anchor) in the built site;
- every ``pycon`` code block in the pages runs as a doctest and prints what the page says;
- every page is in the navigation, and every ``examples/…`` / ``benchmarks/…`` file a page names exists;
- every ``korean-rewards <command>`` a page names is a real command.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import korean_rewards

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
PUBLIC = [name for name in korean_rewards.__all__ if name != "__version__"]
_PYCON = re.compile(r"^```pycon[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _page_id(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


def _docs_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in PAGES)


def test_docs_exist() -> None:
    assert (ROOT / "mkdocs.yml").is_file()
    assert (DOCS / "index.md").is_file()
    assert len(PAGES) >= 10


# -- the build ------------------------------------------------------------------------------------------------


def _missing_doc_tools() -> str | None:
    for module, package in [("mkdocs", "mkdocs"), ("material", "mkdocs-material"), ("mkdocstrings", "mkdocstrings[python]")]:
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install -e '.[docs]')"
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = _missing_doc_tools()
    if missing:
        pytest.skip(missing)
    site_dir = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return site_dir


def _built_page(site: Path, page: Path) -> Path:
    relative = page.relative_to(DOCS).with_suffix("")
    folder = relative.parent if relative.name == "index" else relative
    return site / folder / "index.html"


def test_mkdocs_build_strict(site: Path) -> None:
    missing = [_page_id(page) for page in PAGES if not _built_page(site, page).is_file()]
    assert not missing, f"pages not built: {missing}"


def test_every_public_name_has_an_api_entry(site: Path) -> None:
    anchors = set()
    for html in site.rglob("*.html"):
        anchors.update(re.findall(r'id="(korean_rewards\.[\w.]+)"', html.read_text(encoding="utf-8")))
    exports = korean_rewards._EXPORTS  # public name -> module, without importing the modules
    missing = [name for name in PUBLIC if f"korean_rewards.{exports[name]}.{name}" not in anchors]
    assert not missing, f"no API reference entry (mkdocstrings '::: korean_rewards.<module>') for {missing}"


# -- the text -------------------------------------------------------------------------------------------------


def test_every_public_name_is_named_in_the_pages() -> None:
    text = _docs_text()
    missing = [name for name in korean_rewards.__all__ if not re.search(rf"(?<!\w){re.escape(name)}\b", text)]
    assert not missing, f"public names never mentioned in docs/: {missing}"


def test_every_page_is_in_the_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [_page_id(page) for page in PAGES if _page_id(page) not in config]
    assert not missing, f"pages missing from mkdocs.yml nav: {missing}"


def test_named_files_exist() -> None:
    named = set(re.findall(r"\b((?:examples|benchmarks)/[\w./-]+\.(?:py|txt|json|jsonl))\b", _docs_text()))
    assert named, "the pages should point at the example and benchmark scripts"
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert not missing, f"docs name files that do not exist: {missing}"


def test_named_cli_commands_exist() -> None:
    pytest.importorskip("typer")
    from korean_rewards.cli import app

    commands = {command.name or command.callback.__name__ for command in app.registered_commands}
    named = set(re.findall(r"korean-rewards (\w+)", _docs_text()))
    unknown = sorted(name for name in named if name not in commands)
    assert not unknown, f"docs name commands the CLI does not have: {unknown} (it has {sorted(commands)})"
    assert {"demo", "evaluate", "score"} <= commands


# -- the examples ---------------------------------------------------------------------------------------------

_EXAMPLE_PAGES = [page for page in PAGES if _PYCON.search(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", _EXAMPLE_PAGES, ids=_page_id)
def test_page_examples_run(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict[str, object] = {}  # shared by the page's blocks, like a reader's session
    reports: list[str] = []
    for match in _PYCON.finditer(text):
        lineno = text.count("\n", 0, match.start(1))
        test = parser.get_doctest(match.group(1), globs, _page_id(page), str(page), lineno)
        runner.run(test, out=reports.append, clear_globs=False)
        globs = test.globs  # the DocTest ran on a copy; the next block continues from it
    assert runner.failures == 0, f"examples in docs/{_page_id(page)} failed:\n" + "".join(reports)
    assert runner.tries > 0


def test_griffe_extension_restyles_docstrings() -> None:
    pytest.importorskip("griffe", reason="the docs extension needs griffe (mkdocstrings[python])")
    spec = importlib.util.spec_from_file_location("docstring_style", DOCS / "_griffe" / "docstring_style.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert doctest.testmod(module).failed == 0
    text = "Split it.\n\n    Example:\n        >>> f(x[0])\n\nSee :class:`~korean_rewards.tags.Tags` and :func:`combine`."
    assert module.restyle(text) == "Split it.\n\n    Examples:\n        >>> f(x[0])\n\nSee `Tags` and `combine`."
    assert module.restyle("For example: this stays.") == "For example: this stays."
