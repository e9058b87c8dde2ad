"""Benchmark: korean_rewards.BLEURTScorer against bleurt-pytorch on the same checkpoint and inputs.

Workloads: GRPO steps (``prompts x generations`` Korean reasons of 100-300 characters against their references,
each reference repeated ``generations`` times, as a GRPO batch has them) and evaluations (calls of distinct
pairs, as at each save). The checkpoint is random, in bleurt-pytorch's format, sized like BLEURT-20-D6 by default (6 layers,
hidden 512, 8 heads, intermediate 2048, embedding 128; speed does not depend on the weights), built by
``korean_rewards.testing.save_tiny_bleurt``.

The baseline, in the same process:

- when ``bleurt_pytorch`` is importable (it imports only under transformers 4, e.g. in a venv with
  ``transformers==4.56.2 bleurt-pytorch==0.0.1``): bleurt-pytorch as its README calls it, ``BleurtTokenizer`` on
  batches of ``--batch-size`` pairs (``padding="longest"``, truncation to 512) and
  ``BleurtForSequenceClassification``, every pair of the call, in the given order;
- otherwise: the naive use of the same network, one pair at a time padded to 512 tokens (what scripts that call
  the model per pair with ``padding="max_length"`` do), run through this library's model code.

Both run interleaved call by call (the order alternates), so load from other processes falls on both alike. Scores
are checked to agree (1e-4; float32 on CPU). The ratio printed is baseline time / BLEURTScorer time.

    python benchmarks/bench_bleurt.py                   # 6 GRPO steps of 8 x 8 and 3 evaluations of 64 pairs, CPU
    python benchmarks/bench_bleurt.py --quick           # 2 GRPO steps of 4 x 8 and 2 evaluations of 16 pairs
    python benchmarks/bench_bleurt.py --layers 3 --hidden 256 --device cuda
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

WORDS = (
    "주어와 서술어의 호응이 자연스럽기 때문이다 어간이 받침으로 끝나면 적는다 표준어 규정에 따르면 웃어른이 "
    "옳은 표기이다 띄어쓰기는 단어별로 한다 맞춤법 외래어 표기법 원어 발음 형태소 의존 명사 보조 용언 관형사 "
    "어미 조사 접미사 사이시옷 두음 법칙 모음 자음 된소리 거센소리 한글 문장 부호 높임 표현 피동 사동 "
    "따라서 그러나 다만 또한 이처럼 그러므로 예를 들어 경우에는 붙여 쓴다 띄어 쓴다 바뀐다 결합하면 활용한다"
).split()

Batch = tuple[list[str], list[str]]  # (references, candidates)


def reason(rng: random.Random) -> str:
    """A Korean reason of 100-300 characters."""
    target = rng.randint(100, 300)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
    return (" ".join(words)[: target - 1].rstrip() + ".").strip()


def grpo_workload(steps: int, prompts: int, generations: int, seed: int) -> list[Batch]:
    rng = random.Random(seed)
    batches = []
    for _ in range(steps):
        refs, cands = [], []
        for _ in range(prompts):
            gold = reason(rng)
            for g in range(generations):
                refs.append(gold)
                cands.append(gold if g == 0 else reason(rng))  # one exact copy per group, as a good policy makes
        batches.append((refs, cands))
    return batches


def eval_workload(evaluations: int, items: int, seed: int) -> list[Batch]:
    """``evaluations`` calls (one per save), each scoring ``items`` distinct pairs."""
    rng = random.Random(seed + 1)
    return [([reason(rng) for _ in range(items)], [reason(rng) for _ in range(items)]) for _ in range(evaluations)]


def bleurt_pytorch_baseline(folder: str, device: Any, batch_size: int) -> tuple[str, Callable[[Batch], list[float]]]:
    import torch
    from bleurt_pytorch import BleurtForSequenceClassification, BleurtTokenizer  # type: ignore[import-not-found]

    model = BleurtForSequenceClassification.from_pretrained(folder).to(device).eval()
    tokenizer = BleurtTokenizer.from_pretrained(folder)

    def run(batch: Batch) -> list[float]:
        refs, cands = batch
        scores: list[float] = []
        with torch.no_grad():
            for start in range(0, len(refs), batch_size):
                inputs = tokenizer(refs[start : start + batch_size], cands[start : start + batch_size],
                                   padding="longest", truncation=True, max_length=512, return_tensors="pt")
                scores += model(**inputs.to(device)).logits.flatten().tolist()
        return scores

    return f"bleurt-pytorch (README usage, batches of {batch_size}, padding='longest')", run


def naive_baseline(folder: str, device: str) -> tuple[str, Callable[[Batch], list[float]]]:
    """The same network, one pair at a time padded to 512 tokens."""
    import torch

    from korean_rewards import BLEURTScorer

    scorer = BLEURTScorer(folder, device=device, dtype="float32").load()

    def run(batch: Batch) -> list[float]:
        scores = []
        with torch.inference_mode():
            for pair in zip(*batch):
                ids, first = scorer._encode([pair])[0]
                input_ids = torch.zeros((1, 512), dtype=torch.long)
                types = torch.zeros((1, 512), dtype=torch.long)
                mask = torch.zeros((1, 512), dtype=torch.bool)
                input_ids[0, : len(ids)] = torch.tensor(ids)
                types[0, first : len(ids)] = 1
                mask[0, : len(ids)] = True
                scores.append(float(scorer._model(input_ids.to(device), types.to(device), mask.to(device))[0]))
        return scores

    return "naive: one pair at a time padded to 512 (bleurt-pytorch is not importable here)", run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=None, help="GRPO steps (default 6, --quick 2)")
    parser.add_argument("--prompts", type=int, default=None, help="prompts per step (default 8, --quick 4)")
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--dev-items", type=int, default=None, help="pairs per evaluation (default 64, --quick 16)")
    parser.add_argument("--evaluations", type=int, default=None, help="evaluations (default 3, --quick 2)")
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--dtype", default=None, help="our dtype (default: float16 autocast on CUDA, else float32)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    from korean_rewards import BLEURTScorer
    from korean_rewards.testing import save_tiny_bleurt

    if args.threads:
        torch.set_num_threads(args.threads)
    steps = args.steps or (2 if args.quick else 6)
    prompts = args.prompts or (4 if args.quick else 8)
    dev_items = args.dev_items or (16 if args.quick else 64)
    evaluations = args.evaluations or (2 if args.quick else 3)
    folder = save_tiny_bleurt(tempfile.mkdtemp(), hidden_size=args.hidden, embedding_size=128,
                              num_layers=args.layers, num_heads=args.heads, intermediate_size=4 * args.hidden)
    ours = BLEURTScorer(folder, device=args.device, batch_size=args.batch_size, dtype=args.dtype).load()
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            name, baseline = bleurt_pytorch_baseline(folder, args.device, args.batch_size)
    except ImportError:
        name, baseline = naive_baseline(folder, args.device)
    print(f"checkpoint: {args.layers} layers, hidden {args.hidden}, device {args.device}, torch "
          f"{torch.__version__}, {torch.get_num_threads()} threads")
    print(f"baseline: {name}")

    def sync() -> None:
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    def timed(fn: Callable[[Batch], list[float]], batch: Batch) -> tuple[float, list[float]]:
        sync()
        start = time.perf_counter()
        scores = fn(batch)
        sync()
        return time.perf_counter() - start, scores

    warm_up: Batch = (["정답은 여덟 개입니다."] * 2, ["정답은 여덟 개.", "여덟"])
    ours.score(*warm_up)
    baseline(warm_up)
    ok = True
    tolerance = 1e-4 if ours._autocast is None else 5e-2
    for title, batches in [
        (f"GRPO: {steps} steps of {prompts} prompts x {args.generations} generations", grpo_workload(
            steps, prompts, args.generations, args.seed)),
        (f"evaluation: {evaluations} calls of {dev_items} distinct pairs",
         eval_workload(evaluations, dev_items, args.seed)),
    ]:
        ours_times, base_times = [], []
        worst = 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for index, batch in enumerate(batches):
                runs = [("ours", lambda b: ours.score(*b)), ("base", baseline)]
                if index % 2:
                    runs.reverse()
                results = {}
                for label, fn in runs:
                    results[label] = timed(fn, batch)
                ours_times.append(results["ours"][0])
                base_times.append(results["base"][0])
                worst = max(worst, max(abs(a - b) for a, b in zip(results["ours"][1], results["base"][1])))
        total_ours, total_base = sum(ours_times), sum(base_times)
        pairs = sum(len(b[0]) for b in batches)
        agree = worst <= tolerance
        ok = ok and agree
        print(f"\n{title} ({pairs} pairs)")
        print(f"  baseline     {total_base:8.2f} s   ({pairs / total_base:7.1f} pairs/s)")
        print(f"  BLEURTScorer {total_ours:8.2f} s   ({pairs / total_ours:7.1f} pairs/s)")
        print(f"  ratio (baseline / ours): {total_base / total_ours:.2f}x   (per call, median "
              f"{statistics.median(b / o for b, o in zip(base_times, ours_times)):.2f}x)")
        print(f"  largest score difference: {worst:.2e} ({'agree' if agree else 'DISAGREE'}, tolerance {tolerance})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
