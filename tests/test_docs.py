"""The documentation site: it builds strictly, documents every public name, and its examples run.

- ``zensical build --strict`` succeeds (skipped, with the reason, only when zensical or mkdocstrings are missing);
- every name in ``korean_rewards.__all__`` is named in the pages' text and has an API-reference entry
  (an mkdocstrings anchor) in the built site;
- every ``pycon`` code block in the pages runs as a doctest and prints what the page says;
- every ``python`` block in the README and the pages that calls ``trainer.train()`` trains on a CPU as written, with
  a tiny random model in place of the real one (see ``test_training_snippet_runs_on_cpu`` for the exact stand-ins);
- every public module (walked with ``pkgutil``; private means a name part starting with ``_``) has an API page:
  a ``::: korean_rewards.<module>`` line in docs/;
- every page is in the navigation, and every ``examples/…`` / ``benchmarks/…`` file a page names exists;
- every ``korean-rewards <command>`` a page names is a real command;
- docs/cli.md's reference blocks are what ``scripts/gen_cli_docs.py`` writes from the command tree today (so the
  page cannot drift from ``--help``), every command has one, the built page shows every option's help text as
  written, and the home page lists every command.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
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
    for module, package in [("zensical", "zensical"), ("mkdocstrings", "mkdocstrings"), ("griffe", "mkdocstrings-python")]:
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install -e '.[docs]')"
    return None


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """The site built with Zensical in strict mode (broken links, anchors and API references fail the build).

    Zensical writes only inside the project folder, so the site goes to a fresh folder under the ignored
    ``site/`` (``KR_SITE_DIR``, read by mkdocs.yml), removed afterwards.
    """
    missing = _missing_doc_tools()
    if missing:
        pytest.skip(missing)
    (ROOT / "site").mkdir(exist_ok=True)
    site_dir = Path(tempfile.mkdtemp(prefix="test-", dir=ROOT / "site"))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "zensical", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "KR_SITE_DIR": str(site_dir.relative_to(ROOT)), "NO_COLOR": "1"},
        )
        assert result.returncode == 0, f"zensical build --strict failed:\n{result.stdout}\n{result.stderr}"
        yield site_dir
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)


def _built_page(site: Path, page: Path) -> Path:
    relative = page.relative_to(DOCS).with_suffix("")
    folder = relative.parent if relative.name == "index" else relative
    return site / folder / "index.html"


def test_site_builds_strict(site: Path) -> None:
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


def test_changelog_is_on_the_site() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert f"## [{korean_rewards.__version__}]" in changelog, "the current version needs its CHANGELOG.md section"
    assert '--8<-- "CHANGELOG.md"' in (DOCS / "changelog.md").read_text(encoding="utf-8")


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


# -- the command-line reference ----------------------------------------------------------------------------------


def _gen_cli_docs():
    pytest.importorskip("typer")
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands() -> list[str]:
    pytest.importorskip("typer")
    from korean_rewards.cli import app

    return [command.name or command.callback.__name__ for command in app.registered_commands]


def test_cli_page_is_generated_from_the_command_tree() -> None:
    generator = _gen_cli_docs()
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    fresh = generator.update(page)  # raises when a command has no block
    assert fresh == page, "docs/cli.md is out of date with the commands: run python scripts/gen_cli_docs.py"
    assert sorted(generator.blocks()) == sorted([*_commands(), "korean-rewards"])
    assert doctest.testmod(generator).failed == 0


def test_cli_generator_refuses_a_page_without_a_block_per_command() -> None:
    generator = _gen_cli_docs()
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    without_serve = re.sub(r"<!-- cli-help serve -->.*?<!-- /cli-help -->", "", page, flags=re.DOTALL)
    with pytest.raises(ValueError, match="serve"):
        generator.update(without_serve)
    changed = page.replace("Print the report as JSON on stdout.", "An outdated help text.", 1)
    assert changed != page and generator.update(changed) == page


def test_cli_reference_shows_every_option_as_the_help_says(site: Path) -> None:
    """Escaping is right: the built page's text holds every help text, usage line and default exactly."""
    import html

    generator = _gen_cli_docs()
    built = _built_page(site, DOCS / "cli.md").read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", built)).split())
    group = generator.command_tree()
    root = generator._context(group, "korean-rewards")
    for name in group.list_commands(root):
        command = group.get_command(root, name)
        ctx = generator._context(command, name, root)
        assert generator._usage(command, ctx) in text
        for param in command.get_params(ctx):
            if not param.hidden:
                assert " ".join(generator.plain(param.help).split()) in text, (name, param.name)
    assert "Needs the [serve] extra." in text  # not swallowed as rich markup


def test_home_page_and_help_list_every_command() -> None:
    from typer.testing import CliRunner

    from korean_rewards.cli import app

    home = next(line for line in (DOCS / "index.md").read_text(encoding="utf-8").splitlines() if "(cli.md)" in line)
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    for name in _commands():
        assert re.search(rf"\b{name}\b", home), f"docs/index.md's command-line line does not list {name}"
        assert re.search(rf"^│ {name}\s", result.stdout, re.MULTILINE), f"--help does not list {name}"


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


# -- the training snippets ------------------------------------------------------------------------------------

_PYTHON = re.compile(r"^```python[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
_TRAINING_PAGES = [ROOT / "README.md", *PAGES]


def _training_snippets() -> list[tuple[str, str]]:
    """(id, code) of every ``python`` block that calls ``trainer.train()``: the ones a reader copies to train."""
    snippets = []
    for page in _TRAINING_PAGES:
        name = page.relative_to(ROOT).as_posix()
        for index, match in enumerate(_PYTHON.finditer(page.read_text(encoding="utf-8"))):
            if "trainer.train()" in match.group(1):
                snippets.append((f"{name}#{index}", match.group(1)))
    return snippets


_SNIPPETS = _training_snippets()

# What the test changes in a training snippet, and nothing else (so the snippet's device, dtype and reward lines
# run exactly as a reader copies them):
# - GRPOConfig(...): these keywords are set (added, or replacing the snippet's value), to make one short step
#   that writes nothing outside a temporary folder;
_SHORT_RUN = {
    "max_steps": 1,
    "max_completion_length": 8,
    "logging_steps": 1,
    "save_strategy": "no",
    "report_to": "none",
    "disable_tqdm": True,
}
# - GRPOTrainer(model="<hub id>"): the hub id becomes the folder of a tiny random Qwen3 (save_tiny_qwen3);
# - names a snippet uses without defining them (the README's `model`, `tokenizer`, `dataset`) are a tiny random
#   Qwen3, its chat tokenizer (korean_rewards.testing) and four Korean math rows with `prompt` and `answer`.


class _TinyRun(ast.NodeTransformer):
    def __init__(self, output_dir: str, model_path: str) -> None:
        self.output_dir = output_dir
        self.model_path = model_path
        self.configs = 0

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name == "GRPOConfig":
            self.configs += 1
            forced = {**_SHORT_RUN, "output_dir": self.output_dir}
            node.keywords = [kw for kw in node.keywords if kw.arg not in forced]
            node.keywords += [ast.keyword(arg=key, value=ast.Constant(value)) for key, value in forced.items()]
        if name == "GRPOTrainer":
            for keyword in node.keywords:
                if keyword.arg == "model" and isinstance(keyword.value, ast.Constant):
                    keyword.value = ast.Constant(self.model_path)
        return node


def _stand_ins() -> dict[str, object]:
    from datasets import Dataset

    from korean_rewards.testing import build_chat_tokenizer, build_tiny_qwen3

    tokenizer = build_chat_tokenizer()
    rows = [("스물다섯에 열일곱을 더하면?", "42"), ("사과 3개와 배 5개는 모두 몇 개?", "8"),
            ("삼백오십에서 오십을 빼면?", "300"), ("7 곱하기 6은?", "42")]
    return {
        "tokenizer": tokenizer,
        "model": build_tiny_qwen3(tokenizer),
        "dataset": Dataset.from_list([{"prompt": question, "answer": answer} for question, answer in rows]),
    }


def test_training_snippets_are_found() -> None:
    pages = {snippet_id.split("#")[0] for snippet_id, _ in _SNIPPETS}
    assert {"README.md", "docs/quickstart.md"} <= pages, f"training snippets found only in {sorted(pages)}"


@pytest.mark.trainer
@pytest.mark.slow
@pytest.mark.parametrize(("snippet_id", "code"), _SNIPPETS, ids=[snippet_id for snippet_id, _ in _SNIPPETS])
def test_training_snippet_runs_on_cpu(snippet_id: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("trl")
    pytest.importorskip("datasets")
    import torch

    from korean_rewards.testing import save_tiny_qwen3

    monkeypatch.chdir(tmp_path)  # a snippet's relative paths land here
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # a CPU run, as on a machine without a GPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    transform = _TinyRun(str(tmp_path / "outputs"), save_tiny_qwen3(tmp_path / "tiny-qwen3"))
    tree = ast.fix_missing_locations(transform.visit(ast.parse(code)))
    assert transform.configs == 1, f"{snippet_id}: expected one GRPOConfig(...) call, found {transform.configs}"
    namespace: dict[str, object] = {"__name__": "__snippet__", **_stand_ins()}
    exec(compile(tree, snippet_id, "exec"), namespace)

    trainer = namespace["trainer"]
    assert trainer.state.global_step == 1
    assert trainer.args.use_cpu or not trainer.args.bf16, "the snippet must not ask for bf16 on a CPU"
    logged = {key for entry in trainer.state.log_history for key in entry}
    for reward in trainer.reward_funcs:
        assert f"rewards/{reward.__name__}/mean" in logged, f"{snippet_id}: {reward.__name__} was not logged: {sorted(logged)}"


# -- the API pages --------------------------------------------------------------------------------------------


def _public_modules() -> list[str]:
    """Every module and subpackage of korean_rewards without a ``_`` name part (the package's own top-level names
    are checked name by name in ``test_every_public_name_has_an_api_entry``)."""
    names = []
    for module in pkgutil.walk_packages(korean_rewards.__path__, prefix="korean_rewards."):
        if not any(part.startswith("_") for part in module.name.split(".")):
            names.append(module.name)
    return sorted(names)


def test_every_public_module_has_an_api_page() -> None:
    documented = set(re.findall(r"^::: (korean_rewards(?:\.\w+)*)\s*$", _docs_text(), re.MULTILINE))
    modules = _public_modules()
    assert "korean_rewards.evaluation" in modules
    missing = [name for name in modules if name not in documented]
    assert not missing, (
        f"public modules without an API page: {missing}; add a '::: <module>' line to a page under docs/api/ "
        "(and the page to mkdocs.yml's nav), or make the module private (a leading underscore)"
    )
