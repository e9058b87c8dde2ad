"""Korean ROUGE-1: parity with an independent, literal re-implementation of the official scorer."""

from __future__ import annotations

import json
import pickle
import re
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from korean_rewards import Rouge1Reward, morphemes, rouge1_f1, rouge1_reward, split_answer_reason
from korean_rewards import _mecab
from korean_rewards import rouge as rouge_module
from korean_rewards.rouge import preprocess, rouge1_corpus, rouge1_scores

mecab_ko = pytest.importorskip("mecab_ko")

SAMPLE = json.loads((Path(__file__).parent / "data" / "malpyeong_sample.json").read_text(encoding="utf-8"))
SAMPLE_GOLDS = [item["output"]["answer"] for item in SAMPLE]


# -- the official pipeline, written out step by step from the scorer's rules ----------------------------------
_FULL_TAGGER = mecab_ko.Tagger()  # MeCab's default output: "surface<TAB>features" lines, then "EOS"


def konlpy_style_morphs(text: str) -> list[str]:
    """What konlpy's ``Mecab().morphs`` returns: the surface column of every line but the final EOS line."""
    lines = _FULL_TAGGER.parse(text).splitlines()[:-1]
    return [line.split("\t", 1)[0] if "\t" in line else "" for line in lines]


def official_tokens(text: str) -> list[str]:
    text = " ".join(text.split("\n"))  # newlines -> spaces
    words = text.split()[:1000]  # the first 1000 words
    text = " ".join(words).lower()
    text = re.sub("[^A-Za-z0-9가-힣]", " ", text).strip()
    return konlpy_style_morphs(text)


def official_f1(prediction: str, reference: str) -> float:
    pred, ref = Counter(official_tokens(prediction)), Counter(official_tokens(reference))
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    overlap = sum(min(count, ref[token]) for token, count in pred.items())
    if n_pred == 0 or n_ref == 0 or overlap == 0:
        return 0.0
    p, r = overlap / n_pred, overlap / n_ref
    return 2 * p * r / (p + r)


# -- generated Korean text ---------------------------------------------------------------------------------------
WORDS = (
    "나 너 우리 학교 집 사과 배 떡볶이 개울물 어간 받침 조사 어미 문장 규범 표기 외래어 원어 발음 "
    "가다 갔다 간다 먹었다 잊었다 적는다 쓴다 써야 한다 밝혀 바뀐다 붙여 띄어 불은 깨끗이 "
    "가 이 는 은 를 을 에 에서 으로 로 와 과 의 도 만 하고 라고 처럼 "
    "그리고 따라서 그러나 다만 또한 이처럼 때문이다 것이다 옳다 틀리다 "
    "ROUGE BERTScore MeCab Korean iPhone15 abc 2025년 3월 1,234개 0.5 100% "
    "“인용” ‘작은’ (괄호) [대괄호] 鲁迅 ㅅ ㄹ ㅡ ~ · … ! ? . , ; : - _ / 😀"
).split()
SEPARATORS = [" ", " ", " ", "", "\n", "  ", "\t", "\u00a0"]


@st.composite
def korean_text(draw: st.DrawFn, max_words: int = 25) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=max_words))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    return "".join(word + sep for word, sep in zip(words, seps))


@st.composite
def related_pair(draw: st.DrawFn) -> tuple[str, str]:
    """A reference and a prediction that shares some of its words (so overlaps are common)."""
    reference = draw(korean_text())
    kept = [word for word in reference.split() if draw(st.booleans())]
    extra = draw(korean_text(max_words=8))
    return " ".join(kept) + " " + extra, reference


@settings(max_examples=300, deadline=None)
@given(related_pair())
def test_f1_equals_the_official_pipeline(pair: tuple[str, str]) -> None:
    prediction, reference = pair
    assert rouge1_f1(prediction, reference) == pytest.approx(official_f1(prediction, reference), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(korean_text(), korean_text())
def test_f1_equals_the_official_pipeline_on_unrelated_texts(prediction: str, reference: str) -> None:
    assert rouge1_f1(prediction, reference) == pytest.approx(official_f1(prediction, reference), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(korean_text(max_words=40))
def test_morphemes_equal_konlpy_style_morphs(text: str) -> None:
    assert morphemes(text) == official_tokens(text)


def test_morphemes_on_tricky_inputs() -> None:
    tricky = [
        "",
        " \n\t ",
        "!!! ... ?",
        "1234567890" * 40,
        "가" * 600,
        "아버지가방에들어가신다",
        "iPhone15를 ABC마트에서 샀다",
        "“큰따옴표”와 ‘작은따옴표’",
        "鲁迅(루쉰)은 ㅅ 받침",
        "İstanbul K 켈빈",  # lower() changes the length of some characters
        "x" * 4000,  # runs over MAX_RUN_CHARS (4096) are cut: see the test below
    ]
    for text in tricky:
        assert morphemes(text) == official_tokens(text), text


def test_the_sample_golds_match_the_official_pipeline() -> None:
    reasons = [split_answer_reason(gold)[1] for gold in SAMPLE_GOLDS]
    for prediction in reasons:
        for reference in reasons:
            assert rouge1_f1(prediction, reference) == pytest.approx(official_f1(prediction, reference), abs=1e-12)


def test_equals_rouge_score_with_the_same_tokenizer() -> None:
    from rouge_score import rouge_scorer

    class MorphemeTokenizer:
        def tokenize(self, text: str) -> list[str]:
            return morphemes(text)

    scorer = rouge_scorer.RougeScorer(["rouge1"], tokenizer=MorphemeTokenizer())
    reasons = [split_answer_reason(gold)[1] for gold in SAMPLE_GOLDS] + ["", "!!!", "어간을 밝혀 적는다"]
    for prediction in reasons:
        for reference in reasons:
            expected = scorer.score(reference, prediction)["rouge1"]  # rouge-score takes (target, prediction)
            assert rouge1_scores(prediction, reference) == pytest.approx(
                (expected.precision, expected.recall, expected.fmeasure), abs=1e-12
            )


def test_google_default_tokenizer_would_score_korean_zero() -> None:
    # why a custom tokenizer is needed: rouge-score's default tokenizer deletes every non-ASCII letter
    from rouge_score import rouge_scorer

    default = rouge_scorer.RougeScorer(["rouge1"]).score("나는 학교에 갔다", "나는 학교에 갔다")["rouge1"]
    assert default.fmeasure == 0.0
    assert rouge1_f1("나는 학교에 갔다", "나는 학교에 갔다") == 1.0


# -- the preprocessing rules -------------------------------------------------------------------------------------
def test_preprocessing_rules() -> None:
    assert preprocess("ROUGE는\n'형태소'\t단위!") == "rouge는  형태소  단위"
    assert rouge1_f1("ROUGE Score", "rouge score") == 1.0  # lower-cased
    assert rouge1_f1("“어간”을, 밝혀!", "어간을 밝혀") == 1.0  # punctuation -> spaces
    assert morphemes("ㅅ ㄹ 鲁迅 😀") == []  # jamo, hanja and emoji are not in [A-Za-z0-9가-힣]


def test_only_the_first_1000_words_count() -> None:
    words = [f"단어{i}" for i in range(1000)]
    reference = " ".join(words)
    assert rouge1_f1(reference + " 추가 내용이 더 있다", reference) == 1.0
    assert rouge1_f1(reference + "\n추가", reference) == 1.0  # newline-joined words count as words too
    assert rouge1_f1("추가 " + reference, reference) < 1.0


# -- properties --------------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(korean_text(), korean_text())
def test_f1_is_symmetric_and_bounded(a: str, b: str) -> None:
    forward, backward = rouge1_f1(a, b), rouge1_f1(b, a)
    assert forward == backward
    assert 0.0 <= forward <= 1.0
    p, r, f = rouge1_scores(a, b)
    assert rouge1_scores(b, a) == (r, p, f)  # precision and recall swap


@settings(max_examples=150, deadline=None)
@given(korean_text())
def test_identical_texts_score_one(text: str) -> None:
    assert rouge1_f1(text, text) == (1.0 if morphemes(text) else 0.0)


# -- the reward --------------------------------------------------------------------------------------------------
GOLD = '"그 일은 깨끗이 잊었다."가 옳다. 어근이 ㅅ 받침으로 끝나면 부사는 -이로 적는다.'


def test_reward_compares_reasons_only() -> None:
    completions = [
        '"엉뚱한 답"이 옳다. 어근이 ㅅ 받침으로 끝나면 부사는 -이로 적는다.',  # same reason, wrong answer
        '"그 일은 깨끗이 잊었다."가 옳다.',  # no reason
        "어근이 ㅅ 받침으로 끝나면 부사는 -이로 적는다.",  # no verdict: everything is the answer, no reason
        '"그 일은 깨끗이 잊었다."가 옳다. 부사는 -이로 적는다.',
        "",
    ]
    scores = rouge1_reward(completions=completions, answer=[GOLD] * len(completions))
    expected_partial = official_f1("부사는 -이로 적는다.", split_answer_reason(GOLD)[1])
    assert scores[:3] == [1.0, 0.0, 0.0]
    assert scores[3] == pytest.approx(expected_partial, abs=1e-12) and 0.0 < scores[3] < 1.0
    assert scores[4] == 0.0


def test_reward_gold_without_reason_scores_zero() -> None:
    assert rouge1_reward(completions=[GOLD], answer=['"그 일은 깨끗이 잊었다."가 옳다.']) == [0.0]


def test_reward_whole_text_mode() -> None:
    reward = Rouge1Reward(reason_only=False)
    assert reward.score("나는 학교에 갔다", "나는 학교에 갔다") == 1.0
    assert reward.__name__.startswith("rouge1_reward(reason_only=False")


def test_reward_formats_and_bad_input() -> None:
    messages = [{"role": "assistant", "content": GOLD}]
    assert rouge1_reward(completions=[messages, None, 7], answer=[GOLD] * 3) == [1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="'answer'"):
        rouge1_reward(completions=[GOLD], reference=[GOLD])
    with pytest.raises(ValueError, match="'gold'"):
        Rouge1Reward(answer_key="gold")(completions=[GOLD], answer=[GOLD])
    assert rouge1_reward(completions=[GOLD], answer=[3]) == [0.0]  # a number is read as its text: no reason


def test_reward_caches_the_repeated_reference() -> None:
    reference_reason = split_answer_reason(GOLD)[1] + " 캐시 확인용 문장."
    gold = '"가"가 옳다. ' + reference_reason
    before = rouge_module._reference_counts.cache_info()
    completions = [f'"가"가 옳다. 어근이 받침으로 끝난다 {i}' for i in range(8)]
    scores = rouge1_reward(completions=completions, answer=[gold] * 8)
    after = rouge_module._reference_counts.cache_info()
    assert after.misses - before.misses == 1 and after.hits - before.hits == 7
    assert scores == [pytest.approx(official_f1(split_answer_reason(c)[1], reference_reason), abs=1e-12) for c in completions]


def test_reward_matches_the_official_pipeline_on_a_grpo_shaped_batch() -> None:
    golds = [gold for gold in SAMPLE_GOLDS for _ in range(4)]
    completions = [SAMPLE_GOLDS[(i * 3) % len(SAMPLE_GOLDS)] for i in range(len(golds))]
    scores = rouge1_reward(completions=completions, answer=golds)
    for score, completion, gold in zip(scores, completions, golds):
        pred_reason, gold_reason = split_answer_reason(completion)[1], split_answer_reason(gold)[1]
        expected = official_f1(pred_reason, gold_reason) if pred_reason and gold_reason else 0.0
        assert score == pytest.approx(expected, abs=1e-12)


def test_corpus_value_leaves_out_items_without_reasons() -> None:
    gold = '"가"가 옳다. 어간을 밝혀 적는다.'
    half = '"가"가 옳다. 어간을'
    predictions = ['"가"가 옳다. 어간을 밝혀 적는다.', '"가"가 옳다.', "답 없음", half]
    expected = (1.0 + official_f1("어간을", "어간을 밝혀 적는다.")) / 2
    assert rouge1_corpus(predictions, [gold] * 4) == pytest.approx(expected, abs=1e-12)
    assert rouge1_corpus(['"가"가 옳다.'], [gold]) == 0.0
    with pytest.raises(ValueError, match="one gold per item"):
        rouge1_corpus(predictions, [gold])


def test_reward_pickles() -> None:
    clone = pickle.loads(pickle.dumps(rouge1_reward))
    assert clone.__name__ == "rouge1_reward"
    assert clone(completions=[GOLD], answer=[GOLD]) == [1.0]


def test_missing_mecab_gives_an_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_mecab, "_local", threading.local())  # no tagger made yet on this thread
    monkeypatch.setattr(_mecab, "_library", None)
    monkeypatch.setitem(sys.modules, "mecab_ko", None)  # makes `import mecab_ko` fail
    with pytest.raises(ImportError, match=r"pip install -e '\.\[rouge\]'"):
        morphemes("나는 학교에 갔다")


def test_degenerate_long_runs_are_cut_so_mecab_stays_linear() -> None:
    # MeCab is super-linear on long runs without spaces; such runs are cut into MAX_RUN_CHARS pieces, and at
    # most MAX_TAGGER_CHARS characters of a text reach MeCab
    from korean_rewards.rouge import MAX_RUN_CHARS, MAX_TAGGER_CHARS

    run = "가나다라마바사아자차" * 1200  # one 12,000-syllable "word"
    tokens = morphemes(run)
    assert tokens, "a long run still yields morphemes"
    assert "".join(tokens) == run  # nothing is lost, only the segmentation at cut points may differ
    pieces = [run[i : i + MAX_RUN_CHARS] for i in range(0, len(run), MAX_RUN_CHARS)]
    assert tokens == morphemes(" ".join(pieces))
    huge = "가" * 1_000_000  # a megabyte of one syllable: only the first MAX_TAGGER_CHARS are read
    kept = "".join(morphemes(huge))
    assert huge.startswith(kept) and MAX_TAGGER_CHARS - MAX_RUN_CHARS <= len(kept) <= MAX_TAGGER_CHARS
    # ordinary words are untouched: the same tokens as one MeCab pass over the preprocessed text
    normal = "형태소 분석은 띄어쓰기 단위로 이루어진다 " * 50
    assert morphemes(normal) == _mecab.tagger().parse(rouge_module.preprocess(normal)).split()
