"""The engine adapters without the engines: row scoring, verl's compute_score, OpenRLHF's reward_func, batching,
the reward server's protocol. The real engines drive the same code in tests/engines/ (the `engines` stack)."""

from __future__ import annotations

import asyncio
import math
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from korean_rewards import check_numbers_ko, combine, match_format_exactly
from korean_rewards.integrations.batching import BatchedScorer, MicroBatcher
from korean_rewards.integrations.openrlhf import END_MARKERS, make_reward_func, response_from_query
from korean_rewards.integrations.rows import Row, RowScorer
from korean_rewards.integrations.verl import compute_score, make_compute_score

GOOD = "<start_working_out>6*7<end_working_out><SOLUTION>42</SOLUTION>"


def maybe(completions, **kwargs):
    """1.0 for a "!", None when there is no text (the model can dodge it)."""
    return [float("!" in c) if c else None for c in completions]


def length(completions, **kwargs):
    return [min(len(c), 10) / 10 for c in completions]


# -- rows: fixed keys, never None -------------------------------------------------------------------------------


def test_every_row_has_the_same_numeric_keys() -> None:
    scorer = RowScorer(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix"))
    rows = [Row(GOOD, "42"), Row("", "42"), Row(GOOD, None), Row("정답 42", float("nan")), Row("x" * 5000, {"answer": "3"})]
    results = scorer.score_rows(rows)
    assert all(tuple(r) == scorer.keys for r in results)
    assert all(isinstance(v, float) and math.isfinite(v) for r in results for v in r.values())
    assert [r["gold_missing"] for r in results] == [0.0, 0.0, 1.0, 1.0, 0.0]
    assert results[2]["score"] == 0.0  # no gold: the documented missing_gold_score


@pytest.mark.parametrize(
    ("none", "expected_maybe", "expected_score"),
    [
        ("worst", -1.0, -1.0),  # maybe's declared range is (-1, 1): its lowest
        ("zero", 0.0, 0.0),
        ("skip", 0.0, 0.0),  # the rescaling gave it sign(w) * total / sum(|w|) = 0.0
        ("propagate", -1.0, -1.0),  # combine counts no value; the total is None -> none_score, the lowest total
    ],
)
def test_a_component_none_is_reported_as_combine_counts_it(none: str, expected_maybe: float, expected_score: float) -> None:
    reward = combine([(length, 1.0), (maybe, 1.0)], none=none, ranges={maybe: (-1.0, 1.0), length: (0.0, 1.0)})
    honest, dodged = RowScorer(reward).score_rows([Row("abcde!"), Row("")])  # "" makes `maybe` give None
    assert honest == {"score": pytest.approx(1.6), "length": 0.6, "maybe": 1.0, "gold_missing": 1.0}
    assert dodged == {"score": pytest.approx(expected_score), "length": 0.0, "maybe": pytest.approx(expected_maybe),
                      "gold_missing": 1.0}


def test_skip_reports_the_value_the_rescaling_used() -> None:
    reward = combine([(length, 1.0), (maybe, 1.0)], none="skip")
    row = RowScorer(reward).score_rows([Row("")] + [Row("abcd")])  # "" -> maybe None, length 0.0
    total = reward(completions=["", "abcd"])
    assert [r["score"] for r in row] == pytest.approx(total)
    for r in row:
        assert r["length"] + r["maybe"] == pytest.approx(r["score"])


def test_a_plain_reward_none_with_gold_gets_its_lowest_score() -> None:
    def picky(completions, answer, **kwargs):
        return [None if "?" in c else 1.0 for c in completions]

    picky.score_range = (-2.0, 1.0)
    results = RowScorer(picky).score_rows([Row("뭐지?", "1"), Row("1", "1"), Row("뭐지?", None)])
    assert [r["score"] for r in results] == [-2.0, 1.0, 0.0]
    assert RowScorer(picky, none_score=-5.0, missing_gold_score=-1.0).score_rows([Row("?", "1"), Row("?", None)]) == [
        {"score": -5.0, "gold_missing": 0.0},
        {"score": -1.0, "gold_missing": 1.0},
    ]


def test_programmer_errors_are_clear() -> None:
    def score(completions, **kwargs):
        return [1.0 for _ in completions]

    with pytest.raises(ValueError, match="named 'score'"):
        RowScorer(combine({score: 1.0}))
    with pytest.raises(TypeError, match="missing_gold_score"):
        RowScorer(length, missing_gold_score=float("nan"))
    with pytest.raises(TypeError, match="rewards must be numbers"):
        RowScorer(lambda completions, **kw: ["high" for _ in completions]).score_rows([Row("a")])


# -- verl ---------------------------------------------------------------------------------------------------------


def test_verl_compute_score_takes_the_spec_and_ignores_verl_arguments() -> None:
    result = asyncio.run(
        compute_score(
            data_source="gsm8k_ko", solution_str="<SOLUTION>100.5</SOLUTION>", ground_truth="100",
            extra_info={"num_turns": 2, "rollout_reward_scores": {}}, reward="check_numbers_ko(rel_tol=0.01)",
            reward_router_address=None, reward_model_tokenizer=None,
        )
    )
    assert result == {"score": 3.5, "gold_missing": 0.0}


def test_verl_warns_once_about_an_unknown_reward_kwarg() -> None:
    with pytest.warns(UserWarning, match="'rewrd'"):
        asyncio.run(compute_score("ko", "<SOLUTION>1</SOLUTION>", "1", {}, reward="check_numbers_ko", rewrd="x"))


def test_verl_default_reward_is_accuracy_reward_ko() -> None:
    right = asyncio.run(compute_score("ko", "계산하면 답은 \\boxed{42}입니다.", "42", {}))
    wrong = asyncio.run(compute_score("ko", "답은 \\boxed{41}", "42", {}))
    assert right["score"] > wrong["score"]
    missing = asyncio.run(compute_score("ko", "답은 \\boxed{41}", None, {}, missing_gold_score=-0.5))
    assert missing == {"score": -0.5, "gold_missing": 1.0}


def test_verl_compute_score_resolves_every_kind_of_spec(tmp_path, monkeypatch) -> None:
    """``reward=`` goes through the one resolver (korean_rewards.registry): names, options, files and modules."""
    (tmp_path / "verl_mix.py").write_text(
        "from korean_rewards import check_numbers_ko, combine, match_format_exactly\n"
        "mix = combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name='mix')\n",
        encoding="utf-8",
    )
    package = tmp_path / "on_path"
    package.mkdir()
    (package / "verl_spec_rewards.py").write_text(
        "def exclaims(completions, **kwargs):\n    return [float(c.count('!')) for c in completions]\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(package))

    def score(spec: str, text: str, gold: object = "42") -> dict[str, float]:
        return asyncio.run(compute_score("ko", text, gold, {}, reward=spec))

    assert score("accuracy_reward_ko", "답은 \\boxed{42}입니다.")["score"] > score("accuracy_reward_ko", "답은 \\boxed{41}")["score"]
    near = "<SOLUTION>42.3</SOLUTION>"  # 0.7 % off: inside rel_tol=0.01, outside the default tolerance
    assert score("check_numbers_ko(rel_tol=0.01)", near)["score"] > score("check_numbers_ko", near)["score"]

    mix = score(f"{tmp_path / 'verl_mix.py'}:mix", GOOD)
    direct = combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix")
    assert mix == {"score": direct(completions=[GOOD], answer=["42"])[0],
                   "check_numbers_ko": check_numbers_ko(completions=[GOOD], answer=["42"])[0],
                   "match_format_exactly": match_format_exactly(completions=[GOOD])[0], "gold_missing": 0.0}
    assert score("verl_spec_rewards:exclaims", "42!!!") == {"score": 3.0, "gold_missing": 0.0}


def test_verl_compute_score_rejects_a_spec_of_several_rewards(tmp_path) -> None:
    (tmp_path / "verl_pair.py").write_text(
        "from korean_rewards import check_numbers_ko, match_format_exactly\n"
        "pair = [check_numbers_ko, match_format_exactly]\n",
        encoding="utf-8",
    )
    from korean_rewards.registry import SpecError

    with pytest.raises(SpecError, match="combine"):
        asyncio.run(compute_score("ko", GOOD, "42", {}, reward=f"{tmp_path / 'verl_pair.py'}:pair"))
    with pytest.raises(SpecError, match="unknown reward 'check_number_ko'"):
        asyncio.run(compute_score("ko", GOOD, "42", {}, reward="check_number_ko"))


def test_verl_extra_info_entries_reach_the_reward_as_columns() -> None:
    seen = {}

    def by_level(prompts, completions, answer, level, data_source, **kwargs):
        seen.update(prompts=prompts, level=level, data_source=data_source, answer=answer)
        return [float(lv) for lv in level]

    function = make_compute_score(by_level)
    result = asyncio.run(function("src", "text", "gold", {"level": 3, "prompt": "질문"}))
    assert result == {"score": 3.0, "gold_missing": 0.0}
    assert seen == {"prompts": ["질문"], "level": [3], "data_source": ["src"], "answer": ["gold"]}
    import inspect

    assert inspect.iscoroutinefunction(function) and inspect.iscoroutinefunction(compute_score)


def test_verl_per_sample_calls_of_a_model_reward_are_batched(tiny_bert_path: str) -> None:
    from korean_rewards import BERTScoreReward

    reward = BERTScoreReward(model_type=tiny_bert_path, num_layers=2)
    golds = [f'"깨끗이"가 옳다. 어간이 받침으로 끝나면 {i} 번 적는다.' for i in range(40)]
    texts = [f'"깨끗이"가 옳다. 받침이 {i % 7} 개 있으니 {i} 번 적는다.' for i in range(40)]
    function = make_compute_score(reward, max_batch=16, max_wait_ms=50)

    async def all_samples():
        return await asyncio.gather(*(function("ko", t, g, {}) for t, g in zip(texts, golds)))

    results = asyncio.run(all_samples())
    direct = reward(completions=texts, answer=golds)
    assert len(set(direct)) > 10  # the model ran: BERTScore of real reasons, not the 0.0 of an empty one
    assert [r["score"] for r in results] == pytest.approx(direct, abs=1e-5)
    assert function.scorer.batched and function.scorer.batcher.batches <= 4  # 40 calls, batches of <= 16


# -- batching ----------------------------------------------------------------------------------------------------


def test_micro_batcher_from_threads_and_errors() -> None:
    sizes = []

    def process(items):
        sizes.append(len(items))
        if "boom" in items:
            raise RuntimeError("model failed")
        return [item.upper() for item in items]

    batcher = MicroBatcher(process, max_batch=8, max_wait_ms=100)
    futures = []
    threads = [threading.Thread(target=lambda i=i: futures.append(batcher.submit(f"x{i}"))) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(f.result() for f in futures) == sorted(f"X{i}" for i in range(20))
    assert max(sizes) <= 8 and len(sizes) < 20
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.submit("boom").result()
    assert batcher.submit("ok").result() == "OK"  # the batcher keeps working after a failed batch
    with pytest.raises(ValueError, match="max_batch"):
        MicroBatcher(process, max_batch=0)


def test_rule_rewards_are_not_batched() -> None:
    scorer = BatchedScorer(RowScorer(check_numbers_ko))
    assert not scorer.batched
    assert scorer.score(Row(GOOD, "42"))["score"] == 3.5 and scorer.batcher.batches == 0


# -- OpenRLHF ----------------------------------------------------------------------------------------------------

TEMPLATES = {
    "qwen": ("<|im_start|>system\n너는 도우미<|im_end|>\n<|im_start|>user\n6*7?<|im_end|>\n<|im_start|>assistant\n",
             "<|im_end|>"),
    "llama3": ("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n6*7?<|eot_id|>"
               "<|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>"),
    "gemma": ("<bos><start_of_turn>user\n6*7?<end_of_turn>\n<start_of_turn>model\n", "<end_of_turn>\n<eos>"),
    "exaone": ("[|system|]너는 도우미[|endofturn|]\n[|user|]6*7?\n[|assistant|]", "[|endofturn|]"),
}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_response_is_recovered_from_every_template(template: str) -> None:
    prompt, end = TEMPLATES[template]
    query = prompt + GOOD + end + "<|endoftext|>" * 3
    assert response_from_query(query, prompt) == GOOD + ("\n" if "\n" in end else "")
    # the decoded prompt differs from the prompt string (re-tokenised, truncated): the assistant marker decides
    assert response_from_query(query, "a prompt that does not match") == GOOD + ("\n" if "\n" in end else "")
    assert response_from_query(query, None) == GOOD + ("\n" if "\n" in end else "")
    # a leading BOS on one side only
    assert response_from_query("<s>" + "질문 " + GOOD + "</s>", "질문 ") == GOOD


def test_response_keeps_what_trl_would_show() -> None:
    prompt = "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n"
    assert response_from_query(prompt + "답 \n<|im_end|>\n<|endoftext|>", prompt) == "답 \n\n"
    assert response_from_query(prompt + "<|im_end|> 중간 <|im_end|>", prompt) == "<|im_end|> 중간 "
    assert response_from_query(prompt + "답<|im_end|>", prompt, end_markers=()) == "답<|im_end|>"
    assert response_from_query(prompt + "답<END>", prompt, end_markers=("<END>",)) == "답"
    assert response_from_query(None, prompt) == "" and response_from_query(b"bytes", None) == ""


def test_response_recovery_is_linear_on_huge_queries() -> None:
    huge = "<|im_end|> \n" * 100_000 + "<|endoftext|>" * 100_000
    assert response_from_query("P" + huge, "P").strip() == ""
    assert response_from_query("<|im_start|>assistant\n" * 50_000 + "답", None) == "답"
    spaces = "답" + " " * 1_000_000
    assert response_from_query(spaces, None) == spaces


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab <>|\n_imendofturtx") + list(END_MARKERS) + ["<|im_start|>assistant\n"]),
                max_size=30).map("".join),
       st.one_of(st.none(), st.text(max_size=10)))
def test_response_recovery_never_raises(query: str, prompt: str | None) -> None:
    result = response_from_query(query, prompt)
    assert isinstance(result, str) and len(result) <= len(query)


def test_reward_func_shape_and_fixed_extra_logs() -> None:
    import torch

    reward_func = make_reward_func(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix"))
    prompt = TEMPLATES["qwen"][0]
    queries = [prompt + GOOD + "<|im_end|>", prompt + "모르겠어요<|im_end|>", prompt + GOOD, "garbage without prompt"]
    out = reward_func(queries, [prompt] * 4, ["42", "42", None, {"answer": "3"}])
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert out["rewards"].dtype == torch.float32 and out["rewards"].shape == (4,)
    assert torch.equal(out["rewards"], out["scores"])
    assert set(out["extra_logs"]) == {"check_numbers_ko", "match_format_exactly", "gold_missing"}
    assert all(v.shape == (4,) and torch.isfinite(v).all() for v in out["extra_logs"].values())
    assert out["rewards"][0] == 3.5 + 0.5 * 3.0  # match_format_exactly saw the text without <|im_end|>
    assert out["rewards"][0] > out["rewards"][1] and out["extra_logs"]["gold_missing"].tolist() == [0, 0, 1, 0]
    with pytest.raises(ValueError, match="2 labels"):
        reward_func(["a"], ["b"], ["1", "2"])


# -- the server's protocol (FastAPI in process; tests/engines/ drives the real command with OpenRLHF's client) ---


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("fastapi", reason="needs the [serve] extra")
    pytest.importorskip("httpx", reason="fastapi's TestClient needs httpx")
    from fastapi.testclient import TestClient

    from korean_rewards.integrations.server import create_app

    return TestClient(create_app(["check_numbers_ko", "match_format_exactly"]))


def test_server_answers_openrlhf_protocol(client) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["rewards"] == ["check_numbers_ko", "match_format_exactly"]
    body = {"query": ["Q " + GOOD + "<|im_end|>", "Q 몰라"], "prompts": ["Q ", "Q "], "labels": ["42", None]}
    answer = client.post("/get_reward", json=body).json()
    assert answer["rewards"] == [3.5 + 3.0, 0.0] and answer["scores"] == answer["rewards"]
    assert answer["extra_logs"] == {
        "check_numbers_ko": [3.5, -2.5], "match_format_exactly": [3.0, 0.0], "gold_missing": [0.0, 1.0]
    }
    no_prompts = client.post("/get_reward", json={"query": [GOOD], "labels": ["42"]}).json()
    assert no_prompts["rewards"] == [6.5]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"labels": ["1"]}', "'query'"),
        (b'{"query": ["a"]}', "'labels'"),
        (b'{"query": "a", "labels": ["1"]}', "'query'"),
        (b'{"query": [1], "labels": ["1"]}', "'query'[0]"),
        (b'{"query": ["a", "b"], "labels": ["1"]}', "'labels' has 1 items but 'query' has 2"),
        (b'{"query": ["a"], "labels": "1"}', "'labels'"),
        (b'{"query": ["a"], "labels": ["1"], "prompts": ["p", "q"]}', "'prompts' has 2 items"),
        (b'{"query": ["a"], "labels": ["1"], "prompts": [3]}', "'prompts'[0]"),
    ],
)
def test_server_rejects_malformed_bodies_naming_the_field(client, body: bytes, field: str) -> None:
    response = client.post("/get_reward", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and field in response.json()["error"]
    assert client.post("/get_reward", json={"query": [GOOD], "labels": ["42"]}).status_code == 200
