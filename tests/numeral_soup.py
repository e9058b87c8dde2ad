"""Korean numeral soup: random garbage made of the pieces number readers react to (issue 17).

Early in GRPO a Korean math policy emits exactly this: runs of 영-구 with 십/백/천 and 만/억/조/경, native and
Hanja numerals, signs, 분의, 퍼센트, digits with commas and dots, answer cues and counters, inside and outside the
answer tags. :func:`soup_texts` draws such completions from a fixed seed, so a test over them is deterministic.
"""

from __future__ import annotations

import random

SINO_DIGITS = list("영일이삼사오육칠팔구")
SMALL_UNITS = list("십백천")
BIG_UNITS = list("만억조경")
HUGE_UNITS = list("해자양간정재극")
NATIVE = ["하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "스물", "서른", "마흔", "쉰", "예순",
          "일흔", "여든", "아흔", "한", "두", "세", "네", "석", "넉", "스무", "첫", "닷", "엿"]  # fmt: skip
HANJA = list("〇零一二三四五六七八九十百千萬億兆京壹貳參拾佰仟卅")
SIGNS = ["-", "−", "마이너스", "영하", "플러스", "+", "－"]
SUFFIXES = ["분의", "분의 ", "퍼센트", "프로", "%", "점", " 점 ", "와", "과", "번째", "째", "점오", "점이"]
CUES = ["답:", "답은", "정답은", "따라서", "그러므로", "Answer:", "answer is", "이다", "입니다", "이 답이다", "최종 답",
        "약", "대략", "쯤", "정도", "제", "또는", "아니면", "~", "≈", "=", "×", "÷", "/", "(", ")"]  # fmt: skip
COUNTERS = ["개", "명", "마리", "년", "원", "살", "번", "분", "초", "kg", "cm", "개월", "에요", "만에", "냥", "되", "리", "근"]
LATEX = ["\\frac{", "\\dfrac", "}{", "}", "\\boxed{", "$", "^", "\\sqrt{", "\\times", "\\%", "{,}", ",\\!"]
OTHER = ["½", "¾", "③", "…", "!", "?", ".", ",", "，", "．", "１２", "사과", "이 문제", "오늘", "천천히", "구조", "만일"]
SEPARATORS = ["", "", "", " ", " ", "  ", "\n", ",", ", ", "\t"]
TAGS = ("<start_working_out>", "<end_working_out>", "<SOLUTION>", "</SOLUTION>", "<think>", "</think>")


def _digits(rng: random.Random) -> str:
    size = rng.choice([1, 1, 2, 3, 4, 5, 8, 12, 20, 25])
    text = "".join(rng.choice("0123456789") for _ in range(size))
    if size > 3 and rng.random() < 0.3:  # thousands groups, sometimes wrong
        text = ",".join(text[k : k + 3] for k in range(0, size, 3))
    if rng.random() < 0.2:
        text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 6)))
    return text


def _sino_run(rng: random.Random) -> str:
    """A run of Sino-Korean syllables: half of them well-formed numerals, half any order."""
    size = rng.randint(1, 24)
    if rng.random() < 0.5:
        pool = SINO_DIGITS + SMALL_UNITS * 2 + BIG_UNITS * 2 + HUGE_UNITS
        return "".join(rng.choice(pool) for _ in range(size))
    parts = []
    for unit in rng.sample(BIG_UNITS + HUGE_UNITS, rng.randint(1, 4)):
        for small in rng.sample(SMALL_UNITS, rng.randint(0, 3)):
            parts.append(rng.choice(SINO_DIGITS[1:] + [""]) + small)
        parts.append(rng.choice(SINO_DIGITS[1:] + [""]) + unit + rng.choice(["", "", " "]))
    return "".join(parts)


def _piece(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return _sino_run(rng)
    if roll < 0.45:
        return _digits(rng) + rng.choice(["", "", rng.choice(BIG_UNITS + SMALL_UNITS)])
    if roll < 0.53:
        return "".join(rng.choice(NATIVE) for _ in range(rng.randint(1, 3)))
    if roll < 0.60:
        return "".join(rng.choice(HANJA) for _ in range(rng.randint(1, 12)))
    if roll < 0.66:
        return rng.choice(SIGNS)
    if roll < 0.73:
        return rng.choice(SUFFIXES)
    if roll < 0.83:
        return rng.choice(CUES)
    if roll < 0.89:
        return rng.choice(COUNTERS)
    if roll < 0.94:
        return rng.choice(LATEX)
    return rng.choice(OTHER)


def soup(rng: random.Random, size: int) -> str:
    """About ``size`` characters of numeral soup (no tags)."""
    parts: list[str] = []
    length = 0
    while length < size:
        piece = _piece(rng) + rng.choice(SEPARATORS)
        parts.append(piece)
        length += len(piece)
    return "".join(parts)[:size]


def completion(rng: random.Random, size: int) -> str:
    """A completion of about ``size`` characters: soup inside and/or outside the answer tags."""
    shape = rng.random()
    if shape < 0.4:  # the notebook's shape, soup as the answer
        head = soup(rng, rng.randint(0, size // 4))
        return f"{head}<end_working_out><SOLUTION>{soup(rng, max(1, size - len(head) - 37))}</SOLUTION>"
    if shape < 0.55:  # unclosed or repeated tags
        cut = rng.randint(1, max(1, size - 2))
        text = soup(rng, size)
        return text[:cut] + rng.choice(TAGS) + text[cut:] + rng.choice(["", "</SOLUTION>", "<SOLUTION>"])
    if shape < 0.65:
        return f"<think>{soup(rng, size // 2)}</think>{soup(rng, size - size // 2)}"
    return soup(rng, size)


def soup_texts(count: int, seed: int = 17, low: int = 20, high: int = 400) -> list[str]:
    """``count`` completions of ``low`` to ``high`` characters, the same for the same seed.

    Example:
        >>> texts = soup_texts(3)
        >>> len(texts), texts == soup_texts(3), all(isinstance(t, str) for t in texts)
        (3, True, True)
    """
    rng = random.Random(seed)
    return [completion(rng, rng.randint(low, high)) for _ in range(count)]


GOLDS = ["350", "0.5", "3/4", "삼백오십", "-12", "50%", "10000", "이천이십사", "2와 3분의 1", "1,234"]
