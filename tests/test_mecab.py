"""MeCab taggers behind the ROUGE tokenizer: the C-library path gives MeCab-ko's own output, on any thread."""

from __future__ import annotations

import multiprocessing
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

mecab_ko = pytest.importorskip("mecab_ko")

from korean_rewards import Rouge1Reward, _mecab, rouge1_reward  # noqa: E402
from korean_rewards import rouge as rouge_module  # noqa: E402

SWIG = mecab_ko.Tagger("-Owakati")
SYLLABLES = "가나다라마바사아자차카타파하의는이가을를에서도로고다한것수있었습니어간받침적는"


def korean_texts(seed: int, n: int, low: int = 1, high: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(SYLLABLES) if rng.random() > 0.15 else rng.choice(" abc123") for _ in range(rng.randint(low, high)))
        for _ in range(n)
    ]


requires_native = pytest.mark.skipif(not _mecab.parallel(), reason="mecab-ko's wheel has no MeCab C library here")


@requires_native
def test_the_c_library_is_found_next_to_mecab_ko() -> None:
    assert isinstance(_mecab.new_tagger(), _mecab.NativeTagger)
    assert isinstance(_mecab.tagger(), _mecab.NativeTagger)


@requires_native
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(SYLLABLES + " \tabcXYZ019.,!?ㄱㅏ")), max_size=200))
def test_native_output_equals_mecab_ko(text: str) -> None:
    assert _mecab.new_tagger().parse(text) == SWIG.parse(text)


@requires_native
def test_native_output_equals_mecab_ko_on_preprocessed_texts() -> None:
    tagger = _mecab.new_tagger()
    for text in korean_texts(0, 300) + ["", " ", "가" * 3000, "아버지가 방에 들어가신다"]:
        text = rouge_module.preprocess(text)
        assert tagger.parse(text) == SWIG.parse(text), text


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_parse_many_keeps_order_and_output(threads: int) -> None:
    texts = korean_texts(1, 101)
    assert _mecab.parse_many(texts, threads=threads) == [SWIG.parse(text) for text in texts]
    assert _mecab.parse_many([], threads=threads) == []
    assert _mecab.parse_many(["깨끗이"], threads=threads) == [SWIG.parse("깨끗이")]


def test_each_thread_has_its_own_tagger() -> None:
    seen: list[object] = []
    barrier = threading.Barrier(3)

    def grab() -> None:
        seen.append(_mecab.tagger())
        barrier.wait()  # all three alive at once, so none reuses another's thread

    workers = [threading.Thread(target=grab) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({id(tagger) for tagger in seen}) == 3
    assert _mecab.tagger() is _mecab.tagger()


def test_reward_from_many_threads_at_once_gives_the_same_scores() -> None:
    completions = [f'"가"가 옳다. {text}' for text in korean_texts(2, 64, 20, 200)]
    golds = [f'"가"가 옳다. {text}' for text in korean_texts(3, 8, 50, 200) for _ in range(8)]
    expected = Rouge1Reward(threads=1)(completions=completions, answer=golds)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: rouge1_reward(completions=completions, answer=golds), range(8)))
    assert all(result == expected for result in results)


def test_without_the_c_library_the_swig_tagger_gives_the_same_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    completions = [f'"가"가 옳다. {text}' for text in korean_texts(4, 32, 20, 200)]
    golds = [f'"가"가 옳다. {text}' for text in korean_texts(5, 4, 50, 200) for _ in range(8)]
    expected = rouge1_reward(completions=completions, answer=golds)
    monkeypatch.setattr(_mecab, "_library", False)
    monkeypatch.setattr(_mecab, "_local", threading.local())
    rouge_module._reference_counts.cache_clear()
    assert not _mecab.parallel()
    assert not isinstance(_mecab.tagger(), _mecab.NativeTagger)
    assert rouge1_reward(completions=completions, answer=golds) == expected


def _parse_in_child(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(_mecab.parse_many(korean_texts(6, 40), threads=2))


@requires_native
def test_a_forked_process_gets_a_working_pool() -> None:
    _mecab.parse_many(korean_texts(6, 40), threads=2)  # the parent's pool exists before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_parse_in_child, args=(queue,))
    child.start()
    result = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert result == [SWIG.parse(text) for text in korean_texts(6, 40)]


def test_reference_cache_is_a_bounded_lru() -> None:
    cache = rouge_module._ReferenceCache(maxsize=2)
    a, b, c = "가 나", "다 라", "마 바"
    assert cache.many([a, a, b], threads=1) == [cache(a), cache(a), cache(b)]
    assert cache.cache_info().misses == 2 and cache.cache_info().currsize == 2
    cache(a)  # a is now the most recent
    cache(c)  # evicts b
    before = cache.cache_info()
    cache(a)
    cache(b)
    after = cache.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 1)
    cache.cache_clear()
    assert cache.cache_info() == rouge_module.CacheInfo(0, 0, 2, 0)


def test_threads_option_names_and_pickles() -> None:
    import pickle

    reward = rouge1_reward.configure(threads=2)
    assert reward.threads == 2 and reward.__name__ != rouge1_reward.__name__
    clone = pickle.loads(pickle.dumps(reward))
    gold = '"가"가 옳다. 어간을 밝혀 적는다.'
    assert clone(completions=[gold] * 6, answer=[gold] * 6) == [1.0] * 6


def test_one_pool_serves_every_thread_count() -> None:
    big = _mecab._executor(5)
    assert _mecab._executor(2) is big and _mecab._executor(5) is big  # a smaller request reuses it
    texts = korean_texts(7, 30)
    assert _mecab.parse_many(texts, threads=3) == _mecab.parse_many(texts, threads=6) == [SWIG.parse(t) for t in texts]
