"""Korean-language rewards: language consistency and morpheme-level repetition.

Models trained with GRPO on Korean prompts (Qwen-family ones especially) drift into English or Chinese inside
their reasoning and loop on repeated phrases. Two rewards push back:

- :class:`LanguageConsistencyKo` (default instance :data:`language_consistency_ko`): the share of Korean among
  the language-bearing characters of the reasoning (:func:`korean_ratio`), like DeepSeek-R1's
  language-consistency reward. Math, code, URLs, tags, digits and punctuation do not count either way.
- :class:`~korean_rewards.repetition.RepetitionPenaltyKo` (default instance ``repetition_penalty_ko``, in
  :mod:`korean_rewards.repetition`): open-r1's / TRL's n-gram
  repetition penalty, counted over MeCab-ko morphemes instead of whitespace words or token ids.

Example:
    >>> from korean_rewards import language_consistency_ko, repetition_penalty_ko
    >>> completions = [
    ...     "두 수를 더하면 $3 + 4 = 7$입니다.<end_working_out><SOLUTION>7</SOLUTION>",
    ...     "First add the numbers: 3 + 4 = 7.<end_working_out><SOLUTION>7</SOLUTION>",
    ... ]
    >>> language_consistency_ko(completions=completions)
    [1.0, 0.0]
    >>> [round(score, 3) for score in repetition_penalty_ko(completions=["답은 칠입니다. " * 20, "칠이 됩니다."])]
    [-0.947, 0.0]

TRL's language-independent rewards go next to these, as they are: ``trl.rewards.get_soft_overlong_punishment``
(DAPO's length penalty: 0 up to ``max_completion_len - soft_punish_cache`` tokens, then down to -1 at
``max_completion_len``) and ``trl.rewards.get_repetition_penalty_reward`` (the same n-gram penalty over token
ids: byte-level BPE splits Hangul unevenly, so for Korean text the morpheme version measures better, but the
token-id one also sees loops of punctuation, emoji or Chinese, which the morpheme tokens leave out). Both read the
``completion_ids`` that ``GRPOTrainer`` passes to every reward function:

```python
from trl import GRPOConfig, GRPOTrainer
from trl.rewards import get_repetition_penalty_reward, get_soft_overlong_punishment
from korean_rewards import check_numbers_ko, language_consistency_ko, repetition_penalty_ko

trainer = GRPOTrainer(
    model=model,
    reward_funcs=[
        check_numbers_ko,
        language_consistency_ko,  # 0..1: share of Korean in the reasoning
        repetition_penalty_ko,  # -1..0: repeated morpheme 5-grams
        get_repetition_penalty_reward(ngram_size=8, max_penalty=-0.5),  # -0.5..0: repeated token 8-grams
        get_soft_overlong_punishment(max_completion_len=1846, soft_punish_cache=256),  # -1..0: near the limit
    ],
    args=GRPOConfig(max_completion_length=1846),
    train_dataset=dataset,  # with an "answer" column
)
```

What counts as Korean: :func:`korean_ratio` counts Hangul syllables and jamo as Korean, and Latin letters, CJK
ideographs (Hanja), kana and the letters of other scripts against. Ignored (counted neither way): digits,
punctuation, whitespace, symbols and emoji, Greek letters (math), LaTeX math (``$…$``, ``$$…$$``, ``\\(…\\)``,
``\\[…\\]``) and LaTeX commands, inline code and closed fenced code blocks, URLs, format tags
(``<start_working_out>``, ``</SOLUTION>``, ``<think>``, ``<|endoftext|>``, any ``<name …>``), Hanja numerals
written as a number (``三百``, ``一千二百``, ``3千``), math-like Latin (a single letter such as the ``x`` in
``2x + 1``, and up to three letters right after a digit, such as ``3cm``, ``10kg``, ``2nd``), and on request
quoted terms and a list of allowed words. It runs in linear time with no backtracking regex: about 15 ms of one
core for a megabyte of ordinary text, and no more than a few tens of milliseconds for megabytes built to be
slow (dense unmatched ``$``, ``\\(``, ``<``, backticks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput
from .repetition import RepetitionPenaltyKo, repetition_penalty_ko  # noqa: F401 - importable from here, as before
from .tags import NOTEBOOK_TAGS, Tags, check_part, check_tags, part_text

__all__ = [
    "korean_ratio",
    "LanguageConsistencyKo",
    "language_consistency_ko",
]

MODES = ("linear", "threshold")

# -- script classes -----------------------------------------------------------------------------------------
#
# Every UTF-16 code unit gets one class: ignored, Korean or foreign. A character outside the BMP is classed by
# its high surrogate (its low surrogate is ignored), so it counts once.

_IGNORED, _KOREAN, _FOREIGN = 0, 1, 2

_KOREAN_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3130, 0x318F),  # Hangul Compatibility Jamo (ㄱ, ㅋㅋ, ㆍ)
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul Syllables and Hangul Jamo Extended-B
    (0xFFA0, 0xFFDC),  # halfwidth Hangul
)

_FOREIGN_RANGES = (
    # Latin
    (0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x00D6), (0x00D8, 0x00F6), (0x00F8, 0x02AF),
    (0x1D00, 0x1DBF), (0x1E00, 0x1EFF), (0x2C60, 0x2C7F), (0xA720, 0xA7FF), (0xAB30, 0xAB6F),
    (0xFB00, 0xFB06), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A),
    # Cyrillic, Armenian, Hebrew, Arabic, Syriac, Indic, Thai, Lao, Tibetan, Myanmar, Georgian ... Mongolian
    (0x0400, 0x10FF), (0x1200, 0x1CFF),
    # Glagolitic, Coptic, Georgian supplement, Tifinagh, Ethiopic extended
    (0x2C00, 0x2C5F), (0x2C80, 0x2DDF),
    # kana and bopomofo
    (0x3040, 0x30FF), (0x3100, 0x312F), (0x31A0, 0x31BF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F),
    # CJK ideographs (Hanja / hanzi / kanji): extension A, unified, compatibility, and extensions B+ via surrogates
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xD840, 0xD8BF),
    # Yi, Lisu, Vai, Cyrillic extended-B, Bamum, Syloti ... Meetei Mayek
    (0xA000, 0xA4CF), (0xA4D0, 0xA6FF), (0xA800, 0xA95F), (0xA980, 0xAB2F), (0xAB70, 0xABFF),
    # Hebrew and Arabic presentation forms
    (0xFB1D, 0xFDFF), (0xFE70, 0xFEFC),
)

# Inside the ranges above but not language: the katakana middle dot (also used in Korean text).
_IGNORED_POINTS = (0x30FB,)

_LATIN_LETTER_POINTS = tuple(range(0x41, 0x5B)) + tuple(range(0x61, 0x7B)) + tuple(
    cp for cp in range(0xC0, 0x100) if cp not in (0xD7, 0xF7)
)
_DIGIT_POINTS = tuple(range(0x30, 0x3A))


@lru_cache(maxsize=1)
def _unit_classes() -> bytes:
    """The class of every UTF-16 code unit (65,536 bytes), built from the ranges above on first use."""
    table = bytearray(0x10000)
    for first, last in _FOREIGN_RANGES:
        table[first : last + 1] = bytes([_FOREIGN]) * (last - first + 1)
    for first, last in _KOREAN_RANGES:
        table[first : last + 1] = bytes([_KOREAN]) * (last - first + 1)
    for point in _IGNORED_POINTS:
        table[point] = _IGNORED
    return bytes(table)


def _char_class(char: str) -> int:
    """Class of one character (0 ignored, 1 Korean, 2 foreign): the per-character definition of the tables."""
    point = ord(char)
    if point > 0xFFFF:
        point = 0xD800 + ((point - 0x10000) >> 10)  # its high surrogate
    return _unit_classes()[point]


def _selector(values: Iterable[int]) -> bytes:
    """A ``bytes.translate`` table that maps the given byte values to 1 and every other byte to 0."""
    chosen = set(values)
    return bytes(1 if value in chosen else 0 for value in range(256))


@dataclass(frozen=True)
class _PageTables:
    korean_pages: bytes  # high bytes whose 256 code units are all Korean (to delete, then count the difference)
    foreign_pages: bytes  # high bytes whose 256 code units are all foreign
    mixed: tuple[tuple[int, bytes, bytes, bytes], ...]  # (high byte, page selector, Korean low bytes, foreign low)
    page0: bytes  # selector of high byte 0 (ASCII and Latin-1)
    latin: bytes  # low bytes of the Latin letters of page 0
    digits: bytes  # low bytes of the ASCII digits


@lru_cache(maxsize=1)
def _page_tables() -> _PageTables:
    classes = _unit_classes()
    korean, foreign, mixed = bytearray(), bytearray(), []
    for page in range(1, 256):  # page 0 is handled with the Latin-run rules
        block = classes[page * 256 : page * 256 + 256]
        kinds = set(block)
        if kinds == {_KOREAN}:
            korean.append(page)
        elif kinds == {_FOREIGN}:
            foreign.append(page)
        elif kinds != {_IGNORED}:
            mixed.append(
                (
                    page,
                    _selector([page]),
                    _selector(low for low in range(256) if block[low] == _KOREAN),
                    _selector(low for low in range(256) if block[low] == _FOREIGN),
                )
            )
    return _PageTables(
        korean_pages=bytes(korean),
        foreign_pages=bytes(foreign),
        mixed=tuple(mixed),
        page0=_selector([0]),
        latin=_selector(_LATIN_LETTER_POINTS),
        digits=_selector(_DIGIT_POINTS),
    )


def _bits(data: bytes) -> int:
    """A 0/1 byte string as an integer with bit ``8 * i`` set where byte ``i`` is 1."""
    return int.from_bytes(data, "little")


def _and_not(a: int, b: int) -> int:
    """``a & ~b`` for non-negative integers, without going through negative numbers."""
    return a ^ (a & b)


def _math_like_latin(letters: int, digits: int) -> int:
    """How many of the page-0 Latin letters are math-like: single-letter runs, and runs of 2 or 3 after a digit.

    ``letters`` and ``digits`` are position masks (bit ``8 * i`` for code unit ``i``). Shifting by 8 looks at
    the neighbouring code unit, so the whole count is a handful of big-integer operations, not a Python loop.
    """
    starts = _and_not(letters, letters << 8)  # a letter not preceded by a letter
    next1, next2, next3 = letters >> 8, letters >> 16, letters >> 24
    singles = _and_not(starts, next1)
    after_digit = starts & (digits << 8)
    two = after_digit & next1
    three = two & next2
    return singles.bit_count() + 2 * _and_not(two, next2).bit_count() + 3 * _and_not(three, next3).bit_count()


def _script_counts(text: str) -> tuple[int, int]:
    """(Korean, foreign) character counts of ``text``, with no markup removed: the counting half of korean_ratio.

    The text is encoded as UTF-16 and split into its high and low bytes; whole 256-character pages are counted
    with ``bytes.translate`` and the few mixed pages with big-integer masks. Everything runs in C, in linear
    time (a few milliseconds per megabyte).
    """
    if not text:
        return 0, 0
    tables = _page_tables()
    if text.isascii():  # one byte a character, all on page 0: only the Latin letters count
        data = text.encode("ascii")
        letters = _bits(data.translate(tables.latin))
        return 0, letters.bit_count() - _math_like_latin(letters, _bits(data.translate(tables.digits)))
    data = text.encode("utf-16-le", "surrogatepass")
    high, low = data[1::2], data[0::2]
    size = len(high)
    korean = size - len(high.translate(None, tables.korean_pages))
    foreign = size - len(high.translate(None, tables.foreign_pages))
    for page, selector, korean_lows, foreign_lows in tables.mixed:
        if page not in high:
            continue
        on_page = _bits(high.translate(selector))
        if any(korean_lows):
            korean += (on_page & _bits(low.translate(korean_lows))).bit_count()
        if any(foreign_lows):
            foreign += (on_page & _bits(low.translate(foreign_lows))).bit_count()
    if 0 in high:
        on_page = _bits(high.translate(tables.page0))
        letters = on_page & _bits(low.translate(tables.latin))
        if letters:
            digits = on_page & _bits(low.translate(tables.digits))
            foreign += letters.bit_count() - _math_like_latin(letters, digits)
    return korean, foreign


# -- ignored material ---------------------------------------------------------------------------------------
#
# One regex finds every span that does not count; each span is replaced by a space. Every alternative starts
# with a literal character, so the regex engine skips to candidate positions without trying the others, and no
# alternative can backtrack beyond the next delimiter of its own kind, so the scan is linear.

_HANJA_NUMERALS = "〇零一二三四五六七八九十百千万萬亿億兆壹贰貳叁參肆伍陆陸柒捌玖拾佰仟廿卅两兩"
_HANGUL_CLASS = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff"
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"


# A Hanja number: a numeral followed by more numerals or digits (三百, 一千二百, 三百5十), or a lone numeral right
# after a digit (3千, 1,200万). Its own pass, after the spans: it starts with a character class, which the span
# regex's alternatives cannot (see below).
_HANJA_NUMBER = re.compile(f"[{_HANJA_NUMERALS}](?:[0-9{_HANJA_NUMERALS}]+|(?<=[0-9].))")


def _atomic(name: str, run: str) -> str:
    """``run`` matched greedily with no backtracking into it (an atomic group, which ``re`` lacks before 3.11)."""
    return f"(?=(?P<{name}>{run}))(?P={name})"


# Every alternative starts with a literal character, so the engine skips straight to candidate positions, and
# they are grouped by that character. No alternative can scan past the next delimiter of its own kind, and the
# runs they scan are atomic, so a failed attempt costs little and the whole scan is linear.
_SPAN_ALTERNATIVES = [
    # `inline code` on one line (fenced code blocks are added when a text has two fences, see _span_pattern)
    r"`[^`\n]+`",
    # $$ display math $$ (a run of three or more $ is noise), or $inline math$ on one line: opened by a $ before
    # a non-space, closed by a $ after a non-space that no digit follows ("$5 and $10" stays text)
    r"\$(?:\$(?:\$+|" + _atomic("dm", r"[^$]*") + r"\$\$)|" + _atomic("im", r"[^\s$][^$\n]*") + r"(?<!\s)\$(?![0-9]))",
    # \$ (a currency sign), \( … \) and \[ … \] (no nested opener), \begin{env}, \end{env}, other LaTeX
    # commands (a run of them, \frac\sqrt, in one match), and a run of backslashes up to its last one
    r"\\(?:\$"
    r"|\(" + _atomic("p1", r"[^\\]*") + r"(?:\\(?![()])" + _atomic("p2", r"[^\\]*") + r")*\\\)"
    r"|\[" + _atomic("b1", r"[^\\]*") + r"(?:\\(?![\[\]])" + _atomic("b2", r"[^\\]*") + r")*\\\]"
    r"|(?:begin|end)\{[A-Za-z*]+\}|[A-Za-z][A-Za-z\\]*(?<=[A-Za-z])|\\*(?=\\))",
    # URLs
    rf"https?://{_URL_CHARS}+",
    rf"ftp://{_URL_CHARS}+",
    rf"www\.{_URL_CHARS}+",
    # format tags: <name>, </name>, <|name|>, <name/>, <name attr="...">
    r"<[/|A-Za-z_][A-Za-z0-9_.:|/-]*(?:>|\s[^<>\n=]*=[^<>\n]*>)",
]

# ``` fenced code ``` and ~~~ fenced code ~~~, closed (an unclosed fence is text); opened by the first backtick
# of a run and closed by a whole run. A text with fewer than two fences leaves them out of its regex, so an
# unclosed fence never costs a scan to the end of the text.
_BACKTICK_FENCE = r"`(?<!``)``[\s\S]*?```+"
_TILDE_FENCE = r"~(?<!~~)~~[\s\S]*?~~~+"

# Quoted terms (allow_quoted=True): up to 64 characters with no Hangul and no line break, in straight or curly
# quotes; a straight quote right after a letter or digit is an apostrophe (don't), not an opening quote.
_QUOTE_ALTERNATIVES = [
    rf'"(?<![A-Za-z0-9]")[^"\n{_HANGUL_CLASS}]{{1,64}}"',
    rf"'(?<![A-Za-z0-9]')[^'\n{_HANGUL_CLASS}]{{1,64}}'(?![A-Za-z])",
    rf"\u201c[^\u201d\n{_HANGUL_CLASS}]{{1,64}}\u201d",
    rf"\u2018[^\u2019\n{_HANGUL_CLASS}]{{1,64}}\u2019",
]


def _word_alternatives(word: str) -> list[str]:
    """Alternatives matching ``word`` as a whole word, ASCII letters in any case, each starting with a literal."""
    def cased(char: str) -> str:
        if char.isascii() and char.isalpha():
            return f"[{char.upper()}{char.lower()}]"
        return re.escape(char)

    body = "".join(cased(char) for char in word)
    rest = "".join(cased(char) for char in word[1:])
    # the lookbehind sits after the word (a leading assertion would stop the engine's first-character skip)
    boundary = rf"(?<![A-Za-z0-9]{body})(?![A-Za-z0-9])"
    firsts = {word[0].upper(), word[0].lower()} if word[0].isascii() and word[0].isalpha() else {word[0]}
    return [f"{re.escape(first)}{rest}{boundary}" for first in sorted(firsts)]


@lru_cache(maxsize=256)
def _span_pattern(
    allowed: tuple[str, ...], allow_quoted: bool, backtick_fences: bool = True, tilde_fences: bool = True
) -> re.Pattern[str]:
    alternatives = []
    if backtick_fences:
        alternatives.append(_BACKTICK_FENCE)  # before inline code, which also starts with a backtick
    if tilde_fences:
        alternatives.append(_TILDE_FENCE)
    alternatives += _SPAN_ALTERNATIVES
    # longer words first, so "Python 3" wins over "Python"
    for word in sorted(set(allowed), key=lambda w: (-len(w), w)):
        alternatives += _word_alternatives(word)
    if allow_quoted:
        alternatives += _QUOTE_ALTERNATIVES
    return re.compile("|".join(f"(?:{alternative})" for alternative in alternatives))


def _normalize_allowed(allowed: Any, owner: str) -> tuple[str, ...]:
    if allowed is None:
        return ()
    if isinstance(allowed, str):
        allowed = (allowed,)
    try:
        words = tuple(allowed)
    except TypeError:
        raise TypeError(
            f"{owner}: `allowed` must be a list of words, e.g. allowed=['GRPO', 'Python'], got {type(allowed).__name__}"
        ) from None
    for word in words:
        if not isinstance(word, str) or not word.strip():
            raise TypeError(f"{owner}: every allowed word must be a non-empty string, got {word!r}")
    return tuple(word.strip() for word in words)


def korean_ratio(text: str, *, allowed: Iterable[str] | str = (), allow_quoted: bool = False) -> float | None:
    """Share of Korean among the language-bearing characters of ``text``, in ``[0, 1]``; ``None`` when it has none.

    Hangul syllables and jamo count as Korean; Latin letters, CJK ideographs (Hanja), kana and other scripts'
    letters count against. Ignored: digits, punctuation, whitespace, symbols, emoji, Greek letters, LaTeX math
    and commands, inline and fenced code, URLs, format tags, Hanja numerals written as a number (``三百``),
    math-like Latin (a lone letter such as ``x``, and up to three letters right after a digit such as ``3cm``).
    ``allowed`` words (whole words, any letter case, e.g. ``["GRPO", "Python"]``) are ignored too, and with
    ``allow_quoted=True`` so are quoted terms without Hangul (``"GRPO"``, ``'softmax'``, ``“loss”``; up to 64
    characters). Text that is empty or holds only ignored material gives ``None`` ("not applicable").

    Linear time, whatever the text holds (about 15 ms of one core for a megabyte of ordinary text).

    Example:
        >>> korean_ratio("따라서 답은 42입니다.")
        1.0
        >>> korean_ratio("So the answer is 42.")
        0.0
        >>> korean_ratio("함수 f(x) = 2x + 1에서 $x=3$이면 $f(3)=7$이다.")
        1.0
        >>> korean_ratio("一千二百 더하기 三百은 一千五百이다.")
        1.0
        >>> round(korean_ratio("먼저 计算 합니다"), 3)  # 5 Hangul, 2 Hanzi
        0.714
        >>> korean_ratio("GRPO로 학습합니다"), korean_ratio("GRPO로 학습합니다", allowed=["grpo"])
        (0.6, 1.0)
        >>> korean_ratio("<SOLUTION>42</SOLUTION>") is None
        True
    """
    if not isinstance(text, str):
        raise TypeError(f"korean_ratio expects a string, got {type(text).__name__}; use completion_text() first")
    words = _normalize_allowed(allowed, "korean_ratio")
    return _ratio(text, words, bool(allow_quoted))


def _ratio(text: str, allowed: tuple[str, ...], allow_quoted: bool) -> float | None:
    if not text:
        return None
    spans = _span_pattern(allowed, allow_quoted, text.count("```") >= 2, text.count("~~~") >= 2)
    kept = spans.sub(" ", text)
    if not kept.isascii():
        kept = _HANJA_NUMBER.sub(" ", kept)
    korean, foreign = _script_counts(kept)
    total = korean + foreign
    return korean / total if total else None


# -- language consistency -----------------------------------------------------------------------------------


@dataclass(eq=False)
class LanguageConsistencyKo(RewardFunction):
    """DeepSeek-R1-style language consistency for Korean: the share of Korean in a part of the completion.

    Scores one part of each completion (``part``: ``"reasoning"`` by default, ``"answer"`` or
    ``"completion"``; see below) with :func:`korean_ratio`:

    - ``mode="linear"`` (default): the ratio itself, in ``[0, 1]``;
    - ``mode="threshold"``: 1.0 when the ratio is at least ``threshold`` (default 0.9), else 0.0.

    The reasoning is the text after ``tags.reasoning_start`` (or from the start, since the notebook's template
    prefills that tag) up to ``tags.reasoning_end`` (else up to ``tags.solution_start``, else the end); the
    answer is the text inside the solution tags. ``allowed`` words (e.g. ``["GRPO", "Python"]``) and, with
    ``allow_quoted=True``, quoted terms without Hangul do not count against.

    A completion whose part is missing or holds no language-bearing character (only numbers, math, code, or
    nothing at all) scores 0.0, the lowest score: the model wrote it that way, so leaving the reward out would
    pay it for skipping the reasoning (a ``None`` would let :func:`~korean_rewards.combine` or TRL drop the
    component). Its ratio is logged as ``None``: the ratio of every completion is logged as the column
    ``<name>/korean_ratio`` through TRL's ``log_extra``.

    Example:
        >>> reward = LanguageConsistencyKo()
        >>> reward(completions=[
        ...     "먼저 두 수를 더합니다.<end_working_out><SOLUTION>7</SOLUTION>",
        ...     [{"role": "assistant", "content": "먼저 add the numbers.<end_working_out><SOLUTION>7</SOLUTION>"}],
        ...     "<end_working_out><SOLUTION>7</SOLUTION>",
        ... ])
        [1.0, 0.133..., 0.0]
        >>> strict = LanguageConsistencyKo(mode="threshold", threshold=0.95, allowed=["GRPO"])
        >>> strict.score("GRPO로 학습합니다.<end_working_out><SOLUTION>1</SOLUTION>")
        1.0
        >>> LanguageConsistencyKo(part="answer").score("<end_working_out><SOLUTION>Seven</SOLUTION>")
        0.0
    """

    base_name: ClassVar[str] = "language_consistency_ko"
    needs_gold: ClassVar[bool] = False

    part: str = "reasoning"
    tags: Tags = NOTEBOOK_TAGS
    mode: str = "linear"
    threshold: float = 0.9
    allowed: tuple[str, ...] = ()
    allow_quoted: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_part(self.part, owner)
        check_tags(self.tags, owner)
        if self.mode not in MODES:
            raise ValueError(f"{owner}: `mode` must be one of {list(MODES)}, got {self.mode!r}")
        threshold = self.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
            raise ValueError(f"{owner}: `threshold` must be a number in [0, 1], got {threshold!r}")
        if not isinstance(self.allow_quoted, bool):
            raise TypeError(f"{owner}: `allow_quoted` must be True or False, got {self.allow_quoted!r}")
        self.allowed = _normalize_allowed(self.allowed, owner)
        super().__post_init__()

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> tuple[RewardOutput, dict[str, list[Any]]]:
        ratios: list[float | None] = []
        for text in texts:
            segment = part_text(text, self.part, self.tags)
            ratios.append(None if segment is None else _ratio(segment, self.allowed, self.allow_quoted))
        if self.mode == "linear":
            scores: RewardOutput = [0.0 if ratio is None else ratio for ratio in ratios]
        else:
            scores = [0.0 if ratio is None else float(ratio >= self.threshold) for ratio in ratios]
        return scores, {"korean_ratio": ratios}

    def _score_range(self) -> tuple[float, float]:
        return 0.0, 1.0


#: The default language-consistency reward: the share of Korean in the reasoning.
language_consistency_ko = LanguageConsistencyKo()
