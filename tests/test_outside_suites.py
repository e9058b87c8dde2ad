"""Other projects' grading tests, ported: TRL's ``accuracy_reward`` and Math-Verify's numeric cases.

Sources (read with the ``fetch`` tool; the cases are restated here, not imported):

* TRL ``tests/test_rewards.py`` at commit ``f2cd57710ae345ea6428ae95363267fcf38a3dc8`` (huggingface/trl):
  ``TestAccuracyReward`` and ``TestReasoningAccuracyReward``. TRL's reasoning reward is ``accuracy_reward_ko``
  with ``think_end`` set to the reasoning delimiter.
* Math-Verify ``tests/`` at commit ``5d148cfaaf99214c2e4ffb4bc497ab042c592a7a`` (huggingface/Math-Verify, MIT
  licence): every parametrized case whose gold is a plain number, a fraction or a percentage (``test_all.py``,
  ``test_boxed.py`` and the ``test_float_precision`` case), in ``tests/data/math_verify_cases.jsonl`` with
  Math-Verify's verdict (``math_verify``), ours (``expected``: true / false / null for a gold we cannot read)
  and a ``note`` on each case decided differently: no decimal comma, no space thousands separator, exact
  comparison of rounded decimals, irreducible expressions never equal a number, a line break inside inline math
  does not hide the answer, a list gold is no number.

The calls use keywords (``accuracy_reward_ko(completions=..., solution=...)``), the form every supported TRL
passes; TRL's positional form is tested with the TRL adapter.
"""

from __future__ import annotations

import json
import threading
import warnings
from pathlib import Path

import pytest

from korean_rewards import AccuracyRewardKo, accuracy_reward_ko, check_numbers_ko

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "math_verify_cases.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


def _chat(text: str) -> list[dict[str, str]]:
    return [{"content": text}]


# -- TRL tests/test_rewards.py: TestAccuracyReward ---------------------------------------------------------------


def test_trl_accuracy_reward_correct_answer() -> None:
    completions = [_chat(r"\boxed{\frac{63}{400}}"), _chat(r"\boxed{\frac{63}{400}}")]
    assert accuracy_reward_ko(completions=completions, solution=[r"\frac{63}{400}", "63/400"]) == [1.0, 1.0]


def test_trl_accuracy_reward_wrong_answer() -> None:
    assert accuracy_reward_ko(completions=[_chat(r"\boxed{\frac{64}{400}}")], solution=[r"\frac{63}{400}"]) == [0.0]


def test_trl_accuracy_reward_wrong_answer_no_latex() -> None:
    assert accuracy_reward_ko(completions=[_chat(r"\boxed{3}")], solution=["6"]) == [0.0]


def test_trl_accuracy_reward_unparsable_gold() -> None:
    completions = [_chat("Answer is forty two."), _chat(r"Some other content. \boxed{43}.")]
    with pytest.warns(UserWarning, match="2 of the batch's gold answers could not be read"):
        rewards = accuracy_reward_ko(completions=completions, solution=["Answer is forty two.", "Answer is forty three."])
    assert rewards == [None, None]


def test_trl_accuracy_reward_in_worker_thread() -> None:
    results: list = []
    errors: list = []

    def target() -> None:
        try:
            results.extend(accuracy_reward_ko(completions=[_chat(r"\boxed{\frac{1}{3}}")], solution=[r"\frac{1}{3}"]))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    assert not errors and results == [1.0]


# -- TRL tests/test_rewards.py: TestReasoningAccuracyReward (think_end is TRL's reasoning delimiter) -------------


def test_trl_reasoning_correct_answer() -> None:
    completions = [
        _chat(r"<think> Reasoning content </think> \boxed{\frac{63}{400}}"),
        _chat(r"Reasoning content </think> \boxed{\frac{63}{400}}"),
    ]
    assert accuracy_reward_ko(completions=completions, solution=[r"\frac{63}{400}"] * 2) == [1.0, 1.0]


def test_trl_reasoning_custom_delimiter() -> None:
    reward = AccuracyRewardKo(think_end="</REASONING_END>")
    completion = _chat(r"<REASONING_START> Reasoning content </REASONING_END> \boxed{\frac{63}{400}}")
    assert reward(completions=[completion], solution=[r"\frac{63}{400}"]) == [1.0]


def test_trl_reasoning_incorrect_answer() -> None:
    completion = _chat(r"<think> Reasoning content </think> \boxed{\frac{64}{400}}")
    assert accuracy_reward_ko(completions=[completion], solution=[r"\frac{63}{400}"]) == [0.0]


def test_trl_reasoning_correct_answer_only_inside_the_reasoning() -> None:
    completions = [
        _chat(r"<think> My answer is \boxed{42} </think> Some other text."),
        _chat(r"<think> The answer is \boxed{42} </think> Here's a wrong answer: \boxed{43}."),
    ]
    assert accuracy_reward_ko(completions=completions, solution=[r"\boxed{42}"] * 2) == [0.0, 0.0]


def test_trl_reasoning_incomplete_reasoning() -> None:
    completions = [
        _chat(r"<think> Incomplete reasoning without closing tag"),
        _chat(r"Correct answer \frac{63}{400} but completely missing reasoning content"),
    ]
    # Decided differently for the second: accuracy_reward_ko is TRL's accuracy_reward, not its reasoning reward,
    # and reads a completion that never opened <think>; one that opened it and never closed it has no answer.
    assert accuracy_reward_ko(completions=completions, solution=[r"\frac{63}{400}"] * 2) == [0.0, 1.0]


def test_trl_reasoning_unparsable_gold() -> None:
    with pytest.warns(UserWarning, match="could not be read"):
        rewards = accuracy_reward_ko(completions=[_chat(r"<think> Reasoning </think> \boxed{42}")], solution=["forty two"])
    assert rewards == [None]


# -- Math-Verify tests/: golds that are a plain number, a fraction or a percentage --------------------------------


def test_the_ported_math_verify_cases_are_all_here() -> None:
    assert len(CASES) >= 80
    assert all(case["note"] for case in CASES if case["expected"] != case["math_verify"])


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['source'].split('::')[1]}" for i, c in enumerate(CASES)])
def test_math_verify_case(case: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unreadable golds warn; the verdict is what is asserted
        score = accuracy_reward_ko(completions=[case["completion"]], solution=[case["gold"]])[0]
    expected = case["expected"]
    assert (score if score is None else score == 1.0) == expected, case["note"]


def test_math_verify_agreement_and_no_false_pay() -> None:
    """Where we decide like Math-Verify we agree on every case, and we never pay a completion it calls wrong
    except the two line-break cases noted in the data."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = accuracy_reward_ko(completions=[c["completion"] for c in CASES], solution=[c["gold"] for c in CASES])
    false_pays = [c for c, s in zip(CASES, scores) if s == 1.0 and not c["math_verify"]]
    assert len(false_pays) == 2 and all("line break" in c["note"] for c in false_pays)


@pytest.mark.parametrize(
    ("completion", "gold", "score"),
    [
        (r"<SOLUTION>$4\sqrt{2}$</SOLUTION>", "4", -1.5),  # test_sqrt_precision: an expression is not its number
        ("<SOLUTION>AZYUK2A</SOLUTION>", "2", -2.5),  # test_number_extraction: a digit inside a word is no answer
        (r"<SOLUTION>\frac{10}{9}</SOLUTION>", "10/9", 3.5),  # test_simple_fraction_notation
        (r"<SOLUTION>\cfrac{1}{3}</SOLUTION>", "$1/3$", 3.5),  # test_latex_notation
        ("<SOLUTION>7,425,000</SOLUTION>", "7425000", 3.5),  # test_number_extraction
    ],
)
def test_math_verify_cases_for_check_numbers_ko(completion: str, gold: str, score: float) -> None:
    assert check_numbers_ko(completions=[completion], answer=[gold]) == [score]
