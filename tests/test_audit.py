"""``audit_rewards`` and ``korean-rewards audit``: they find planted exploits and pass the safe mixes.

- a mix with ``none="skip"`` and a component the model can make return ``None`` is reported as an EXPLOIT
  (in Python and on the command line, exit status 3); the same mix with the default policy passes;
- the bundled examples' mixes pass: no degenerate family scores above the honest correct completion, and number
  spraying and garbage answers never score above an honest wrong answer;
- the rewards are called as TRL calls them (prompts=, completions=, columns as lists), plain and conversational;
- bad files and bad specs give one clear message and exit status 1, never a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from korean_rewards import (
    AuditReport,
    audit_rewards,
    check_answer_ko,
    check_numbers_ko,
    combine,
    completion_text,
    match_format_approximately,
    match_format_exactly,
)
from korean_rewards._trl import ColumnError
from korean_rewards.audit import FAMILIES, audit_rows
from korean_rewards.cli import EXPLOIT_EXIT_CODE, app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MATH_SAMPLE = EXAMPLES / "data" / "korean_math_sample.jsonl"
MALPYEONG_SAMPLE = EXAMPLES / "data" / "malpyeong_train_sample.json"


def _math_rows() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in MATH_SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"prompt": row.pop("question"), **row} for row in rows]


def has_reasoning(completions: Any, **kwargs: Any) -> list[float | None]:
    """A component the model can dodge: None when the completion has no reasoning before the tags."""
    texts = [completion_text(c) for c in completions]
    return [None if text.startswith("<end_working_out>") or not text else 1.0 for text in texts]


has_reasoning.score_range = (0.0, 1.0)  # type: ignore[attr-defined]

PLANTED = combine({check_answer_ko: 1.0, has_reasoning: 6.0}, none="skip", name="planted_skip")
FIXED = combine({check_answer_ko: 1.0, has_reasoning: 6.0}, name="fixed_worst")


def _assert_safe(report: AuditReport) -> None:
    assert report.honest is not None and report.honest_wrong is not None
    for result in report.results:
        reference = report.honest if result.compared_to == "honest" else report.honest_wrong
        assert result.mean is not None and result.mean <= reference + 1e-9, (result.family, result.mean, reference)
    spray = report.result("number_spray")
    assert spray.compared_to == "honest_wrong" and spray.mean <= report.honest_wrong + 1e-9
    assert report.passed, [r.family for r in report.exploits]


# -- Python API -----------------------------------------------------------------------------------------------------


def test_planted_skip_exploit_is_found_and_the_default_passes() -> None:
    rows = _math_rows()
    planted = audit_rewards(PLANTED, rows)
    assert not planted.passed
    assert "answer_only" in {result.family for result in planted.exploits}
    assert planted.result("answer_only").gap > 0
    fixed = audit_rewards(FIXED, rows)
    assert fixed.passed, [r.family for r in fixed.exploits]
    assert fixed.result("answer_only").verdict == "ok"


def test_every_family_is_reported_with_a_verdict() -> None:
    report = audit_rewards([match_format_exactly, check_numbers_ko], _math_rows()[:3])
    assert [result.family for result in report.results] == list(FAMILIES)
    assert {result.verdict for result in report.results} <= {"EXPLOIT", "WEAK", "ok"}
    document = report.to_dict()
    assert document["schema"] == "korean-rewards.audit/1" and document["n_rows"] == 3
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    # the notebook's number check pays a spray whose first number is right more than an honest wrong answer
    assert report.result("number_spray").verdict == "EXPLOIT"


def test_rewards_are_called_as_trl_calls_them() -> None:
    calls: list[dict[str, Any]] = []

    def spy(prompts: Any = None, completions: Any = None, **kwargs: Any) -> list[float]:
        calls.append({"prompts": prompts, "completions": completions, **kwargs})
        return [0.0] * len(completions)

    audit_rewards(spy, [{"prompt": "1+1?", "answer": "2", "level": 1}], batch_size=1)
    assert len(calls) == 2
    plain, chat = calls
    n = len(FAMILIES) + 2
    assert plain["prompts"] == ["1+1?"] * n and all(isinstance(c, str) for c in plain["completions"])
    assert plain["answer"] == ["2"] * n and plain["level"] == [1] * n
    assert chat["prompts"][0] == [{"role": "user", "content": "1+1?"}]
    assert chat["completions"][0][0]["role"] == "assistant"
    assert [m[0]["content"] for m in chat["completions"]] == plain["completions"]


def test_weights_sum_like_the_trainer_and_none_counts_nothing() -> None:
    def nothing(completions: Any, **kwargs: Any) -> list[None]:
        return [None] * len(completions)

    report = audit_rewards([match_format_exactly, nothing], [{"prompt": "p", "answer": "2"}], weights=[2.0, 5.0])
    assert report.honest == 6.0 and report.reward == "2*match_format_exactly + 5*nothing"
    with pytest.raises(ValueError, match="one weight per reward"):
        audit_rewards([match_format_exactly], [{"prompt": "p", "answer": "2"}], weights=[1.0, 2.0])


def test_rows_from_competition_items_and_bad_rows() -> None:
    items = json.loads(MALPYEONG_SAMPLE.read_text(encoding="utf-8"))
    rows, notes = audit_rows(items)
    assert len(rows) == len(items) and not notes
    assert rows[0]["prompt"] == items[0]["input"]["question"] and rows[0]["answer"] == items[0]["output"]["answer"]
    assert rows[0]["question_type"] == items[0]["input"]["question_type"]
    with pytest.raises(ValueError, match="no row has a gold answer column 'answer'"):
        audit_rewards(match_format_exactly, [{"question": "q"}])
    with pytest.raises(ValueError, match="row 1 is a JSON list"):
        audit_rows([[1, 2]])
    with pytest.raises(ValueError, match="kind must be one of"):
        audit_rewards(match_format_exactly, [{"prompt": "p", "answer": "1"}], kind="poetry")


# -- the examples' mixes --------------------------------------------------------------------------------------------


def _example(name: str) -> Any:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))  # the scripts import `common` from their folder
    spec = importlib.util.spec_from_file_location(f"_audit_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the scripts define dataclasses, which look their module up
    spec.loader.exec_module(module)
    return module


def test_math_example_mix_passes_and_closes_the_issue_holes() -> None:
    example = _example("qwen3_4b_grpo_t4")
    report = audit_rewards(example.reward_functions(), _math_rows())
    _assert_safe(report)
    for family in ("answer_only", "long_10k", "garbage_answer", "hedged", "number_spray"):
        assert report.result(family).verdict == "ok", family
    # the notebook's own four rewards do not pass: sprayed numbers beat an honest wrong answer
    notebook = audit_rewards([match_format_exactly, match_format_approximately, check_answer_ko, check_numbers_ko],
                             _math_rows())
    assert "number_spray" in {result.family for result in notebook.exploits}


def test_malpyeong_example_mix_passes(tiny_bert_path: str) -> None:
    pytest.importorskip("mecab_ko")
    example = _example("malpyeong_grpo")
    mix = example.reward_mix(bertscore_model=tiny_bert_path, num_layers=2)
    rows, _ = audit_rows(json.loads(MALPYEONG_SAMPLE.read_text(encoding="utf-8")))
    with pytest.warns(UserWarning):  # BERTScore names the empty candidates once
        report = audit_rewards(mix, rows)
    assert report.kind == "malpyeong"
    _assert_safe(report)
    for family in ("answer_only", "empty", "tags_only", "number_spray", "keyword_soup", "prompt_copy"):
        assert report.result(family).verdict == "ok", family


# GSM8K-format Korean rows (the T4 example's default data has this shape: the gold is a worked solution ending in
# "#### N"); written for this test, with thousands commas, a decimal and a negative answer
GSM8K_ROWS = [
    {"question": "사과가 한 상자에 12개씩 들어 있습니다. 7상자에는 사과가 모두 몇 개 있습니까?",
     "answer": "한 상자에 12개씩 7상자이므로 12 × 7 = <<12*7=84>>84개입니다.\n#### 84"},
    {"question": "연필 한 자루는 350원입니다. 연필 네 자루의 값은 얼마입니까?",
     "answer": "350 × 4 = <<350*4=1400>>1400이므로 모두 1,400원입니다.\n#### 1,400"},
    {"question": "민수는 구슬 45개를 친구 다섯 명에게 똑같이 나누어 주었습니다. 한 사람이 몇 개씩 받았습니까?",
     "answer": "45 ÷ 5 = <<45/5=9>>9이므로 한 사람이 9개씩 받았습니다.\n#### 9"},
    {"question": "기온이 아침에 영상 3도였고 밤에는 아침보다 8도 내려갔습니다. 밤 기온은 몇 도입니까?",
     "answer": "3 - 8 = <<3-8=-5>>-5이므로 밤 기온은 영하 5도입니다.\n#### -5"},
    {"question": "우유 한 병은 1.5리터입니다. 우유 세 병은 모두 몇 리터입니까?",
     "answer": "1.5 × 3 = <<1.5*3=4.5>>4.5이므로 모두 4.5리터입니다.\n#### 4.5"},
    {"question": "한 달에 2만 5천 원씩 12달 저금하면 모두 얼마를 모읍니까?",
     "answer": "25,000 × 12 = <<25000*12=300000>>300,000이므로 모두 30만 원을 모읍니다.\n#### 300,000"},
]


def test_t4_example_mix_passes_on_gsm8k_format_rows() -> None:
    mix = _example("qwen3_4b_grpo_t4").reward_functions()
    report = audit_rewards(mix, GSM8K_ROWS, prompt_key="question")
    _assert_safe(report)
    # the honest completion puts the final answer (the part after ####) in the tags and gets every reward's best
    best = sum(reward.score_range[1] for reward in mix)
    assert report.honest == pytest.approx(best)
    assert report.honest_wrong is not None and report.honest_wrong < report.honest
    assert audit_rewards(mix, GSM8K_ROWS).to_dict() == report.to_dict()  # the default prompt column reads "question"


def test_cli_t4_example_mix_passes_on_gsm8k_format_rows(tmp_path: Path) -> None:
    data = tmp_path / "gsm8k_ko.jsonl"
    data.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in GSM8K_ROWS), encoding="utf-8")
    spec = f"{EXAMPLES / 'qwen3_4b_grpo_t4.py'}:reward_functions"
    result = _audit(str(data), "--prompt-column", "question", "-r", spec, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passed"] is True


def test_a_typo_in_a_column_is_an_error_naming_the_columns() -> None:
    with pytest.raises(ColumnError, match="'q'.*answer, question") as caught:
        audit_rewards(match_format_exactly, GSM8K_ROWS, prompt_key="q")
    assert caught.value.parameter == "prompt_key" and caught.value.available == ["answer", "question"]
    with pytest.raises(ColumnError, match="'gold'") as caught:
        audit_rows(GSM8K_ROWS, prompt_key="question", answer_key="gold")
    assert caught.value.parameter == "answer_key"
    with pytest.raises(ColumnError, match="'worked'") as caught:
        audit_rows(GSM8K_ROWS, prompt_key="question", reasoning_key="worked")
    assert caught.value.parameter == "reasoning_key"
    rows, notes = audit_rows(GSM8K_ROWS, prompt_key="question")  # the default reasoning column is optional
    assert len(rows) == len(GSM8K_ROWS) and not notes


@pytest.mark.parametrize(
    ("flag", "value", "column"),
    [("--prompt-column", "q", "'q'"), ("--answer-column", "gold", "'gold'"), ("--reasoning-column", "worked", "'worked'")],
)
def test_cli_column_typo_names_the_flag_and_the_columns(tmp_path: Path, flag: str, value: str, column: str) -> None:
    data = tmp_path / "gsm8k_ko.jsonl"
    data.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in GSM8K_ROWS), encoding="utf-8")
    args = [str(data), "-r", "check_numbers_ko", flag, value]
    if flag != "--prompt-column":
        args += ["--prompt-column", "question"]
    result = _audit(*args)
    assert result.exit_code == 1, result.output
    assert flag in result.output and column in result.output and "answer, question" in result.output
    assert "Traceback" not in result.output and "_key" not in result.output


# -- the command ----------------------------------------------------------------------------------------------------

runner = CliRunner()


def _audit(*args: str) -> Any:
    return runner.invoke(app, ["audit", *args])


def test_cli_exit_status_3_on_the_planted_exploit_and_0_when_fixed() -> None:
    spec = "tests.test_audit:PLANTED"
    result = _audit(str(MATH_SAMPLE), "--prompt-column", "question", "-r", spec)
    assert result.exit_code == EXPLOIT_EXIT_CODE, result.output
    assert "EXPLOIT" in result.output and "answer_only" in result.output
    fixed = _audit(str(MATH_SAMPLE), "--prompt-column", "question", "-r", "tests.test_audit:FIXED")
    assert fixed.exit_code == 0, fixed.output
    assert "no exploit found" in fixed.output


def test_cli_json_report_and_example_file_spec() -> None:
    spec = f"{EXAMPLES / 'qwen3_4b_grpo_t4.py'}:reward_functions"
    result = _audit(str(MATH_SAMPLE), "--prompt-column", "question", "-r", spec, "--json", "--limit", "5")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "korean-rewards.audit/1" and document["passed"] is True
    assert document["n_rows"] == 5 and len(document["families"]) == len(FAMILIES)
    assert "reasoning_length" in document["reward"]


def test_cli_library_names_are_summed() -> None:
    result = _audit(str(MATH_SAMPLE), "--prompt-column", "question", "-r", "match_format_exactly",
                    "-r", "check_numbers_ko", "--weight", "1", "--weight", "2", "--json", "--limit", "2")
    assert result.exit_code == EXPLOIT_EXIT_CODE
    assert json.loads(result.stdout)["honest"] == 10.0


def test_cli_combine_spec_with_a_none_policy() -> None:
    base = [str(MATH_SAMPLE), "--prompt-column", "question", "-r", "check_answer_ko", "-r", "tests.test_audit:has_reasoning",
            "--weight", "1", "--weight", "6", "--combine"]
    skip = _audit(*base, "--none", "skip", "--json")
    assert skip.exit_code == EXPLOIT_EXIT_CODE, skip.output
    assert "answer_only" in json.loads(skip.stdout)["exploits"]
    assert _audit(*base).exit_code == 0
    assert _audit(*base, "--none", "ignore").exit_code == 1


@pytest.mark.parametrize(
    ("content", "rewards", "message"),
    [
        (None, "check_numbers_ko", "no such file"),
        ("{bad json", "check_numbers_ko", "invalid JSON"),
        ('{"text": "no prompt"}\n', "check_numbers_ko", "no row has a prompt"),
        ('{"prompt": "p", "answer": "1"}\n', "no_such_reward", "unknown reward"),
        ('{"prompt": "p", "answer": "1"}\n', "korean_rewards:nothing_here", "has no attribute"),
        ('{"prompt": "p", "answer": "1"}\n', "no_such_module_xyz:reward", "cannot import the module"),
        ('{"prompt": "p", "answer": "1"}\n', "korean_rewards:combine", "calling korean_rewards:combine failed"),
        ('{"prompt": "p", "answer": "1"}\n', "korean_rewards:__version__", "not a reward callable"),
    ],
)
def test_cli_bad_input_gives_a_message_not_a_traceback(tmp_path: Path, content: str | None, rewards: str, message: str) -> None:
    path = tmp_path / "rows.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = _audit(str(path), "-r", rewards)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
