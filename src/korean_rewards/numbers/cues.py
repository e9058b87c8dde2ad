"""Where a text states its answer: answer cues, concluding sentences, corrections, side remarks, sentence bounds.

Pure positions in a text, no values: :mod:`~korean_rewards.numbers.final_answer` reads the answer at the places
found here. Every search is bounded (at most 32 occurrences of each cue word, a fixed reach after each), so the
work is linear in the text. The rules and why: ``docs/number-parsing.md`` ("Choosing the answer number").

Example:
    >>> text = "답은 다음 두 단계를 거쳐 구합니다. 6 × 7 = 42. 따라서 42입니다."
    >>> [(at, text[start:end]) for at, start, end, _, _ in _cues(text)][:2]
    [(33, ' 42입니다'), (2, ' 다음 두 단계를 거쳐 구합니다')]
    >>> _introduces_method(text, 3, 19)
    True
"""

from __future__ import annotations

import re

from .lexicon import _is_hangul
from .math_answer import _DIGIT_CHAR

_CUE_TRIES = 32
_CUE_REACH = 100
_SENTENCE_END = re.compile(r"[.!?。](?=\s|\Z)|\n")
_KOREAN_CUE_AFTER = re.compile(r"(?:변|안)?[ \t]{0,2}(?:은|는|[:：=])")  # 답은, 답:, 답변:, 답안은
_ENGLISH_CUE_AFTER = re.compile(r"[ \t]{0,2}(?:is\b|[:：=])[ \t]{0,2}:?|[ \t]{0,2}(?=\\\(|\\\[|\$)", re.IGNORECASE)


def _cue_ends(text: str) -> list[int]:
    """Ends of the last answer cues (정답은, 답:, 최종 답, answer is, Answer:), latest first.

    At most the last 32 occurrences of 답 and of each spelling of "answer" are looked at (linear time)."""
    ends = []
    end = len(text)
    for _ in range(_CUE_TRIES):  # Korean cues all contain 답
        at = text.rfind("답", 0, end)
        if at < 0:
            break
        end = at
        before = text[at - 1] if at else ""
        after = _KOREAN_CUE_AFTER.match(text, at + 1)
        final = text[max(0, at - 3) : at].replace(" ", "").endswith("최종")
        if before in ("정", "해") or final or not _is_hangul(before):
            if after is not None:
                ends.append(after.end())
            elif final:
                ends.append(at + 1)
    for spelling in ("answer", "Answer", "ANSWER"):
        end = len(text)
        for _ in range(_CUE_TRIES):
            at = text.rfind(spelling, 0, end)
            if at < 0:
                break
            end = at
            after = _ENGLISH_CUE_AFTER.match(text, at + 6)
            if after is not None:
                ends.append(after.end())
    return sorted(ends, reverse=True)[:_CUE_TRIES]


_CONCLUDING_WORDS = ("따라서", "그러므로", "그래서", "결론적으로", "결국", "즉", "최종적으로", "Therefore", "Thus", "Hence", "So")


def _sentence_end(text: str, start: int, limit: int) -> int:
    stop = _SENTENCE_END.search(text, start, limit)
    return stop.start() if stop else limit


def _sentence_start(text: str, end: int) -> int:
    low = max(0, end - _CUE_REACH)
    starts = [text.rfind(mark, low, end) for mark in (". ", "! ", "? ", "\n", "。")]
    return max(max(starts) + 1, low)


_BACKWARD_CUE = re.compile(r"(?:정)?답(?:이다|입니다|이에요|이야|임|이\b|[.。]|\s*\Z)")


def _cues(text: str) -> list[tuple[int, int, int, bool, bool]]:
    """Answer cues, latest first, as (position, span start, span end, prefer_last, names the answer): forward cues (정답은, 답:,
    최종 답, answer is) read the rest of their sentence; backward cues (``180이 답이다``) and concluding
    sentences (따라서 … 이다, Therefore …) read their sentence up to the cue."""
    cues = []
    for cue_end in _cue_ends(text):
        cues.append((cue_end, cue_end, _sentence_end(text, cue_end, min(len(text), cue_end + _CUE_REACH)), False, True))
    end = len(text)
    for _ in range(_CUE_TRIES):
        at = text.rfind("답", 0, end)
        if at < 0:
            break
        end = at
        head = at - 1 if at and text[at - 1] == "정" else at
        if _BACKWARD_CUE.match(text, head) and head > 0 and text[head - 1] in " \t":
            cues.append((at, _sentence_start(text, head), head, True, True))
    for at, start in _concluding_words(text):
        cues.append((at, start, _sentence_end(text, start, min(len(text), start + 2 * _CUE_REACH)), True, False))
    return sorted(cues, key=lambda cue: cue[0], reverse=True)


def _concluding_words(text: str) -> list[tuple[int, int]]:
    """Places and ends of the last words that open a concluding sentence (따라서, 그러므로, Therefore, ...), at
    most 4 of each, found with ``rfind`` (linear)."""
    found = []
    for word in _CONCLUDING_WORDS:
        end = len(text)
        for _ in range(4):
            at = text.rfind(word, 0, end)
            if at < 0:
                break
            end = at
            after = at + len(word)
            if (at == 0 or not text[at - 1].isalnum()) and (after == len(text) or text[after] in " \t\n,"):
                if word == "즉" and text[max(0, at - 2) : at].strip() in (",", "，"):
                    continue  # "80초, 즉 1분 20초": a restatement inside the sentence, not a conclusion
                found.append((at, after))
    return found


# A cue that introduces the method rather than stating the answer: "답은 다음 두 단계를 거쳐 구합니다", "정답은 세
# 가지 경우로 나누어 구해 보겠습니다", "The answer can be found as follows".
_INTRODUCES = re.compile(
    r"구합니다|구해[ \t]?보|구하겠|구할[ \t]?수|구하기|계산합니다|계산해[ \t]?보|계산하겠|풀어[ \t]?보|풀겠|알아보|알아봅|살펴보"
    r"|살펴봅|거쳐|나누어|나눠서|as follows|can be found|is found by|we (?:need|will|can)|let(?:'s| us)",
    re.IGNORECASE,
)


def _introduces_method(text: str, start: int, end: int) -> bool:
    """Whether the cue's span says how the answer will be found, with no number after that saying."""
    intro = _INTRODUCES.search(text, start, end)
    return (
        intro is not None
        and _DIGIT_CHAR.search(text, intro.end(), end) is None
        and _DIGIT_CHAR.search(text, end, end + _INTRO_REACH) is not None
    )


_INTRO_REACH = 4000  # how far after a method-introducing cue its computation is looked for (bounded work)


# A correction after a stated answer: the answer that follows replaces it ("답은 12개… 아니, 다시 계산하면 14개",
# "Answer: 30. Wait, I miscounted"). A check that agrees ("다시 확인하면 12 × 3 = 36으로 맞습니다") is none.
_CORRECTED = re.compile(
    r"아니[,.…!]|아니요|아닙니다|잘못|틀렸|틀린|실수|빠뜨|빠트|놓쳤|정정|고치면|고쳐|착각|다시[ \t]?(?:계산|풀|세)"
)
# English corrections; the pattern starts with the word (a fast scan), the letter before it is checked after
_CORRECTED_ENGLISH = re.compile(r"(?:[Ww]ait|WAIT|[Aa]ctually|[Oo]ops|[Mm]istake|[Mm]iscount|[Ii]ncorrect|[Ww]rong)(?![a-z])")
_CORRECTION_REACH = 300


# A side remark after the answer ("참고로 넓이는 60입니다", "Note that the sum is 45"): set aside when the text
# before it has a number and the text from it on states no answer (no cue, no box, no concluding sentence).
_SIDE_REMARK = re.compile(
    r"(?:(?<=[.!?。][ \t])|(?<=\n)|\A)[ \t]*(?:참고로|참고[ \t]?[:：]|덧붙여|덧붙이면|추가로|부가적으로|한편|여담으로"
    r"|(?:Note|Also note)(?: that)?[,:]?(?=[ \t])|By the way|As a side note|Side note)"
)
_STATES_ANSWER = re.compile(
    r"답|\\boxed|answer|"
    + "|".join(word for word in _CONCLUDING_WORDS if word[0] != "S")
    + r"|\bSo\b",
    re.IGNORECASE,
)


_SIDE_REMARK_WORD = re.compile("참고|덧붙|추가로|부가적|한편|여담|Note|By the way|ide note")  # a fast first test


def _without_side_remarks(text: str) -> str:
    low = max(0, len(text) - 4 * _CUE_REACH)
    if _SIDE_REMARK_WORD.search(text, low) is None:
        return text
    for remark in _SIDE_REMARK.finditer(text, low):
        if remark.start() == 0 or _STATES_ANSWER.search(text, remark.end()) is not None:
            continue
        if _DIGIT_CHAR.search(text, max(0, remark.start() - _CUE_REACH * 2), remark.start()) is not None:
            return text[: remark.start()]
    return text


# a text that ends on a connective ending, a particle or an operator was cut off before its answer


def _correction_at(text: str, start: int) -> int | None:
    """Where the first correction within ``_CORRECTION_REACH`` characters after ``start`` begins, or None."""
    stop = start + _CORRECTION_REACH
    correction = _CORRECTED.search(text, start, stop)
    found = None if correction is None else correction.start()
    for english in _CORRECTED_ENGLISH.finditer(text, start, stop if found is None else found):
        if english.start() == 0 or not text[english.start() - 1].isalpha():
            return english.start()
    return found
