"""Benchmark: korean_rewards.BERTScorer against bert_score.BERTScorer on a GRPO-shaped workload.

Each step scores ``prompts x generations`` completions (Korean reasons of 100-300 characters) against their
references, each reference repeated ``generations`` times; the prompts come from a small dataset, so the same
references come back every epoch. The baseline is one ``bert_score.BERTScorer`` built once (as ``evaluate`` keeps
one), on the same model and device. The floor is one bare forward pass (the same truncated model, already
tokenized, sorted by length, batches of 64) over the distinct texts of each step.

The model is BERT-base sized (hidden 768, 12 layers, layer 9 used, as for bert-base-multilingual-cased) and
randomly initialised: speed does not depend on the weights. Its tokenizer is the tiny WordPiece one of
``korean_rewards.testing``. The three are run interleaved step by step, so load from other processes falls on all
of them alike. Scores are checked to agree.

    python benchmarks/bench_bertscore.py            # 20 steps of 16 x 8 on CPU (a few minutes)
    python benchmarks/bench_bertscore.py --quick    # 4 steps of 8 x 8
    python benchmarks/bench_bertscore.py --device cuda
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

# Syllables and words of the Malpyeong domain; many are not in the tiny tokenizer's vocabulary, so they split into
# several word pieces, as Korean does in mBERT.
WORDS = (
    "주어와 서술어의 호응이 자연스럽기 때문이다 어간이 받침으로 끝나면 적는다 표준어 규정에 따르면 웃어른이 "
    "옳은 표기이다 띄어쓰기는 단어별로 한다 맞춤법 외래어 표기법 원어 발음 형태소 의존 명사 보조 용언 관형사 "
    "어미 조사 접미사 사이시옷 두음 법칙 모음 자음 된소리 거센소리 한글 문장 부호 높임 표현 피동 사동 "
    "따라서 그러나 다만 또한 이처럼 그러므로 예를 들어 경우에는 붙여 쓴다 띄어 쓴다 바뀐다 결합하면 활용한다"
).split()


def reason(rng: random.Random) -> str:
    """A Korean reason of 100-300 characters."""
    target = rng.randint(100, 300)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
    return (" ".join(words)[: target - 1].rstrip() + ".").strip()


def workload(
    steps: int, prompts: int, generations: int, dataset: int, seed: int
) -> list[tuple[list[str], list[str]]]:
    """GRPO steps ``(candidates, references)``: prompts drawn epoch by epoch from a dataset of references."""
    rng = random.Random(seed)
    golds = [reason(rng) for _ in range(dataset)]
    order: list[int] = []
    batches = []
    for _ in range(steps):
        rows = []
        for _ in range(prompts):
            if not order:
                order = list(range(dataset))
                rng.shuffle(order)
            rows.append(order.pop())
        cands, refs = [], []
        for row in rows:
            group = [reason(rng) for _ in range(generations)]
            if generations > 2:
                group[-1] = group[0]  # policies repeat themselves: one duplicate per group
            cands.extend(group)
            refs.extend([golds[row]] * generations)
        batches.append((cands, refs))
    return batches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1...")
    parser.add_argument("--steps", type=int, default=None, help="GRPO steps (default 20, --quick 4)")
    parser.add_argument("--prompts", type=int, default=None, help="prompts per step (default 16, --quick 8)")
    parser.add_argument("--generations", type=int, default=8, help="generations per prompt (default 8)")
    parser.add_argument("--dataset", type=int, default=None, help="distinct references (default 4 steps' worth)")
    parser.add_argument("--dtype", default=None, help="our model dtype (default: float16 on CUDA, float32 on CPU)")
    parser.add_argument("--model", default=None, help="a saved BERT folder (default: a random BERT-base-sized one)")
    parser.add_argument("--num-layers", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="a short run for development")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch
    import bert_score
    from transformers import AutoTokenizer

    from korean_rewards.bertscore import BERTScorer
    from korean_rewards.testing import save_tiny_bert

    if args.threads:
        torch.set_num_threads(args.threads)

    steps = args.steps or (4 if args.quick else 20)
    prompts = args.prompts or (8 if args.quick else 16)
    dataset = args.dataset or 4 * prompts
    tmp = tempfile.TemporaryDirectory()
    path = args.model
    if path is None:
        with contextlib.redirect_stderr(io.StringIO()):
            path = save_tiny_bert(tmp.name, hidden_size=768, num_layers=12)
    batches = workload(steps, prompts, args.generations, dataset, args.seed)

    with contextlib.redirect_stderr(io.StringIO()):
        baseline = bert_score.BERTScorer(model_type=path, num_layers=args.num_layers, device=args.device)
        ours = BERTScorer(path, num_layers=args.num_layers, device=args.device, dtype=args.dtype).load()
    tokenizer = AutoTokenizer.from_pretrained(path)
    floor_model = baseline._model  # the same truncated model bert-score runs

    def sync() -> None:
        if str(args.device).startswith("cuda"):
            torch.cuda.synchronize()

    def run_baseline(cands: list[str], refs: list[str]) -> torch.Tensor:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return baseline.score(cands, refs)[2]

    def run_ours(cands: list[str], refs: list[str]) -> torch.Tensor:
        return ours.score(cands, refs)[2]

    floor_inputs = []
    for cands, refs in batches:
        unique = sorted({t.strip() for t in cands + refs}, key=lambda t: len(tokenizer(t)["input_ids"]), reverse=True)
        floor_inputs.append(
            [
                tokenizer(unique[i : i + 64], padding=True, return_tensors="pt").to(args.device)
                for i in range(0, len(unique), 64)
            ]
        )

    def run_floor(step: int) -> None:
        with torch.inference_mode():
            for encoded in floor_inputs[step]:
                floor_model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"])

    # warm up all three (allocators, kernels) on a batch that is not part of the workload
    warm = workload(1, 2, 4, 2, args.seed + 1)[0]
    run_baseline(*warm)
    run_ours(*warm)
    ours.clear_cache()
    ours.texts_embedded = 0
    with torch.inference_mode():
        floor_model(**tokenizer(warm[0][:4], padding=True, return_tensors="pt").to(args.device))

    times: dict[str, list[float]] = {"bert_score": [], "ours": [], "floor": []}
    cpu: dict[str, float] = {"bert_score": 0.0, "ours": 0.0, "floor": 0.0}
    worst = 0.0
    texts = 0
    for step, (cands, refs) in enumerate(batches):
        texts += len({t.strip() for t in cands + refs})
        results = {}
        runners = [
            ("bert_score", lambda: run_baseline(cands, refs)),
            ("ours", lambda: run_ours(cands, refs)),
            ("floor", lambda: run_floor(step)),
        ]
        shift = step % 3  # rotate the order so that no one always runs first
        for name, runner in runners[shift:] + runners[:shift]:
            sync()
            start, start_cpu = time.perf_counter(), time.process_time()
            results[name] = runner()
            sync()
            times[name].append(time.perf_counter() - start)
            cpu[name] += time.process_time() - start_cpu
        worst = max(worst, (results["ours"] - results["bert_score"].float()).abs().max().item())
        print(
            f"step {step + 1:2d}/{steps}: bert_score {times['bert_score'][-1]:6.2f}s  ours {times['ours'][-1]:6.2f}s"
            f"  floor {times['floor'][-1]:6.2f}s",
            flush=True,
        )

    total = {name: sum(values) for name, values in times.items()}
    steady = {name: statistics.median(values[len(values) // 4 :]) for name, values in times.items()}
    info = ours.cache_info()
    print()
    print(f"workload: {steps} steps x {prompts} prompts x {args.generations} generations, {dataset} distinct references")
    print(f"device {args.device}, our dtype {ours._torch_dtype}, torch threads {torch.get_num_threads()}")
    print(f"texts embedded: bert_score {texts} (the distinct texts of each step), ours {ours.texts_embedded}")
    print(f"reference cache: {info.entries} entries, {info.bytes / 2**20:.1f} MiB, {info.hits} hits")
    print(f"total time: bert_score {total['bert_score']:.1f}s, ours {total['ours']:.1f}s, floor {total['floor']:.1f}s")
    print(f"process CPU time: bert_score {cpu['bert_score']:.1f}s, ours {cpu['ours']:.1f}s, floor {cpu['floor']:.1f}s")
    print(f"speed-up over bert_score.BERTScorer (total): {total['bert_score'] / total['ours']:.2f}x")
    print(f"speed-up over bert_score.BERTScorer (median step, after warm-up): {steady['bert_score'] / steady['ours']:.2f}x")
    print(f"speed-up over bert_score.BERTScorer (process CPU time): {cpu['bert_score'] / cpu['ours']:.2f}x")
    print(f"ours / floor (one bare forward over each step's distinct texts): {total['ours'] / total['floor']:.2f}")
    print(f"bert_score / floor: {total['bert_score'] / total['floor']:.2f}")
    print(f"largest |F ours - F bert_score|: {worst:.2e}")
    tolerance = 1e-4 if ours._torch_dtype == torch.float32 else 2e-2
    if worst > tolerance:
        print(f"SCORES DISAGREE (tolerance {tolerance})")
        return 1
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
