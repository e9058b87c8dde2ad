"""The format rewards and extract_solution: tables, parity with the notebook's regexes, adversarial inputs."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from korean_rewards import (
    NOTEBOOK_TAGS,
    MatchFormatApproximately,
    MatchFormatExactly,
    Tags,
    match_format_approximately,
    match_format_exactly,
)
from korean_rewards.tags import extract_solution

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import notebook_reference as notebook  # noqa: E402

GOOD = "먼저 3과 4를 더합니다.<end_working_out><SOLUTION>7</SOLUTION>"
EOS = "<|endoftext|>"
THINK = Tags(reasoning_start="<think>", reasoning_end="</think>", solution_start="<answer>", solution_end="</answer>", eos_token=None)


def notebook_capture(text: str, tags: Tags = NOTEBOOK_TAGS) -> str | None:
    match = notebook.format_regex(tags.reasoning_end, tags.solution_start, tags.solution_end, tags.eos_token).search(text)
    return None if match is None else match.group(1)


def notebook_approximate(text: str, tags: Tags = NOTEBOOK_TAGS) -> float:
    score = 0.0
    for tag in (tags.reasoning_end, tags.solution_start, tags.solution_end):
        score += 0.5 if text.count(tag) == 1 else -1.0
    return score


# -- extract_solution --------------------------------------------------------------------------------------------

EXTRACT_CASES = [
    # (text, capture)
    (GOOD, "7"),
    (GOOD + EOS, "7"),
    (GOOD + " \t" + EOS + " \n", "7"),
    (GOOD + "\n\n", "7"),
    (GOOD + " 끝", None),  # text after the closing tag on the same line
    (GOOD + "\n추가 설명", "7"),  # ... but on a later line it is accepted (MULTILINE `$`)
    (GOOD + " " + EOS + " 끝", None),
    (GOOD + EOS + "\n" + EOS + EOS, "7"),
    (GOOD + EOS + EOS, None),  # one optional EOS only
    (GOOD + "\r", "7"),  # \r is whitespace, and the text ends
    (GOOD + "\r끝", None),  # ... but \r does not end a line for `$`
    (GOOD + "\u2028끝", None),  # neither does a Unicode line separator
    (GOOD + "\x0b\n끝", "7"),
    ("<end_working_out><SOLUTION></SOLUTION>", None),  # the answer must not be empty
    ("<end_working_out><SOLUTION></SOLUTION></SOLUTION>", "</SOLUTION>"),
    ("<end_working_out><SOLUTION> \n </SOLUTION>", " \n "),
    ("<SOLUTION>7</SOLUTION>", None),  # no reasoning end
    ("<SOLUTION>7</SOLUTION><end_working_out>", None),
    ("<end_working_out>7</SOLUTION>", None),
    ("<end_working_out><SOLUTION>7", None),
    ("<end_working_out>a<SOLUTION>1</SOLUTION> x<SOLUTION>2</SOLUTION>", "1</SOLUTION> x<SOLUTION>2"),
    ("<end_working_out><SOLUTION>1</SOLUTION>\n<SOLUTION>2</SOLUTION>", "1"),
    ("<end_working_out><end_working_out><SOLUTION>1</SOLUTION>", "1"),
    ("<start_working_out>풀이<end_working_out><SOLUTION>삼백오십</SOLUTION>", "삼백오십"),
    ("<end_working_out>\n<SOLUTION>\n42\n</SOLUTION>\n", "\n42\n"),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), EXTRACT_CASES)
def test_extract_solution_table(text: str, expected: str | None) -> None:
    assert extract_solution(text) == expected
    assert notebook_capture(text) == expected  # the table itself is the notebook's behaviour


def test_extract_solution_custom_tags_and_no_eos() -> None:
    assert extract_solution("<think>계산</think><answer>12</answer>", THINK) == "12"
    assert extract_solution("</think><answer>12</answer>" + EOS, THINK) is None  # no EOS allowed
    im_end = dataclasses.replace(NOTEBOOK_TAGS, eos_token="<|im_end|>")
    assert extract_solution(GOOD + "<|im_end|>", im_end) == "7"
    assert extract_solution(GOOD + EOS, im_end) is None
    assert extract_solution(GOOD + "\n", Tags(eos_token="")) == "7"


def test_extract_solution_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="completion_text"):
        extract_solution([{"role": "assistant", "content": GOOD}])  # type: ignore[arg-type]


# -- the rewards: tables -----------------------------------------------------------------------------------------

SCORE_CASES = [
    # (text, exact, approximate)
    (GOOD, 3.0, 1.5),
    (GOOD + EOS, 3.0, 1.5),
    (GOOD + " 끝", 0.0, 1.5),
    (GOOD + "\n다음 줄", 3.0, 1.5),
    ("정답은 7입니다.", 0.0, -3.0),
    ("<SOLUTION>7</SOLUTION>", 0.0, 0.0),
    ("<end_working_out>7", 0.0, -1.5),
    (GOOD + "</SOLUTION>", 3.0, 0.0),  # the lazy answer runs on to the closing tag at the end: "7</SOLUTION>"
    (GOOD + "<SOLUTION>8</SOLUTION>", 3.0, -1.5),
    ("<end_working_out><end_working_out><SOLUTION>7</SOLUTION>", 3.0, 0.0),
    ("<end_working_out><SOLUTION></SOLUTION>", 0.0, 1.5),
    ("", 0.0, -3.0),
]


@pytest.mark.parametrize(("text", "exact", "approximate"), SCORE_CASES)
def test_score_table(text: str, exact: float, approximate: float) -> None:
    assert match_format_exactly(completions=[text]) == [exact]
    assert match_format_approximately(completions=[text]) == [approximate]
    assert notebook.match_format_exactly(completions=[text]) == [exact]
    assert notebook.match_format_approximately(completions=[text]) == [approximate]


def test_configured_scores_and_names() -> None:
    reward = MatchFormatExactly(match=2.0, miss=-0.5)
    assert reward(completions=[GOOD, "답: 7"]) == [2.0, -0.5]
    assert reward.__name__.startswith("match_format_exactly(match=2, miss=-0.5)")
    partial = MatchFormatApproximately(once=1.0, not_once=-0.25)
    assert partial(completions=[GOOD, "답"]) == [3.0, -0.75]
    assert partial.__name__ != match_format_approximately.__name__
    assert MatchFormatExactly(name="fmt_exact_test").__name__ == "fmt_exact_test"
    assert match_format_exactly.__name__ == "match_format_exactly"
    assert match_format_approximately.__name__ == "match_format_approximately"


def test_custom_tags() -> None:
    exact, approximate = MatchFormatExactly(tags=THINK), MatchFormatApproximately(tags=THINK)
    text = "<think>3 더하기 4</think><answer>7</answer>"
    assert exact(completions=[text, GOOD]) == [3.0, 0.0]
    assert approximate(completions=[text, GOOD]) == [1.5, -3.0]
    assert "tags" in exact.__name__


def test_start_tag_modes() -> None:
    start = "<start_working_out>"
    texts = [GOOD, start + GOOD, "  " + start + GOOD, start + start + GOOD, "먼저" + start + GOOD]
    assert MatchFormatApproximately()(completions=texts) == [1.5] * 5
    assert MatchFormatApproximately(start_tag="count")(completions=texts) == [0.5, 2.0, 2.0, 0.5, 2.0]
    assert MatchFormatApproximately(start_tag="prefilled")(completions=texts) == [2.0, 2.0, 2.0, 0.5, 0.5]
    # the exact format never depends on the reasoning start (the template prefills it)
    assert match_format_exactly(completions=texts) == [3.0] * 5


def test_changing_an_option_after_use_changes_the_scores() -> None:
    reward = MatchFormatExactly()
    assert reward.score(GOOD) == 3.0
    reward.match = 1.0
    assert reward.score(GOOD) == 1.0
    reward.tags = THINK
    assert reward.score(GOOD) == 0.0
    approximate = MatchFormatApproximately()
    assert approximate.score(GOOD) == 1.5
    approximate.start_tag = "count"
    assert approximate.score(GOOD) == 0.5


@pytest.mark.parametrize(
    ("factory", "error"),
    [
        (lambda: MatchFormatExactly(tags="<SOLUTION>"), TypeError),
        (lambda: MatchFormatExactly(match="3"), TypeError),
        (lambda: MatchFormatExactly(miss=float("nan")), TypeError),
        (lambda: MatchFormatApproximately(once=True), TypeError),
        (lambda: MatchFormatApproximately(start_tag="always"), ValueError),
        (lambda: Tags(solution_end=""), ValueError),
        (lambda: Tags(eos_token=0), TypeError),
    ],
)
def test_bad_options_raise(factory, error) -> None:
    with pytest.raises(error):
        factory()


def test_programmer_misuse_raises() -> None:
    with pytest.raises(TypeError):
        match_format_exactly(completions=GOOD)  # a single string, not a batch
    with pytest.raises(TypeError):
        match_format_approximately(prompts=["x"])


# -- completion formats ------------------------------------------------------------------------------------------


def test_conversational_completions_and_content_parts() -> None:
    completions = [
        GOOD,
        [{"role": "assistant", "content": GOOD}],
        [{"role": "assistant", "content": [{"type": "text", "text": GOOD}]}],
        [{"role": "assistant", "content": [{"type": "text", "text": "먼저<end_working_out>"}, {"type": "text", "text": "<SOLUTION>7</SOLUTION>"}]}],
        [{"role": "assistant", "content": None}],
        [{"role": "assistant", "content": "계산 중"}, {"role": "tool", "content": GOOD}],
        [{"content": GOOD}],
        [],
        None,
    ]
    assert match_format_exactly(completions=completions) == [3.0, 3.0, 3.0, 3.0, 0.0, 0.0, 3.0, 0.0, 0.0]
    assert match_format_approximately(completions=completions) == [1.5, 1.5, 1.5, 1.5, -3.0, -3.0, 1.5, -3.0, -3.0]


def test_prefilled_reasoning_start_in_a_conversational_completion() -> None:
    with_start = [{"role": "assistant", "content": "<start_working_out>풀이" + GOOD}]
    without = [{"role": "assistant", "content": "풀이" + GOOD}]
    assert match_format_exactly(completions=[with_start, without]) == [3.0, 3.0]
    assert match_format_approximately(completions=[with_start, without]) == [1.5, 1.5]
    prefilled = MatchFormatApproximately(start_tag="prefilled")
    assert prefilled(completions=[with_start, without]) == [2.0, 2.0]


def test_fast_path_and_general_path_agree() -> None:
    texts = [text for text, _, _ in SCORE_CASES]
    as_messages = [[{"role": "assistant", "content": text}] for text in texts]
    as_parts = [[{"role": "assistant", "content": [{"type": "text", "text": text}]}] for text in texts]
    for reward in (match_format_exactly, match_format_approximately):
        assert reward(completions=texts) == reward(completions=as_messages) == reward(completions=as_parts)
        assert reward(completions=tuple(texts)) == reward(completions=texts)


def test_pickle_round_trip_keeps_scores() -> None:
    texts = [text for text, _, _ in SCORE_CASES]
    for reward in (
        match_format_exactly,
        match_format_approximately,
        MatchFormatExactly(tags=THINK, match=2.0),
        MatchFormatApproximately(start_tag="prefilled"),
    ):
        before = reward(completions=texts)  # also fills the prepared options, which must not be pickled
        copy = pickle.loads(pickle.dumps(reward))
        assert copy.__name__ == reward.__name__
        assert copy(completions=texts) == before


def test_importing_tags_does_not_import_torch() -> None:
    code = "import sys, korean_rewards.tags; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# -- parity with the notebook's regexes (property tests) ---------------------------------------------------------

NOTEBOOK_FRAGMENTS = [
    "<start_working_out>", "<end_working_out>", "<SOLUTION>", "</SOLUTION>", EOS,
    "<SOL", "UTION>", "</", "<", ">", "|>",
    " ", "  ", "\t", "\n", "\r", "\x0b", "\u2028", "\u3000",
    "a", "7", "삼", ",",
]


def texts_from(fragments: list[str], max_size: int = 14) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(fragments), max_size=max_size).map("".join)


PARITY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PARITY
@given(texts_from(NOTEBOOK_FRAGMENTS))
def test_parity_with_the_notebook(text: str) -> None:
    completion = [[{"role": "assistant", "content": text}]]
    assert extract_solution(text) == notebook_capture(text)
    assert match_format_exactly(completions=completion) == notebook.match_format_exactly(completions=completion)
    assert match_format_approximately(completions=completion) == notebook.match_format_approximately(completions=completion)


CUSTOM_TAG_SETS = [
    (THINK, ["<think>", "</think>", "<answer>", "</answer>", "</", ">", " ", "\n", "x"]),
    # overlapping tags, an EOS that starts with whitespace, tags that are prefixes of each other
    (Tags(reasoning_end="aa", solution_start="ab", solution_end="ba", eos_token=" a"), ["a", "b", " ", "\n", " a"]),
    (Tags(reasoning_end="#", solution_start="[", solution_end="]", eos_token="\n"), ["#", "[", "]", "\n", " ", "z"]),
    (Tags(reasoning_end="x", solution_start="x", solution_end="x", eos_token="x"), ["x", "y", " ", "\n"]),
]


@PARITY
@given(st.sampled_from(range(len(CUSTOM_TAG_SETS))).flatmap(lambda i: st.tuples(st.just(i), texts_from(CUSTOM_TAG_SETS[i][1], 16))))
def test_parity_with_the_notebook_for_custom_tags(case: tuple[int, str]) -> None:
    index, text = case
    tags = CUSTOM_TAG_SETS[index][0]
    capture = notebook_capture(text, tags)
    assert extract_solution(text, tags) == capture
    assert MatchFormatExactly(tags=tags).score(text) == (0.0 if capture is None else 3.0)
    assert MatchFormatApproximately(tags=tags).score(text) == notebook_approximate(text, tags)


# -- adversarial inputs ------------------------------------------------------------------------------------------

MEGABYTE = 1_000_000


def test_adversarial_megabyte_inputs_score_right() -> None:
    unit = "<end_working_out><SOLUTION>x</SOLUTION>y"
    repeated = unit * (MEGABYTE // len(unit))
    # ends with "y" on the closing tag's line: no match, every tag repeated
    assert match_format_exactly(completions=[repeated]) == [0.0]
    assert match_format_approximately(completions=[repeated]) == [-3.0]
    assert extract_solution(repeated) is None
    # the same, then a closing tag at the very end: the capture runs from the first answer to it
    closed = repeated + "</SOLUTION>"
    assert match_format_exactly(completions=[closed]) == [3.0]
    assert extract_solution(closed) == closed[len("<end_working_out><SOLUTION>") : -len("</SOLUTION>")]
    # the number regex's worst case has no reasoning end at all
    assert match_format_exactly(completions=["<SOLUTION>" * (MEGABYTE // 10)]) == [0.0]
    # a megabyte of whitespace after the closing tag, then text on the same line / on a later line
    spaces = "<end_working_out><SOLUTION>42</SOLUTION>" + " " * MEGABYTE
    assert match_format_exactly(completions=[spaces + "y", spaces + "\ny", spaces]) == [0.0, 3.0, 3.0]
    assert extract_solution(spaces + EOS + " " * MEGABYTE) == "42"
    # many closing tags each followed by whitespace and an EOS, none at a line end, then one that is
    soup = "<end_working_out><SOLUTION>" + ("</SOLUTION> \t" + EOS + " x") * (MEGABYTE // 30)
    assert match_format_exactly(completions=[soup, soup + "</SOLUTION>" + EOS]) == [0.0, 3.0]
    assert match_format_approximately(completions=[soup]) == [0.0]
    # a single well-formed answer after a megabyte of Korean reasoning
    long_good = "가나다라 " * (MEGABYTE // 5) + GOOD
    assert match_format_exactly(completions=[long_good]) == [3.0]
    assert match_format_approximately(completions=[long_good]) == [1.5]
    assert extract_solution(long_good) == "7"


def test_adversarial_inputs_match_the_notebook_where_it_finishes() -> None:
    """The notebook's own worst cases at sizes its regexes still finish quickly on."""
    unit = "<end_working_out><SOLUTION>x</SOLUTION>y"
    for text in (unit * 20, unit * 20 + "</SOLUTION>", "<SOLUTION>" * 200, "</SOLUTION> " * 50):
        assert extract_solution(text) == notebook_capture(text)
        assert match_format_exactly(completions=[text]) == notebook.match_format_exactly(completions=[text])
        assert match_format_approximately(completions=[text]) == notebook.match_format_approximately(completions=[text])
