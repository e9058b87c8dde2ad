"""Per-batch time of ``rouge1_reward`` next to the official ROUGE-1 pipeline, on GRPO-shaped batches.

A batch is 16 prompts x 8 generations (128 completions): each prompt's gold answer ``"…"가 옳다. <reason>``
comes 8 times, as TRL repeats it, and every completion has its own reason of 100-300 characters that copies
part of the gold reason. Batches are new every time (new golds, new completions), like one epoch of training.

Timed in the same run, batches interleaved:

- ``official``: the official scorer written out plainly: per item, split both texts, preprocess both reasons,
  tokenize both with MeCab-ko the way konlpy's ``Mecab().morphs`` does (full MeCab output, surface column),
  count, F1. Nothing is cached: the gold reason is tokenized for each of its 8 completions;
- ``official (wakati)``: the same, with the wakati tokenizer this library uses (isolates the caching gain);
- ``rouge1_reward (cold)``: this library with its reference cache cleared before every batch;
- ``rouge1_reward (warm)``: this library when the batch's golds are already cached (a later epoch);
- the same two with ``threads=1``: MeCab on the calling thread only, to show what caching alone gives and what
  the extra cores add (by default the reward spreads MeCab over the CPUs this process may use, at most 4).

Each runner scores each batch ``--repeats`` times and the fastest run counts (the machine may be shared). The
script checks that all four give identical scores (it exits with status 1 otherwise) and prints the median
per-batch time and the ratios ``official / rouge1_reward``.

Then the 1 MB worst cases (``megabyte_cases``): one completion whose reason is a megabyte of ordinary words, of one
syllable, of pseudo-random syllables, of digits, of Latin letters, each scored by ``rouge1_reward``, the
content-morpheme ROUGE-1, ``malpyeong_em_reward`` and ``malpyeong_format_reward`` (budget 0.5 s a call), next to the
same ROUGE-1 without the ``MAX_TAGGER_CHARS`` bound (the library before it; ``--no-megabyte-baseline`` skips that,
it takes several seconds a case).

Usage::

    python benchmarks/bench_malpyeong.py              # 12 batches (about 20 s), then the 1 MB cases
    python benchmarks/bench_malpyeong.py --batches 30 --prompts 16 --generations 8
    python benchmarks/bench_malpyeong.py --megabyte-only --no-megabyte-baseline
"""

from __future__ import annotations

import argparse
import math
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from korean_rewards import Rouge1Reward, rouge1_reward, split_answer_reason
from korean_rewards import _mecab
from korean_rewards import rouge as rouge_module

# -- inputs -----------------------------------------------------------------------------------------------------

_CLAUSES = (
    "'{w}'은 '{v}'의 활용형이다",
    "어간 끝 받침 'ㄷ'은 모음으로 시작하는 어미 앞에서 'ㄹ'로 바뀐다",
    "한 단어 안에서 뚜렷한 까닭 없이 나는 된소리는 다음 음절의 첫소리를 된소리로 적는다",
    "본용언과 보조 용언은 띄어 쓰는 것이 원칙이지만 붙여 쓰는 것도 허용한다",
    "외래어는 원어의 발음을 따라 표기하며 받침에는 일곱 자음만 쓴다",
    "말이나 글을 직접 인용할 때는 큰따옴표를 쓰고 '{w}'처럼 앞말에 붙여 쓴다",
    "공통 성분을 줄여서 하나의 어구로 묶을 때는 가운뎃점을 쓰며 쉼표를 쓸 수도 있다",
    "사잇소리 현상이 나타나므로 사이시옷을 받치어 '{w}'으로 적는다",
    "'{w}'는 '{v}'와 의미가 달라서 문맥에 따라 구별하여 써야 한다",
    "접미사 '-이'와 '-히'는 발음에 따라 구별하되 'ㅅ' 받침 뒤에서는 '-이'로 적는다",
    "의존 명사는 앞말과 띄어 쓰고 조사는 앞말에 붙여 쓴다",
    "표준 발음법에 따르면 '{w}'는 [{v}]로 발음한다",
)
_WORDS = ("불은", "깨끗이", "기억해 냈다", "덤핑", "연둣빛", "수놈", "낯선", "발라서", "시든", "글쟁이", "할걸", "부치는")
_ENDINGS = (". ", ". 따라서 ", ". 또한 ", ". 다만, ", ". 이처럼 ")


def _reason(rng: random.Random, low: int, high: int) -> str:
    target = rng.randint(low, high)
    text = ""
    while len(text) < target:
        clause = rng.choice(_CLAUSES).format(w=rng.choice(_WORDS), v=rng.choice(_WORDS))
        text += clause + rng.choice(_ENDINGS)
    return text[:target].rstrip() + "."


def _completion_reason(rng: random.Random, gold_reason: str) -> str:
    """A reason of 100-300 characters that reuses a random slice of the gold reason."""
    start = rng.randrange(len(gold_reason) // 2)
    borrowed = gold_reason[start : start + rng.randint(20, 120)]
    return (borrowed + " " + _reason(rng, 40, 280))[: rng.randint(100, 300)]


def make_batch(rng: random.Random, prompts: int, generations: int) -> tuple[list[str], list[str]]:
    completions: list[str] = []
    golds: list[str] = []
    for _ in range(prompts):
        sentence = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} 문장이다."
        gold = f'"{sentence}"가 옳다. {_reason(rng, 100, 300)}'
        gold_reason = split_answer_reason(gold)[1]
        for _ in range(generations):
            verdict = "가 옳다" if rng.random() < 0.9 else "이 옳다"
            completions.append(f'"{sentence}"{verdict}. {_completion_reason(rng, gold_reason)}')
            golds.append(gold)
    return completions, golds


# -- the official pipeline, plainly -----------------------------------------------------------------------------

_NOT_KEPT = re.compile("[^A-Za-z0-9가-힣]")


def _official_preprocess(text: str) -> str:
    text = " ".join(text.split("\n"))
    text = " ".join(text.split()[:1000])
    return _NOT_KEPT.sub(" ", text.lower()).strip()


def make_official(tokenize: Callable[[str], list[str]]) -> Callable[[list[str], list[str]], list[float]]:
    def score_batch(completions: list[str], golds: list[str]) -> list[float]:
        scores = []
        for completion, gold in zip(completions, golds):
            pred_reason, gold_reason = split_answer_reason(completion)[1], split_answer_reason(gold)[1]
            if not pred_reason or not gold_reason:
                scores.append(0.0)
                continue
            pred = Counter(tokenize(_official_preprocess(pred_reason)))
            ref = Counter(tokenize(_official_preprocess(gold_reason)))
            n_pred, n_ref = sum(pred.values()), sum(ref.values())
            overlap = sum(min(count, ref[token]) for token, count in pred.items())
            if not n_pred or not n_ref or not overlap:
                scores.append(0.0)
                continue
            p, r = overlap / n_pred, overlap / n_ref
            scores.append(2 * p * r / (p + r))
        return scores

    return score_batch


MEGABYTE_BUDGET_S = 0.5


def megabyte_cases(size: int = 1_000_000) -> dict[str, str]:
    """1 MB completions in the answer template whose reasons defeat the 1,000-word limit (long runs) or fill it."""

    def fill(unit: str) -> str:
        return unit * (size // len(unit))

    head = '"깨끗이"가 옳다. '
    return {
        "Korean words": head + fill("어간 끝이 받침이면 적는다 "),
        "one syllable": head + fill("가"),
        "random syllables": head + "".join(chr(0xAC00 + (i * 7919) % 11172) for i in range(size)),
        "digits": head + fill("7"),
        "Latin letters": head + fill("ab"),
        "spaces": head + "가" + " " * size + "나",
    }


def megabyte_report(baseline: bool) -> list[str]:
    """Time each reward on each 1 MB case (one call each, after a warm-up); returns the cases over budget."""
    from korean_rewards import malpyeong_em_reward, malpyeong_format_reward

    gold = '"깨끗이"가 옳다. 어간 끝이 ㅅ 받침이면 부사화 접미사 -이를 붙여 적는다.'
    rewards = {
        "rouge1_reward": rouge1_reward,
        "content ROUGE-1": Rouge1Reward(content_only=True),
        "malpyeong_em_reward": malpyeong_em_reward,
        "malpyeong_format_reward": malpyeong_format_reward,
    }
    over = []
    header = "".join(f"{name:>24}" for name in rewards) + ("   uncut ROUGE-1 (before)" if baseline else "")
    print(f"\n1 MB completions: seconds per call (budget {MEGABYTE_BUDGET_S} s)\n  {'case':<18}{header}")
    for case, text in megabyte_cases().items():
        row = f"  {case:<18}"
        for name, reward in rewards.items():
            rouge_module._reference_counts.cache_clear()
            start = time.perf_counter()
            reward(completions=[text], answer=[gold])
            seconds = time.perf_counter() - start
            row += f"{seconds:>20.3f} {'ok' if seconds < MEGABYTE_BUDGET_S else 'SLOW':>3}"
            if seconds >= MEGABYTE_BUDGET_S:
                over.append(f"{name} on {case}: {seconds:.2f} s")
        if baseline:
            kept = rouge_module.MAX_TAGGER_CHARS
            rouge_module.MAX_TAGGER_CHARS = 10**12
            try:
                start = time.perf_counter()
                rouge1_reward(completions=[text], answer=[gold])
                before = time.perf_counter() - start
            finally:
                rouge_module.MAX_TAGGER_CHARS = kept
            row += f"{before:>15.3f} s"
        print(row)
    return over


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabyte-only", action="store_true", help="only the 1 MB worst cases")
    parser.add_argument("--no-megabyte-baseline", action="store_true", help="skip the uncut ROUGE-1 on 1 MB cases")
    parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="runs per batch and runner; the fastest counts")
    args = parser.parse_args(argv)
    rouge1_reward(completions=['"가"가 옳다. 이유'], answer=['"가"가 옳다. 이유'])  # load MeCab outside the timings
    if args.megabyte_only:
        over = megabyte_report(not args.no_megabyte_baseline)
        print("1 MB cases:", "all within budget" if not over else "OVER BUDGET: " + "; ".join(over))
        return 1 if over else 0

    import mecab_ko

    full_tagger = mecab_ko.Tagger()  # konlpy parses MeCab's full output
    wakati_tagger = mecab_ko.Tagger("-Owakati")

    def konlpy_morphs(text: str) -> list[str]:
        return [line.split("\t", 1)[0] for line in full_tagger.parse(text).splitlines()[:-1]] if text else []

    def wakati_morphs(text: str) -> list[str]:
        return wakati_tagger.parse(text).split() if text else []

    official = make_official(konlpy_morphs)
    official_wakati = make_official(wakati_morphs)

    def ours_cold(completions: list[str], golds: list[str]) -> list[Any]:
        rouge_module._reference_counts.cache_clear()
        return rouge1_reward(completions=completions, answer=golds)

    def ours_warm(completions: list[str], golds: list[str]) -> list[Any]:
        return rouge1_reward(completions=completions, answer=golds)

    one_thread = Rouge1Reward(threads=1)

    def ours_cold_1(completions: list[str], golds: list[str]) -> list[Any]:
        rouge_module._reference_counts.cache_clear()
        return one_thread(completions=completions, answer=golds)

    def ours_warm_1(completions: list[str], golds: list[str]) -> list[Any]:
        return one_thread(completions=completions, answer=golds)

    def prime(completions: list[str], golds: list[str]) -> None:  # untimed: the golds of a "later epoch"
        for gold in set(golds):
            rouge_module._reference_counts(split_answer_reason(gold)[1])

    runners: dict[str, Callable[[list[str], list[str]], list[Any]]] = {
        "official (konlpy-style)": official,
        "official (wakati)": official_wakati,
        "rouge1_reward (cold)": ours_cold,
        "rouge1_reward (warm)": ours_warm,
        "threads=1 (cold)": ours_cold_1,
        "threads=1 (warm)": ours_warm_1,
    }
    rng = random.Random(args.seed)
    times: dict[str, list[float]] = {name: [] for name in runners}
    mismatches = 0
    batch_chars = []
    ours_cold(*make_batch(random.Random(-1), 2, 2))  # load MeCab outside the timings
    for _ in range(args.batches):
        completions, golds = make_batch(rng, args.prompts, args.generations)
        batch_chars.append(sum(len(split_answer_reason(c)[1]) for c in completions) / len(completions))
        results = {}
        order = list(runners)
        rng.shuffle(order)
        for name in order:
            best = math.inf
            for _ in range(args.repeats):
                rouge_module._reference_counts.cache_clear()
                if name.endswith("(warm)"):
                    prime(completions, golds)
                start = time.perf_counter()
                results[name] = runners[name](completions, golds)
                best = min(best, time.perf_counter() - start)
            times[name].append(best)
        reference = results["official (konlpy-style)"]
        for name, scores in results.items():
            if scores != reference:
                mismatches += 1
                print(f"MISMATCH: {name} differs from the official pipeline", file=sys.stderr)

    n = args.prompts * args.generations
    threads = _mecab.default_threads() if _mecab.parallel() else 1
    print(f"MeCab threads for rouge1_reward: {threads} (MeCab's C library found: {_mecab.parallel()})")
    print(
        f"{args.batches} batches of {args.prompts} prompts x {args.generations} generations = {n} completions; "
        f"mean completion reason {statistics.mean(batch_chars):.0f} characters"
    )
    baseline = statistics.median(times["official (konlpy-style)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<26} {median * 1e3:8.1f} ms/batch   official/this = {baseline / median:5.2f}x")
    cold = statistics.median(times["rouge1_reward (cold)"])
    warm = statistics.median(times["rouge1_reward (warm)"])
    print(f"speed-up of rouge1_reward over the official pipeline: {baseline / cold:.2f}x cold, {baseline / warm:.2f}x warm")
    print("scores identical to the official pipeline:", "yes" if not mismatches else f"NO ({mismatches} batches differ)")
    over = megabyte_report(not args.no_megabyte_baseline)
    print("1 MB cases:", "all within budget" if not over else "OVER BUDGET: " + "; ".join(over))
    return 1 if mismatches or over else 0


if __name__ == "__main__":
    raise SystemExit(main())
