"""The corpus evaluator: file reading with clear errors, id matching, and the official scoring rules."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from korean_rewards.evaluation import (
    EvaluationInputError,
    EvaluationResult,
    Item,
    OutputExistsError,
    align_items,
    atomic_write_text,
    best_result,
    BERTScoreF1,
    evaluate_file,
    evaluate_items,
    find_prediction_files,
    import_scorer,
    load_items,
    read_records,
    write_json,
)

DATA = Path(__file__).parent / "data"
LABELS = DATA / "cli_dev_labels.json"
EPOCH1 = DATA / "cli_pred_epoch1.json"
EPOCH2 = DATA / "cli_pred_epoch2.json"
EPOCH10 = DATA / "cli_pred_epoch10.jsonl"


# --------------------------------------------------------------------------------------------------
# the official rules, written out plainly and independently of the library
# --------------------------------------------------------------------------------------------------
def official_split(text: str) -> tuple[str, str]:
    pattern = "가 옳다" if "가 옳다" in text else ("이 옳다" if "이 옳다" in text else None)
    if pattern is None:
        return text.strip(), ""
    cut = text.find(pattern) + len(pattern)
    return text[:cut].strip(), text[cut:].strip().lstrip("., ")


def official_normalize(answer: str) -> str:
    return answer.replace('"', "").replace("'", "").strip()


def official_em(prediction: str, gold: str) -> bool:
    pred = official_normalize(official_split(prediction)[0])
    golds = official_normalize(official_split(gold)[0]).split("#")
    return any(pred.strip() == alt.strip() for alt in golds)


def official_rouge1(prediction: str, reference: str) -> float:
    import mecab_ko

    tagger = mecab_ko.Tagger("-Owakati")

    def tokens(text: str) -> list[str]:
        text = " ".join(text.split("\n"))
        text = " ".join(text.split()[:1000]).lower()
        text = re.sub("[^A-Za-z0-9가-힣]", " ", text).strip()
        return tagger.parse(text).split() if text else []

    pred, ref = Counter(tokens(prediction)), Counter(tokens(reference))
    overlap = sum((pred & ref).values())
    if not pred or not ref or overlap == 0:
        return 0.0
    p, r = overlap / sum(pred.values()), overlap / sum(ref.values())
    return 2 * p * r / (p + r)


def char_jaccard(candidates: list[str], references: list[str]) -> list[float]:
    """A plain pluggable scorer (stands in for BLEURT, which is not installable here)."""
    return [len(set(c) & set(r)) / len(set(c) | set(r)) for c, r in zip(candidates, references)]


def official_numbers(pred_path: Path, label_path: Path, scorer=None) -> dict[str, float]:
    preds = {str(r["id"]): r["output"]["answer"] for r in _load_any(pred_path)}
    golds = [(str(r["id"]), r["output"]["answer"]) for r in _load_any(label_path)]
    em = 100 * sum(official_em(preds[i], g) for i, g in golds) / len(golds)
    pairs = [(official_split(preds[i])[1], official_split(g)[1]) for i, g in golds]
    pairs = [(p, g) for p, g in pairs if p and g]
    numbers = {"exact_match": em, "n": len(pairs), "rouge1": 100 * sum(official_rouge1(p, g) for p, g in pairs) / len(pairs)}
    if scorer is not None:
        values = scorer([p for p, _ in pairs], [g for _, g in pairs])
        numbers["scorer"] = 100 * sum(values) / len(values)
    return numbers


def _load_any(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


# --------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------
def test_reads_json_jsonl_and_jsonl_inside_a_json_file(tmp_path: Path) -> None:
    records = [{"id": "1", "output": {"answer": "가"}}, {"id": "2", "output": {"answer": "나"}}]
    (tmp_path / "a.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    (tmp_path / "c.json").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    (tmp_path / "d.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(records, ensure_ascii=False).encode())
    for name in ("a.json", "b.jsonl", "c.json", "d.json"):
        assert read_records(tmp_path / name) == records, name


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[\n  {"id": "1"},\n  {"id": 2,,}\n]', encoding="utf-8")
    with pytest.raises(EvaluationInputError, match=r"invalid JSON in .*p\.json, line 3, column"):
        read_records(path)
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text('{"id": "1"}\n\n{"id": "2"\n', encoding="utf-8")
    with pytest.raises(EvaluationInputError, match=r"p\.jsonl, line 3"):
        read_records(jsonl)


def test_cp949_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "euckr.json"
    path.write_bytes(json.dumps([{"id": "1", "output": {"answer": "깨끗이가 옳다."}}], ensure_ascii=False).encode("cp949"))
    with pytest.raises(EvaluationInputError, match="CP949/EUC-KR") as error:
        read_records(path)
    assert "euckr.json" in str(error.value) and "iconv" in str(error.value)


def test_other_encodings_and_shapes(tmp_path: Path) -> None:
    utf16 = tmp_path / "u16.json"
    utf16.write_bytes("[]".encode("utf-16"))
    with pytest.raises(EvaluationInputError, match="UTF-16"):
        read_records(utf16)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\x80\x81\xff\xfe\x00")
    with pytest.raises(EvaluationInputError, match="not UTF-8"):
        read_records(binary)
    empty = tmp_path / "empty.json"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(EvaluationInputError, match="is empty"):
        read_records(empty)
    obj = tmp_path / "obj.json"
    obj.write_text('{"id": "1"}', encoding="utf-8")
    with pytest.raises(EvaluationInputError, match="one JSON object, not a list"):
        read_records(obj)
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text('{"data": [{"id": "1"}]}', encoding="utf-8")
    assert read_records(wrapped) == [{"id": "1"}]
    with pytest.raises(EvaluationInputError, match="no such file"):
        read_records(tmp_path / "missing.json")
    with pytest.raises(EvaluationInputError, match="is a folder"):
        read_records(tmp_path)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"output": {"answer": "x"}}], 'item 1 has no "id"'),
        ([{"id": "1", "output": {"answer": "x"}}, {"id": "2"}], r'item 2 \(id "2"\) has no "output"'),
        ([{"id": "1", "output": {}}], 'no "output"."answer"'),
        ([{"id": "1", "output": {"answer": 3}}], "must be a string, got int"),
        ([{"id": [1], "output": {"answer": "x"}}], "neither a string nor an integer"),
        (["just text"], "is a JSON str, not an object"),
        ([{"id": "1", "output": {"answer": "  "}}], "gold .* is empty"),
        ([], "holds no items"),
    ],
)
def test_label_records_errors(records: list, message: str) -> None:
    with pytest.raises(EvaluationInputError, match=message):
        load_items(records, what="labels", name="dev.json")


def test_prediction_items_accept_null_answers_and_integer_ids() -> None:
    items = load_items(
        [{"id": 1, "output": {"answer": None}}, {"id": "2", "output": {"answer": "x"}}], what="predictions"
    )
    assert items == [Item("1", ""), Item("2", "x")]
    with pytest.raises(EvaluationInputError, match='id "1" appears 2 times'):
        load_items([{"id": 1, "output": {"answer": "a"}}, {"id": "1", "output": {"answer": "b"}}])


def test_align_reports_missing_and_extra_ids() -> None:
    labels = [Item(str(i), "x") for i in range(1, 15)]
    preds = [Item(str(i), "x") for i in range(3, 15)] + [Item("99", "x")]
    with pytest.raises(EvaluationInputError) as error:
        align_items(preds, labels, predictions_name="p.json", labels_name="dev.json")
    message = str(error.value)
    assert 'missing predictions for ids "1", "2"' in message
    assert 'ids not in the labels: "99"' in message
    assert "13 predictions, 14 labels" in message
    many = [Item(str(i), "x") for i in range(100, 130)]
    with pytest.raises(EvaluationInputError, match="and 20 more"):
        align_items(many, labels)


# --------------------------------------------------------------------------------------------------
# scoring: the official numbers
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [EPOCH1, EPOCH2, EPOCH10])
def test_official_em_rouge_and_pluggable_scorers(path: Path) -> None:
    expected = official_numbers(path, LABELS, scorer=char_jaccard)
    result = evaluate_file(path, LABELS, bertscore=char_jaccard, bleurt=char_jaccard)
    assert result.n_items == 8
    assert result.exact_match == pytest.approx(expected["exact_match"], abs=1e-12)
    assert result.n_reason_items == expected["n"]
    assert result.rouge1 == pytest.approx(expected["rouge1"], abs=1e-9)
    assert result.bertscore == pytest.approx(expected["scorer"], abs=1e-9)
    assert result.bleurt == pytest.approx(expected["scorer"], abs=1e-9)
    descriptive = (expected["rouge1"] + expected["scorer"] + expected["scorer"]) / 3
    assert result.descriptive_avg == pytest.approx(descriptive, abs=1e-9)
    assert result.final == pytest.approx((expected["exact_match"] + descriptive) / 2, abs=1e-9)
    assert result.final_rule == "official"


def test_final_without_bleurt_averages_rouge_and_bertscore() -> None:
    expected = official_numbers(EPOCH1, LABELS, scorer=char_jaccard)
    result = evaluate_file(EPOCH1, LABELS, bertscore=char_jaccard)
    assert result.bleurt is None and result.final_rule == "average_of_two"
    descriptive = (expected["rouge1"] + expected["scorer"]) / 2
    assert result.descriptive_avg == pytest.approx(descriptive, abs=1e-9)
    assert result.final == pytest.approx((expected["exact_match"] + descriptive) / 2, abs=1e-9)


def test_final_on_the_published_example() -> None:
    """The organisers' published numbers (0-100 scale): EM 45.5823, ROUGE-1 34.9636, BERTScore 73.9318, BLEURT
    43.7260 give final 48.2281."""
    from korean_rewards.evaluation._metrics import _final

    descriptive, final, rule = _final(45.5823, 34.9636, 73.9318, 43.7260)
    assert rule == "official"
    assert descriptive == pytest.approx((34.9636 + 73.9318 + 43.7260) / 3)
    assert final == pytest.approx(48.22805, abs=1e-9)  # published as 48.2281 (rounded half up)


def test_no_final_without_bertscore() -> None:
    result = evaluate_file(EPOCH1, LABELS)
    assert result.rouge1 is not None
    assert (result.bertscore, result.descriptive_avg, result.final, result.final_rule) == (None, None, None, None)


def test_fixture_cases_hit_each_rule() -> None:
    """epoch1 holds: a '#' alternative, a wrong particle, no pattern, an empty reason, curly and single quotes."""
    result = evaluate_file(EPOCH1, LABELS, rouge=False)
    by_id = {item.id: item for item in result.items}
    assert [by_id[i].correct for i in ("101", "102", "103", "104", "105", "106", "107", "108")] == [
        True, False, True, False, True, False, True, False,
    ]
    assert not by_id["104"].scored and not by_id["105"].scored  # left out, not scored 0
    assert result.n_reason_items == 6
    assert result.exact_match == 50.0


def test_items_without_reason_are_left_out_not_zero() -> None:
    labels = load_items([{"id": "1", "output": {"answer": '"가"가 옳다. 이유 하나'}},
                         {"id": "2", "output": {"answer": '"나"가 옳다. 이유 둘'}}])
    full = load_items([{"id": "1", "output": {"answer": '"가"가 옳다. 이유 하나'}},
                       {"id": "2", "output": {"answer": '"나"가 옳다'}}], what="predictions")
    result = evaluate_items(full, labels, bertscore=char_jaccard)
    assert result.n_reason_items == 1
    assert result.rouge1 == pytest.approx(100.0) and result.bertscore == pytest.approx(100.0)
    assert result.items[1].rouge1 is None


def test_no_reason_anywhere_gives_zero_reason_metrics() -> None:
    labels = load_items([{"id": "1", "output": {"answer": '"가"가 옳다. 이유'}}])
    preds = load_items([{"id": "1", "output": {"answer": "가"}}], what="predictions")
    calls = []
    result = evaluate_items(preds, labels, bertscore=lambda c, r: calls.append(c) or [])
    assert (result.n_reason_items, result.rouge1, result.bertscore) == (0, 0.0, 0.0)
    assert calls == []  # the scorer is not called with nothing to score


def test_result_to_dict_is_json_ready() -> None:
    result = evaluate_file(EPOCH2, LABELS, bertscore=char_jaccard)
    data = json.loads(json.dumps(result.to_dict(items=True)))
    assert data["source"] == str(EPOCH2) and data["n_items"] == 8 and data["bleurt"] is None
    assert len(data["items"]) == 8 and {"id", "correct", "scored", "rouge1"} <= set(data["items"][0])
    assert "items" not in result.to_dict()
    assert set(result.metrics()) == {"exact_match", "rouge1", "bertscore", "descriptive_avg", "final"}
    assert data["final_rule"] == "average_of_two"


def test_scorer_returning_wrong_length_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="returned 1 scores for 6 pairs"):
        evaluate_file(EPOCH1, LABELS, rouge=False, bertscore=lambda c, r: [0.5])


def test_bertscore_f1_matches_the_bert_score_package(tiny_bert_path: str) -> None:
    bert_score = pytest.importorskip("bert_score")
    cands = ["받침 뒤에서 이로 소리 나는 부사", "맞추다로 적는다", "가운뎃점을 쓴다"]
    refs = ["ㅅ 받침 뒤에서 이로만 소리 나는 부사는 이로 적는다", "맞추다로 적는다", "쉼표를 쓸 수도 있다"]
    _, _, expected = bert_score.score(cands, refs, model_type=tiny_bert_path, num_layers=2, batch_size=2)
    got = BERTScoreF1(tiny_bert_path, num_layers=2, batch_size=2)(cands, refs)
    assert got == pytest.approx(expected.tolist(), abs=1e-5)
    assert BERTScoreF1(tiny_bert_path, num_layers=2)([], []) == []


# --------------------------------------------------------------------------------------------------
# files, folders, best, writing
# --------------------------------------------------------------------------------------------------
def test_find_prediction_files_in_folders(tmp_path: Path) -> None:
    item = '[{"id": "1", "output": {"answer": "x"}}]'
    for name in ["inference_epoch10.json", "inference_epoch2.json", "inference_epoch1.jsonl", "config.json",
                 "best.json", "readme.md", "labels.json"]:
        (tmp_path / name).write_text(item if name.endswith(".json") else item[1:-1], encoding="utf-8")
    (tmp_path / "rows.jsonl").write_text('{"completion": "x", "answer": "1"}\n', encoding="utf-8")
    (tmp_path / "summary.json").write_text('{"final": 1}', encoding="utf-8")
    for step in (10, 5):
        (tmp_path / f"checkpoint-{step}").mkdir()
        (tmp_path / f"checkpoint-{step}" / "predictions.json").write_text(item, encoding="utf-8")
        (tmp_path / f"checkpoint-{step}" / "trainer_state.json").write_text("{}", encoding="utf-8")
    skipped: list[Path] = []
    found = find_prediction_files(
        [tmp_path, tmp_path / "inference_epoch2.json"], exclude=[tmp_path / "labels.json"], skipped=skipped
    )
    assert [str(p.relative_to(tmp_path)) for p in found] == [
        "inference_epoch1.jsonl",
        "inference_epoch2.json",
        "inference_epoch10.json",
        os.path.join("checkpoint-5", "predictions.json"),
        os.path.join("checkpoint-10", "predictions.json"),
    ]
    assert sorted(p.name for p in skipped) == ["rows.jsonl", "summary.json"]
    named = find_prediction_files([tmp_path / "labels.json"], exclude=[tmp_path / "labels.json"])
    assert named == [tmp_path / "labels.json"]  # a file named explicitly is taken (e.g. the gold as a sanity check)
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(EvaluationInputError, match="broken.json"):
        find_prediction_files([tmp_path])  # a broken file in a folder is reported, not skipped
    with pytest.raises(EvaluationInputError, match="no such file or folder"):
        find_prediction_files([tmp_path / "nope"])


def test_best_result_picks_highest_final_first_on_ties() -> None:
    def result(name: str, final: float | None) -> EvaluationResult:
        return EvaluationResult(name, 1, 0, 0, 0.0, None, None, None, None, final)

    assert best_result([result("a", 1.0), result("b", 3.0), result("c", 3.0)]).source == "b"
    assert best_result([result("a", None)]) is None
    assert best_result([]) is None


def test_atomic_write_never_overwrites_without_force_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_json(path, {"a": 1})
    with pytest.raises(OutputExistsError, match="--force"):
        write_json(path, {"a": 2})
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 1}
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(path, "\ud800 lone surrogate", force=True)  # fails mid-write
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 1}  # the old file is intact
    write_json(path, {"a": 3}, force=True)
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    with pytest.raises(EvaluationInputError, match="does not exist"):
        write_json(tmp_path / "no" / "x.json", {})


def test_import_scorer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_bleurt_mod.py").write_text("def score(c, r):\n    return [0.5] * len(c)\nvalue = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_scorer("my_bleurt_mod:score")(["a"], ["b"]) == [0.5]
    with pytest.raises(EvaluationInputError, match="no attribute"):
        import_scorer("my_bleurt_mod:nothing")
    with pytest.raises(EvaluationInputError, match="not callable"):
        import_scorer("my_bleurt_mod:value")
    with pytest.raises(EvaluationInputError, match="module:function"):
        import_scorer("my_bleurt_mod")
