"""The grading rules of issue 21 on their own labelled set (tests/data/grading_rules_ko.jsonl), the gold reader,
the per-batch gold warning, expression golds, question-aware dates, and who imports what."""

from __future__ import annotations

import ast
import json
import warnings
from collections import defaultdict
from fractions import Fraction as F
from pathlib import Path

import pytest

from korean_rewards import AccuracyRewardKo, accuracy_reward_ko, check_answer_ko, check_numbers_ko
from korean_rewards.numbers.final_answer import find_final_answer
from korean_rewards.numbers.grading import grade, read_gold

DATA = Path(__file__).parent / "data"
ROWS = [json.loads(line) for line in (DATA / "grading_rules_ko.jsonl").read_text("utf-8").splitlines() if line.strip()]
SRC = Path(__file__).resolve().parents[1] / "src" / "korean_rewards"


def _verdicts(rows: list[dict], wrap=lambda text: text) -> list[bool]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = accuracy_reward_ko(completions=[wrap(r["completion"]) for r in rows], answer=[r["gold"] for r in rows])
    return [score == 1.0 for score in scores]


def test_the_rules_set_covers_every_kind_with_both_labels() -> None:
    kinds = defaultdict(set)
    for row in ROWS:
        kinds[row["category"]].add(row["correct"])
    assert set(kinds) >= {
        "self_correction", "restated_unit", "side_remark", "date_time", "hedge", "gold_sentence", "intro_cue",
        "answer_first", "expression", "latex_currency",
    }  # fmt: skip
    assert all(labels == {True, False} for labels in kinds.values()), kinds


def test_accuracy_and_precision_on_the_rules_set() -> None:
    verdicts = _verdicts(ROWS)
    right = sum(v == r["correct"] for r, v in zip(ROWS, verdicts)) / len(ROWS)
    paid = [r["correct"] for r, v in zip(ROWS, verdicts) if v]
    assert right >= 0.97 and sum(paid) / len(paid) >= 0.98, (right, sum(paid) / len(paid))
    by_kind = defaultdict(list)
    for row, verdict in zip(ROWS, verdicts):
        by_kind[row["category"]].append(verdict == row["correct"])
    for kind, hits in by_kind.items():
        assert sum(hits) / len(hits) >= 0.85, kind


@pytest.mark.parametrize(
    "wrap",
    [lambda t: [{"role": "assistant", "content": t}], lambda t: t + "<|im_end|>\n", lambda t: "문제를 읽어 봅시다.\n" + t],
    ids=["chat", "eos", "prefixed"],
)
def test_rules_set_verdicts_survive_harmless_changes(wrap) -> None:  # type: ignore[no-untyped-def]
    plain = [r for r in ROWS if r["shape"] == "plain"]
    assert _verdicts(plain, wrap) == _verdicts(plain)


# -- never pay a number that is not the answer -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "gold", "score"),
    [
        (r"답: $4\sqrt{2}$", "4", 0.0),
        (r"따라서 정답은 $2\sqrt{3}$입니다.", "2", 0.0),
        ("답: 4√2", "4", 0.0),
        (r"답: $3\pi$", "3", 0.0),
        (r"$\frac{1+\sqrt{5}}{2}$", "2", 0.0),
        (r"Answer \( (9+1) \)", "10", 1.0),
        (r"Answer \( (9+1) \)", "1", 0.0),
        ("AZYUK2A", "2", 0.0),
        (r"정답은 $x + 5$입니다.", "5", 0.0),
        (r"\boxed{\sqrt{16}}", "4", 1.0),
        (r"\boxed{2.5 \times 10^{2}}", "250", 1.0),
        (r"답: $1\frac{1}{2}$", "1.5", 1.0),
        (r"답: $(2+3) \times 4 \div 5$", "4", 1.0),
        ("답: 25%", "0.25", 1.0),
    ],
)
def test_expressions_are_compared_whole(completion: str, gold: str, score: float) -> None:
    assert accuracy_reward_ko(completions=[completion], answer=[gold]) == [score]


@pytest.mark.parametrize(
    ("answer", "gold"),
    [("sqrt(2)", "2"), ("sin 30", "30"), ("cos(60)", "60"), ("ln 5", "5"), ("exp(2)", "2"), ("log 100", "100"),
     (r"\\sqrt{3}", "3"), (r"$\\tan 45$", "45")],
)
def test_a_function_of_a_number_is_not_that_number(answer: str, gold: str) -> None:
    """A function written with or without LaTeX (sqrt(2), sin 30) is an unevaluated expression: wrong against the
    number it is applied to, in every answer-reading reward."""
    assert accuracy_reward_ko(completions=[f"답: {answer}"], answer=[gold]) == [0.0]
    tagged = f"풀이<end_working_out><SOLUTION>{answer}</SOLUTION>"
    assert check_numbers_ko(completions=[tagged], answer=[gold]) == [check_numbers_ko.wrong]
    assert check_answer_ko(completions=[tagged], answer=[gold])[0] <= check_answer_ko.wrong
    assert accuracy_reward_ko(completions=["답: log₂8 = 3"], answer=["3"]) == [1.0]  # the value after = counts


@pytest.mark.parametrize(
    ("completion", "gold", "score"),
    [("답: 0.4m (40cm)", "40", 1.0), ("답: 40cm(0.4m)", "0.4", 1.0), ("답: 2kg (2000g)", "2000", 1.0),
     ("답: 0.4 m (40 cm)", "0.4", 1.0), ("답: 2t + 1", "2", 0.0), ("답: (2t)", "2", 0.0), ("답: 3x (3 m)", "3", 0.0)],
)
def test_a_restatement_in_parentheses_with_latin_units(completion: str, gold: str, score: float) -> None:
    """An amount with a Latin unit restated in parentheses is one answer, not a formula with variables m, g; a
    letter that is a term of a formula stays a variable."""
    assert accuracy_reward_ko(completions=[completion], answer=[gold]) == [score]


def test_expression_gold_is_compared_as_written_or_undecided() -> None:
    completions = [r"\boxed{2\sqrt{3}}", r"따라서 $2 \sqrt{3}$", r"\boxed{\sqrt{12}}", r"\boxed{3}"]
    with pytest.warns(UserWarning, match="4 answers were compared with a gold that is an expression"):
        scores = accuracy_reward_ko(completions=completions + [r"\boxed{\sqrt{12}}"] * 2, answer=[r"2\sqrt{3}"] * 6)
    assert scores[:2] == [1.0, 1.0] and scores[2:] == [None] * 4


@pytest.mark.parametrize(
    ("completion", "gold", "score"),
    [
        (r"\boxed{32,\! 349}", "32349", 1.0),
        (r"\boxed{32,\!349}", "32349", 1.0),
        (r"$14 {, }916$", "14916", 1.0),
        (r"$14{,}916$", "14916", 1.0),
        (r"\boxed{\$16,\!386.20}", "16386.2", 1.0),
        (r"\boxed{\$16,\!386.20}", "386.20", 0.0),
        (r"$10,200 + $255 = $10,455. The final answer is $10,455$.", "10455", 1.0),
        (r"$\cfrac{1}{3}$", "1/3", 1.0),
        (r"The price is \$4.50 per kg.", "4.5", 1.0),
        (r"The price is \$4.50 per kg.", "450", 0.0),
    ],
)
def test_latex_number_forms_and_currency(completion: str, gold: str, score: float) -> None:
    assert accuracy_reward_ko(completions=[completion], answer=[gold]) == [score]


# -- the gold is read like a completion -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "value"),
    [
        ("정답: 42", F(42)),
        ("답은 42개입니다.", F(42)),
        ("따라서 정답은 42이다.", F(42)),
        ("Answer is 42", F(42)),
        ("The answer is $\\frac{3}{4}$.", F(3, 4)),
        ("풀이: 6 × 7 = 42\n#### 42", F(42)),
        (r"\boxed{1,234}", F(1234)),
        ("삼백오십", F(350)),
        ("It is 12 apples, 3 each, so the final answer is $28 \\%$.", F(7, 25)),
        ("사과 3개와 배 4개를 더하면 7개이다. 정답: 7", F(7)),
    ],
)
def test_gold_sentences_are_read(gold: str, value: F) -> None:
    read = read_gold(gold)
    assert read is not None and read.value == value


@pytest.mark.parametrize("gold", ["forty two", "서울특별시", "12:00", "-2, 1", "사과는 3개, 배는 5개", "정답 없음"])
def test_golds_without_one_answer_are_unreadable(gold: str) -> None:
    assert read_gold(gold) is None


def test_one_warning_per_batch_counts_unreadable_golds_with_an_example() -> None:
    completions = ["답: 42"] * 4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = accuracy_reward_ko(completions=completions, answer=["42", "forty two", "서울", "정답: 42"])
    assert scores == [1.0, None, None, 1.0]
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "2 of the batch's gold answers could not be read" in messages[0]
    assert "'forty two'" in messages[0]
    assert caught[0].filename == __file__  # the warning points at the caller's line


def test_missing_golds_are_not_unreadable() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert accuracy_reward_ko(completions=["답: 42", "답: 42"], answer=["42", None]) == [1.0, None]
        assert check_numbers_ko(completions=["<SOLUTION>42</SOLUTION>"] * 2, answer=["42", None]) == [3.5, None]


def test_check_numbers_ko_reads_sentence_golds_and_warns_per_batch() -> None:
    with pytest.warns(UserWarning, match="1 of the batch's gold answers could not be read"):
        scores = check_numbers_ko(completions=["<SOLUTION>42</SOLUTION>"] * 3, answer=["정답: 42", "답은 41개입니다.", "모름"])
    assert scores == [3.5, -1.5, None]


# -- dates, times and restatements --------------------------------------------------------------------------------


def test_a_date_answers_the_part_the_question_asks() -> None:
    completions = ["4월 1일에서 9일 뒤이므로 답은 4월 10일입니다."] * 4
    prompts = ["9일 뒤는 몇 월 며칠입니까?", "9일 뒤는 며칠입니까?", "9일 뒤는 몇 월입니까?", [{"role": "user", "content": "몇 월?"}]]
    assert accuracy_reward_ko(prompts=prompts, completions=completions, answer=["4월 10일", "10", "4", "4"]) == [1.0] * 4
    assert accuracy_reward_ko(completions=completions[:2], answer=["4", "4월 11일"]) == [0.0, 0.0]


@pytest.mark.parametrize(
    ("completion", "gold", "score"),
    [
        ("따라서 걸린 시간은 2시간, 즉 120분입니다.", "120", 1.0),
        ("따라서 걸린 시간은 2시간, 즉 120분입니다.", "2", 1.0),
        ("거리는 3km(3000m)입니다.", "3000", 1.0),
        ("거리는 3km(3000m)입니다.", "3", 1.0),
        ("답은 5m, 즉 500cm입니다.", "50", 0.0),
        ("정답은 2시간 15분입니다.", "135", 1.0),
        ("정답은 2시간 15분입니다.", "15", 0.0),
        ("답은 1200m, 즉 12km입니다.", "12", 0.0),  # not the same amount: no restatement
    ],
)
def test_restatements_in_another_unit(completion: str, gold: str, score: float) -> None:
    assert accuracy_reward_ko(completions=[completion], answer=[gold]) == [score]


def test_grade_is_false_for_no_answer_or_a_hedge() -> None:
    gold = read_gold("7")
    assert grade(None, gold) is False
    assert grade(find_final_answer(r"$x = \pm 7$"), gold) is False
    assert grade(find_final_answer("10번째 아니면 11번째"), read_gold("10")) is False


def test_reasoning_model_keyword_and_tag_shapes_agree() -> None:
    reward = AccuracyRewardKo(tags=None)
    assert reward(completions=["<think>6 × 7</think>\n답: 42"], solution=["정답: 42"]) == [1.0]
    assert check_answer_ko(completions=["<end_working_out><SOLUTION>42</SOLUTION>"], answer=["42"]) == [5.0]


# -- layout: the reward modules use the numbers package's public names ---------------------------------------------


@pytest.mark.parametrize("module", ["answers.py", "accuracy.py"])
def test_reward_modules_import_no_private_names_from_other_modules(module: str) -> None:
    tree = ast.parse((SRC / module).read_text("utf-8"))
    private = [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("numbers", "answers", "accuracy"))
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []


# -- bounded work: the new rules' triggers repeated grow the time linearly -----------------------------------------

RULE_TRIGGERS = {
    "corrections": "답은 12개… 아니, 다시 계산하면 14개 잠깐, 잘못 계산했네요. wait, actually ",
    "side remarks": "답은 7입니다. 참고로 넓이는 60입니다. 한편 Note that 45. ",
    "restatements": "40cm이고, 이는 0.4m, 즉 1분 20초(80초) 4월 10일 3시 20분 ",
    "expressions": r"답: $4\sqrt{2}$ \pm 7 3x AZYUK2A \( (9+1) \) x = 1/3 \approx 0.3 ",
    "LaTeX and dollars": r"$10,200 + $255 = $10,455. \$3,\!000 14 {, }916 \cfrac{1}{3} ",
    "method cues": "답은 다음 두 단계를 거쳐 구합니다. 정답은 세 가지 경우로 나누어 구해 보겠습니다. ",
}


@pytest.mark.parametrize("name", list(RULE_TRIGGERS))
def test_rule_triggers_grow_at_most_linearly(name: str) -> None:
    """The triggers of every new rule, repeated to 1x, 10x and 100x (up to about 500 KB): at most 15x the time per
    10x, through all three answer-reading rewards, with and without answer tags."""
    import time

    unit = RULE_TRIGGERS[name]
    rewards = [accuracy_reward_ko, check_numbers_ko, check_answer_ko]

    def total(repeats: int) -> float:
        text = unit * repeats
        cases = [text, "<SOLUTION>" + text, text + "<SOLUTION>" + text[:500] + "</SOLUTION>"]
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for reward in rewards:
                    reward(completions=cases, answer=["7"] * len(cases))
            best = min(best, time.process_time() - started)
        return max(best, 1e-3)

    total(10)
    small, medium, large = total(80), total(800), total(8000)
    assert medium / small < 15 and large / medium < 15, (name, small, medium, large)


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_numbers_ko(completions=["<SOLUTION>4</SOLUTION>"], answer=["모름"]),
        lambda: check_numbers_ko.score("<SOLUTION>4</SOLUTION>", "모름"),
        lambda: accuracy_reward_ko.score("답: 4", "모름"),
        lambda: AccuracyRewardKo(tags=None)(completions=["답: 4"], solution=["모름"]),
    ],
    ids=["check_numbers_ko", "check_numbers_ko.score", "accuracy_reward_ko.score", "AccuracyRewardKo"],
)
def test_gold_warnings_point_at_the_callers_line(call) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert [w.filename for w in caught] == [__file__]


@pytest.mark.parametrize(
    ("answer", "gold", "score"),
    [
        (r"$4\sqrt{2}$", "4", -4.5),  # an expression that is no number: "not a number", never a ratio band
        ("4√2", "4", -4.5),
        ("3x", "3", -4.5),
        (r"\pm 7", "7", -4.5),
        ("15~16", "15", -4.5),
        ("6 × 7 = 42", "42", 3.5),  # evaluated whole: equal after normalization
        ("6 × 7 = 42", "6", -2.5),
        (r"32,\! 349", "32349", 3.5),
        ("42", "정답: 42", 3.5),  # the gold read like a completion
        ("42", "42", 5.0),
    ],
)
def test_check_answer_ko_reads_expressions_whole(answer: str, gold: str, score: float) -> None:
    completion = f"풀이<end_working_out><SOLUTION>{answer}</SOLUTION>"
    assert check_answer_ko(completions=[completion], answer=[gold]) == [score]
