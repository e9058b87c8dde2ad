"""Korean-language rewards: korean_ratio tables and properties, language consistency, morpheme repetition."""

from __future__ import annotations

import dataclasses
import json
import pickle
import random
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from korean_rewards import (
    LanguageConsistencyKo,
    RepetitionPenaltyKo,
    Tags,
    korean_ratio,
    language_consistency_ko,
    repetition_penalty_ko,
)
from korean_rewards.language import _char_class, _script_counts
from korean_rewards.repetition import _repetition

THINK = Tags(reasoning_start="<think>", reasoning_end="</think>", solution_start="<answer>", solution_end="</answer>")


def ratio(korean: int, foreign: int) -> float:
    return korean / (korean + foreign)


# -- korean_ratio: tables ----------------------------------------------------------------------------------------

RATIO_CASES = [
    # (text, expected ratio) -- counts in the comments are Korean / foreign characters
    ("따라서 답은 42입니다.", 1.0),
    ("So the answer is 42.", 0.0),
    ("", None),
    ("   \n\t ", None),
    ("12,345.67 + 8 = ?!", None),
    ("😀👍🎉", None),
    # mixed Korean / English / Chinese / Japanese reasoning
    ("먼저 add the numbers", ratio(2, 13)),
    ("두 수를 더하면 sum 이 된다", ratio(9, 3)),
    ("我们先计算 그리고 더한다", ratio(6, 5)),
    ("まず計算します 그다음", ratio(3, 7)),
    ("Проверим 검산", ratio(2, 8)),  # Cyrillic counts against
    ("café 카페", ratio(2, 4)),  # Latin-1 letters count against
    ("ＡＢＣ 가", ratio(1, 3)),  # fullwidth Latin counts against
    ("ㅋㅋㅋ ㅎㅎ", 1.0),  # compatibility jamo are Korean
    ("\u1100\u1161\u11a8", 1.0),  # conjoining jamo
    ("ﾾ﾿", 1.0),  # halfwidth Hangul
    ("\U00020000 가", ratio(1, 1)),  # a CJK extension B ideograph counts once
    # Hanja numerals inside a number are ignored; other Hanja count
    ("一千二百 더하기 三百은 一千五百", 1.0),
    ("3千 원과 5百 원", 1.0),
    ("답은 三百", 1.0),
    ("一 하나", ratio(2, 1)),  # a lone numeral is a Hanja character
    ("我们一起 학습", ratio(2, 4)),  # 一起 is a word, not a number
    # digits, punctuation, symbols, Greek and emoji are ignored
    ("넓이는 π × r² = 3.14 × 4 ≈ 12.56 입니다 🙂", 1.0),
    ("각 α, β, γ 의 합은 180°", 1.0),
    # math-like Latin: lone letters and up to three letters right after a digit
    ("함수 f(x) = 2x + 1 에서 x = 3", 1.0),
    ("반지름이 3cm 이고 무게는 10kg, 2nd 시도", 1.0),
    ("속도 60km/h", 1.0),
    ("3cats 고양이", ratio(3, 4)),  # four letters after a digit are a word
    ("I think 생각", ratio(2, 5)),  # "I" is a lone letter
    # LaTeX math and commands
    ("$x^2 + y^2 = r^2$ 이므로 원이다", 1.0),
    ("$$\\int_0^1 \\text{area of the region}\\,dx$$ 를 계산한다", 1.0),
    ("\\(\\frac{a}{b}\\) 와 \\[E = mc^2 \\text{ energy}\\] 를 본다", 1.0),
    ("\\begin{align} 식 \\end{align}", 1.0),
    ("\\frac{1}{2}\\sqrt{3} 이다", 1.0),
    ("가격은 \\$5 이다", 1.0),
    ("price $5 and $10 가격", ratio(2, 8)),  # currency, not math: "price", "and" count
    (
        "이차방정식 $ax^2 + bx + c = 0$의 근은 근의 공식으로 구한다.\n"
        "$$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$$\n"
        "여기서 \\(a = 1\\), \\(b = -3\\), \\(c = 2\\)이므로 판별식은 \\[D = 9 - 8 = 1 \\text{ (positive)}\\]이고, "
        "따라서 $x = 1$ 또는 $x = 2$이다.",
        1.0,
    ),
    # a Qwen-style drift: Korean reasoning that slides into Chinese, then English
    ("먼저 식을 정리하면 所以我们需要计算这个值 and then we get", ratio(8, 11 + 12)),
    ("$ x + y $ 공백", ratio(2, 0)),  # "$ x" does not open math, but x and y are lone letters
    ("unclosed $math here 한국어", ratio(3, 16)),
    # code
    ("```python\nprint('hello world')\n```\n코드를 실행한다", 1.0),
    ("~~~\nsome code\n~~~ 끝", 1.0),
    ("`numpy.array` 를 쓴다", 1.0),
    ("```python\nprint(value) 미완성", ratio(3, 16)),  # an unclosed fence is text
    ("`` 두 개", 1.0),
    # URLs
    ("자세한 내용은 https://example.com/path?q=answer 참고", 1.0),
    ("www.example.org 에서", 1.0),
    ("ftp://files.example.net/data 다운로드", 1.0),
    # format tags
    ("<start_working_out>먼저<end_working_out><SOLUTION>7</SOLUTION><|endoftext|>", 1.0),
    ("<think>생각</think><answer>답</answer>", 1.0),
    ('<a href="https://x.io">링크</a>', 1.0),
    ("<SOLUTION>42</SOLUTION>", None),
    ("x<y이고 y>z", 1.0),  # not a tag: the Korean counts
    ("<<<<SOLUTION>>>> 답", 1.0),
]


@pytest.mark.parametrize(("text", "expected"), RATIO_CASES)
def test_korean_ratio_table(text: str, expected: float | None) -> None:
    result = korean_ratio(text)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


ALLOWED_CASES = [
    # (text, options, expected)
    ("GRPO로 학습한다", {}, ratio(5, 4)),
    ("GRPO로 학습한다", {"allowed": ["GRPO"]}, 1.0),
    ("grpo로 학습한다", {"allowed": ["GRPO"]}, 1.0),  # any letter case
    ("GRPOs로 학습한다", {"allowed": ["GRPO"]}, ratio(5, 5)),  # whole words only
    ("XGRPO로 학습한다", {"allowed": ["GRPO"]}, ratio(5, 5)),
    ("Python 3 과 PyTorch", {"allowed": ["Python", "PyTorch"]}, 1.0),
    ("Python 과 PyTorch", {"allowed": "PyTorch"}, ratio(1, 6)),  # a single word as a string
    ("Hugging Face 모델", {"allowed": ["Hugging Face"]}, 1.0),
    ('"GRPO" 알고리즘', {}, ratio(4, 4)),
    ('"GRPO" 알고리즘', {"allow_quoted": True}, 1.0),
    ("'softmax' 와 “loss” 와 ‘logit’", {"allow_quoted": True}, 1.0),
    ('"한국어 quoted" 문장', {"allow_quoted": True}, ratio(5, 6)),  # a quote with Hangul is not a loanword
    ("don't do it's 문장", {"allow_quoted": True}, ratio(2, 7)),  # apostrophes open no quote
    ("`GRPO` 코드", {"allowed": ["GRPO"], "allow_quoted": True}, 1.0),
]


@pytest.mark.parametrize(("text", "options", "expected"), ALLOWED_CASES)
def test_korean_ratio_allowed_words_and_quotes(text: str, options: dict, expected: float) -> None:
    assert korean_ratio(text, **options) == pytest.approx(expected)


def test_korean_ratio_rejects_misuse() -> None:
    with pytest.raises(TypeError, match="completion_text"):
        korean_ratio(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="allowed"):
        korean_ratio("가", allowed=[1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="allowed"):
        korean_ratio("가", allowed=3)  # type: ignore[arg-type]


# -- the counting machinery against a per-character reference ------------------------------------------------

_LATIN = set(range(0x41, 0x5B)) | set(range(0x61, 0x7B)) | {cp for cp in range(0xC0, 0x100) if cp not in (0xD7, 0xF7)}


def reference_counts(text: str) -> tuple[int, int]:
    """(Korean, foreign) one character at a time, with the math-like Latin rule written as a plain loop."""
    korean = sum(_char_class(char) == 1 for char in text)
    foreign = sum(_char_class(char) == 2 for char in text)
    units: list[int] = []
    for char in text:
        point = ord(char)
        units += [point] if point <= 0xFFFF else [0xD800, 0xDC00]  # two code units, neither a letter
    i = 0
    while i < len(units):
        if units[i] not in _LATIN:
            i += 1
            continue
        j = i
        while j < len(units) and units[j] in _LATIN:
            j += 1
        length = j - i
        after_digit = i > 0 and 0x30 <= units[i - 1] <= 0x39
        if length == 1 or (after_digit and length <= 3):
            foreign -= length
        i = j
    return korean, foreign


_ALPHABET = (
    "가힣각ㄱㅏㆎᄀᇿꥠힰﾠﾾ"  # Korean, incl. block edges
    "aZxyé×÷ÿĀſɐʰ"  # Latin and neighbours
    "0123456789 .,$\\`<>\n"
    "一三百計算我的あアー・〇々ㄅ"  # CJK, kana, bopomofo, the middle dot
    "αβπЖж€℃①㉠ﬁﬓיﭐ\ufe0f\ufe70\uff01\uff21\uff66"
    "\U0001f600\U00020000\U0001d400"
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET) | st.characters(), max_size=80))
def test_script_counts_match_the_per_character_definition(text: str) -> None:
    assert _script_counts(text) == reference_counts(text)


def test_character_classes() -> None:
    korean = "가힣ㄱㅎㅏㆍᄀ\ud7b0ﾡ"
    foreign = "aZéßЖא語日あアㄅ\U00020000"
    ignored = " 1.$😀αΩ×÷・〇㉠①™ℝ\u0301"
    assert [_char_class(c) for c in korean] == [1] * len(korean)
    assert [_char_class(c) for c in foreign] == [2] * len(foreign)
    assert [_char_class(c) for c in ignored] == [0] * len(ignored)


# -- korean_ratio: properties ----------------------------------------------------------------------------------

hangul_words = st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=5)
latin_words = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=2, max_size=8)
hanzi_words = st.text(alphabet=st.sampled_from("我们计算学习今天是的这个问题答案"), min_size=1, max_size=4)
words = st.lists(st.one_of(hangul_words, latin_words, hanzi_words), min_size=1, max_size=20)

IGNORED_MATERIAL = [
    "$x^2 + y$",
    "$$\\int_0^1 \\text{the integral} \\, dx$$",
    "\\(a + b\\)",
    "\\[E = mc^2\\]",
    "`some code`",
    "```python\nprint('hello world')\n```",
    "https://example.com/path?q=word",
    "<SOLUTION>",
    "</SOLUTION>",
    "<start_working_out>",
    "<|endoftext|>",
    "12,345.67",
    "!?.,;:()",
    "😀👍",
    "三百",
    "\\frac",
    "α β π",
    "\n\n",
    "\t",
]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_ratio_is_in_unit_interval_or_none(text: str) -> None:
    result = korean_ratio(text)
    assert result is None or 0.0 <= result <= 1.0


@settings(max_examples=150, deadline=None)
@given(words, st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(IGNORED_MATERIAL)), max_size=6))
def test_ratio_is_invariant_to_inserting_ignored_material(tokens: list[str], inserts: list[tuple[int, str]]) -> None:
    before = korean_ratio(" ".join(tokens))
    pieces = list(tokens)
    for position, material in inserts:
        pieces.insert(position % (len(pieces) + 1), material)
    assert korean_ratio(" ".join(pieces)) == before


@settings(max_examples=100, deadline=None)
@given(st.lists(hangul_words, min_size=1, max_size=20), st.sampled_from([" ", "\n", ". ", ", "]))
def test_pure_hangul_scores_one(tokens: list[str], separator: str) -> None:
    assert korean_ratio(separator.join(tokens)) == 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(latin_words, min_size=1, max_size=20), st.sampled_from([" ", "\n", ". ", ", "]))
def test_pure_latin_scores_zero(tokens: list[str], separator: str) -> None:
    assert korean_ratio(separator.join(tokens)) == 0.0


# -- korean_ratio: megabyte adversaries (linear time; the timing is in benchmarks/bench_rule_rewards.py) ----------

MEGABYTE = 1_000_000


def _repeat(unit: str, tail: str = "") -> str:
    return unit * (MEGABYTE // len(unit)) + tail


ADVERSARIES = [
    # (text, expected ratio)
    (_repeat("$", " 한국어"), 1.0),  # unmatched dollars
    (_repeat("$1 ", "word 낱말"), ratio(2, 4)),  # openers whose closers all fail
    ("```" + _repeat("English words "), 0.0),  # an unclosed fence: its content is text
    ("```" + _repeat("``x", "가"), 1.0),  # a backtick run without a closer, then `x` spans
    (_repeat("\\( 가 "), 1.0),  # unclosed \( openers
    (_repeat("<", "abc"), 0.0),  # a run of <
    (_repeat("<a 가 "), 1.0),  # tag starts that never close
    (_repeat("一二3"), None),
    (_repeat("\\alpha"), None),
    ("https://" + _repeat("a"), None),
]


@pytest.mark.parametrize(("text", "expected"), ADVERSARIES, ids=[repr(text[:12]) for text, _ in ADVERSARIES])
def test_megabyte_adversaries_complete_with_the_right_result(text: str, expected: float | None) -> None:
    result = korean_ratio(text)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_megabyte_random_soup() -> None:
    rng = random.Random(0)
    fragments = ["가", "ab", " ", "$", "`", "```", "<", "<a", "\\", "\\(", "一", "1", "😀", "(", ")", "\n", "'", '"']
    text = "".join(rng.choice(fragments) for _ in range(MEGABYTE // 2))
    result = korean_ratio(text, allowed=["ab"], allow_quoted=True)
    assert result is not None and 0.0 < result <= 1.0


# -- LanguageConsistencyKo -------------------------------------------------------------------------------------

KOREAN_REASONING = "먼저 두 수를 더합니다. 그러면 칠이 됩니다."
ENGLISH_REASONING = "First we add the two numbers together."


def notebook(reasoning: str, answer: str = "7", prefilled: bool = True) -> str:
    start = "" if prefilled else "<start_working_out>"
    return f"{start}{reasoning}<end_working_out><SOLUTION>{answer}</SOLUTION><|endoftext|>"


PART_CASES = [
    # (part, completion, expected)
    ("reasoning", notebook(KOREAN_REASONING), 1.0),
    ("reasoning", notebook(ENGLISH_REASONING), 0.0),
    ("reasoning", notebook(KOREAN_REASONING, prefilled=False), 1.0),
    ("reasoning", notebook(KOREAN_REASONING, answer="Seven"), 1.0),  # the answer is not the reasoning
    ("reasoning", KOREAN_REASONING + " and then", ratio(17, 7)),  # truncated: no end tag
    ("reasoning", KOREAN_REASONING + "<SOLUTION>seven</SOLUTION>", 1.0),  # no reasoning end: up to the solution
    ("reasoning", "<end_working_out><SOLUTION>7</SOLUTION>", 0.0),  # no reasoning at all: the model chose it
    ("reasoning", "$1 + 2 = 3$<end_working_out><SOLUTION>3</SOLUTION>", 0.0),  # only math: no Korean
    ("answer", notebook(ENGLISH_REASONING, answer="일곱"), 1.0),
    ("answer", notebook(KOREAN_REASONING, answer="seven"), 0.0),
    ("answer", notebook(KOREAN_REASONING, answer="7"), 0.0),  # a number has no language
    ("answer", KOREAN_REASONING, 0.0),  # no solution tag
    ("answer", "<SOLUTION>일곱 and", ratio(2, 3)),  # unclosed solution
    ("completion", notebook(KOREAN_REASONING, answer="seven"), ratio(17, 5)),
    ("completion", "", 0.0),
]


@pytest.mark.parametrize(("part", "completion", "expected"), PART_CASES)
def test_language_consistency_parts(part: str, completion: str, expected: float | None) -> None:
    score = LanguageConsistencyKo(part=part).score(completion)
    if expected is None:
        assert score is None
    else:
        assert score == pytest.approx(expected)


def test_language_consistency_custom_tags() -> None:
    reward = LanguageConsistencyKo(tags=THINK)
    assert reward.score("<think>Let me think 그리고</think><answer>답</answer>") == pytest.approx(ratio(3, 10))
    assert reward.score("생각합니다</think><answer>answer</answer>") == 1.0


def test_threshold_mode() -> None:
    reward = LanguageConsistencyKo(mode="threshold", threshold=0.8)
    half = notebook("한국어 text")  # 3 / 7
    mostly = notebook("한국어로 설명합니다 GRPO")  # 8 / 12
    assert reward(completions=[notebook(KOREAN_REASONING), half, mostly, notebook("$x$")]) == [1.0, 0.0, 0.0, 0.0]
    assert LanguageConsistencyKo(mode="threshold", threshold=0.6).score(mostly) == 1.0
    assert LanguageConsistencyKo(mode="threshold", threshold=0.8, allowed=["GRPO"]).score(mostly) == 1.0


def test_one_value_per_completion_for_every_format() -> None:
    completions = [
        notebook(KOREAN_REASONING),
        [{"role": "assistant", "content": notebook(ENGLISH_REASONING)}],
        [{"role": "assistant", "content": [{"type": "text", "text": notebook(KOREAN_REASONING)}]}],
        [{"role": "assistant", "content": None}],
        None,
    ]
    scores = language_consistency_ko(prompts=[None] * 5, completions=completions, completion_ids=[[1]] * 5)
    assert scores == [1.0, 0.0, 1.0, 0.0, 0.0]
    penalties = repetition_penalty_ko(prompts=[None] * 5, completions=completions, completion_ids=[[1]] * 5)
    assert len(penalties) == 5 and all(isinstance(p, float) and -1.0 <= p <= 0.0 for p in penalties)


def test_logs_the_ratio_through_log_extra() -> None:
    logged: dict[str, list] = {}
    reward = LanguageConsistencyKo(mode="threshold", name="lang_test_log")
    completions = [notebook(KOREAN_REASONING), notebook("한국어 text"), "<end_working_out>"]
    scores = reward(completions=completions, log_extra=lambda column, values: logged.setdefault(column, values))
    assert scores == [1.0, 0.0, 0.0]
    assert logged == {"lang_test_log/korean_ratio": [1.0, pytest.approx(3 / 7), None]}


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="part"):
        LanguageConsistencyKo(part="thinking")
    with pytest.raises(ValueError, match="mode"):
        LanguageConsistencyKo(mode="binary")
    with pytest.raises(ValueError, match="threshold"):
        LanguageConsistencyKo(threshold=1.5)
    with pytest.raises(TypeError, match="tags"):
        LanguageConsistencyKo(tags="<think>")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="allowed"):
        LanguageConsistencyKo(allowed=[""])
    with pytest.raises(TypeError, match="allow_quoted"):
        LanguageConsistencyKo(allow_quoted="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_penalty"):
        RepetitionPenaltyKo(max_penalty=0.5)
    with pytest.raises(ValueError, match="max_penalty"):
        RepetitionPenaltyKo(max_penalty=float("-inf"))
    with pytest.raises(ValueError, match="ngram_size"):
        RepetitionPenaltyKo(ngram_size=0)
    with pytest.raises(ValueError, match="ngram_size"):
        RepetitionPenaltyKo(ngram_size=True)
    with pytest.raises(ValueError, match="max_chars"):
        RepetitionPenaltyKo(max_chars=0)
    with pytest.raises(ValueError, match="part"):
        RepetitionPenaltyKo(part="all")


def test_names_and_configure() -> None:
    assert language_consistency_ko.__name__ == "language_consistency_ko"
    assert repetition_penalty_ko.__name__ == "repetition_penalty_ko"
    strict = language_consistency_ko.configure(mode="threshold", allowed=["GRPO"])
    assert strict.__name__.startswith("language_consistency_ko(mode=threshold, allowed")
    assert strict.allowed == ("GRPO",)
    assert RepetitionPenaltyKo(ngram_size=3).__name__.startswith("repetition_penalty_ko(ngram_size=3")


@pytest.mark.parametrize(
    "reward",
    [
        language_consistency_ko,
        repetition_penalty_ko,
        LanguageConsistencyKo(part="answer", tags=THINK, mode="threshold", allowed=["GRPO"], allow_quoted=True),
        RepetitionPenaltyKo(ngram_size=2, max_penalty=-0.5, part="reasoning", max_chars=None),
    ],
    ids=lambda reward: reward.__name__,
)
def test_pickle_round_trip(reward) -> None:
    clone = pickle.loads(pickle.dumps(reward))
    assert clone.__name__ == reward.__name__
    assert dataclasses.asdict(clone) == dataclasses.asdict(reward)
    completions = [notebook(KOREAN_REASONING * 3), notebook("English 한국어 GRPO", answer="<answer>일곱</answer>")]
    assert clone(completions=completions) == reward(completions=completions)


# -- RepetitionPenaltyKo ----------------------------------------------------------------------------------------


def test_repetition_matches_trl_over_the_same_ids() -> None:
    from trl.rewards import get_repetition_penalty_reward

    rng = random.Random(1)
    for ngram_size in (1, 2, 3, 5):
        trl_reward = get_repetition_penalty_reward(ngram_size=ngram_size, max_penalty=-0.7)
        batch = [[rng.randrange(6) for _ in range(rng.randrange(12))] for _ in range(40)]
        ours = [_repetition(ids, ngram_size, -0.7) for ids in batch]
        assert ours == pytest.approx(trl_reward(completion_ids=batch))


REPETITION_CASES = [
    # (completion, options, expected)
    ("", {}, 0.0),
    ("답", {}, 0.0),  # fewer tokens than the n-gram size
    ("네 네 네 네 네", {"ngram_size": 2}, -0.75),  # 4 bigrams, 1 distinct
    ("네 네 네 네 네", {"ngram_size": 2, "max_penalty": -2.0}, -1.5),
    ("사과 배 감 귤 밤", {"ngram_size": 1}, 0.0),
    ("!!! ... ??? 😀😀😀", {"ngram_size": 1}, 0.0),  # no morpheme at all
    ("답은 칠입니다. " * 20, {}, pytest.approx(-(1 - 4 / 76))),  # 답 은 칠 입니다: 4 distinct 5-grams of 76
    # the part option: a loop only in the answer
    (notebook("두 수를 더합니다", answer="칠 " * 30), {"part": "reasoning"}, 0.0),
    (notebook("두 수를 더합니다", answer="칠 " * 30), {"part": "answer", "ngram_size": 1}, pytest.approx(-(1 - 1 / 30))),
    ("두 수를 더합니다", {"part": "answer"}, 0.0),  # no answer: nothing repeats
]


@pytest.mark.parametrize(("completion", "options", "expected"), REPETITION_CASES)
def test_repetition_penalty_table(completion: str, options: dict, expected: float) -> None:
    assert RepetitionPenaltyKo(**options).score(completion) == expected


def test_repetition_counts_morphemes_not_words() -> None:
    # every word differs, but the endings repeat as morphemes: 았 다 in 놀았다 / 잡았다 / 닫았다
    text = "놀았다 잡았다 닫았다 보았다"
    assert _repetition(text.split(), 2, -1.0) == 0.0
    assert RepetitionPenaltyKo(ngram_size=2).score(text) < 0.0


def test_repetition_scores_the_tail_of_long_texts() -> None:
    varied = " ".join(f"{i}와{i + 10000}와{i + 20000}와{i + 30000}" for i in range(500))  # 500 words, no 5-gram twice
    loop = "같은 말을 계속 반복합니다. " * 300  # 1,200 words
    assert len(varied) > 8192
    reward = RepetitionPenaltyKo()
    assert reward.score(varied) == 0.0
    assert reward.score(varied + " " + loop) < -0.9  # the loop at the end is what is scored
    assert reward.score(loop + " " + varied) == 0.0  # only the last 8,192 characters are
    assert RepetitionPenaltyKo(max_chars=None).score(loop + " " + varied) < -0.1  # then the last 1,000 words


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=1, max_value=6), st.floats(min_value=-5.0, max_value=0.0))
def test_repetition_penalty_is_in_range(text: str, ngram_size: int, max_penalty: float) -> None:
    score = RepetitionPenaltyKo(ngram_size=ngram_size, max_penalty=max_penalty, name="rep_range").score(text)
    assert max_penalty <= score <= 0.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), unique=True, max_size=40))
def test_no_repeated_ngram_scores_zero(distinct: list[str]) -> None:
    assert RepetitionPenaltyKo(ngram_size=1, name="rep_unique").score(" ".join(distinct)) == 0.0


LOOP_UNITS = ["답은 칠입니다.", "다시 계산해 봅시다.", "wait let me check", "그러므로 x는 3이다.", "음..."]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(LOOP_UNITS), st.integers(min_value=40, max_value=120), st.floats(min_value=-3.0, max_value=-0.1))
def test_loops_approach_max_penalty(unit: str, times: int, max_penalty: float) -> None:
    reward = RepetitionPenaltyKo(ngram_size=2, max_penalty=max_penalty, name="rep_loop")
    assert reward.score(" ".join([unit] * times)) <= 0.9 * max_penalty


def test_garbage_output_gets_scores() -> None:
    rng = random.Random(7)
    garbage = [
        "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(200))) for _ in range(20)
    ] + ["\x00\ud800\udfff", "<end_working_out>" * 5, "<SOLUTION>" * 3, "ĠĠĠ" * 50, "\ufffd" * 100, "a" * 5000]
    scores = language_consistency_ko(completions=garbage)
    assert all(score is None or 0.0 <= score <= 1.0 for score in scores)
    penalties = repetition_penalty_ko(completions=garbage)
    assert all(-1.0 <= penalty <= 0.0 for penalty in penalties)


def test_next_to_trl_rewards() -> None:
    """The combination the module docstring shows: TRL's token-id rewards take the same call as ours."""
    from trl.rewards import get_repetition_penalty_reward, get_soft_overlong_punishment

    rewards = [
        language_consistency_ko,
        repetition_penalty_ko,
        get_repetition_penalty_reward(ngram_size=3, max_penalty=-1.0),
        get_soft_overlong_punishment(max_completion_len=10, soft_punish_cache=4),
    ]
    batch = {
        "prompts": [[{"role": "user", "content": "3 + 4?"}]] * 2,
        "completions": [[{"role": "assistant", "content": notebook(KOREAN_REASONING)}]] * 2,
        "completion_ids": [[1, 2, 3, 4], [5, 5, 5, 5, 5, 5, 5, 5]],
        "answer": ["7", "7"],
        "trainer_state": None,
        "log_extra": lambda column, values: None,
        "log_metric": lambda name, value: None,
    }
    results = [reward(**batch) for reward in rewards]
    assert results[0] == [1.0, 1.0]
    assert results[1] == [0.0, 0.0]
    assert results[2] == [0.0, pytest.approx(-5 / 6)]
    assert results[3] == [0.0, -0.5]


_FALLBACK_SCRIPT = textwrap.dedent(
    """
    import json, sys, warnings
    sys.modules["mecab_ko"] = None  # as if the [rouge] extra were not installed
    from korean_rewards.language import RepetitionPenaltyKo
    reward = RepetitionPenaltyKo(ngram_size=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = reward(completions=["네 네 네 네 네", "답은 칠입니다. 답은 칠입니다."])
        second = reward(completions=["네 네 네 네 네"])
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    print(json.dumps({"first": first, "second": second, "warnings": messages}))
    """
)


def test_falls_back_to_whitespace_words_with_one_warning() -> None:
    done = subprocess.run([sys.executable, "-c", _FALLBACK_SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # whitespace words: ["답은", "칠입니다.", "답은", "칠입니다."] has 3 bigrams, 2 distinct
    assert result["first"] == [-0.75, pytest.approx(-1 / 3)]
    assert result["second"] == [-0.75]
    assert len(result["warnings"]) == 1
    assert "MeCab-ko" in result["warnings"][0] and "pip install -e '.[rouge]'" in result["warnings"][0]
