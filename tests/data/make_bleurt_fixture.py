"""Make tests/data/bleurt_pytorch_scores.json: bleurt-pytorch's own scores on the tiny test checkpoint.

bleurt-pytorch 0.0.1 imports only under transformers 4, so this runs in a separate environment, once:

    python -m venv /work/venvs/bleurt-ref
    /work/venvs/bleurt-ref/bin/pip install torch==2.13.0 transformers==4.56.2 sentencepiece protobuf \
        safetensors bleurt-pytorch==0.0.1
    PYTHONPATH=src /work/venvs/bleurt-ref/bin/python tests/data/make_bleurt_fixture.py

The checkpoint is :func:`korean_rewards.testing.save_tiny_bleurt` with its defaults (seed 0): its weights are drawn
tensor by tensor from a seeded generator and its sentencepiece model is trained single-threaded, so
tests/test_bleurt.py rebuilds the identical checkpoint under transformers 5 (it checks the recorded hashes) and
compares ``BLEURTScorer`` with the scores recorded here. A third checkpoint (``unk_piece="<unk>"``: sentencepiece's
unknown piece ``<unk>`` at id 0 and ``[UNK]`` a separate user-defined piece) checks which id unknown text gets. bleurt-pytorch is called as its README shows, with
truncation to 512 tokens (``truncation=True, max_length=512``, transformers' ``longest_first``), one pair at a time
(padded batches give the same numbers to 1e-6).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import unicodedata
from pathlib import Path

import torch

from korean_rewards.testing import SAMPLE_CORPUS, save_tiny_bleurt

OUT = Path(__file__).with_name("bleurt_pytorch_scores.json")


def checkpoint_hashes(folder: str) -> dict[str, str]:
    """sha256 of spm.model and of the weights' values (name, shape, bytes in order), independent of file format."""
    weights = torch.load(Path(folder) / "pytorch_model.bin", map_location="cpu", weights_only=True)
    digest = hashlib.sha256()
    for name in sorted(weights):
        tensor = weights[name].contiguous()
        digest.update(name.encode() + str(tuple(tensor.shape)).encode() + tensor.numpy().tobytes())
    return {
        "spm.model": hashlib.sha256((Path(folder) / "spm.model").read_bytes()).hexdigest(),
        "weights": digest.hexdigest(),
    }


def text_of_tokens(sp, words: list[str], target: int, start: int = 0) -> str:  # noqa: ANN001
    """Words from ``words`` (cycling from ``start``) until the text has at least ``target`` sentencepiece tokens."""
    parts: list[str] = []
    i = start
    while len(sp.encode(" ".join(parts))) < target:
        parts.append(words[i % len(words)])
        i += 1
    return " ".join(parts)


def make_pairs(sp) -> list[tuple[str, str, str]]:  # noqa: ANN001
    words = " ".join(SAMPLE_CORPUS).split()
    korean = [line for line in SAMPLE_CORPUS if any("가" <= ch <= "힣" for ch in line)]
    gold = '주어와 서술어의 호응이 자연스럽기 때문이다.'
    pairs: list[tuple[str, str, str]] = [
        ("both empty", "", ""),
        ("empty reference", "", gold),
        ("empty candidate", gold, ""),
        ("whitespace only", "  \n\t ", gold),
        ("identical", gold, gold),
        ("identical long", SAMPLE_CORPUS[0] + " " + SAMPLE_CORPUS[3], SAMPLE_CORPUS[0] + " " + SAMPLE_CORPUS[3]),
        ("english", "The answer is 12. Let me think step by step.", "The answer is twelve, step by step."),
        ("english vs korean", "The answer is 12.", "정답은 12입니다."),
        ("digits", "1,234개의 상자 14,808개", "0123456789 3.14159 -7 +10 1e5"),
        ("digits only", "2025", "2026"),
        ("emoji and cjk", "정답은 漢字 😀 👍🏽 입니다", "정답은 한자 🙂 입니다"),
        ("zero-width and rtl", "사과\u200b가 세\u200d 개 \u202eمرحبا\u202c", "사과가 세 개"),
        ("combining marks", "e\u0301 a\u0308 n\u0303 사과", "é ä ñ 사과"),
        ("nbsp and full-width", "사과가\u00a0세\u3000개 ＡＢＣ １２３", "사과가 세 개 ABC 123"),
        ("control characters", "사과\x00가\x07 세\r\n개\x1b", "사과가 세 개"),
        ("hangul jamo", "ㄱㄴㄷ ㅏㅑㅓ 각", "각 가 ㄱ"),
        ("nfd hangul", unicodedata.normalize("NFD", gold), gold),
        ("nfd both", unicodedata.normalize("NFD", SAMPLE_CORPUS[4]), unicodedata.normalize("NFD", SAMPLE_CORPUS[5])),
        ("literal tags", "<SOLUTION>42</SOLUTION>", "<start_working_out> 42 <end_working_out>"),
        ("quotes", '"나는 학교에 갔다"가 옳다.', "'나는 학교에 갔다'가 옳다."),
        ("latex", "\\boxed{42} \\frac{1}{3}", "\\boxed{41}"),
        ("lowercase vs uppercase", "THE ANSWER IS", "the answer is"),
        ("single character", "가", "나"),
        ("punctuation only", "!!! ??? ...", "., ;:"),
    ]
    # over-long pairs (the budget is 512 - 3 = 509 tokens): either side, both, ties, odd and even excess
    long_ref = text_of_tokens(sp, words, 700)
    long_cand = text_of_tokens(sp, words, 650, start=17)
    pairs += [
        ("reference over 512", long_ref, gold),
        ("candidate over 512", gold, long_cand),
        ("both over 512", long_ref, long_cand),
        ("reference over 512 alone", long_ref, ""),
        ("candidate over 512 alone", "", long_cand),
    ]
    for target_a, target_b in [(300, 300), (300, 301), (301, 300), (255, 255), (255, 256), (260, 400), (509, 1),
                               (1, 509), (254, 255)]:
        a = text_of_tokens(sp, words, target_a, start=3)
        b = text_of_tokens(sp, words, target_b, start=29)
        pairs.append((f"near the limit {len(sp.encode(a))}+{len(sp.encode(b))} tokens", a, b))
    # ordinary Korean pairs
    for i in range(40):
        a = korean[i % len(korean)]
        b = korean[(i * 7 + 3) % len(korean)] if i % 3 else " ".join(a.split()[: 1 + i % 5])
        pairs.append((f"korean {i}", a, b))
    return pairs


def score_with_bleurt_pytorch(folder: str, pairs: list[tuple[str, str, str]]) -> list[float]:
    from bleurt_pytorch import BleurtForSequenceClassification, BleurtTokenizer

    model = BleurtForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = BleurtTokenizer.from_pretrained(folder)
    scores = []
    with torch.no_grad():
        for _, reference, candidate in pairs:
            inputs = tokenizer([reference], [candidate], padding="longest", truncation=True, max_length=512,
                               return_tensors="pt")
            scores.append(model(**inputs).logits.flatten().tolist()[0])
    return scores


def main() -> None:
    import sentencepiece
    import transformers

    folder = save_tiny_bleurt(tempfile.mkdtemp())
    gelu_new = save_tiny_bleurt(tempfile.mkdtemp(), hidden_act="gelu_new")
    other_unk = save_tiny_bleurt(tempfile.mkdtemp(), unk_piece="<unk>")  # "<unk>" at 0, "[UNK]" user-defined
    sp = sentencepiece.SentencePieceProcessor(model_file=str(Path(folder) / "spm.model"))
    pairs = make_pairs(sp)
    data = {
        "about": "bleurt-pytorch 0.0.1 scores on korean_rewards.testing.save_tiny_bleurt(seed=0); made by "
        "tests/data/make_bleurt_fixture.py",
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentencepiece": sentencepiece.__version__,
        },
        "checkpoint": checkpoint_hashes(folder),
        "checkpoint_other_unk": checkpoint_hashes(other_unk),
        "pairs": [{"what": what, "reference": ref, "candidate": cand} for what, ref, cand in pairs],
        "scores": score_with_bleurt_pytorch(folder, pairs),
        "scores_gelu_new": score_with_bleurt_pytorch(gelu_new, pairs),
        "scores_other_unk": score_with_bleurt_pytorch(other_unk, pairs),
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(pairs)} pairs")


if __name__ == "__main__":
    main()
