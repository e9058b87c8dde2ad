"""Benchmark: korean_rewards.BERTScorer against bert_score.BERTScorer, on GRPO-shaped and evaluation workloads.

GRPO: each step scores ``prompts x generations`` completions (Korean reasons of 100-300 characters) against their
references, each reference repeated ``generations`` times; the prompts come from a small dataset, so the same
references come back every epoch. Evaluation: the same dev set of references is scored against new predictions at
every save (what the evaluate-on-save callback does).

The baseline is one ``bert_score.BERTScorer`` built once (as ``evaluate`` keeps one), on the same model and
device. The floor is one bare forward pass (the same truncated model, inputs already tokenized, sorted by length,
batches of 64) over the distinct texts of each call. The three run interleaved call by call, with the order
rotated, so load from other processes falls on all of them alike. Scores are checked to agree.

The model is BERT-base sized (hidden 768, 12 layers, layer 9 used, as for bert-base-multilingual-cased) and
randomly initialised: speed does not depend on the weights. Its tokenizer is the tiny WordPiece one of
``korean_rewards.testing`` (about 0.5 tokens per Korean character here).

Then the 1 MB worst cases: one candidate of a megabyte (ordinary words, one syllable, pseudo-random syllables,
long unknown words, spaces) against a short reference, scored by this library (budget 0.5 s a call) and by
``bert_score.BERTScorer`` (which tokenizes the whole megabyte before truncating); the scores must agree.

    python benchmarks/bench_bertscore.py                  # 20 GRPO steps of 16 x 8 and 4 evaluations, CPU
    python benchmarks/bench_bertscore.py --megabyte-only  # only the 1 MB worst cases
    python benchmarks/bench_bertscore.py --quick          # 4 GRPO steps of 8 x 8 and 2 evaluations
    python benchmarks/bench_bertscore.py --device cuda    # our float16 against bert-score's float32
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import random
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

# Words of the Malpyeong domain; many are not in the tiny tokenizer's vocabulary, so they split into several word
# pieces, as Korean does in mBERT.
WORDS = (
    "주어와 서술어의 호응이 자연스럽기 때문이다 어간이 받침으로 끝나면 적는다 표준어 규정에 따르면 웃어른이 "
    "옳은 표기이다 띄어쓰기는 단어별로 한다 맞춤법 외래어 표기법 원어 발음 형태소 의존 명사 보조 용언 관형사 "
    "어미 조사 접미사 사이시옷 두음 법칙 모음 자음 된소리 거센소리 한글 문장 부호 높임 표현 피동 사동 "
    "따라서 그러나 다만 또한 이처럼 그러므로 예를 들어 경우에는 붙여 쓴다 띄어 쓴다 바뀐다 결합하면 활용한다"
).split()

Batch = tuple[list[str], list[str]]


def reason(rng: random.Random) -> str:
    """A Korean reason of 100-300 characters."""
    target = rng.randint(100, 300)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
    return (" ".join(words)[: target - 1].rstrip() + ".").strip()


def grpo_workload(steps: int, prompts: int, generations: int, dataset: int, seed: int) -> list[Batch]:
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


def eval_workload(evaluations: int, items: int, seed: int) -> list[Batch]:
    """Evaluations on save: the same dev references, new predictions each time."""
    rng = random.Random(seed + 1000)
    golds = [reason(rng) for _ in range(items)]
    return [([reason(rng) for _ in golds], list(golds)) for _ in range(evaluations)]


MEGABYTE_BUDGET_S = 0.5


def megabyte_cases(size: int = 1_000_000) -> dict[str, str]:
    """1 MB candidates: what a runaway policy can write within a huge max_completion_length."""

    def fill(unit: str) -> str:
        return unit * (size // len(unit))

    return {
        "Korean words": fill("주어와 서술어의 호응이 자연스럽다 "),
        "one syllable": fill("가"),
        "random syllables": "".join(chr(0xAC00 + (i * 7919) % 11172) for i in range(size)),
        "long unknown words": fill("가" * 120 + " "),
        "spaces": "가" + " " * size + "나",
    }


def megabyte(make_ours: Callable[[], Any], run_baseline: Callable[[list[str], list[str]], Any], sync: Callable[[], None]) -> bool:
    """Time both scorers on each 1 MB case (one call each); False when ours is over budget or they disagree."""
    ours = make_ours()
    ours.score(["가"], ["나"])
    reference = ["주어와 서술어의 호응이 자연스럽기 때문이다."]
    print(f"\n== 1 MB candidates: seconds per call (budget {MEGABYTE_BUDGET_S} s)")
    # the floor: an ordinary text that fills the model's limit costs one full-length forward pass, whatever its size
    ordinary = megabyte_cases(3000)["Korean words"]
    floor = math.inf
    for _ in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sync()
            start = time.perf_counter()
            ours.score([ordinary], reference)
            sync()
        floor = min(floor, time.perf_counter() - start)
    print(f"  {'(3,000 characters)':<20} ours {floor:6.3f}s   one forward pass at the length limit: the floor")
    budget = max(MEGABYTE_BUDGET_S, 1.5 * floor)
    if budget > MEGABYTE_BUDGET_S:
        print(f"  the model alone takes {floor:.2f} s at its length limit here: budget raised to 1.5 x that")
    ok = True
    for case, text in megabyte_cases().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sync()
            start = time.perf_counter()
            f_ours = ours.score([text], reference)[2].item()
            sync()
            seconds = time.perf_counter() - start
        start = time.perf_counter()
        f_base = run_baseline([text], reference).item()
        sync()
        base_seconds = time.perf_counter() - start
        same = abs(f_ours - f_base) <= 1e-4
        within = seconds < budget
        print(f"  {case:<20} ours {seconds:6.3f}s {'ok' if within else 'SLOW':>4}   bert_score {base_seconds:6.2f}s "
              f"({base_seconds / seconds:5.1f}x)   F {f_ours:.4f} vs {f_base:.4f}{'' if same else '  DIFFERENT'}")
        ok &= within
        if not same and case != "spaces":  # spaces: the cut keeps 32k characters, bert_score reads both words
            ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1...")
    parser.add_argument("--steps", type=int, default=None, help="GRPO steps (default 20, --quick 4)")
    parser.add_argument("--prompts", type=int, default=None, help="prompts per step (default 16, --quick 8)")
    parser.add_argument("--generations", type=int, default=8, help="generations per prompt (default 8)")
    parser.add_argument("--dataset", type=int, default=None, help="distinct GRPO references (default 4 steps' worth)")
    parser.add_argument("--evaluations", type=int, default=None, help="evaluations on save (default 4, --quick 2)")
    parser.add_argument("--dev-items", type=int, default=None, help="dev-set size (default 96, --quick 48)")
    parser.add_argument("--dtype", default=None, help="our model dtype (default: float16 on CUDA, float32 on CPU)")
    parser.add_argument("--model", default=None, help="a saved BERT folder (default: a random BERT-base-sized one)")
    parser.add_argument("--num-layers", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="a short run for development")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--megabyte-only", action="store_true", help="only the 1 MB worst cases")
    args = parser.parse_args(argv)

    import bert_score
    import torch
    from transformers import AutoTokenizer

    from korean_rewards.bertscore import BERTScorer
    from korean_rewards.testing import save_tiny_bert

    if args.threads:
        torch.set_num_threads(args.threads)
    steps = args.steps if args.steps is not None else (4 if args.quick else 20)
    if args.megabyte_only:
        steps = 0
    prompts = args.prompts or (8 if args.quick else 16)
    dataset = args.dataset or 4 * prompts
    evaluations = args.evaluations if args.evaluations is not None else (2 if args.quick else 4)
    if args.megabyte_only:
        evaluations = 0
    dev_items = args.dev_items or (48 if args.quick else 96)

    tmp = tempfile.TemporaryDirectory()
    path = args.model
    if path is None:
        with contextlib.redirect_stderr(io.StringIO()):
            path = save_tiny_bert(tmp.name, hidden_size=768, num_layers=12)
    with contextlib.redirect_stderr(io.StringIO()):
        baseline = bert_score.BERTScorer(model_type=path, num_layers=args.num_layers, device=args.device)
    tokenizer = AutoTokenizer.from_pretrained(path)
    floor_model = baseline._model  # the same truncated model bert-score runs
    model_name = path if args.model else "random BERT-base size"
    print(f"device {args.device}, torch threads {torch.get_num_threads()}, model {model_name}")

    def sync() -> None:
        if str(args.device).startswith("cuda"):
            torch.cuda.synchronize()

    def run_baseline(cands: list[str], refs: list[str]) -> Any:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return baseline.score(cands, refs)[2]

    def floor_inputs(cands: list[str], refs: list[str]) -> list[Any]:
        unique = sorted({t.strip() for t in cands + refs}, key=lambda t: len(tokenizer(t)["input_ids"]), reverse=True)
        return [
            tokenizer(unique[i : i + 64], padding=True, return_tensors="pt").to(args.device)
            for i in range(0, len(unique), 64)
        ]

    def run_floor(inputs: list[Any]) -> None:
        with torch.inference_mode():
            for encoded in inputs:
                floor_model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"])

    # warm up bert-score and the floor (allocators, kernels) on texts that are not part of the workloads
    warm = grpo_workload(1, 2, 4, 2, args.seed + 1)[0]
    run_baseline(*warm)
    run_floor(floor_inputs(*warm))

    def compare(title: str, batches: list[Batch]) -> bool:
        ours = BERTScorer(path, num_layers=args.num_layers, device=args.device, dtype=args.dtype).load()
        ours.score(*warm)
        ours.clear_cache()
        ours.texts_embedded = 0
        inputs = [floor_inputs(*batch) for batch in batches]
        names = ("bert_score", "ours", "floor")
        wall: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, float] = dict.fromkeys(names, 0.0)
        worst, distinct = 0.0, 0
        print(f"\n== {title}")
        for call, (cands, refs) in enumerate(batches):
            distinct += len({t.strip() for t in cands + refs})
            results: dict[str, Any] = {}
            runners: list[tuple[str, Callable[[], Any]]] = [
                ("bert_score", lambda: run_baseline(cands, refs)),
                ("ours", lambda: ours.score(cands, refs)[2]),
                ("floor", lambda: run_floor(inputs[call])),
            ]
            shift = call % 3  # rotate the order so that no one always runs first
            for name, runner in runners[shift:] + runners[:shift]:
                sync()
                start, start_cpu = time.perf_counter(), time.process_time()
                results[name] = runner()
                sync()
                wall[name].append(time.perf_counter() - start)
                cpu[name] += time.process_time() - start_cpu
            worst = max(worst, (results["ours"] - results["bert_score"].float()).abs().max().item())
            print(
                f"call {call + 1:2d}/{len(batches)}: bert_score {wall['bert_score'][-1]:6.2f}s  "
                f"ours {wall['ours'][-1]:6.2f}s  floor {wall['floor'][-1]:6.2f}s",
                flush=True,
            )
        total = {name: sum(values) for name, values in wall.items()}
        later = {name: statistics.median(values[len(values) // 4 :]) for name, values in wall.items()}
        info = ours.cache_info()
        print(f"texts embedded: bert_score {distinct} (the distinct texts of each call), ours {ours.texts_embedded}")
        print(f"reference cache: {info.entries} entries, {info.bytes / 2**20:.1f} MiB, {info.hits} hits")
        for label, values in (("wall time", total), ("CPU time", cpu)):
            times = ", ".join(f"{name} {values[name]:.1f}s" for name in names)
            print(f"{label:9s}: {times}")
        print(f"speed-up over bert_score.BERTScorer, wall time:        {total['bert_score'] / total['ours']:.2f}x")
        print(f"speed-up over bert_score.BERTScorer, median late call: {later['bert_score'] / later['ours']:.2f}x")
        print(f"speed-up over bert_score.BERTScorer, process CPU time: {cpu['bert_score'] / cpu['ours']:.2f}x")
        print(f"ours / floor (one bare forward over each call's distinct texts): {total['ours'] / total['floor']:.2f}")
        print(f"bert_score / floor: {total['bert_score'] / total['floor']:.2f}")
        tolerance = 1e-4 if ours._torch_dtype == torch.float32 else 2e-2
        print(f"largest |F ours - F bert_score|: {worst:.2e} (our dtype {ours._torch_dtype}, tolerance {tolerance})")
        if worst > tolerance:
            print("SCORES DISAGREE")
            return False
        return True

    ok = True
    if steps:
        batches = grpo_workload(steps, prompts, args.generations, dataset, args.seed)
        title = f"GRPO: {steps} steps x {prompts} prompts x {args.generations} generations, {dataset} references"
        ok &= compare(title, batches)
    if evaluations:
        title = f"evaluation on save: {evaluations} x {dev_items} dev items"
        ok &= compare(title, eval_workload(evaluations, dev_items, args.seed))
    ok &= megabyte(lambda: BERTScorer(path, num_layers=args.num_layers, device=args.device, dtype=args.dtype,
                                      cache_size_mb=0).load(), run_baseline, sync)
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
