"""Throughput of ``accuracy_reward_ko`` next to math-verify on the same 1 KB Korean completions, and 1 MB adversaries.

Inputs: the labelled completions of ``tests/data/accuracy_ko.jsonl`` and ``tests/data/grading_rules_ko.jsonl``
(tags, ``<think>`` and plain shapes), each padded to about 1 KB with number-free reasoning before its answer. Both graders score the same
(completion, gold) pairs on one core; math-verify (``pip install math-verify``, a benchmark / test-oracle
dependency only) parses gold and completion and verifies, as ``trl.rewards.accuracy_reward`` does. Printed:
completions per CPU second for each (``time.process_time``, so other load on the machine does not skew
the comparison), the ratio (ours / math-verify), each grader's accuracy and precision against
the labels, and the time of ``accuracy_reward_ko`` on 1 MB adversarial completions against the 50 ms budget.

Targets: at least 20,000 completions/s for ``accuracy_reward_ko`` on one free core, at least 30x math-verify's
throughput in the same run, and no 1 MB completion over 50 ms.

Usage::

    python benchmarks/bench_accuracy.py            # full run
    python benchmarks/bench_accuracy.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from korean_rewards import accuracy_reward_ko

ROOT = Path(__file__).resolve().parents[1]
FILLER = "먼저 문제의 조건을 차근차근 정리하고, 필요한 계산을 순서대로 확인해 보겠습니다. "


def _inputs() -> tuple[list[str], list[str], list[bool]]:
    rows = [
        json.loads(line)
        for name in ("accuracy_ko.jsonl", "grading_rules_ko.jsonl")
        for line in (ROOT / "tests/data" / name).read_text("utf-8").splitlines()
        if line
    ]
    completions, golds, labels = [], [], []
    for row in rows:
        text = row["completion"]
        pad = FILLER * max(0, (1024 - len(text.encode("utf-8"))) // len(FILLER.encode("utf-8")))
        if text.startswith("<think>"):
            text = "<think>" + pad + text[len("<think>") :]
        elif text.startswith("<start_working_out>"):
            text = "<start_working_out>" + pad + text[len("<start_working_out>") :]
        else:
            text = pad + text
        completions.append(text)
        golds.append(row["gold"])
        labels.append(row["correct"])
    return completions, golds, labels


def _rates(verdicts: list[bool], labels: list[bool]) -> str:
    right = sum(v == l for v, l in zip(verdicts, labels)) / len(labels)
    paid = [l for v, l in zip(verdicts, labels) if v]
    return f"accuracy {right:.3f}, precision {sum(paid) / max(1, len(paid)):.3f}"


def _ours(completions: list[str], golds: list[str], batch: int = 16) -> list[bool]:
    scores: list[float | None] = []
    for i in range(0, len(completions), batch):
        scores += accuracy_reward_ko(completions=completions[i : i + batch], answer=golds[i : i + batch])
    return [s == 1.0 for s in scores]


def _math_verify(completions: list[str], golds: list[str]) -> list[bool] | None:
    try:
        from math_verify import parse, verify
    except ImportError:
        return None
    out = []
    for completion, gold in zip(completions, golds):
        try:
            gold_parsed = parse(gold, parsing_timeout=None)
            out.append(bool(gold_parsed) and bool(verify(gold_parsed, parse(completion, parsing_timeout=None), timeout_seconds=None)))
        except Exception:  # noqa: BLE001
            out.append(False)
    return out


def _timed(fn, *args) -> tuple[float, object]:
    """CPU time of this process (both graders alike), so that other load on a shared machine does not skew the
    ratio; the 1 MB budgets are checked on the same clock."""
    start = time.process_time()
    result = fn(*args)
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    completions, golds, labels = _inputs()
    repeat = 2 if args.quick else 20
    many_c, many_g = completions * repeat, golds * repeat
    size = sum(len(c.encode("utf-8")) for c in completions) / len(completions)
    print(f"{len(many_c)} completions, {size:.0f} bytes each on average (tags / <think> / plain)")
    _ours(completions, golds)  # compile the regexes and cache the golds once, as in training
    ours_s, ours = _timed(_ours, many_c, many_g)
    ours_rate = len(many_c) / ours_s
    print(f"accuracy_reward_ko: {ours_rate:,.0f} completions/s  ({_rates(ours[: len(labels)], labels)})  target >= 20,000")
    mv_n = len(completions)
    mv_s, mv = _timed(_math_verify, completions, golds)
    if mv is None:
        print("math-verify: skipped (pip install math-verify)")
    else:
        mv_rate = mv_n / mv_s
        print(f"math-verify:        {mv_rate:,.0f} completions/s  ({_rates(mv, labels)})")
        print(f"ratio accuracy_reward_ko / math-verify: {ours_rate / mv_rate:.1f}x  (target >= 30x)")
    adversaries = {
        "numeral look-alikes": "이 조 조 만일 네 생각 천천 구십가 세대 두통 " * 40_000,
        "answer blocks of look-alikes": "<SOLUTION>" + "구십가 세대 두통 삼백가 이 조 조 만일 " * 300 + "</SOLUTION>",
        "answer cues and hedges": "정답은 24가 아닌 25이고 답: 3, 4 또는 5 중 하나 혹은 15일 수도 " * 20_000,
        "concluding sentences": "따라서 360의 절반인 180이 답이다 그러므로 " * 30_000,
        "boxed and tags": "\\boxed{1 <SOLUTION>2 \\boxed{\\sqrt{" * 60_000,
        "spaced numerals": "스물 다섯 삼 백 오 십 2천 500 1만 1 공 점 오 " * 40_000,
        "LaTeX": "\\left(\\dfrac{3}{4}\\right)^{2} \\times 100 \\% = " * 30_000,
        "think then look-alikes": "<think>" + "3^4 \\frac{1}{2} " * 60_000 + "</think>" + "구조 백조 조만간 경이 " * 60_000,
        "side remarks": "답은 7입니다. 참고로 넓이는 60입니다. 한편 " * 30_000,
        "corrections": "답은 12개… 아니, 다시 계산하면 14개 " * 40_000,
        "restated units": "40cm이고, 이는 0.4m, 즉 1분 20초(80초) " * 30_000,
        "dollars and LaTeX separators": "$10,200 + $255 = $10,455. \\$3,\\!000 {,}5 " * 30_000,
        "expressions": "답: $4\\sqrt{2}$ \\pm 7 3x AZYUK2A \\( (9+1) \\) " * 30_000,
    }
    for name, text in adversaries.items():
        text = (text * ((1 << 20) // len(text) + 1))[: 1 << 20]
        seconds, _ = _timed(lambda t: accuracy_reward_ko(completions=[t], answer=["7"]), text)
        print(f"1 MB adversary ({name}): {seconds * 1000:.1f} ms (budget 50 ms)")


if __name__ == "__main__":
    main()
