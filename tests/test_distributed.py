"""combine() inside a real 2-process GRPO run on CPU (accelerate, gloo backend).

The run is launched as ``accelerate launch --multi_gpu --num_processes 2`` with ``use_cpu=True`` in the
GRPOConfig and no visible GPU: accelerate's ``--cpu`` flag (1.15) starts a single process, while the torchrun
launcher behind ``--multi_gpu`` starts two, and ``use_cpu=True`` makes them a MULTI_CPU group over gloo (the
script checks ``num_processes == 2``).

TRL reduces every ``log_metric`` name across ranks with collective operations, so a combined reward must log the
same metric names on every rank, even when one rank's batch gives a component nothing but ``None``. The run
below includes such a component (``absent_on_rank_1``); a mismatch would hang the run (caught by the timeout)
or mix metrics up. The ranks train with ``run_grpo`` from ``test_grpo_e2e`` (the tests folder is on their
``PYTHONPATH``), the same tiny-Qwen3 set-up as the single-process tests.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import TESTS, explain, offline_env

pytestmark = [pytest.mark.slow, pytest.mark.trainer]

SCRIPT = textwrap.dedent(
    '''
    import json
    import os
    import sys
    from pathlib import Path

    from datasets import Dataset
    from test_grpo_e2e import run_grpo

    from korean_rewards import combine, malpyeong_em_reward, malpyeong_format_reward, rouge1_reward

    QUESTIONS = [
        ("\\"우동이 {불을/불} 것 같다.\\" 가운데 올바른 것을 고르고 이유를 쓰세요.",
         "\\"우동이 불을 것 같다.\\"가 옳다. 어간 끝 받침 ㄷ이 모음 앞에서 ㄹ로 바뀐다."),
        ("\\"그 일은 {깨끗이/깨끗히} 잊었다.\\" 가운데 올바른 것을 고르고 이유를 쓰세요.",
         "\\"그 일은 깨끗이 잊었다.\\"가 옳다. 어근이 ㅅ 받침으로 끝나면 -이로 적는다."),
        ("\\"{덤핑/덤삥}을 막아야 한다.\\" 가운데 올바른 것을 고르고 이유를 쓰세요.",
         "\\"덤핑을 막아야 한다.\\"가 옳다. 외래어는 원어 발음에 따라 적는다."),
        ("\\"내가 {할걸/할껄}.\\" 가운데 올바른 것을 고르고 이유를 쓰세요.",
         "\\"내가 할걸.\\"이 옳다. ㄹ로 시작하는 어미는 예사소리로 적는다."),
    ]


    def completion_length(completions, **kwargs):
        return [min(len(c), 40) / 40 for c in completions]


    def absent_on_rank_1(completions, **kwargs):
        # a component that cannot score anything on rank 1 (think: no reason to compare in any completion)
        if int(os.environ.get("RANK", "0")) == 1:
            return [None] * len(completions)
        return [0.5] * len(completions)


    def main():
        out_dir = sys.argv[1]
        dataset = Dataset.from_dict({
            "prompt": [q for q, _ in QUESTIONS] * 2,
            "answer": [a for _, a in QUESTIONS] * 2,
        })
        reward = combine(
            [
                (malpyeong_em_reward, 1 / 3),
                (malpyeong_format_reward, 1 / 6),
                (rouge1_reward, 1 / 2),
                (completion_length, 0.1),
                (absent_on_rank_1, 0.1),
            ],
            name="malpyeong_rules",
        )
        # 2 steps of one prompt's 4 completions per process, use_cpu=True, output in <out_dir>/grpo
        trainer = run_grpo(
            [reward], conversational=False, tmp_path=Path(out_dir), max_completion_length=16, dataset=dataset
        )
        if trainer.accelerator.is_main_process:
            with open(os.path.join(out_dir, "log_history.json"), "w", encoding="utf-8") as f:
                json.dump(
                    {"num_processes": trainer.accelerator.num_processes, "log_history": trainer.state.log_history}, f
                )
        # leave without the interpreter's teardown: a gloo group torn down there can abort a rank after training
        # ("terminate called without an active exception"), and a closing barrier can hang on some TRL releases
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


    if __name__ == "__main__":
        main()
    '''
)

COMPONENTS = ("malpyeong_em_reward", "malpyeong_format_reward", "rouge1_reward", "completion_length", "absent_on_rank_1")


def _trl_passes_log_hooks() -> bool:
    from test_grpo_e2e import _trl_passes_log_hooks as passes

    return passes()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_combined_reward_logs_its_components_once_per_step_on_two_processes(tmp_path: Path) -> None:
    pytest.importorskip("accelerate")
    pytest.importorskip("trl")
    script = tmp_path / "grpo_two_processes.py"
    script.write_text(SCRIPT, encoding="utf-8")
    python_path = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    env = offline_env(OMP_NUM_THREADS="1", PYTHONPATH=python_path)
    launcher = shutil.which("accelerate", path=str(Path(sys.executable).parent))
    command = [launcher] if launcher else [sys.executable, "-m", "accelerate.commands.accelerate_cli"]
    command += [
        "launch",
        "--multi_gpu",
        "--num_processes", "2",
        "--num_machines", "1",
        "--mixed_precision", "no",
        "--dynamo_backend", "no",
        "--main_process_port", str(_free_port()),
        str(script),
        str(tmp_path),
    ]
    try:
        result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired as error:  # a collective mismatch hangs the ranks
        pytest.fail(f"the 2-process GRPO run did not finish in time (collective hang?)\n{error.stderr!s:.4000}")
    assert result.returncode == 0, explain(result)

    logged = json.loads((tmp_path / "log_history.json").read_text(encoding="utf-8"))
    assert logged["num_processes"] == 2
    steps = [entry for entry in logged["log_history"] if "rewards/malpyeong_rules/mean" in entry]
    assert len(steps) == 2  # logging_steps=1, max_steps=2
    for entry in steps:
        for component in COMPONENTS:
            keys = [key for key in entry if key == f"malpyeong_rules/{component}"]
            assert len(keys) == 1, (component, sorted(entry))
        for component in ("malpyeong_em_reward", "malpyeong_format_reward", "rouge1_reward", "completion_length"):
            value = entry[f"malpyeong_rules/{component}"]
            assert isinstance(value, float) and 0.0 <= value <= 1.0, (component, value)
        assert math.isfinite(entry["rewards/malpyeong_rules/mean"])
        # rank 0 logs 0.5 and rank 1 NaN (its batch is all None): the step's cross-rank mean is NaN, which TRL
        # reports as None (or NaN); 0.5 would mean rank 1 never took part
        # On TRL < 1.0 (no log_metric) the library's own fallback averages the ranks that have a value, None
        # skipped, so the step shows rank 0's 0.5.
        absent = entry["malpyeong_rules/absent_on_rank_1"]
        if _trl_passes_log_hooks():
            assert absent is None or math.isnan(absent)
        else:
            assert absent == pytest.approx(0.5)
    # the metrics appear in the per-step entries only, once per logging step
    component_entries = [e for e in logged["log_history"] if "malpyeong_rules/rouge1_reward" in e]
    assert component_entries == steps
