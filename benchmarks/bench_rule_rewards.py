"""Throughput of the rule-based rewards next to the Unsloth notebook's regex rewards, on the same inputs.

Two parts, both in one run:

1. typical completions (Korean reasoning with numbers and the notebook's tags, 1-2 KB of UTF-8 each, some
   well formed, some not): completions per second for each reward and for its notebook counterpart, and the
   ratio (ours / notebook);
2. adversarial completions: the notebook's worst cases (8 KB of ``<end_working_out><SOLUTION>x</SOLUTION>y``
   for its format regex, 40 KB of ``<SOLUTION>`` for its number regex) timed for both, then 1 MB adversarial
   completions for this library only (the notebook's regexes would take hours), in ms per call against the
   50 ms budget.

Targets: the format rewards no slower than the notebook's on typical completions (ratio >= 1), and
``check_numbers_ko`` at least 20,000 completions/s on one core. Rewards whose modules are missing or fail to
import are listed as "skipped: <reason>".

Usage::

    python benchmarks/bench_rule_rewards.py            # full run (about a minute)
    python benchmarks/bench_rule_rewards.py --quick    # a few seconds
    python benchmarks/bench_rule_rewards.py --n 5000 --batch 8
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import notebook_reference as notebook  # noqa: E402

BUDGET_MS = 50.0
NUMBERS_TARGET = 20_000.0
EOS = "<|endoftext|>"


# -- inputs ---------------------------------------------------------------------------------------------------

_STEPS = (
    "먼저 문제에서 주어진 값을 정리합니다. 사과는 {a}개, 배는 {b}개입니다.",
    "두 수를 더하면 {a} + {b} = {c}이므로 과일은 모두 {c}개입니다.",
    "이것을 {d}명이 똑같이 나누면 한 사람당 {e}개를 받고 {r}개가 남습니다.",
    "단위를 확인합니다. 금액은 원 단위이므로 {money:,}원으로 적습니다.",
    "검산해 봅니다: {e} × {d} + {r} = {c}. 식이 맞습니다.",
    "비율로 바꾸면 {a} ÷ {c} ≈ {ratio:.3f}, 즉 약 {pct:.1f}%입니다.",
    "한편 연필 한 자루가 삼백오십 원이면 두 자루는 칠백 원입니다.",
    "속도는 시속 {a}킬로미터이고 {d}시간 동안 달리면 {f}킬로미터를 갑니다.",
    "Let me double-check the arithmetic: {a} * {d} = {f}.",
    "조건을 다시 읽어 보면, 남은 개수는 음수가 될 수 없으므로 답은 자연수입니다.",
    "따라서 구하는 값은 {c}입니다. 다른 풀이로도 같은 결과가 나오는지 확인합니다.",
    "분수로 쓰면 {a}/{c}이고, 소수로는 {ratio:.4f}입니다.",
)


def _values(rng: random.Random) -> dict[str, Any]:
    a, b, d = rng.randint(2, 999), rng.randint(1, 999), rng.randint(2, 12)
    c = a + b
    return {
        "a": a, "b": b, "c": c, "d": d, "e": c // d, "r": c % d, "f": a * d,
        "money": c * 1000, "ratio": a / c, "pct": 100 * a / c,
    }


def _reasoning(rng: random.Random, values: dict[str, Any], low: int, high: int) -> str:
    target = rng.randint(low, high)
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = rng.choice(_STEPS).format(**values)
        parts.append(sentence)
        size += len(sentence.encode("utf-8")) + 1
    return "\n".join(parts)


def typical_completions(n: int, seed: int = 3407) -> tuple[list[str], list[str]]:
    """``n`` realistic Korean completions of 1-2 KB and their gold answers (deterministic for a seed)."""
    rng = random.Random(seed)
    completions, golds = [], []
    for _ in range(n):
        values = _values(rng)
        gold = str(values["c"])
        body = _reasoning(rng, values, 900, 1900)
        kind = rng.random()
        if kind < 0.45:  # the exact format, with or without EOS
            answer = gold if rng.random() < 0.7 else str(values["c"] + rng.choice((-1, 1, 10)))
            text = f"{body}\n<end_working_out><SOLUTION>{answer}</SOLUTION>" + (EOS if rng.random() < 0.5 else "")
        elif kind < 0.60:  # answer with commas, units or Korean words
            answer = rng.choice((f"{values['c']:,}", f"{values['c']}개", f" {values['c']} ", "삼백오십", "약 1,200원"))
            text = f"{body}\n<end_working_out><SOLUTION>{answer}</SOLUTION>\n"
        elif kind < 0.72:  # no solution tags
            text = f"{body}\n<end_working_out>정답은 {gold}입니다."
        elif kind < 0.82:  # repeated tags and trailing text
            text = (
                f"{body}\n<end_working_out><SOLUTION>{gold}</SOLUTION> 추가 설명입니다."
                f"<SOLUTION>{values['a']}</SOLUTION>"
            )
        elif kind < 0.92:  # truncated mid-reasoning (hit max_completion_length)
            text = body[: rng.randint(200, len(body))]
        else:  # reasoning start repeated, answer in the middle
            text = f"<start_working_out>{body}<end_working_out><SOLUTION>{gold}</SOLUTION>\n{body[:300]}"
        completions.append(text)
        golds.append(gold)
    return completions, golds


def notebook_adversarial() -> dict[str, str]:
    """The notebook's worst cases: 8 KB for its format regex, 40 KB for its number regex."""
    unit = "<end_working_out><SOLUTION>x</SOLUTION>y"
    return {
        "8 KB <end_working_out><SOLUTION>x</SOLUTION>y": unit * (8 * 1024 // len(unit)),
        "40 KB <SOLUTION>": "<SOLUTION>" * (40 * 1024 // len("<SOLUTION>")),
    }


def megabyte_adversarial(size: int = 1_000_000) -> dict[str, str]:
    """1 MB completions built to defeat backtracking scanners and slow parsers."""
    rng = random.Random(0)

    def repeat(unit: str, head: str = "", tail: str = "") -> str:
        return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail

    fragments = ["<end_working_out>", "<SOLUTION>", "</SOLUTION>", EOS, " ", "\n", "1", ",", "삼백", "x"]
    # dense runs of one numeral word that is (almost) never a number where it stands: every numeral syllable and
    # native attributive with a space, a particle and a comma, words that read as numerals, digits
    syllables = ["일", "이", "삼", "사", "오", "육", "칠", "팔", "구", "십", "백", "천", "만", "억", "조", "경", "영", "한", "두"]
    syllables += ["세", "네", "스무", "열", "하나"]
    dense = [f"{word} " for word in syllables]
    dense += [f"{word}{'가' if (ord(word[-1]) - 0xAC00) % 28 == 0 else '이'} " for word in syllables]  # 이가, 천이
    dense += [f"{word}, " for word in syllables]
    dense += ["만. ", "일. ", "오! ", "사과 ", "네 생각 ", "조 조 ", "만 이 ", "만일 ", "천천 ", "천만에요 ", "영하 ", "1 ", "1,", "1.", "-1 ",
              "\\boxed{"]  # fmt: skip
    # words that look like numerals but are not numbers where they stand, shuffled so that no period repeats:
    # every one costs the number reader real work (its worst case; see ANSWER_WINDOW in korean_rewards.numbers)
    look_alikes = ["천오천가 ", "경이가 ", "삼십개다 ", "스무가 ", "세대 ", "두통 ", "열대 ", "구십가 ", "팔십다 ", "삼백가 ",
                   "이 ", "사과 ", "네 생각 ", "천만에요 ", "만약 ", "가, ", "이. ", "만일, "]  # fmt: skip

    def shuffled(words: list[str], head: str = "") -> str:
        return head + "".join(rng.choice(words) for _ in range((size - len(head)) // 4))

    return {
        "shuffled numeral look-alikes": shuffled(look_alikes),
        "tag + shuffled look-alikes": shuffled(look_alikes, "<end_working_out><SOLUTION>"),
        "tag + Korean full stops": repeat("가.", "<end_working_out><SOLUTION>"),
        "tag + shuffled punctuation": shuffled(["가, ", "이. ", "십, ", ". ", "만일, "], "<end_working_out><SOLUTION>"),
        "format repeat": repeat("<end_working_out><SOLUTION>x</SOLUTION>y"),
        "<SOLUTION> repeat": repeat("<SOLUTION>"),
        "closing + spaces": repeat(" ", "<end_working_out><SOLUTION>42</SOLUTION>", "y"),
        "closing/EOS repeat": repeat("</SOLUTION> \t" + EOS + " x", "<end_working_out><SOLUTION>"),
        "digits and commas": repeat("1,", "<end_working_out><SOLUTION>", "</SOLUTION>"),
        "Korean numerals": repeat("삼백", "<end_working_out><SOLUTION>", "</SOLUTION>"),
        "minus signs": repeat("- ", "<end_working_out><SOLUTION>"),
        "random tag soup": "".join(rng.choice(fragments) for _ in range(size // 4)),
        "plain Korean": repeat("가나다라마바사 아자차카타파하. "),
        **{f"{unit!r} repeat": repeat(unit, "<end_working_out><SOLUTION>") for unit in dense},
    }


# -- rewards --------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    name: str
    ours: Callable[..., Any] | None
    baseline: Callable[..., Any] | None
    skipped: str | None = None


def _optional(module: str, name: str) -> tuple[Callable[..., Any] | None, str | None]:
    try:
        return getattr(importlib.import_module(f"korean_rewards.{module}"), name), None
    except Exception as error:  # noqa: BLE001 - any import failure means "not available yet"
        return None, f"{type(error).__name__}: {error}"


def rewards() -> list[Entry]:
    entries = []
    for module, name, baseline in (
        ("tags", "match_format_exactly", notebook.match_format_exactly),
        ("tags", "match_format_approximately", notebook.match_format_approximately),
        ("answers", "check_answer_ko", notebook.check_answer),
        ("answers", "check_numbers_ko", notebook.check_numbers),
        ("language", "language_consistency_ko", None),
        ("language", "repetition_penalty_ko", None),
        ("length", "reasoning_length", None),
    ):
        reward, reason = _optional(module, name)
        entries.append(Entry(name, reward, baseline, reason))
        if name == "check_numbers_ko":  # the free-text reader: \boxed{}, answer cues, the last number
            free = None if reward is None else reward.configure(tags=None)
            entries.append(Entry("check_numbers_ko(tags=None)", free, None, reason))
            # the examples' safe number check also reads every number inside the tags (hedges and sprays)
            safe = None if reward is None else reward.configure(unparseable=-2.5, several_numbers=-2.5)
            entries.append(Entry("check_numbers_ko(several_numbers)", safe, None, reason))
    return entries


# -- timing ---------------------------------------------------------------------------------------------------


def _batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def throughput(
    fns: list[Callable[..., Any]],
    completions: list[Any],
    golds: list[str],
    texts: list[str],
    batch: int,
    repeat: int,
) -> list[float]:
    """Completions per second of each function, best of ``repeat`` passes over all completions in batches.

    Each batch is read once (``texts`` are its strings) before it is timed: in GRPO a reward scores completions
    that were just decoded, so they are in the CPU cache, and otherwise the first function to touch a batch
    pays for bringing it there. The functions then take turns on it in a rotating order, so that load from
    other processes hits them alike.
    """
    pairs = list(zip(_batches(completions, batch), _batches(golds, batch), _batches(texts, batch)))
    prompts = [[{"role": "user", "content": "문제"}]] * batch
    clock = time.perf_counter
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        spent = [0.0] * len(fns)
        for step, (chunk, gold, strings) in enumerate(pairs):
            for string in strings:
                string.count("\0")  # a full read of the text
            for turn in range(len(fns)):
                index = (step + turn) % len(fns)
                fn = fns[index]
                start = clock()
                fn(prompts=prompts[: len(chunk)], completions=chunk, answer=gold)
                spent[index] += clock() - start
        best = [min(old, new) for old, new in zip(best, spent)]
    return [len(completions) / seconds for seconds in best]


def call_ms(fn: Callable[..., Any], text: str, gold: str = "42", repeat: int = 2) -> tuple[float, Any]:
    """Milliseconds for one call on one completion (best of ``repeat``; once when a call is slow)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(prompts=[[{"role": "user", "content": "문제"}]], completions=[[{"role": "assistant", "content": text}]], answer=[gold])
        best = min(best, time.perf_counter() - start)
        if best > 1.0:
            break
    return best * 1000, result[0]


# -- report ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=4000, help="number of typical completions (default 4000)")
    parser.add_argument("--batch", type=int, default=8, help="completions per reward call (default 8)")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes, best kept (default 5)")
    parser.add_argument("--quick", action="store_true", help="small run: 500 completions, 2 passes, 256 KB adversaries")
    parser.add_argument("--seed", type=int, default=3407)
    args = parser.parse_args(argv)
    n, repeat, big = (500, 2, 256_000) if args.quick else (args.n, args.repeat, 1_000_000)

    entries = rewards()
    print(
        "korean-rewards: rule rewards vs the notebook's regex rewards (same inputs; all on one thread except "
        "repetition_penalty_ko, whose MeCab calls use up to 4 threads)\n"
    )
    for entry in entries:
        if entry.skipped:
            print(f"  {entry.name}: skipped: {entry.skipped}")
    available = [entry for entry in entries if entry.ours is not None]

    texts, golds = typical_completions(n, args.seed)
    # the notebook's completions: one assistant message each (our rewards read the same objects)
    completions = [[{"role": "assistant", "content": text}] for text in texts]
    sizes = sorted(len(text.encode("utf-8")) for text in texts)
    print(
        f"\n1. typical completions: {n} Korean completions, {sizes[0]}-{sizes[-1]} bytes "
        f"(median {sizes[len(sizes) // 2]}), batches of {args.batch}, best of {repeat}\n"
    )
    print(f"  {'reward':<28}{'ours /s':>12}{'notebook /s':>14}{'ratio':>9}  target")
    failures = []
    for entry in available:
        fns = [entry.ours] if entry.baseline is None else [entry.ours, entry.baseline]
        rates = throughput(fns, completions, golds, texts, args.batch, repeat)
        ours = rates[0]
        line = f"  {entry.name:<28}{ours:>12,.0f}"
        if entry.baseline is not None:
            base = rates[1]
            ratio = ours / base
            line += f"{base:>14,.0f}{ratio:>8.2f}x"
        else:
            ratio = None
            line += f"{'-':>14}{'-':>9}"
        if entry.name in ("match_format_exactly", "match_format_approximately"):
            ok = ratio is not None and ratio >= 1.0
            line += f"  >= 1.00x: {'PASS' if ok else 'FAIL'}"
            failures += [] if ok else [f"{entry.name} slower than the notebook ({ratio:.2f}x)"]
        elif entry.name == "check_numbers_ko":
            ok = ours >= NUMBERS_TARGET
            line += f"  >= {NUMBERS_TARGET:,.0f}/s: {'PASS' if ok else 'FAIL'}"
            failures += [] if ok else [f"check_numbers_ko at {ours:,.0f}/s"]
        print(line)

    print("\n2a. the notebook's adversarial cases (one call each; ms)\n")
    print(f"  {'input':<46}{'reward':<28}{'ours ms':>10}{'notebook ms':>13}{'ratio':>10}")
    cases = notebook_adversarial()
    pairs = (
        ("8 KB <end_working_out><SOLUTION>x</SOLUTION>y", ("match_format_exactly", "check_answer_ko")),
        ("40 KB <SOLUTION>", ("check_numbers_ko",)),
    )
    by_name = {entry.name: entry for entry in available}
    for case, names in pairs:
        for name in names:
            entry = by_name.get(name)
            if entry is None:
                print(f"  {case:<46}{name:<28}  skipped: not importable")
                continue
            ours_ms, ours_score = call_ms(entry.ours, cases[case], repeat=3)
            base_ms, base_score = call_ms(entry.baseline, cases[case], repeat=1)
            same = "same score" if ours_score == base_score else f"scores {ours_score} vs {base_score}"
            print(f"  {case:<46}{name:<28}{ours_ms:>10.2f}{base_ms:>13.1f}{base_ms / ours_ms:>9.0f}x  {same}")

    print(f"\n2b. {big / 1e6:g} MB adversarial completions, this library only (ms per call, budget {BUDGET_MS:g} ms)\n")
    print(f"  {'input':<24}" + "".join(f"{entry.name:>28}" for entry in available))
    worst: dict[str, float] = {}
    for case, text in megabyte_adversarial(big).items():
        row = f"  {case:<24}"
        for entry in available:
            ms, _ = call_ms(entry.ours, text)
            worst[entry.name] = max(worst.get(entry.name, 0.0), ms)
            row += f"{ms:>22.2f} {'ok' if ms < BUDGET_MS else 'SLOW':>5}"
        print(row)
    for name, ms in worst.items():
        ok = ms < BUDGET_MS
        print(f"  {name}: worst {ms:.2f} ms per call: {'PASS' if ok else 'FAIL'} (< {BUDGET_MS:g} ms)")
        failures += [] if ok else [f"{name} takes {ms:.0f} ms on a {big / 1e6:g} MB adversary"]

    print("\nsummary: " + ("all targets met" if not failures else "; ".join(failures)))
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
