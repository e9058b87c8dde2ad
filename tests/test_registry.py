"""One registry of reward specs: every public reward by name, options, user code, one importer, one flag name."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import korean_rewards
from korean_rewards.cli import app
from korean_rewards.registry import (
    SpecError,
    default_reward_names,
    import_object,
    is_reward,
    resolve_reward,
    resolve_rewards,
    reward_names,
    rows_kind,
)

DATA = Path(__file__).parent / "data"
ROWS = DATA / "cli_score_rows.jsonl"
runner = CliRunner()

# public names that are not rewards (helpers, a base class, builders that need components)
NOT_REWARDS = {"RewardFunction", "completion_text", "Tags", "NOTEBOOK_TAGS", "parse_korean_number",
               "extract_answer_number", "split_answer_reason", "normalize_answer", "morphemes", "rouge1_f1",
               "BERTScorer", "BLEURTScorer", "combine", "CombinedReward", "malpyeong_final_score", "korean_ratio",
               "audit_rewards", "AuditReport", "__version__"}  # fmt: skip


def test_every_public_reward_is_a_name_and_nothing_else_is() -> None:
    names = set(reward_names())
    public = set(korean_rewards.__all__)
    assert names <= public
    # every public name is either a reward name or one of the known non-rewards: a new public reward is accepted
    # without being listed anywhere else
    assert public - names <= NOT_REWARDS, public - names - NOT_REWARDS
    for name in ("accuracy_reward_ko", "AccuracyRewardKo", "reasoning_length", "ReasoningLength", "malpyeong_reward",
                 "bleurt_reward", "BERTScoreReward", "rouge1_reward"):  # fmt: skip
        assert name in names


@pytest.mark.parametrize("name", [n for n in korean_rewards.__all__ if n[0].islower() and n != "__version__"])
def test_each_public_instance_resolves_to_itself(name: str) -> None:
    value = getattr(korean_rewards, name)
    if name in reward_names() and not is_reward(value):  # a factory (malpyeong_reward): called with no options
        assert is_reward(resolve_reward(name))
    elif not is_reward(value):
        with pytest.raises(SpecError, match="is not a reward"):
            resolve_reward(name)
    else:
        assert resolve_reward(name) is value


def test_options_classes_and_factories() -> None:
    assert resolve_reward("accuracy_reward_ko(rel_tol=0.01)").rel_tol == 0.01
    assert resolve_reward("AccuracyRewardKo()").__name__ == "accuracy_reward_ko"
    assert resolve_reward("ReasoningLength(max_chars=300)").max_chars == 300
    team = resolve_reward('malpyeong_reward(bertscore_model="x", num_layers=2)')
    assert team.__name__ == "malpyeong_reward" and len(team.components) == 4
    with pytest.raises(SpecError, match="no option nope; its options: .*rel_tol"):
        resolve_reward("check_numbers_ko(nope=1)")
    with pytest.raises(SpecError, match="Python literals"):
        resolve_reward("check_numbers_ko(rel_tol=x)")
    with pytest.raises(SpecError, match="cannot read the reward"):
        resolve_reward("import os")
    with pytest.raises(SpecError, match="unknown reward 'check_numbers'.*accuracy_reward_ko"):
        resolve_reward("check_numbers")


def _user_file(folder: Path) -> Path:
    (folder / "helper_mod_for_rewards.py").write_text("BONUS = 2.0\n", encoding="utf-8")
    path = folder / "my_rewards.py"
    path.write_text(
        "from helper_mod_for_rewards import BONUS\n"  # a sibling import: the file's folder is on sys.path meanwhile
        "from korean_rewards import check_numbers_ko, match_format_exactly\n"
        "def bonus(completions, **kwargs):\n"
        "    return [BONUS] * len(completions)\n"
        "MIX = [check_numbers_ko, match_format_exactly, bonus]\n"
        "def make(scale=1.0):\n"
        "    def scaled(completions, **kwargs):\n"
        "        return [scale] * len(completions)\n"
        "    return scaled\n",
        encoding="utf-8",
    )
    return path


def test_user_code_from_a_file_and_a_module(tmp_path: Path) -> None:
    path = _user_file(tmp_path)
    before = list(sys.path)
    assert [fn.__name__ for fn in resolve_rewards(f"{path}:MIX")] == ["check_numbers_ko", "match_format_exactly", "bonus"]
    assert resolve_reward(f"{path}:bonus")(completions=["a"]) == [2.0]
    assert resolve_reward(f"{path}:make(scale=0.5)")(completions=["a", "b"]) == [0.5, 0.5]
    assert sys.path == before  # nothing left on sys.path
    assert import_object(f"{path}:bonus") is import_object(f"{path}:bonus")  # the same module, imported once
    assert resolve_reward("korean_rewards:check_numbers_ko") is korean_rewards.check_numbers_ko
    assert resolve_reward("korean_rewards.accuracy:accuracy_reward_ko") is korean_rewards.accuracy_reward_ko
    with pytest.raises(SpecError, match="gives 3 rewards"):
        resolve_reward(f"{path}:MIX")  # one reward wanted (an integration): a mix is refused, not half-used


def test_a_failing_file_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad_rewards.py"
    bad.write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    modules, path = set(sys.modules), list(sys.path)
    with pytest.raises(SpecError, match="RuntimeError: boom"):
        import_object(f"{bad}:x")
    assert set(sys.modules) == modules and sys.path == path
    with pytest.raises(SpecError, match="no such file"):
        import_object(f"{tmp_path / 'none.py'}:x")
    with pytest.raises(SpecError, match="cannot import the module 'no_such_module_xyz'"):
        import_object("no_such_module_xyz:x")
    with pytest.raises(SpecError, match="has no attribute 'nothing'"):
        import_object("korean_rewards:nothing")


def test_a_module_in_the_current_folder_is_found_and_the_path_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cwd_rewards_mod.py").write_text("def r(completions, **kw):\n    return [1.0] * len(completions)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    before = list(sys.path)
    assert resolve_reward("cwd_rewards_mod:r")(completions=["x"]) == [1.0]
    assert sys.path == before


def test_the_default_set_follows_the_kind_of_rows() -> None:
    math_rows = [json.loads(line) for line in ROWS.read_text(encoding="utf-8").splitlines()]
    kind, names = default_reward_names(math_rows)
    assert kind == "math" and "accuracy_reward_ko" in names and "rouge1_reward" not in names
    gold = '"나는 학교에 갔다"가 옳다. 주어와 서술어가 호응한다.'
    for answer in (gold, {"answer": gold}, [{"role": "assistant", "content": gold}]):  # every gold shape
        assert rows_kind([{"completion": "x", "answer": answer}]) == "malpyeong"
    assert rows_kind([{"completion": "x", "solution": gold}]) == "malpyeong"
    assert rows_kind([{"completion": gold}]) == "malpyeong"  # no gold: the completions tell
    assert default_reward_names([{"completion": "x", "answer": gold}])[1][:3] == (
        "malpyeong_em_reward", "malpyeong_format_reward", "rouge1_reward")  # fmt: skip


# -- the CLI: the same names and the same flag on every command -------------------------------------------------------
@pytest.mark.parametrize("spec", ["accuracy_reward_ko", "AccuracyRewardKo", "reasoning_length", "ReasoningLength()"])
def test_score_and_audit_accept_every_public_reward(spec: str, tmp_path: Path) -> None:
    scored = runner.invoke(app, ["score", str(ROWS), "-r", spec, "--json"])
    assert scored.exit_code == 0, scored.output
    assert len(json.loads(scored.stdout)["rewards"]) == 1
    audited = runner.invoke(app, ["audit", str(ROWS), "--reward", spec, "--json"])
    assert audited.exit_code in (0, 3), audited.output  # 3: an exploit found, which is a verdict, not an error
    assert "unknown reward" not in audited.output


def test_score_takes_user_code_and_audit_keeps_its_old_flag(tmp_path: Path) -> None:
    path = _user_file(tmp_path)
    scored = runner.invoke(app, ["score", str(ROWS), "-r", f"{path}:MIX", "--reward", "korean_rewards:check_answer_ko",
                                 "--json"])  # fmt: skip
    assert scored.exit_code == 0, scored.output
    assert list(json.loads(scored.stdout)["rewards"]) == ["check_numbers_ko", "match_format_exactly", "bonus",
                                                          "check_answer_ko"]  # fmt: skip
    old = runner.invoke(app, ["audit", str(ROWS), "--rewards", "check_numbers_ko", "--json"])
    new = runner.invoke(app, ["audit", str(ROWS), "--reward", "check_numbers_ko", "--json"])
    assert old.exit_code == new.exit_code and json.loads(old.stdout) == json.loads(new.stdout)
    missing = runner.invoke(app, ["audit", str(ROWS)])
    assert missing.exit_code == 1 and "--reward" in missing.output and "Traceback" not in missing.output
