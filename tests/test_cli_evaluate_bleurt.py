"""``korean-rewards evaluate`` with BLEURT (the official final score) and its rough edges; ``score`` tag options.

Everything runs offline on a tiny random BLEURT checkpoint (``save_tiny_bleurt``) and a tiny BERT.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from korean_rewards.cli import app

from test_evaluation import EPOCH1, EPOCH2, EPOCH10, LABELS, _load_any, official_em, official_split

pytest.importorskip("torch")
pytest.importorskip("sentencepiece")
pytest.importorskip("mecab_ko")

DATA = Path(__file__).parent / "data"
ROWS = DATA / "cli_score_rows.jsonl"
runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore:BLEURT:UserWarning")


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def fails_cleanly(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


@pytest.fixture(scope="module")
def bleurt_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    from korean_rewards.testing import save_tiny_bleurt

    return save_tiny_bleurt(tmp_path_factory.mktemp("bleurt"))


def reason_pairs(pred_path: Path, labels: Path = LABELS) -> list[tuple[str, str]]:
    preds = {str(r["id"]): r["output"]["answer"] for r in _load_any(pred_path)}
    pairs = [(official_split(preds[str(r["id"])])[1], official_split(r["output"]["answer"])[1]) for r in _load_any(labels)]
    return [(p, g) for p, g in pairs if p and g]


# -- BLEURT and the official final score ---------------------------------------------------------------------------
@pytest.mark.trainer  # runs on every supported transformers stack
def test_bleurt_model_gives_the_official_final_score(bleurt_path: str, tiny_bert_path: str) -> None:
    from korean_rewards import BLEURTScorer

    result = invoke("evaluate", EPOCH2, "--labels", LABELS, "--bertscore-model", tiny_bert_path, "--num-layers", "2",
                    "--bleurt-model", bleurt_path, "--device", "cpu", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    got = report["files"][0]
    pairs = reason_pairs(EPOCH2)
    scores = BLEURTScorer(bleurt_path, device="cpu").score([g for _, g in pairs], [p for p, _ in pairs])
    assert got["bleurt"] == pytest.approx(100 * sum(scores) / len(scores), abs=1e-6)
    assert got["final_rule"] == "official"
    descriptive = (got["rouge1"] + got["bertscore"] + got["bleurt"]) / 3
    assert got["descriptive_avg"] == pytest.approx(descriptive, abs=1e-9)
    assert got["final"] == pytest.approx((got["exact_match"] + descriptive) / 2, abs=1e-9)
    assert report["bleurt"] == bleurt_path
    assert report["bleurt_model"]["activation"] == "gelu" and report["bleurt_model"]["tf_gelu"] is False
    assert not any("BLEURT not computed" in note for note in report["notes"])


def test_bleurt_tf_gelu_is_recorded_and_changes_the_score(bleurt_path: str) -> None:
    plain = json.loads(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-model",
                              bleurt_path, "--device", "cpu", "--json").stdout)
    tanh = json.loads(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-model",
                             bleurt_path, "--bleurt-tf-gelu", "--device", "cpu", "--json").stdout)
    assert tanh["bleurt_model"]["activation"] == "gelu_tanh" and tanh["bleurt_model"]["tf_gelu"] is True
    assert tanh["files"][0]["bleurt"] != plain["files"][0]["bleurt"]
    assert abs(tanh["files"][0]["bleurt"] - plain["files"][0]["bleurt"]) < 1.0  # 0-100 scale


def test_bleurt_model_table_names_the_checkpoint(bleurt_path: str) -> None:
    result = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-model", bleurt_path,
                    "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert "BLEURT" in result.stdout and "activation gelu" in result.stdout


def test_missing_bleurt_model_says_how_it_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fails_cleanly(
        invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-model", tmp_path / "nope"),
        "--bleurt-model", "read as a local folder", "no such folder",
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    fails_cleanly(
        invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-model", "someone/no-such-bleurt"),
        "--bleurt-model", "read as a hub id", "HF_HUB_OFFLINE",
    )


def test_one_bleurt_scorer_at_a_time(bleurt_path: str) -> None:
    fails_cleanly(
        invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-model", bleurt_path,
               "--bleurt-function", "os.path:join"),
        "--bleurt-model", "--bleurt-function",
    )
    fails_cleanly(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-tf-gelu"),
                  "--bleurt-tf-gelu")


def test_bleurt_function_imports_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_local_bleurt_xyz.py").write_text(
        "def score(candidates, references):\n    return [0.25] * len(candidates)\n", encoding="utf-8"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "scorer_file.py").write_text(
        "def score(candidates, references):\n    return [0.75] * len(candidates)\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    # as under the console script: the current folder is not on sys.path
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    module = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-function",
                    "my_local_bleurt_xyz:score", "--json")
    assert module.exit_code == 0, module.output
    assert json.loads(module.stdout)["files"][0]["bleurt"] == pytest.approx(25.0)
    by_file = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-function",
                     "sub/scorer_file.py:score", "--json")
    assert by_file.exit_code == 0, by_file.output
    assert json.loads(by_file.stdout)["files"][0]["bleurt"] == pytest.approx(75.0)
    fails_cleanly(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--bleurt-function",
                         "sub/none.py:score"), "no such file")


# -- --force never overwrites an input ------------------------------------------------------------------------------
def test_force_never_overwrites_an_input(tmp_path: Path) -> None:
    labels = shutil.copy(LABELS, tmp_path / "labels.json")
    preds = shutil.copy(EPOCH2, tmp_path / "preds.json")
    ids = tmp_path / "ids.txt"
    ids.write_text("101\n102\n", encoding="utf-8")
    before = {p: Path(p).read_bytes() for p in (labels, preds, ids)}
    for target in (labels, preds, ids):
        extra = ("--ids", ids) if target == ids else ()
        fails_cleanly(
            invoke("evaluate", preds, "--labels", labels, "--no-bertscore", "--out", target, "--force", *extra),
            "--out", "input", "never overwrites",
        )
    folder_run = invoke("evaluate", tmp_path, "--labels", labels, "--no-bertscore", "--out", preds, "--force")
    fails_cleanly(folder_run, "input")
    report = tmp_path / "report.json"  # a report in the folder of predictions is not an input: --force rewrites it
    report.write_text("{}", encoding="utf-8")
    assert invoke("evaluate", tmp_path, "--labels", labels, "--no-bertscore", "--out", report, "--force").exit_code == 0
    assert json.loads(report.read_text(encoding="utf-8"))["files"]
    rows = shutil.copy(ROWS, tmp_path / "rows.jsonl")
    fails_cleanly(invoke("score", rows, "--reward", "match_format_exactly", "--out", rows, "--force"), "input")
    assert {p: Path(p).read_bytes() for p in (labels, preds, ids)} == before
    assert Path(rows).read_bytes() == ROWS.read_bytes()


# -- scores by question type ----------------------------------------------------------------------------------------
def test_scores_by_question_type() -> None:
    result = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--json")
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)["files"][0]
    labels = _load_any(LABELS)
    preds = {str(r["id"]): r["output"]["answer"] for r in _load_any(EPOCH2)}
    kinds = {r["input"]["question_type"] for r in labels}
    assert set(entry["by_type"]) == kinds == {"선택형", "교정형"}
    for kind, numbers in entry["by_type"].items():
        mine = [r for r in labels if r["input"]["question_type"] == kind]
        correct = sum(official_em(preds[str(r["id"])], r["output"]["answer"]) for r in mine)
        assert numbers["n_items"] == len(mine) and numbers["n_correct"] == correct
        assert numbers["exact_match"] == pytest.approx(100 * correct / len(mine))
    assert sum(n["n_items"] for n in entry["by_type"].values()) == entry["n_items"]
    table = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore")
    assert "선택형" in table.stdout and "교정형" in table.stdout


# -- subsets --------------------------------------------------------------------------------------------------------
def test_limit_and_ids_score_a_subset(tmp_path: Path) -> None:
    limited = json.loads(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--limit", "3",
                                "--json").stdout)
    assert limited["n_labels"] == 3 and limited["files"][0]["n_items"] == 3
    assert limited["subset"] == {"ids": None, "limit": 3}
    ids = tmp_path / "ids.txt"
    ids.write_text("# two items\n102\n105\n", encoding="utf-8")
    chosen = json.loads(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--ids", ids, "--items",
                               "--json").stdout)
    assert [item["id"] for item in chosen["files"][0]["items"]] == ["102", "105"]
    # a prediction file that holds only the subset is enough
    preds = [r for r in _load_any(EPOCH2) if str(r["id"]) in {"102", "105"}]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    assert invoke("evaluate", partial, "--labels", LABELS, "--no-bertscore", "--ids", ids).exit_code == 0
    ids.write_text("102\n999\n", encoding="utf-8")
    fails_cleanly(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--ids", ids), "--ids", '"999"')
    fails_cleanly(invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--ids", tmp_path / "no.txt"),
                  "--ids", "no.txt", "no such file")
    fails_cleanly(invoke("evaluate", EPOCH2, "--labels", tmp_path / "gold.json", "--no-bertscore"),
                  "--labels", "gold.json", "no such file")
    result = invoke("evaluate", EPOCH2, "--labels", LABELS, "--no-bertscore", "--limit", "0")
    assert result.exit_code == 2 and "Traceback" not in result.output


# -- a broken file in a folder run ----------------------------------------------------------------------------------
def test_a_broken_file_is_reported_and_the_others_are_scored(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(EPOCH1, folder / "inference_epoch1.json")
    shutil.copy(EPOCH10, folder / "inference_epoch10.jsonl")
    (folder / "inference_epoch5.json").write_text('[{"id": "101", "output": {"answer": "x"}},,]', encoding="utf-8")
    fewer = [r for r in _load_any(EPOCH2)][:-1]
    (folder / "inference_epoch7.json").write_text(json.dumps(fewer, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "report.json"
    result = invoke("evaluate", folder, "--labels", LABELS, "--no-bertscore", "--out", out)
    fails_cleanly(result, "inference_epoch5.json", "invalid JSON", "inference_epoch7.json", "missing predictions",
                  "2 of 4")
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [Path(f["source"]).name for f in report["files"]] == ["inference_epoch1.json", "inference_epoch10.jsonl"]
    assert {Path(e["source"]).name for e in report["errors"]} == {"inference_epoch5.json", "inference_epoch7.json"}
    assert "inference_epoch10.jsonl" in result.stdout  # the table of the files that were scored


# -- errors name the flags ------------------------------------------------------------------------------------------
def test_errors_name_the_flags_the_user_typed(tiny_bert_path: str, tmp_path: Path) -> None:
    too_deep = invoke("evaluate", EPOCH2, "--labels", LABELS, "--bertscore-model", tiny_bert_path,
                      "--num-layers", "99")
    fails_cleanly(too_deep, "--num-layers 99")
    assert "num_layers=" not in too_deep.output
    unknown = shutil.copytree(tiny_bert_path, tmp_path / "my-own-bert")
    no_layer = invoke("evaluate", EPOCH2, "--labels", LABELS, "--bertscore-model", unknown)
    fails_cleanly(no_layer, "--num-layers", "--bertscore-model")
    assert "num_layers=" not in no_layer.output and "model_type=" not in no_layer.output


# -- score: tags and the BLEURT reward ------------------------------------------------------------------------------
def test_score_reads_the_tags_it_is_given(tmp_path: Path) -> None:
    rows = tmp_path / "think.jsonl"
    rows.write_text(
        "\n".join(json.dumps({"completion": c, "answer": "8"}, ensure_ascii=False) for c in [
            "<think>3 + 5 = 8</think><answer>8</answer>",
            "<think>계산</think><answer>여덟</answer>",
            "3 + 5 = 8<end_working_out><SOLUTION>8</SOLUTION>",
        ]) + "\n",
        encoding="utf-8",
    )
    default = json.loads(invoke("score", rows, "--reward", "match_format_exactly", "--reward", "check_numbers_ko",
                                "--json").stdout)
    think = invoke("score", rows, "--reward", "match_format_exactly", "--reward", "check_numbers_ko", "--json",
                   "--reasoning-start", "<think>", "--reasoning-end", "</think>", "--solution-start", "<answer>",
                   "--solution-end", "</answer>")
    assert think.exit_code == 0, think.output
    means = {name.split("(")[0]: v["mean"] for name, v in json.loads(think.stdout)["rewards"].items()}
    before = {name.split("(")[0]: v["mean"] for name, v in default["rewards"].items()}
    assert means["match_format_exactly"] > before["match_format_exactly"]
    assert means["check_numbers_ko"] > before["check_numbers_ko"]
    fails_cleanly(invoke("score", rows, "--reasoning-start", " "), "--reasoning-start")


def test_score_with_the_bleurt_reward(bleurt_path: str, tmp_path: Path) -> None:
    gold = '"나는 학교에 갔다"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.'
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "\n".join(json.dumps({"completion": c, "answer": gold}, ensure_ascii=False) for c in [gold, "모르겠다"]) + "\n",
        encoding="utf-8",
    )
    result = invoke("score", rows, "--reward", f"BLEURTReward(checkpoint={bleurt_path!r}, device='cpu')", "--json")
    assert result.exit_code == 0, result.output
    summary = next(iter(json.loads(result.stdout)["rewards"].values()))
    assert summary["n"] == 2 and 0.0 in (summary["min"], summary["max"]) and summary["min"] != summary["max"]
    missing = invoke("score", rows, "--reward", f"BLEURTReward(checkpoint={str(tmp_path / 'nope')!r})")
    fails_cleanly(missing, "read as a local folder")
