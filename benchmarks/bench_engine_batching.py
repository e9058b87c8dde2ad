"""Benchmark: per-sample reward calls through the engine adapters against one direct batched call.

verl calls ``compute_score`` once per sample (all samples of a worker's chunk as concurrent asyncio tasks);
OpenRLHF calls ``reward_func([query], [prompt], [label])`` once per sample from worker threads. For a model reward
(BERTScore) the adapters gather those calls into batches (:mod:`korean_rewards.integrations.batching`), so a
worker should spend about what one batched call on the same rows costs. Target: per-sample calls through the
adapter within 1.5x of one direct batched call ``reward(completions=rows, answer=golds)`` on the same rows.

Measured here, interleaved call by call (order rotated, the embedding cache cleared before every call, so
each call computes every embedding):

- ``direct``: one call of the ``BERTScoreReward`` on all rows (its own batches of 64);
- ``verl``: ``make_compute_score(reward)``, every row as its own ``compute_score`` call, all at once in one
  event loop (what a verl reward-loop worker does);
- ``openrlhf``: ``make_reward_func(reward)``, every row as its own call from a pool of 32 threads (OpenRLHF's
  ``asyncio.to_thread`` calls);
- ``unbatched`` (reference, ``--unbatched``): the same per-sample calls with batching turned off (one forward
  pass per row), what a naive adapter would cost.

The model is a randomly initialised BERT from ``korean_rewards.testing`` (hidden 256, 4 layers by default;
speed does not depend on the weights), on CPU.

    python benchmarks/bench_engine_batching.py               # 256 rows, 5 rounds
    python benchmarks/bench_engine_batching.py --quick       # 64 rows, 3 rounds
    python benchmarks/bench_engine_batching.py --unbatched   # also the one-forward-pass-per-row reference

Exit status 1 when a ratio is above the target.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

TARGET = 1.5

WORDS = (
    "주어와 서술어의 호응이 자연스럽기 때문이다 어간이 받침으로 끝나면 적는다 표준어 규정에 따르면 웃어른이 "
    "옳은 표기이다 띄어쓰기는 단어별로 한다 맞춤법 외래어 표기법 원어 발음 형태소 의존 명사 보조 용언 관형사 "
    "따라서 그러나 다만 또한 이처럼 그러므로 예를 들어 경우에는 붙여 쓴다 띄어 쓴다 바뀐다 결합하면 활용한다"
).split()


def sentence(rng: random.Random, low: int = 60, high: int = 200) -> str:
    """A Malpyeong answer: ``"X"가 옳다.`` and a reason of ``low``-``high`` characters (BERTScore compares reasons)."""
    target = rng.randint(low, high)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
    return f'"{rng.choice(WORDS)}"가 옳다. ' + " ".join(words)[: target - 1].rstrip() + "."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="64 rows, 3 rounds")
    parser.add_argument("--unbatched", action="store_true", help="also time one forward pass per row")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.rounds = 64, 3

    import torch

    from korean_rewards import BERTScoreReward
    from korean_rewards.integrations.openrlhf import make_reward_func
    from korean_rewards.integrations.verl import make_compute_score
    from korean_rewards.testing import save_tiny_bert

    torch.set_num_threads(max(1, torch.get_num_threads()))
    model = save_tiny_bert(tempfile.mkdtemp(), hidden_size=args.hidden, num_layers=args.layers)
    reward = BERTScoreReward(model_type=model, num_layers=args.layers, device="cpu")
    rng = random.Random(0)
    golds = [sentence(rng) for _ in range(args.rows)]
    texts = [sentence(rng) for _ in range(args.rows)]
    prompts = [f"<|im_start|>user\n질문 {i}<|im_end|>\n<|im_start|>assistant\n" for i in range(args.rows)]
    queries = [p + t + "<|im_end|>" for p, t in zip(prompts, texts)]
    reward(completions=texts[:2], answer=golds[:2])  # load the model once, outside the timings
    reward.scorer.clear_cache()
    if reward(completions=texts[:1], answer=golds[:1])[0] == 0.0 or reward.scorer.cache_info().entries == 0:
        raise SystemExit("the rows have no reason to compare: the model would not run")

    compute_score = make_compute_score(reward)
    reward_func = make_reward_func(reward)
    pool = ThreadPoolExecutor(32)

    def direct() -> list[float]:
        return [float(v) for v in reward(completions=texts, answer=golds)]

    def verl() -> list[float]:
        async def gather() -> list[dict[str, float]]:
            return await asyncio.gather(*(compute_score("ko", t, g, {}) for t, g in zip(texts, golds)))

        return [r["score"] for r in asyncio.run(gather())]

    def openrlhf() -> list[float]:
        calls = [pool.submit(reward_func, [q], [p], [g]) for q, p, g in zip(queries, prompts, golds)]
        return [float(call.result()["rewards"][0]) for call in calls]

    unbatched_score = make_compute_score(reward, batch=False)

    def unbatched() -> list[float]:
        async def one_by_one() -> list[float]:
            return [(await unbatched_score("ko", t, g, {}))["score"] for t, g in zip(texts, golds)]

        return asyncio.run(one_by_one())

    contenders: dict[str, Callable[[], list[float]]] = {"direct": direct, "verl": verl, "openrlhf": openrlhf}
    if args.unbatched:
        contenders["unbatched"] = unbatched
    expected = direct()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_ in range(args.rounds):
        order = names[round_ % len(names):] + names[: round_ % len(names)]
        for name in order:
            reward.scorer.clear_cache()
            started = time.perf_counter()
            scores = contenders[name]()
            times[name].append(time.perf_counter() - started)
            if max(abs(a - b) for a, b in zip(scores, expected)) > 1e-4:
                print(f"{name}: scores differ from the direct call", file=sys.stderr)
                return 2
    pool.shutdown()

    base = statistics.median(times["direct"])
    print(f"{args.rows} rows, BERT hidden {args.hidden} x {args.layers} layers (random), CPU, "
          f"{args.rounds} rounds, median seconds; batches per verl call: "
          f"{compute_score.scorer.batcher.batches / args.rounds:.1f}")
    failed = False
    for name in names:
        median = statistics.median(times[name])
        ratio = median / base
        verdict = "" if name == "direct" else (" (reference)" if name == "unbatched" else
                                               ("  ok" if ratio <= TARGET else f"  ABOVE {TARGET}x"))
        failed |= name in ("verl", "openrlhf") and ratio > TARGET
        print(f"  {name:<10} {median:8.3f} s   x{ratio:5.2f} of direct{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
