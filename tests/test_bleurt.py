"""BLEURT: equal to bleurt-pytorch (the oracle) on a tiny checkpoint in its format, and the BLEURT reward.

bleurt-pytorch 0.0.1 does not import under transformers 5, so its scores come from a fixture file
(tests/data/bleurt_pytorch_scores.json) made once under transformers 4.56 by tests/data/make_bleurt_fixture.py.
That script and these tests build the same checkpoint with ``save_tiny_bleurt`` (seeded weights drawn tensor by
tensor, sentencepiece trained single-threaded); the first test checks that the rebuilt checkpoint is bit-identical.
Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
pytest.importorskip("sentencepiece")

from korean_rewards import BLEURTReward, BLEURTScorer, bleurt_reward  # noqa: E402
from korean_rewards.scorers.bleurt import truncate_pair  # noqa: E402
from korean_rewards.testing import save_tiny_bert, save_tiny_bleurt  # noqa: E402

FIXTURE = json.loads((Path(__file__).parent / "data" / "bleurt_pytorch_scores.json").read_text(encoding="utf-8"))
REFS = [pair["reference"] for pair in FIXTURE["pairs"]]
CANDS = [pair["candidate"] for pair in FIXTURE["pairs"]]
ATOL = 1e-5

pytestmark = pytest.mark.filterwarnings("ignore:BLEURT:UserWarning")


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> str:
    return save_tiny_bleurt(tmp_path_factory.mktemp("bleurt"))


@pytest.fixture(scope="module")
def scorer(checkpoint: str) -> BLEURTScorer:
    return BLEURTScorer(checkpoint, device="cpu")


def weights_hash(folder: str | Path) -> str:
    """The same digest as make_bleurt_fixture.checkpoint_hashes: names, shapes and values, in name order."""
    folder = Path(folder)
    if (folder / "model.safetensors").is_file():
        from safetensors.torch import load_file

        weights = load_file(str(folder / "model.safetensors"))
    else:
        weights = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
    digest = hashlib.sha256()
    for name in sorted(weights):
        tensor = weights[name].contiguous()
        digest.update(name.encode() + str(tuple(tensor.shape)).encode() + tensor.numpy().tobytes())
    return digest.hexdigest()


def assert_close(ours: list[float], theirs: list[float], atol: float = ATOL) -> None:
    assert len(ours) == len(theirs)
    worst = max(range(len(ours)), key=lambda i: abs(ours[i] - theirs[i]))
    assert abs(ours[worst] - theirs[worst]) <= atol, (FIXTURE["pairs"][worst]["what"], ours[worst], theirs[worst])


# -- equal to bleurt-pytorch ----------------------------------------------------------------------------------------
@pytest.mark.trainer  # runs on every supported transformers stack
def test_the_rebuilt_checkpoint_is_the_one_the_fixture_was_made_with(checkpoint: str) -> None:
    spm_hash = hashlib.sha256((Path(checkpoint) / "spm.model").read_bytes()).hexdigest()
    assert spm_hash == FIXTURE["checkpoint"]["spm.model"], "sentencepiece trained differently: rerun the fixture script"
    assert weights_hash(checkpoint) == FIXTURE["checkpoint"]["weights"]


def test_fixture_covers_the_hard_cases() -> None:
    kinds = " ".join(pair["what"] for pair in FIXTURE["pairs"])
    for kind in ("both empty", "identical", "reference over 512", "candidate over 512", "english", "digits",
                 "nfd hangul", "emoji", "control characters", "near the limit"):  # fmt: skip
        assert kind in kinds
    assert len(FIXTURE["pairs"]) >= 40


@pytest.mark.trainer  # runs on every supported transformers stack
def test_equals_bleurt_pytorch(scorer: BLEURTScorer) -> None:
    assert_close(scorer.score(REFS, CANDS), FIXTURE["scores"])


@pytest.mark.trainer  # runs on every supported transformers stack
def test_equals_bleurt_pytorch_on_the_safetensors_copy(checkpoint: str, tmp_path: Path) -> None:
    from safetensors.torch import save_file

    copy = tmp_path / "safetensors"
    shutil.copytree(checkpoint, copy)
    state = torch.load(copy / "pytorch_model.bin", map_location="cpu", weights_only=True)
    save_file(state, str(copy / "model.safetensors"))
    (copy / "pytorch_model.bin").unlink()
    assert_close(BLEURTScorer(str(copy), device="cpu").score(REFS, CANDS), FIXTURE["scores"])
    built = save_tiny_bleurt(tmp_path / "built", safetensors=True)
    assert (Path(built) / "model.safetensors").is_file() and not (Path(built) / "pytorch_model.bin").exists()
    assert weights_hash(built) == FIXTURE["checkpoint"]["weights"]


@pytest.mark.trainer  # runs on every supported transformers stack
def test_equals_bleurt_pytorch_on_a_gelu_new_copy(checkpoint: str, tmp_path: Path) -> None:
    copy = tmp_path / "gelu_new"
    shutil.copytree(checkpoint, copy)
    config = json.loads((copy / "config.json").read_text())
    config["hidden_act"] = "gelu_new"
    (copy / "config.json").write_text(json.dumps(config))
    scorer = BLEURTScorer(str(copy), device="cpu")
    assert_close(scorer.score(REFS, CANDS), FIXTURE["scores_gelu_new"])
    assert scorer.activation == "gelu_new"


@pytest.mark.trainer  # runs on every supported transformers stack
def test_unknown_text_gets_sentencepieces_unknown_id(tmp_path: Path) -> None:
    """With "<unk>" as sentencepiece's unknown piece and "[UNK]" a separate piece, unknown characters (漢, emoji)
    get the id of "<unk>", as in bleurt-pytorch (and TensorFlow BLEURT), not the id of "[UNK]"."""
    folder = save_tiny_bleurt(tmp_path / "other-unk", unk_piece="<unk>")
    spm_hash = hashlib.sha256((Path(folder) / "spm.model").read_bytes()).hexdigest()
    assert spm_hash == FIXTURE["checkpoint_other_unk"]["spm.model"]
    assert weights_hash(folder) == FIXTURE["checkpoint_other_unk"]["weights"]
    scorer = BLEURTScorer(folder, device="cpu")
    assert_close(scorer.score(REFS, CANDS), FIXTURE["scores_other_unk"])
    ids, _ = scorer._encode([("漢", "")])[0]
    assert scorer._sp.unk_id() in ids and scorer._sp.piece_to_id("[UNK]") not in ids


@pytest.mark.trainer  # runs on every supported transformers stack
def test_tf_gelu_is_the_tanh_approximation(checkpoint: str) -> None:
    """tf_gelu=True on a "gelu" checkpoint computes what bleurt-pytorch computes for "gelu_new" (TF's GELU)."""
    tanh = BLEURTScorer(checkpoint, device="cpu", tf_gelu=True)
    ours = tanh.score(REFS, CANDS)
    assert_close(ours, FIXTURE["scores_gelu_new"])
    assert tanh.activation == "gelu_tanh"
    differences = [abs(a - b) for a, b in zip(ours, FIXTURE["scores"])]
    # the numbers the docs give for this checkpoint: up to 2.5e-3, mean 3.8e-4
    assert 2.4e-3 < max(differences) < 2.6e-3
    assert 3.7e-4 < sum(differences) / len(differences) < 3.9e-4


def test_batching_and_order_do_not_change_scores(checkpoint: str) -> None:
    rng = random.Random(3)
    order = list(range(len(REFS)))
    rng.shuffle(order)
    one_by_one = BLEURTScorer(checkpoint, device="cpu", batch_size=1)
    shuffled = one_by_one.score([REFS[i] for i in order], [CANDS[i] for i in order])
    batched = BLEURTScorer(checkpoint, device="cpu", batch_size=64).score(REFS, CANDS)
    assert_close([shuffled[order.index(i)] for i in range(len(REFS))], batched)


def test_duplicate_pairs_are_scored_once(checkpoint: str) -> None:
    scorer = BLEURTScorer(checkpoint, device="cpu")
    refs = ["정답은 여덟 개입니다"] * 8 + ["배가 있다"]
    cands = ["정답은 여덟", "정답은 아홉"] * 4 + ["정답은 여덟"]
    scores = scorer.score(refs, cands)
    assert scorer.pairs_scored == 3
    assert scores[0] == scores[2] == scores[6] and scores[1] == scores[7]
    assert scores[8] != scores[0]  # same candidate, other reference


def test_reference_and_candidate_are_not_interchangeable(scorer: BLEURTScorer) -> None:
    a, b = "사과가 세 개 있습니다", "The answer is 12."
    forward, backward = scorer.score([a], [b])[0], scorer.score([b], [a])[0]
    assert forward != backward  # token types 0 / 1 tell them apart


@given(st.integers(0, 700), st.integers(0, 700), st.integers(0, 600))
@settings(max_examples=300, deadline=None)
def test_truncation_is_tensorflow_bleurts_rule(len_a: int, len_b: int, budget: int) -> None:
    a, b = len_a, len_b  # TF BLEURT's _truncate_seq_pair, one pop at a time
    while a + b > budget:
        if a > b:
            a -= 1
        else:
            b -= 1
    assert truncate_pair(len_a, len_b, budget) == (a, b)


def test_long_pairs_are_truncated_with_one_warning(checkpoint: str) -> None:
    scorer = BLEURTScorer(checkpoint, device="cpu")
    long_text = max(REFS, key=len)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scorer.score([long_text, long_text], ["짧다", "짧은 답"])
        scorer.score([long_text], ["또"])
    assert [str(w.message) for w in caught if "truncated" in str(w.message)].__len__() == 1


def test_max_length_option(checkpoint: str) -> None:
    text = "사과가 세 개 있고 배가 다섯 개 있습니다. 모두 몇 개입니까?"
    short = BLEURTScorer(checkpoint, device="cpu", max_length=8)
    cut = short.score([text], [text + " 정답은 여덟 개입니다."])[0]
    full = BLEURTScorer(checkpoint, device="cpu").score([text], [text + " 정답은 여덟 개입니다."])[0]
    assert cut != full
    assert short._encode([(text, text)])[0][0].__len__() == 8


class OOMOnce(BLEURTScorer):
    """A scorer whose forward pass runs out of CUDA memory once, for batches of more than two pairs."""

    failures = 0

    def _forward(self, input_ids, token_types, mask, dtype):  # type: ignore[no-untyped-def, override]
        if input_ids.shape[0] > 2 and OOMOnce.failures == 0:
            OOMOnce.failures += 1
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return super()._forward(input_ids, token_types, mask, dtype)


def test_out_of_memory_halves_the_batch_and_retries(checkpoint: str) -> None:
    refs = ["정답은 여덟 개입니다"] * 8
    cands = ["사과가 세 개 있습니다 모두 몇 개입니까"] + [f"정답은 여덟 개입니다 {i}" for i in range(7)]
    scorer = OOMOnce(checkpoint, device="cpu", batch_size=8)
    with pytest.warns(UserWarning, match="out of memory"):
        ours = scorer.score(refs, cands)
    assert OOMOnce.failures == 1
    assert scorer._oom_cap is not None and scorer._oom_cap <= 4  # later calls use the smaller batches
    assert_close(ours, BLEURTScorer(checkpoint, device="cpu").score(refs, cands))


def test_out_of_memory_on_a_single_pair_is_raised(checkpoint: str) -> None:
    class AlwaysOOM(BLEURTScorer):
        def _forward(self, input_ids, token_types, mask, dtype):  # type: ignore[no-untyped-def, override]
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(torch.cuda.OutOfMemoryError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        AlwaysOOM(checkpoint, device="cpu").score(["사과", "배"], ["배", "사과"])


def test_half_precision_is_close(checkpoint: str) -> None:
    ours = BLEURTScorer(checkpoint, device="cpu", dtype="bfloat16").score(REFS[:20], CANDS[:20])
    assert_close(ours, FIXTURE["scores"][:20], atol=0.1)
    assert ours != FIXTURE["scores"][:20]


def test_an_overflowing_half_precision_batch_is_redone_in_float32(checkpoint: str) -> None:
    class Overflows(BLEURTScorer):
        def _forward(self, input_ids, token_types, mask, dtype):  # type: ignore[no-untyped-def, override]
            scores = super()._forward(input_ids, token_types, mask, dtype)
            return scores * float("inf") if dtype is not None else scores

    with pytest.warns(UserWarning, match="overflowed"):
        ours = Overflows(checkpoint, device="cpu", dtype="bfloat16").score(REFS[:5], CANDS[:5])
    assert_close(ours, FIXTURE["scores"][:5])


# -- bad arguments and missing checkpoints --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs", [{"batch_size": 0}, {"max_length": 2}, {"dtype": "int8"}, {"batch_size": True}]
)
def test_bad_options_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        BLEURTScorer("x", **kwargs)


def test_mismatched_inputs_are_refused(scorer: BLEURTScorer) -> None:
    with pytest.raises(ValueError, match="one reference per candidate"):
        scorer.score(["a", "b"], ["a"])
    with pytest.raises(TypeError, match="list of strings"):
        scorer.score("a", "b")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="list of strings"):
        scorer.score(["a"], [None])  # type: ignore[list-item]


def test_a_missing_local_folder_is_named_as_a_folder(tmp_path: Path) -> None:
    for path in (str(tmp_path / "nope"), "./no/such/bleurt", "~/no-such-bleurt-folder"):
        start = time.perf_counter()
        with pytest.raises(OSError, match="read as a local folder") as error:
            BLEURTScorer(path).load()
        assert time.perf_counter() - start < 5
        assert "no such folder" in str(error.value)


def test_a_hub_id_offline_fails_at_once_naming_the_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    start = time.perf_counter()
    with pytest.raises(OSError) as error:
        BLEURTScorer("korean-rewards-tests/no-such-bleurt").score(["a"], ["b"])
    assert time.perf_counter() - start < 10
    message = str(error.value)
    assert "read as a hub id" in message and "HF_HUB_OFFLINE" in message and "hf download" in message


def test_unreachable_hub_fails_fast(tmp_path: Path) -> None:
    code = (
        "import time\n"
        "from korean_rewards import BLEURTScorer\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    BLEURTScorer('korean-rewards-tests/no-such-bleurt').load()\n"
        "except OSError as error:\n"
        "    print('OSError', round(time.perf_counter() - start, 1), 'cannot be reached' in str(error))\n"
    )
    env = dict(os.environ)
    for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(variable, None)
    env.update(HF_HOME=str(tmp_path), HF_ENDPOINT="http://127.0.0.1:9", HF_HUB_ETAG_TIMEOUT="2")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    words = out.stdout.split()
    assert words[:1] == ["OSError"] and words[-1] == "True", out.stdout + out.stderr
    assert float(words[1]) < 30


def test_a_hub_id_in_the_local_cache_loads_offline(
    checkpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A hub id is read from the Hugging Face cache (the layout `hf download` leaves) without the network."""
    revision = "0" * 40
    repo = tmp_path / "hub" / "models--korean-rewards-tests--tiny-bleurt"
    snapshot = repo / "snapshots" / revision
    shutil.copytree(checkpoint, snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    scorer = BLEURTScorer("korean-rewards-tests/tiny-bleurt", device="cpu")
    assert_close(scorer.score(REFS[:10], CANDS[:10]), FIXTURE["scores"][:10])
    assert scorer.folder == snapshot


def test_a_folder_that_is_not_bleurt_is_refused(tmp_path: Path, checkpoint: str) -> None:
    bert = save_tiny_bert(tmp_path / "bert")
    with pytest.raises(OSError, match="not a BLEURT checkpoint"):
        BLEURTScorer(bert).load()
    partial = tmp_path / "partial"
    shutil.copytree(checkpoint, partial)
    (partial / "spm.model").unlink()
    with pytest.raises(OSError, match="spm.model missing"):
        BLEURTScorer(str(partial)).load()


def test_nothing_loads_until_the_first_score(checkpoint: str) -> None:
    scorer = BLEURTScorer(checkpoint, device="cpu")
    reward = BLEURTReward(checkpoint=checkpoint, device="cpu")
    assert not scorer.loaded and not reward.scorer.loaded
    reward.score('"사과"가 옳다. 사과가 세 개 있다.', '"사과"가 옳다. 사과가 세 개 있습니다.')
    assert reward.scorer.loaded


def test_importing_and_constructing_do_not_import_torch() -> None:
    code = (
        "import sys, korean_rewards\n"
        "from korean_rewards import BLEURTScorer, BLEURTReward, bleurt_reward\n"
        "s = BLEURTScorer(); r = BLEURTReward(batch_size=8); r2 = bleurt_reward.configure(tf_gelu=True)\n"
        "assert r.scorer is not None and not r.scorer.loaded\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules, 'sentencepiece' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False", "False"], out.stdout + out.stderr


def test_scorer_pickles_without_its_model(checkpoint: str) -> None:
    scorer = BLEURTScorer(checkpoint, device="cpu").load()
    copy = pickle.loads(pickle.dumps(scorer))
    assert not copy.loaded and copy.checkpoint == checkpoint
    assert copy.score(REFS[:3], CANDS[:3]) == scorer.score(REFS[:3], CANDS[:3])


# -- the reward -----------------------------------------------------------------------------------------------------
GOLD = '"나는 학교에 갔다"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.'
GOLD_2 = '"깨끗이"가 옳다. 어간이 받침으로 끝나면 적는다.'


@pytest.mark.trainer  # runs on every supported transformers stack
def test_reward_scores_the_reasons_with_bleurt(checkpoint: str) -> None:
    reward = BLEURTReward(checkpoint=checkpoint, device="cpu")
    completions = [
        GOLD,
        '"나는 학교에 갔다"가 옳다. 서술어가 자연스럽다.',
        '"나는 학교에 갔다"가 옳다.',  # no reason
        "모르겠다",  # no pattern
        "",
    ]
    scores = reward(prompts=[None] * 5, completions=completions, answer=[GOLD] * 5)
    scorer = BLEURTScorer(checkpoint, device="cpu")
    expected = scorer.score(["주어와 서술어의 호응이 자연스럽기 때문이다."] * 2,
                            ["주어와 서술어의 호응이 자연스럽기 때문이다.", "서술어가 자연스럽다."])
    assert scores[:2] == pytest.approx(expected, abs=1e-6)
    assert scores[2:] == [0.0, 0.0, 0.0]
    assert all(isinstance(s, float) for s in scores)


@pytest.mark.trainer  # runs on every supported transformers stack
def test_reward_on_conversational_completions(checkpoint: str) -> None:
    reward = BLEURTReward(checkpoint=checkpoint, device="cpu")
    plain = reward(completions=[GOLD_2, GOLD], answer=[GOLD_2, GOLD_2])
    chat = reward(
        completions=[
            [{"role": "assistant", "content": GOLD_2}],
            [{"role": "assistant", "content": [{"type": "text", "text": GOLD}]}],
        ],
        answer=[GOLD_2, GOLD_2],
    )
    assert chat == plain and plain[0] != plain[1]


def test_reward_with_a_gold_without_reason_scores_zero(checkpoint: str) -> None:
    reward = BLEURTReward(checkpoint=checkpoint, device="cpu")
    assert reward(completions=[GOLD], answer=['"나는 학교에 갔다"가 옳다.']) == [0.0]


def test_reward_needs_the_gold_column(checkpoint: str) -> None:
    reward = BLEURTReward(checkpoint=checkpoint, device="cpu")
    with pytest.raises((KeyError, TypeError, ValueError), match="answer"):
        reward(completions=[GOLD])
    custom = BLEURTReward(checkpoint=checkpoint, device="cpu", answer_key="gold")
    assert custom(completions=[GOLD], gold=[GOLD])[0] != 0.0


def test_rewards_with_the_same_settings_share_one_scorer(checkpoint: str) -> None:
    a = BLEURTReward(checkpoint=checkpoint, device="cpu")
    b = BLEURTReward(checkpoint=checkpoint, device="cpu", name="bleurt_again")
    assert a.scorer is b.scorer
    assert BLEURTReward(checkpoint=checkpoint, device="cpu", tf_gelu=True).scorer is not a.scorer


@pytest.mark.trainer  # runs on every supported transformers stack
def test_reward_load_fails_before_training(tmp_path: Path, checkpoint: str) -> None:
    reward = BLEURTReward(checkpoint=checkpoint, device="cpu")
    assert reward.load() is reward and reward.scorer.loaded
    from korean_rewards import combine, malpyeong_format_reward

    fresh = BLEURTReward(checkpoint=checkpoint, device="cpu", tf_gelu=True)  # another configuration, not loaded
    mix = combine({fresh: 1.0, malpyeong_format_reward: 0.5}, name="mix_with_bleurt")
    assert not fresh.scorer.loaded and mix.load() is mix and fresh.scorer.loaded
    with pytest.raises(OSError, match="read as a local folder"):
        BLEURTReward(checkpoint=str(tmp_path / "missing")).load()


@pytest.mark.trainer  # runs on every supported transformers stack
def test_reward_pickles_without_its_model(checkpoint: str) -> None:
    reward = BLEURTReward(checkpoint=checkpoint, device="cpu").load()
    copy = pickle.loads(pickle.dumps(reward))
    assert copy._scorer is None and copy.__name__ == reward.__name__
    assert copy(completions=[GOLD], answer=[GOLD_2]) == reward(completions=[GOLD], answer=[GOLD_2])


def test_default_instance() -> None:
    assert bleurt_reward.__name__ == "bleurt_reward"
    assert bleurt_reward.checkpoint == "lucadiliello/BLEURT-20" and not bleurt_reward.scorer.loaded
    assert bleurt_reward.configure(tf_gelu=True).__name__.startswith("bleurt_reward(")


@pytest.mark.parametrize("bad", [{"batch_size": 0}, {"checkpoint": ""}, {"dtype": "int8"}, {"answer_key": ""}])
def test_reward_bad_options_are_refused(bad: dict) -> None:
    with pytest.raises((TypeError, ValueError)):
        BLEURTReward(**bad)
