"""``korean-rewards serve`` as a real process, driven by OpenRLHF's own HTTP reward client.

The server serves a model reward (BERTScore on a tiny random BERT) next to a rule reward; OpenRLHF's
``SingleTurnAgentExecutor._fetch_rewards_via_http`` posts to it as rollouts do (one query per request, many at
once); a malformed request (from OpenRLHF's client and raw) gets HTTP 400 naming the field and the server keeps
serving; SIGTERM and SIGINT stop it with exit status 0.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .conftest import stub_vllm

pytest.importorskip("openrlhf", reason="the engines stack installs openrlhf (scripts/run_tests.py --stacks engines)")
pytest.importorskip("fastapi", reason="needs the [serve] extra")
pytestmark = [pytest.mark.engines, pytest.mark.slow]

stub_vllm()

from openrlhf.utils.agent import SingleTurnAgentExecutor  # noqa: E402

from korean_rewards import BERTScoreReward, check_numbers_ko, combine  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "korean-rewards"
    return [str(script)] if script.exists() else [sys.executable, "-m", "korean_rewards"]


class Server:
    def __init__(self, rewards: list[str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = _cli() + ["serve", "--port", str(self.port), "--max-wait-ms", "20"]
        for spec in rewards:
            command += ["-r", spec]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        self.process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{log.read_text()}")
            try:
                self.health()
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"serve did not come up:\n{log.read_text()}")

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/health", timeout=5) as response:
            return json.loads(response.read())

    def post_raw(self, body: bytes) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.url + "/get_reward", data=body, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def bert_spec(tiny_bert_path: str) -> str:
    return f"BERTScoreReward(model_type={tiny_bert_path!r}, num_layers=2)"


def test_openrlhf_client_against_the_server(bert_spec: str, tiny_bert_path: str, tmp_path: Path) -> None:
    server = Server([bert_spec, "check_numbers_ko"], tmp_path / "serve.log")
    try:
        prompts = [f"<|im_start|>user\n문제 {i}<|im_end|>\n<|im_start|>assistant\n" for i in range(24)]
        # Malpyeong answers (BERTScore compares the reasons) that also end in a number for check_numbers_ko
        answers = [f'"깨끗이"가 옳다. 받침이 있으니 {i % 3} 번 적는다. <SOLUTION>{i}</SOLUTION>' for i in range(24)]
        labels = [f'"깨끗이"가 옳다. 어간이 받침으로 끝나면 {i} 번 적는다.' if i % 5 else None for i in range(24)]
        queries = [p + a + "<|im_end|><|endoftext|>" for p, a in zip(prompts, answers)]
        executor = SingleTurnAgentExecutor(server.url + "/get_reward")

        async def rollouts() -> list[Any]:  # one request per sample, all at once, as the vLLM actors send them
            return await asyncio.gather(
                *(executor._fetch_rewards_via_http([q], [p], [lab]) for q, p, lab in zip(queries, prompts, labels))
            )

        results = [r[0] for r in asyncio.run(rollouts())]
        bert = BERTScoreReward(model_type=tiny_bert_path, num_layers=2)
        golds = list(labels)
        direct_bert = bert(completions=answers, answer=golds)
        direct_numbers = check_numbers_ko(completions=answers, answer=golds)
        expected = combine({bert: 1.0, check_numbers_ko: 1.0})(completions=answers, answer=golds)
        got = [r["rewards"][0] for r in results]
        assert got == pytest.approx([0.0 if e is None else e for e in expected], abs=1e-4)
        assert [r["extra_logs"]["check_numbers_ko"][0] for r in results] == pytest.approx(
            [check_numbers_ko.score_range[0] if v is None else v for v in direct_numbers])
        assert [r["extra_logs"][bert.__name__][0] for r in results] == pytest.approx(
            [bert.score_range[0] if v is None else v for v in direct_bert], abs=1e-4)  # None: what combine counts
        assert all(set(r["extra_logs"]) == {bert.__name__, "check_numbers_ko", "gold_missing"} for r in results)
        assert len({round(v, 4) for v in direct_bert if v is not None}) > 10  # the model really ran
        health = server.health()
        assert health["batched"] and health["rows"] == 24 and health["batches"] < 24, health

        # malformed, through OpenRLHF's client (one prompt for two queries): 400 each try, then its RuntimeError
        with pytest.raises(RuntimeError, match="Request error"):
            asyncio.run(executor._fetch_rewards_via_http(["q1", "q2"], ["p1"], ["1", "2"]))
        status, answer = server.post_raw(b'{"query": ["a"], "prompts": ["p"]}')
        assert status == 400 and "'labels'" in answer["error"]
        status, answer = server.post_raw(b"{oops")
        assert status == 400 and "JSON" in answer["error"]
        status, answer = server.post_raw(json.dumps({"query": [queries[1]], "prompts": [prompts[1]],
                                                     "labels": [labels[1]]}).encode())
        assert status == 200 and answer["rewards"] == pytest.approx([got[1]], abs=1e-4)  # still serving

        # verl's side: per-sample compute_score calls posted to the server
        from korean_rewards.integrations.verl import make_remote_compute_score

        remote = make_remote_compute_score(server.url + "/get_reward")

        async def verl_worker() -> list[dict[str, float]]:
            return await asyncio.gather(*(remote("ko", a, lab, {}) for a, lab in zip(answers[:6], labels[:6])))

        from_verl = asyncio.run(verl_worker())
        assert [r["score"] for r in from_verl] == pytest.approx(got[:6], abs=1e-4)
        assert all(list(r) == ["score", bert.__name__, "check_numbers_ko", "gold_missing"] for r in from_verl)
    finally:
        code = server.stop(signal.SIGTERM)
    log = server.log.read_text()
    assert code == 0, log
    assert "'prompts' has 1 items but 'query' has 2" in log  # one INFO line per request, 400s included
    assert log.count("POST /get_reward 200") == 25 + 6 and "stopped (SIGTERM)" in log
    assert "Traceback" not in log


def test_sigint_stops_cleanly(tmp_path: Path) -> None:
    server = Server(["check_numbers_ko"], tmp_path / "serve.log")
    status, answer = server.post_raw(b'{"query": ["<SOLUTION>3</SOLUTION>"], "labels": ["3"]}')
    assert status == 200 and answer["rewards"] == [3.5]
    code = server.stop(signal.SIGINT)
    log = server.log.read_text()
    assert code == 0 and "stopped (SIGINT)" in log and "Traceback" not in log, log


def test_serve_with_a_bad_spec_fails_clearly() -> None:
    result = subprocess.run(_cli() + ["serve", "-r", "no_such_reward"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "no_such_reward" in result.stderr and "Traceback" not in result.stderr
