"""The korean-rewards command: evaluate, score, demo; clear errors and no tracebacks on bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from korean_rewards.cli import REWARD_NAMES, app

from test_evaluation import EPOCH1, EPOCH2, EPOCH10, LABELS, char_jaccard, official_numbers

DATA = Path(__file__).parent / "data"
ROWS = DATA / "cli_score_rows.jsonl"

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def fails_cleanly(result, *fragments: str) -> None:
    """Non-zero exit, a message containing every fragment, and no traceback anywhere."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


@pytest.fixture
def bleurt_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A pluggable BLEURT stand-in (char Jaccard), importable as cli_bleurt_plugin:score."""
    (tmp_path / "cli_bleurt_plugin.py").write_text(
        "def score(candidates, references):\n"
        "    return [len(set(c) & set(r)) / len(set(c) | set(r)) for c, r in zip(candidates, references)]\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "cli_bleurt_plugin:score"


# --------------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------------
def test_evaluate_table_and_best_file() -> None:
    result = invoke("evaluate", EPOCH1, EPOCH2, EPOCH10, "--labels", LABELS, "--no-bertscore")
    assert result.exit_code == 0, result.output
    assert "cli_pred_epoch1.json" in result.stdout and "cli_pred_epoch10.jsonl" in result.stdout
    assert "best:" in result.stdout and "cli_pred_epoch2.json" in result.stdout.split("best:")[1]
    assert "BLEURT not computed" in result.stdout  # says why, and that it is not installable here
    assert "not installable" in result.stdout


def test_evaluate_json_schema_on_a_folder(tmp_path: Path) -> None:
    for path in (EPOCH10, EPOCH2, EPOCH1):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(LABELS, tmp_path / LABELS.name)  # the labels in the same folder are not a prediction file
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    result = invoke("evaluate", tmp_path, "--labels", tmp_path / LABELS.name, "--no-bertscore", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema"] == "korean-rewards.evaluate/1"
    assert report["scale"] == "0-100" and report["n_labels"] == 8
    assert report["bertscore"] is None and report["bleurt"] is None
    assert [Path(f["source"]).name for f in report["files"]] == [
        "cli_pred_epoch1.json", "cli_pred_epoch2.json", "cli_pred_epoch10.jsonl",
    ]
    keys = {"source", "n_items", "n_correct", "n_reason_items", "exact_match", "rouge1", "bertscore", "bleurt",
            "descriptive_avg", "final", "final_rule", "by_type"}
    for entry in report["files"]:
        assert set(entry) == keys
        assert isinstance(entry["exact_match"], float) and 0 <= entry["exact_match"] <= 100
        assert entry["bertscore"] is None
        assert entry["final"] is None and entry["final_rule"] is None  # no final score without BERTScore
    best = max(report["files"], key=lambda f: f["exact_match"])
    assert report["best"] == {"source": best["source"], "metric": "exact_match", "value": best["exact_match"]}
    assert Path(best["source"]).name == "cli_pred_epoch2.json"
    assert report["notes"] and all(isinstance(n, str) for n in report["notes"])


def test_evaluate_json_with_items() -> None:
    result = invoke("evaluate", EPOCH1, "--labels", LABELS, "--no-bertscore", "--json", "--items")
    items = json.loads(result.stdout)["files"][0]["items"]
    assert [i["id"] for i in items] == [str(n) for n in range(101, 109)]
    assert {i["id"] for i in items if not i["scored"]} == {"104", "105"}


@pytest.mark.parametrize("path", [EPOCH1, EPOCH2, EPOCH10])
def test_evaluate_matches_the_official_formula(path: Path, tiny_bert_path: str, bleurt_plugin: str) -> None:
    bert_score = pytest.importorskip("bert_score")
    result = invoke(
        "evaluate", path, "--labels", LABELS, "--bertscore-model", tiny_bert_path, "--num-layers", "2",
        "--bleurt-function", bleurt_plugin, "--json",
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)["files"][0]

    expected = official_numbers(path, LABELS, scorer=char_jaccard)  # EM, ROUGE-1 and BLEURT stand-in
    from test_evaluation import _load_any, official_split

    preds = {str(r["id"]): r["output"]["answer"] for r in _load_any(path)}
    pairs = [(official_split(preds[str(r["id"])])[1], official_split(r["output"]["answer"])[1]) for r in _load_any(LABELS)]
    pairs = [(p, g) for p, g in pairs if p and g]
    _, _, f1 = bert_score.score([p for p, _ in pairs], [g for _, g in pairs], model_type=tiny_bert_path, num_layers=2)
    bert = 100 * float(f1.mean())

    assert got["exact_match"] == pytest.approx(expected["exact_match"], abs=1e-12)
    assert got["n_reason_items"] == expected["n"]
    assert got["rouge1"] == pytest.approx(expected["rouge1"], abs=1e-9)
    assert got["bertscore"] == pytest.approx(bert, abs=1e-4)
    assert got["bleurt"] == pytest.approx(expected["scorer"], abs=1e-9)
    descriptive = (expected["rouge1"] + bert + expected["scorer"]) / 3
    assert got["descriptive_avg"] == pytest.approx(descriptive, abs=1e-4)
    assert got["final"] == pytest.approx((expected["exact_match"] + descriptive) / 2, abs=1e-4)
    assert got["final_rule"] == "official"


def test_evaluate_out_is_atomic_and_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    first = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--out", out)
    assert first.exit_code == 0, first.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["files"][0]["n_items"] == 8
    out.write_text("keep me", encoding="utf-8")
    again = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--out", out)
    fails_cleanly(again, "exists already", "--force")
    assert out.read_text(encoding="utf-8") == "keep me"
    forced = invoke("evaluate", EPOCH1, "--labels", LABELS, "--no-bertscore", "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads(out.read_text(encoding="utf-8"))["files"][0]["source"].endswith("cli_pred_epoch1.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temporary file left


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_evaluate_bad_inputs(tmp_path: Path) -> None:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    preds = json.loads(EPOCH2.read_text(encoding="utf-8"))

    fails_cleanly(invoke("evaluate", tmp_path / "nope.json", "--labels", LABELS, "--no-bertscore"), "nope.json", "no such file")
    fails_cleanly(invoke("evaluate", EPOCH1, "--labels", tmp_path / "gold.json", "--no-bertscore"), "gold.json", "no such file")

    bad_json = _write(tmp_path / "bad.json", json.dumps(preds, ensure_ascii=False, indent=2).replace('"102"', '"102",,', 1))
    fails_cleanly(invoke("evaluate", bad_json, "--labels", LABELS, "--no-bertscore"), "invalid JSON in", "bad.json", "line ")

    cp949 = _write(tmp_path / "cp949.json", json.dumps(preds, ensure_ascii=False).encode("cp949"))
    fails_cleanly(invoke("evaluate", cp949, "--labels", LABELS, "--no-bertscore"), "cp949.json", "CP949/EUC-KR")

    fewer = _write(tmp_path / "fewer.json", json.dumps(preds[:-2], ensure_ascii=False))
    fails_cleanly(invoke("evaluate", fewer, "--labels", LABELS, "--no-bertscore"), "6 predictions, 8 labels", '"107", "108"')

    renamed = [dict(p, id="999") if p["id"] == "103" else p for p in preds]
    other = _write(tmp_path / "other.json", json.dumps(renamed, ensure_ascii=False))
    fails_cleanly(invoke("evaluate", other, "--labels", LABELS, "--no-bertscore"), 'missing predictions for ids "103"', '"999"')

    no_answer = _write(tmp_path / "no_answer.json", json.dumps([{"id": "101", "output": {}}] + preds[1:], ensure_ascii=False))
    fails_cleanly(invoke("evaluate", no_answer, "--labels", LABELS, "--no-bertscore"), "no_answer.json", '"output"."answer"')

    no_id = _write(tmp_path / "no_id.json", json.dumps([{"output": {"answer": "x"}}], ensure_ascii=False))
    fails_cleanly(invoke("evaluate", no_id, "--labels", LABELS, "--no-bertscore"), 'item 1 has no "id"')

    bad_labels = _write(tmp_path / "labels.json", json.dumps([dict(labels[0], output={"answer": ""})] + labels[1:], ensure_ascii=False))
    fails_cleanly(invoke("evaluate", EPOCH2, "--labels", bad_labels, "--no-bertscore"), "labels.json", "empty")

    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    fails_cleanly(invoke("evaluate", empty_folder, "--labels", LABELS, "--no-bertscore"), "no prediction files")
    fails_cleanly(invoke("evaluate", EPOCH2, "--labels", empty_folder, "--no-bertscore"), "is a folder")

    fails_cleanly(
        invoke("evaluate", EPOCH2, "--labels", LABELS, "--bertscore-model", tmp_path / "no-model"),
        "cannot load the BERTScore model", "--no-bertscore",
    )
    fails_cleanly(
        invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-function", "no_such_mod_x:score"),
        "cannot import no_such_mod_x:score",
    )
    fails_cleanly(
        invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-checkpoint", "BLEURT-20"),
        "bleurt", "not installable",
    )


def test_usage_errors_exit_2_without_traceback() -> None:
    result = invoke("evaluate", EPOCH2)  # no --labels
    assert result.exit_code == 2 and "Traceback" not in result.output and "--labels" in result.output
    assert invoke("frobnicate").exit_code == 2


# --------------------------------------------------------------------------------------------------
# score
# --------------------------------------------------------------------------------------------------
def test_score_means_and_per_row_output(tmp_path: Path) -> None:
    out = tmp_path / "scores.jsonl"
    result = invoke("score", ROWS, "--reward", "check_numbers_ko", "--reward", "match_format_exactly", "--out", out)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    inputs = [json.loads(line) for line in ROWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [r["row"] for r in rows] == list(range(1, len(inputs) + 1))
    assert [r["id"] for r in rows] == [r["id"] for r in inputs]
    from korean_rewards import check_numbers_ko, match_format_exactly

    for row, source in zip(rows, inputs):
        assert row["check_numbers_ko"] == check_numbers_ko.score(source["completion"], source["answer"])
        assert row["match_format_exactly"] == match_format_exactly.score(source["completion"])
    mean = sum(r["check_numbers_ko"] for r in rows) / len(rows)
    assert f"{mean:.4f}" in result.stdout
    again = invoke("score", ROWS, "--reward", "check_numbers_ko", "--out", out)
    fails_cleanly(again, "exists already", "--force")


def test_score_json_and_configured_rewards() -> None:
    result = invoke("score", ROWS, "-r", "check_numbers_ko(rel_tol=0.5)", "-r", "CheckAnswerKo()", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n_rows"] == 6
    names = list(report["rewards"])
    assert names[0].startswith("check_numbers_ko(rel_tol=0.5")
    for summary in report["rewards"].values():
        assert set(summary) == {"mean", "min", "max", "n", "n_none"}


def test_score_default_set_follows_the_rows(tmp_path: Path) -> None:
    result = invoke("score", ROWS, "--json")  # math rows: the math rewards, accuracy_reward_ko included
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["default_set"] == "math"
    assert "accuracy_reward_ko" in report["rewards"] and "rouge1_reward" not in report["rewards"]
    gold = '"나는 학교에 갔다"가 옳다. 주어와 서술어가 호응한다.'
    malpyeong = _write(tmp_path / "mp.jsonl", json.dumps({"completion": gold, "answer": gold}, ensure_ascii=False) + "\n")
    table = invoke("score", malpyeong)
    assert table.exit_code == 0, table.output
    assert "malpyeong_em_reward" in table.stdout and "check_numbers_ko" not in table.stdout
    assert "malpyeong rows: the default malpyeong rewards" in " ".join(table.stdout.split())


def test_score_bad_inputs(tmp_path: Path) -> None:
    unknown = invoke("score", ROWS, "--reward", "check_numbers")
    fails_cleanly(unknown, "unknown reward 'check_numbers'", *REWARD_NAMES)
    fails_cleanly(invoke("score", ROWS, "--reward", "check_numbers_ko(nope=1)"), "no option nope", "rel_tol")
    fails_cleanly(invoke("score", ROWS, "--reward", "check_numbers_ko(rel_tol=x)"), "Python literals")
    fails_cleanly(invoke("score", ROWS, "--reward", "import os"), "cannot read the reward")
    no_completion = _write(tmp_path / "rows.jsonl", '{"answer": "3"}\n')
    fails_cleanly(invoke("score", no_completion), 'row 1 has no "completion"')
    no_answer = _write(tmp_path / "no_answer.jsonl", '{"completion": "<SOLUTION>3</SOLUTION>"}\n')
    fails_cleanly(invoke("score", no_answer, "-r", "check_numbers_ko"), "check_numbers_ko", "'answer'")
    broken = _write(tmp_path / "broken.jsonl", '{"completion": "a", "answer": "1"}\n{"completion": \n')
    fails_cleanly(invoke("score", broken), "broken.jsonl, line 2")
    cp949 = _write(tmp_path / "cp.jsonl", '{"completion": "삼백", "answer": "300"}\n'.encode("cp949"))
    fails_cleanly(invoke("score", cp949), "CP949/EUC-KR")
    fails_cleanly(invoke("score", tmp_path / "missing.jsonl"), "missing.jsonl", "no such file")


# --------------------------------------------------------------------------------------------------
# demo, python -m, import weight
# --------------------------------------------------------------------------------------------------
def _run(*args: str, env: dict[str, str] | None = None, code: str | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", COLUMNS="200", **(env or {}))
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "korean_rewards", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)


def test_demo_offline_names_bertscore_as_skipped(tmp_path: Path) -> None:
    done = _run("demo", env={"HF_HOME": str(tmp_path / "hf")})  # an empty cache
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for name in ("match_format_exactly", "check_numbers_ko", "malpyeong_em_reward", "rouge1_reward",
                 "language_consistency_ko", "repetition_penalty_ko"):
        assert name in done.stdout
    assert "skipped bertscore_reward" in done.stdout and "not in the local Hugging Face cache" in done.stdout
    assert "mean" in done.stdout and "삼백오십" in done.stdout


def test_demo_with_a_local_bertscore_model(tiny_bert_path: str) -> None:
    result = invoke("demo", "--bertscore-model", tiny_bert_path, "--num-layers", "2", env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "bertscore_reward" in result.stdout and "skipped bertscore_reward" not in result.stdout


def test_demo_without_torch_or_mecab() -> None:
    code = (
        "import sys\n"
        "for name in ('torch', 'transformers', 'mecab_ko'):\n"
        "    sys.modules[name] = None  # as if not installed\n"
        "sys.argv = ['korean-rewards', 'demo']\n"
        "from korean_rewards.cli import main\n"
        "main()\n"
    )
    done = _run(code=code)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "skipped bertscore_reward" in done.stdout and "not installed" in done.stdout
    assert "pip install -e '.[bertscore]'" in done.stdout  # the extra to install, not eaten as rich markup
    assert "skipped rouge1_reward" in done.stdout
    assert "check_numbers_ko" in done.stdout


def test_python_m_and_light_import() -> None:
    done = _run("--version")
    assert done.returncode == 0 and done.stdout.startswith("korean-rewards ")
    code = "import sys, korean_rewards.cli; print('torch' in sys.modules, 'transformers' in sys.modules)"
    assert _run(code=code).stdout.strip() == "False False"
