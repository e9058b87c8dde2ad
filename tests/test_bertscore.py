"""The BERTScore engine: equal to bert-score 0.3.13 (the oracle) on the same local model, and its reward.

Nothing is downloaded: the model is a tiny random BERT saved to a temporary folder. Its position table has only
64 entries (and its tokenizer says so), so over-long texts are truncated exactly where bert-score truncates them.
"""

from __future__ import annotations

import asyncio
import math
import os
import pickle
import random
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
bert_score = pytest.importorskip("bert_score")

from korean_rewards import BERTScorer, BERTScoreReward, bertscore_reward, combine, malpyeong_format_reward  # noqa: E402
from korean_rewards import bertscore as bs  # noqa: E402
from korean_rewards.scorers.models import plan_batches  # noqa: E402
from korean_rewards.testing import build_tiny_bert, build_wordpiece_tokenizer  # noqa: E402

# the engine warns once per scorer about empty and truncated texts; these tests make many scorers
pytestmark = pytest.mark.filterwarnings("ignore:BERTScore:UserWarning")

LAYER = 3  # of 4
MAX_POSITIONS = 64

WORDS = (
    "사과가 배가 세 개 다섯 있고 있습니다 모두 몇 개입니까 정답은 여덟 먼저 식을 세웁니다 나는 학교에 갔다 "
    "옳다 주어와 서술어의 호응이 자연스럽기 때문이다 깨끗이 어간이 받침으로 끝나면 적는다 표준어 규정에 "
    "따르면 웃어른이 옳은 표기이다 띄어쓰기는 단어별로 한다 학생이 줄에 섭니다 연필을 자루 샀다면 원을 냅니다 "
    "The answer is 12 step by 3 + 5 = 8 삼백오십 마이너스 칠 더하기 십은 삼이다"
).split()


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A tiny BERT whose position table (and tokenizer limit) is 64 tokens."""
    tokenizer = build_wordpiece_tokenizer()
    tokenizer.model_max_length = MAX_POSITIONS
    model = build_tiny_bert(tokenizer, max_position_embeddings=MAX_POSITIONS)
    path = tmp_path_factory.mktemp("bert-64")
    tokenizer.save_pretrained(path)
    model.save_pretrained(path)
    return str(path)


class _ClsSep:
    """bert-score's own rule for an empty sentence, ``build_inputs_with_special_tokens([])`` = [CLS] [SEP]."""

    def __init__(self, tokenizer: object) -> None:
        self.cls = tokenizer.cls_token_id  # type: ignore[attr-defined]
        self.sep = tokenizer.sep_token_id  # type: ignore[attr-defined]

    def __call__(self, ids: list[int]) -> list[int]:
        return [self.cls, *ids, self.sep]


def oracle(path: str, **kwargs: object) -> bert_score.BERTScorer:
    """bert-score's BERTScorer on the local model.

    bert-score 0.3.13 encodes an empty sentence with ``tokenizer.build_inputs_with_special_tokens([])``, which
    transformers 5 tokenizers no longer have (AttributeError). The oracle's tokenizer gets that one method back,
    doing what it did (wrap the ids in [CLS] ... [SEP]), so the oracle computes empty texts under its own rules.
    """
    idf_sents = kwargs.pop("idf_sents", None)
    scorer = bert_score.BERTScorer(model_type=path, num_layers=LAYER, nthreads=0, **kwargs)
    if not hasattr(scorer._tokenizer, "build_inputs_with_special_tokens"):
        scorer._tokenizer.build_inputs_with_special_tokens = _ClsSep(scorer._tokenizer)
    if idf_sents is not None:
        scorer.compute_idf(idf_sents)
    return scorer


def assert_same(ours: tuple, theirs: tuple, atol: float = 1e-5) -> None:
    for name, a, b in zip("PRF", ours, theirs):
        assert a.shape == b.shape, name
        assert a.dtype == torch.float32, name
        assert torch.allclose(a, b.float(), atol=atol, rtol=0), (name, (a - b).abs().max().item(), a, b)


def mixed_pairs(seed: int = 0, n: int = 40) -> tuple[list[str], list[str]]:
    """Korean pairs with repeats (GRPO-style), duplicates, empty and whitespace-only texts and over-long texts."""
    rng = random.Random(seed)
    refs_pool = [sentence(rng, 3, 20) for _ in range(6)] + [sentence(rng, 60, 90)]  # the last is over-long
    cands, refs = [], []
    for i in range(n):
        ref = refs_pool[i % len(refs_pool)]
        kind = i % 8
        if kind == 0:
            cand = ref  # a perfect answer
        elif kind == 1:
            cand = ""
        elif kind == 2:
            cand = "   "
        elif kind == 3:
            cand = sentence(rng, 70, 100)  # longer than 64 positions
        else:
            cand = sentence(rng, 1, 25)
        cands.append(cand)
        refs.append(ref)
    cands[5] = cands[4]  # an exact duplicate candidate
    refs[9] = ""  # an empty reference
    refs[10] = "  \n "
    return cands, refs


# -- equal to bert-score ------------------------------------------------------------------------------------------
def test_equals_bert_score_on_mixed_batch(model_path: str) -> None:
    cands, refs = mixed_pairs()
    ours = BERTScorer(model_path, num_layers=LAYER, batch_size=8).score(cands, refs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = oracle(model_path).score(cands, refs)
    assert_same(ours, theirs)
    # the cases that matter are really there: a perfect match, empties scored 0, truncated texts scored
    F = ours[2]
    assert F[0].item() == pytest.approx(1.0, abs=1e-6)
    assert F[1].item() == F[2].item() == F[9].item() == F[10].item() == 0.0
    assert ours[0][1].item() == ours[1][1].item() == 0.0
    assert 0.0 < F[3].item() < 1.0


def test_equals_bert_score_with_idf_sents(model_path: str) -> None:
    cands, refs = mixed_pairs(seed=1)
    idf_sents = sorted(set(refs))  # a corpus of documents
    ours = BERTScorer(model_path, num_layers=LAYER, idf=True, idf_sents=idf_sents).score(cands, refs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = oracle(model_path, idf=True, idf_sents=idf_sents).score(cands, refs)
    assert_same(ours, theirs)


def test_idf_from_the_references_like_bert_score_score(model_path: str) -> None:
    rng = random.Random(2)
    refs = [sentence(rng, 4, 15) for _ in range(5)] * 3
    cands = [sentence(rng, 2, 15) for _ in refs]
    ours = BERTScorer(model_path, num_layers=LAYER, idf=True).score(cands, refs)
    theirs = bert_score.score(cands, refs, model_type=model_path, num_layers=LAYER, idf=True, nthreads=0)
    assert_same(ours, theirs)
    plain = BERTScorer(model_path, num_layers=LAYER).score(cands, refs)
    assert not torch.allclose(ours[2], plain[2])  # idf really weighs


def test_several_references_per_candidate(model_path: str) -> None:
    rng = random.Random(3)
    cands = [sentence(rng, 3, 12) for _ in range(4)]
    refs = [[sentence(rng, 3, 12) for _ in range(k)] for k in (1, 2, 3, 2)]
    refs[2][1] = cands[2]
    ours = BERTScorer(model_path, num_layers=LAYER).score(cands, refs)
    theirs = oracle(model_path).score(cands, refs)
    assert_same(ours, theirs)
    assert ours[2][2].item() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_batch_size_does_not_change_scores(model_path: str, batch_size: int) -> None:
    cands, refs = mixed_pairs(seed=4, n=24)
    reference = BERTScorer(model_path, num_layers=LAYER, batch_size=64, cache_size_mb=0).score(cands, refs)
    ours = BERTScorer(model_path, num_layers=LAYER, batch_size=batch_size).score(cands, refs)
    assert_same(ours, reference)


def test_layer_zero_and_last_layer(model_path: str) -> None:
    cands, refs = mixed_pairs(seed=5, n=16)
    for layer in (0, 4):
        ours = BERTScorer(model_path, num_layers=layer).score(cands, refs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = bert_score.BERTScorer(model_type=model_path, num_layers=layer)
            theirs._tokenizer.build_inputs_with_special_tokens = _ClsSep(theirs._tokenizer)
            assert_same(ours, theirs.score(cands, refs))
    with pytest.raises(ValueError, match="only 4 layers"):
        BERTScorer(model_path, num_layers=5).load()


def test_whitespace_around_a_text_does_not_matter(model_path: str) -> None:
    scorer = BERTScorer(model_path, num_layers=LAYER)
    a = scorer.score(["사과가 세 개"], ["정답은 여덟"])
    b = scorer.score(["  사과가 세 개\n"], ["\t정답은 여덟 "])
    assert_same(a, b, atol=1e-6)


# -- the cache and the batching ----------------------------------------------------------------------------------
def test_references_are_embedded_once_across_calls(model_path: str) -> None:
    rng = random.Random(6)
    refs16 = [sentence(rng, 5, 20) for _ in range(4)]
    refs = [r for r in refs16 for _ in range(4)]  # each reference repeated num_generations = 4 times
    scorer = BERTScorer(model_path, num_layers=LAYER)
    first_cands = [sentence(rng, 5, 20) for _ in refs]
    scorer.score(first_cands, refs)
    assert scorer.texts_embedded == len(set(refs16)) + len(set(first_cands))
    new_cands = [sentence(rng, 5, 20) + " 끝" for _ in refs]
    before = scorer.texts_embedded
    ours = scorer.score(new_cands, refs)
    assert scorer.texts_embedded - before == len(set(new_cands))  # the references came from the cache
    assert scorer.cache_info().hits >= len(refs16)
    assert_same(ours, BERTScorer(model_path, num_layers=LAYER, cache_size_mb=0).score(new_cands, refs))


def test_cache_stays_within_its_budget(model_path: str) -> None:
    scorer = BERTScorer(model_path, num_layers=LAYER, cache_size_mb=0.01)  # about 10 kB
    rng = random.Random(7)
    for _ in range(5):
        refs = [sentence(rng, 10, 30) for _ in range(8)]
        scorer.score(refs, refs)
        info = scorer.cache_info()
        assert info.bytes <= info.max_bytes
    assert 0 < info.entries < 40
    scorer.clear_cache()
    assert scorer.cache_info().entries == 0


def test_cache_can_be_turned_off(model_path: str) -> None:
    scorer = BERTScorer(model_path, num_layers=LAYER, cache_size_mb=0)
    scorer.score(["사과가 세 개"], ["정답은 여덟"])
    scorer.score(["사과가 세 개"], ["정답은 여덟"])
    assert scorer.cache_info().entries == 0 and scorer.texts_embedded == 4


def test_duplicates_within_a_call_are_embedded_once(model_path: str) -> None:
    scorer = BERTScorer(model_path, num_layers=LAYER)
    scorer.score(["사과가 세 개", "사과가 세 개 ", "정답은 여덟"], ["정답은 여덟", "정답은 여덟", "정답은 여덟"])
    assert scorer.texts_embedded == 2


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 200), min_size=1, max_size=60),
    batch_size=st.integers(1, 16),
    tolerance=st.sampled_from([0.0, 0.1, 0.3]),
    min_tokens=st.sampled_from([0, 50, 400]),
)
def test_batch_plan_covers_everything_with_little_padding(
    lengths: list[int], batch_size: int, tolerance: float, min_tokens: int
) -> None:
    lengths = sorted(lengths, reverse=True)
    plan = plan_batches(lengths, batch_size, tolerance, min_tokens)
    assert [i for batch in plan for i in batch] == list(range(len(lengths)))
    for batch, following in zip(plan, [*plan[1:], None]):
        assert 1 <= len(batch) <= batch_size
        tokens = [lengths[i] for i in batch]
        if sum(tokens[:-1]) >= min_tokens:  # past the minimum, padding stays within the tolerance
            padded = len(tokens) * tokens[0]
            assert padded - sum(tokens) <= tolerance * padded + 1e-9
        if following is not None and len(batch) < batch_size:  # closed early: only for padding
            more = [*tokens, lengths[following[0]]]
            assert sum(tokens) >= min_tokens
            assert len(more) * more[0] - sum(more) > tolerance * len(more) * more[0]


class OOMOnce(BERTScorer):
    """A scorer whose forward pass runs out of CUDA memory once, for batches of more than two texts."""

    failures = 0

    def _forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def, override]
        if input_ids.shape[0] > 2 and OOMOnce.failures == 0:
            OOMOnce.failures += 1
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return super()._forward(input_ids, attention_mask)


def test_out_of_memory_halves_the_batch_and_retries(model_path: str) -> None:
    cands = ["사과가 세 개 있습니다 모두 몇 개입니까"] + [f"정답은 여덟 개입니다 {i}" for i in range(7)]
    refs = ["정답은 여덟 개입니다"] * 8
    scorer = OOMOnce(model_path, num_layers=LAYER, batch_size=8)
    with pytest.warns(UserWarning, match="out of memory"):
        ours = scorer.score(cands, refs)
    assert OOMOnce.failures == 1
    assert scorer._oom_cap is not None and scorer._oom_cap <= 4  # later calls use the smaller batches
    assert_same(ours, BERTScorer(model_path, num_layers=LAYER).score(cands, refs))


def test_out_of_memory_on_a_single_text_is_raised(model_path: str) -> None:
    class AlwaysOOM(BERTScorer):
        def _forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def, override]
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(torch.cuda.OutOfMemoryError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        AlwaysOOM(model_path, num_layers=LAYER).score(["사과", "배가"], ["배가", "사과"])


def test_long_texts_are_truncated_with_one_warning(model_path: str) -> None:
    rng = random.Random(8)
    long_text = sentence(rng, 120, 140)
    scorer = BERTScorer(model_path, num_layers=LAYER)
    with pytest.warns(UserWarning, match="truncated"):
        a = scorer.score([long_text], [long_text + " 사과가"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning
        b = scorer.score([long_text + " 배가"], [long_text])
    # past the limit nothing counts: appending words changes nothing
    assert a[2].item() == pytest.approx(1.0, abs=1e-6) and b[2].item() == pytest.approx(1.0, abs=1e-6)
    short = BERTScorer(model_path, num_layers=LAYER, max_length=16)
    with pytest.warns(UserWarning, match="limit of 16 tokens"):
        short.score([long_text], [long_text])


def test_a_text_exactly_at_the_limit_is_not_reported(model_path: str) -> None:
    scorer = BERTScorer(model_path, num_layers=LAYER, max_length=5)
    tokenizer = scorer.load()._tokenizer
    text = next(
        " ".join(WORDS[i : i + k])
        for i in range(len(WORDS))
        for k in range(1, 4)
        if len(tokenizer(" ".join(WORDS[i : i + k]))["input_ids"]) == 5
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scorer.score([text], [text])


# -- configuration, loading and errors --------------------------------------------------------------------------
def test_default_layers_are_bert_scores() -> None:
    from bert_score.utils import model2layers

    for model, layer in bs.MODEL_LAYERS.items():
        assert model2layers[model] == layer, model
    assert BERTScorer().num_layers == 9
    assert bs.default_num_layers("google-bert/bert-base-multilingual-cased") == 9
    cache_dir = "/root/.cache/huggingface/hub/models--FacebookAI--xlm-roberta-large/snapshots/abc123"
    assert bs.default_num_layers(cache_dir) == 17


def test_unknown_model_without_num_layers_is_refused(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="num_layers"):
        BERTScorer(str(tmp_path), num_layers=None)
    with pytest.raises(ValueError, match="num_layers"):
        BERTScoreReward(model_type="klue/roberta-large")  # not FacebookAI's roberta-large
    assert bs.default_num_layers("klue/roberta-large") is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 0},
        {"num_layers": -1},
        {"max_length": 1},
        {"cache_size_mb": -1},
        {"dtype": "int8"},
        {"idf_sents": ["사과"]},  # without idf=True
    ],
)
def test_bad_options_are_refused(kwargs: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        BERTScorer(**{"num_layers": 9, **kwargs})


def test_mismatched_inputs_are_refused(model_path: str) -> None:
    scorer = BERTScorer(model_path, num_layers=LAYER)
    with pytest.raises(ValueError, match="one reference per candidate"):
        scorer.score(["a", "b"], ["a"])
    with pytest.raises(TypeError):
        scorer.score("a", "b")
    assert not scorer.loaded  # refused before loading anything
    P, R, F = scorer.score([], [])
    assert P.shape == R.shape == F.shape == (0,)


def test_missing_model_fails_fast_offline_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    scorer = BERTScorer("korean-rewards-tests/no-such-model", num_layers=3)
    start = time.perf_counter()
    with pytest.raises(OSError) as error:
        scorer.score(["사과"], ["배"])
    assert time.perf_counter() - start < 20
    message = str(error.value)
    assert "korean-rewards-tests/no-such-model" in message
    assert "model_type=" in message and "local folder" in message and "HF_HUB_OFFLINE" in message


@pytest.mark.trainer
def test_load_error_says_how_the_model_name_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(OSError, match="read as a hub id"):
        BERTScoreReward(model_type="korean-rewards-tests/no-such-model", num_layers=3).load()
    for path in (str(tmp_path / "missing-mbert"), "./missing-mbert", "~/missing/mbert"):
        start = time.perf_counter()
        with pytest.raises(OSError, match="read as a local folder: no such folder"):
            BERTScoreReward(model_type=path, num_layers=3).load()
        assert time.perf_counter() - start < 5  # no hub round trip for something that can only be a path
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    with pytest.raises(OSError, match=r"read as a local folder \(it exists\)"):
        BERTScoreReward(model_type=str(empty), num_layers=3).load()


@pytest.mark.trainer
def test_load_up_front_then_score_without_loading_again(tiny_bert_path: str) -> None:
    reward = BERTScoreReward(model_type=tiny_bert_path, num_layers=2)
    assert reward.load() is reward and reward.scorer.loaded
    mix = combine({reward: 1.0, malpyeong_format_reward: 0.5}, name="mix_with_bert")
    assert mix.load() is mix
    assert mix(completions=[GOLD], answer=[GOLD]) == [pytest.approx(1.5, abs=1e-5)]


def test_unreachable_hub_fails_fast_with_the_fix(tmp_path: object) -> None:
    code = (
        "import time\n"
        "from korean_rewards import BERTScorer\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    BERTScorer('korean-rewards-tests/no-such-model', num_layers=3).load()\n"
        "except OSError as error:\n"
        "    print('OSError', round(time.perf_counter() - start, 1), 'local folder' in str(error))\n"
    )
    env = dict(os.environ)
    for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(variable, None)
    env.update(HF_HOME=str(tmp_path), HF_ENDPOINT="http://127.0.0.1:9", HF_HUB_ETAG_TIMEOUT="2")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    words = out.stdout.split()
    assert words[:1] == ["OSError"] and words[-1] == "True", out.stdout + out.stderr
    assert float(words[1]) < 30


def test_nothing_loads_until_the_first_score(model_path: str) -> None:
    scorer = BERTScorer(model_path, num_layers=LAYER)
    reward = BERTScoreReward(model_type=model_path, num_layers=LAYER)
    assert not scorer.loaded and not reward.scorer.loaded
    reward.score('"사과"가 옳다. 사과가 세 개 있다.', '"사과"가 옳다. 사과가 세 개 있습니다.')
    assert reward.scorer.loaded


def test_importing_and_constructing_do_not_import_torch() -> None:
    code = (
        "import sys, korean_rewards\n"
        "from korean_rewards import BERTScorer, BERTScoreReward, bertscore_reward\n"
        "s = BERTScorer(); r = BERTScoreReward(batch_size=8); r2 = bertscore_reward.configure(idf=True)\n"
        "assert r.scorer is not None and not r.scorer.loaded\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stdout + out.stderr


# -- the reward ---------------------------------------------------------------------------------------------------
GOLD = '"나는 학교에 갔다"가 옳다. 주어와 서술어의 호응이 자연스럽기 때문이다.'
GOLD_2 = '"깨끗이"가 옳다. 어간이 받침으로 끝나면 적는다.'


def test_reward_scores_the_reasons(model_path: str) -> None:
    reward = BERTScoreReward(model_type=model_path, num_layers=LAYER)
    completions = [
        GOLD,  # the same reason
        '"나는 학교에 갔다"가 옳다. 주어와 서술어가 호응하기 때문이다.',  # a close reason
        '"나는 학교에 갔다"가 옳다.',  # no reason
        "잘 모르겠습니다.",  # no verdict at all
        [{"role": "assistant", "content": '"깨끗이"가 옳다, 받침으로 끝나면 적는다.'}],  # conversational
        None,
    ]
    golds = [GOLD, GOLD, GOLD, GOLD, GOLD_2, GOLD_2]
    scores = reward(prompts=[None] * 6, completions=completions, answer=golds)
    assert scores[0] == pytest.approx(1.0, abs=1e-6)
    assert scores[2] == scores[3] == scores[5] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = oracle(model_path).score(
            ["주어와 서술어가 호응하기 때문이다.", "받침으로 끝나면 적는다."],
            ["주어와 서술어의 호응이 자연스럽기 때문이다.", "어간이 받침으로 끝나면 적는다."],
        )
    assert scores[1] == pytest.approx(theirs[2][0].item(), abs=1e-5)
    assert scores[4] == pytest.approx(theirs[2][1].item(), abs=1e-5)
    assert 0.0 < scores[1] < 1.0


def test_reward_with_a_gold_without_reason_scores_zero(model_path: str) -> None:
    reward = BERTScoreReward(model_type=model_path, num_layers=LAYER)
    # a gold without a reason: 0.0; no gold at all: None ("does not apply"), as from every reward
    assert reward(completions=[GOLD, GOLD], answer=['"나는 학교에 갔다"가 옳다.', None]) == [0.0, None]


def test_reward_metric_option(model_path: str) -> None:
    completion = '"깨끗이"가 옳다. 받침으로 끝나면 적는다 그리고 사과가 세 개'
    values = {
        metric: BERTScoreReward(model_type=model_path, num_layers=LAYER, metric=metric).score(completion, GOLD_2)
        for metric in ("precision", "recall", "f1")
    }
    p, r = values["precision"], values["recall"]
    assert values["f1"] == pytest.approx(2 * p * r / (p + r), abs=1e-6)
    assert p != pytest.approx(r)
    with pytest.raises(ValueError, match="metric"):
        BERTScoreReward(model_type=model_path, num_layers=LAYER, metric="accuracy")


def test_reward_needs_the_gold_column(model_path: str) -> None:
    reward = BERTScoreReward(model_type=model_path, num_layers=LAYER, answer_key="solution")
    with pytest.raises(ValueError, match="solution"):
        reward(completions=[GOLD], answer=[GOLD])
    assert reward(completions=[GOLD], solution=[GOLD])[0] == pytest.approx(1.0, abs=1e-6)


def test_rewards_with_the_same_settings_share_one_scorer(model_path: str) -> None:
    a = BERTScoreReward(model_type=model_path, num_layers=LAYER)
    b = BERTScoreReward(model_type=model_path, num_layers=LAYER, answer_key="gold", name="bert_gold")
    c = BERTScoreReward(model_type=model_path, num_layers=LAYER, batch_size=4)
    assert a.scorer is b.scorer and a.scorer is not c.scorer
    assert a.__name__ != b.__name__


def test_combine_style_construction(model_path: str) -> None:
    options = {"batch_size": 16, "dtype": "float32", "max_length": 48, "cache_size_mb": 8, "device": "cpu"}
    reward = BERTScoreReward(model_type=model_path, num_layers=LAYER, answer_key="answer", **options)
    assert reward.score(GOLD, GOLD) == pytest.approx(1.0, abs=1e-6)
    assert reward.scorer._limit == 48 and str(reward.scorer._device) == "cpu"
    assert reward.scorer._torch_dtype == torch.float32


def test_reward_pickles_without_its_model(model_path: str) -> None:
    reward = BERTScoreReward(model_type=model_path, num_layers=LAYER, name="bert_pickled")
    before = reward.score('"사과"가 옳다. 사과가 세 개 있다.', GOLD)
    data = pickle.dumps(reward)
    assert len(data) < 5_000  # no weights, no cache
    copy = pickle.loads(data)
    assert copy.__name__ == "bert_pickled" and copy._scorer is None
    assert copy.score('"사과"가 옳다. 사과가 세 개 있다.', GOLD) == pytest.approx(before, abs=1e-6)
    assert len(pickle.dumps(bertscore_reward)) < 5_000
    scorer = reward.scorer
    assert len(pickle.dumps(scorer)) < 5_000
    assert not pickle.loads(pickle.dumps(scorer)).loaded


@pytest.mark.trainer
def test_as_async_falls_back_to_the_sync_reward_where_trl_awaits_none(
    model_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bs, "trl_awaits_async_rewards", lambda: False)
    sync = BERTScoreReward(model_type=model_path, num_layers=LAYER)
    with pytest.warns(UserWarning, match="does not await async reward"):
        assert sync.as_async() is sync
    with pytest.warns(UserWarning, match="use BERTScoreReward"):
        bs.AsyncBERTScoreReward(model_type=model_path, num_layers=LAYER)


@pytest.mark.trainer
def test_async_reward_is_recognised_by_trl_and_agrees(model_path: str) -> None:
    if not bs.trl_awaits_async_rewards():
        pytest.skip("this TRL release has no async rewards (the fallback is tested above)")
    from trl.trainer.utils import is_async_callable

    sync = BERTScoreReward(model_type=model_path, num_layers=LAYER)
    async_reward = sync.as_async()
    assert is_async_callable(async_reward) and not is_async_callable(sync)
    assert async_reward.scorer is sync.scorer
    completions = [GOLD, '"나는 학교에 갔다"가 옳다. 주어와 서술어가 호응한다.', "모르겠다"]

    async def both() -> list:
        return await asyncio.gather(
            async_reward(completions=completions, answer=[GOLD] * 3),
            async_reward(completions=completions[::-1], answer=[GOLD] * 3),
        )

    first, second = asyncio.run(both())
    assert first == pytest.approx(sync(completions=completions, answer=[GOLD] * 3), abs=1e-6)
    assert second == pytest.approx(first[::-1], abs=1e-6)
    assert async_reward.score(GOLD, GOLD) == pytest.approx(1.0, abs=1e-6)
    assert math.isclose(pickle.loads(pickle.dumps(async_reward)).score(GOLD, GOLD), 1.0, abs_tol=1e-6)


def test_module_level_score_function(model_path: str) -> None:
    cands, refs = mixed_pairs(seed=9, n=12)
    ours = bs.score(cands, refs, model_type=model_path, num_layers=LAYER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = oracle(model_path).score(cands, refs)
    assert_same(ours, theirs)
    assert bs.get_scorer(model_type=model_path, num_layers=LAYER).loaded  # cached for the next call


@pytest.mark.slow
@pytest.mark.trainer
def test_grpo_trainer_awaits_the_async_reward(model_path: str, tmp_path: object) -> None:
    """TRL's real GRPOTrainer runs both rewards, the async one through its event loop, and logs them."""
    from datasets import Dataset
    from test_grpo_e2e import run_grpo

    questions = ["다음 중 옳은 것을 고르시오: 깨끗이/깨끗히", "다음 문장을 바르게 고치시오: 나는 학교에 갓다"]
    dataset = Dataset.from_dict({"prompt": questions, "answer": [GOLD_2, GOLD]})
    sync = BERTScoreReward(model_type=model_path, num_layers=LAYER, name="bert_sync")
    awaits = bs.trl_awaits_async_rewards()
    if awaits:
        async_reward = BERTScoreReward(model_type=model_path, num_layers=LAYER).as_async()
        assert async_reward.__name__.startswith("bertscore_reward_async")
    else:  # TRL 0.22-0.24: the tested fallback is the synchronous reward, said once in a warning
        with pytest.warns(UserWarning, match="does not await async reward"):
            async_reward = BERTScoreReward(model_type=model_path, num_layers=LAYER).as_async()
        assert type(async_reward) is BERTScoreReward
    trainer = run_grpo([sync, async_reward], conversational=False, tmp_path=tmp_path, max_steps=1, dataset=dataset)
    assert getattr(trainer, "_has_async_funcs", False) is awaits
    recorded_sync = list(trainer._logs["rewards"]["bert_sync"])
    recorded_async = list(trainer._logs["rewards"][async_reward.__name__])
    assert recorded_sync and recorded_async == pytest.approx(recorded_sync, abs=1e-6)
    assert any(f"rewards/{async_reward.__name__}/mean" in entry for entry in trainer.state.log_history)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_is_close(model_path: str, dtype: str) -> None:
    cands, refs = mixed_pairs(seed=10, n=16)
    exact = BERTScorer(model_path, num_layers=LAYER).score(cands, refs)
    half = BERTScorer(model_path, num_layers=LAYER, dtype=dtype).score(cands, refs)
    assert half[2].dtype == torch.float32
    assert torch.allclose(half[2], exact[2], atol=2e-2)
    assert not torch.equal(half[2], exact[2])  # really computed in half precision
