r"""Locating the final answer of a completion: answer tags, ``</think>``, ``\boxed{}``, answer cues, the last number.

:func:`find_final_answer` says where the answer is and reads it (:class:`FinalAnswer`); answer spans are read
whole first (:func:`~korean_rewards.numbers.expression.parse_korean_number`, then
:func:`~korean_rewards.numbers.latex.evaluate_arithmetic`), then by the number their sentence concludes with.
:func:`extract_answer_number` is its value for a text without answer tags. Where cues, corrections and side
remarks are is :mod:`~korean_rewards.numbers.cues`; answers written as math (expressions evaluated whole or found
irreducible, LaTeX number forms) are :mod:`~korean_rewards.numbers.math_answer`; amounts restated in another unit
are :mod:`~korean_rewards.numbers.quantity`. Every rule and why: ``docs/number-parsing.md`` ("Choosing the answer
number", "Grading"). (A little over 600 lines: the order in which the answer's places are tried is one decision
list, kept in one file so it reads top to bottom.)

Example:
    >>> extract_answer_number("3 + 5 = 8. 따라서 답은 8개입니다. 검산: 8 - 5 = 3")
    Fraction(8, 1)
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from .expression import _parse
from .latex import _boxed_content, evaluate_arithmetic
from .lexicon import _CIRCLED
from .cues import (
    _CUE_REACH,
    _SENTENCE_END,
    _correction_at,
    _cues,
    _introduces_method,
    _sentence_end,
    _sentence_start,
    _without_side_remarks,
)
from .math_answer import (
    _ASCII_LETTER,
    _DIGIT_CHAR,
    _LETTERISH,
    MathAnswer,
    expression_around,
    is_inside_word,
    math_only_answer,
    normalize_latex_numbers,
)
from .quantity import UNITS, restated_answer
from .scan import NumberMatch, _last_answer_number, _scan

__all__ = ["FinalAnswer", "extract_answer_number", "find_final_answer", "read_answer_span"]

class FinalAnswer(NamedTuple):
    r"""The final answer of a completion, as :func:`find_final_answer` locates it.

    ``value`` is None when the answer span holds no number (an empty answer block), when the completion gives
    several different final answers (``hedged`` is then True: ``25 또는 26``, ``\pm 7``), or when the answer is an
    expression that does not reduce to a number (``expression`` is then True and ``text`` holds it: ``4\sqrt{2}``,
    ``3\pi``, ``x + 5``, ``4√2``): such an answer is compared with a gold only as text, never by a number in it.
    An amount restated in another unit (``40cm이고, 이는 0.4m``, ``90분(1시간 30분)``) or a compound
    (``1분 20초``, ``4월 10일``) is one answer: ``alternatives`` holds its value in each unit used and
    ``quantity`` its comparable key (:mod:`~korean_rewards.numbers.quantity`). ``percent`` is True when the
    answer was written as a percentage (the value is then divided by 100). ``text`` is the text the value was
    read from (for logs); ``source`` says where it was found: ``"tags"``, ``"boxed"``, ``"cue"`` or ``"last"``
    (the last number of the text), with ``"think:"`` before it when only the text after ``</think>`` was read.

    Example:
        >>> find_final_answer("정답은 24가 아닌 25입니다.")
        FinalAnswer(value=Fraction(25, 1), percent=False, text='25', source='cue', hedged=False, expression=False, alternatives=(), quantity=None)
        >>> find_final_answer(r"답: $4\sqrt{2}$")
        FinalAnswer(value=None, percent=False, text='4\\sqrt{2}', source='cue', hedged=False, expression=True, alternatives=(), quantity=None)
    """

    value: Fraction | None
    percent: bool
    text: str
    source: str
    hedged: bool = False
    expression: bool = False
    alternatives: tuple[Fraction, ...] = ()
    quantity: tuple | None = None


_SPAN_LIMIT = 400  # an answer span longer than this is read by scanning, not as one expression
_BLOCK_TRIES = 4  # answer blocks looked at, from the last
_BLOCK_LIMIT = 2000  # characters of one answer block read
_OPERATOR = re.compile(r"[-+*/^×÷·−=\\]")
# what follows a number that the sentence does not conclude with ("24가 아닌 25", "360의 절반인 180", "(3) 64")
_NEGATED_AFTER = re.compile(r"[ \t]?[가-힣A-Za-z%]{0,3}?[ \t]?(?:이|가|은|는)?[ \t]?(?:아니|아닌|아님)")
_NEGATED_BEFORE = re.compile(r"\bnot[ \t]*\Z", re.IGNORECASE)  # "not 24 but 25"
_OPERAND_AFTER = re.compile(
    r"[ \t]?[가-힣A-Za-z]{0,3}?[ \t]?(?:의|에서|보다|을|를|에|와|과|로|으로|에게|만큼|부터|까지|씩|에다|이랑|하고)(?![가-힣])"
    r"|[ \t]?[가-힣A-Za-z]{0,3}?(?:을|를|에서|의|로|으로)"
    r"|[ \t]?[가-힣A-Za-z]{0,3}?(?:이므로|므로|이니까|니까|이라서|라서|이면|하면|마다)"  # a reason or condition
)
_ORDINAL_AFTER = re.compile(r"[ \t]?(?:번째|째|단계|차례|차|번[ \t]?(?:방법|풀이|식)|번\)|\)|\.[ \t]|번[ \t,])")
_ORDINAL_BEFORE = re.compile(r"(?:제|第|[Ss]tep|방법|\()[ \t]?\Z")
_HEDGE_BETWEEN = re.compile(
    r"또는|혹은|아니면|이거나|거나|내지|(?<![가-힣])or(?![A-Za-z])|[~∼]|(?<=[0-9가-힣])(?:이나|나)(?=[ \t])"
)
_LIST_SEPARATOR = re.compile(r"[ \t]*(?:[,/·、]|및|and|&)[ \t]*", re.IGNORECASE)
_HEDGE_SPAN = re.compile(r"중[ \t]?(?:하나|에서|의 하나)|one of|either|일 수도|일지도|확실하지")
_EQUALS = re.compile(r"[=＝]")
_SIMPLE_NUMBER = re.compile(r"[ \t\n]*(-?[0-9]{1,40}(?:\.[0-9]{1,40})?)[ \t\n]*\Z")
_EXPRESSION_WORDS = 8

def _restated(span: str, match: NumberMatch | None, source: str) -> FinalAnswer | None:
    """The answer as a quantity when the chosen number is part of a compound (``1시간 30분``, ``4월 10일``) or of
    an amount restated in another unit (``40cm이고, 이는 0.4m``); None otherwise."""
    if match is None or _UNIT_START.match(span, match.end) is None:
        return None
    if len(_AMOUNT_WITH_UNIT.findall(span, 0, _SPAN_LIMIT)) < 2:
        return None  # one amount with its unit: the number itself (a compound or a restatement has two or more)
    numbers = [number for number in _scan(span, 0, len(span)) if not _inside_word(span, number)]
    restated = restated_answer(span, numbers, match)
    if restated is None:
        return None
    value, alternatives, key, text = restated
    return FinalAnswer(value, False, text, source, alternatives=alternatives, quantity=key)


_AMOUNT_WITH_UNIT = re.compile(  # a digit and a unit of the quantity table right after it
    r"[0-9][ \t]?(?:" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")(?![A-Za-z])"
)
_UNIT_START = re.compile(r"[ \t]?[A-Za-z년월일시분초밀센미킬그리]")


def _final(answer: MathAnswer, source: str) -> FinalAnswer:
    return FinalAnswer(answer.value, answer.percent, answer.text, source, answer.hedged, answer.expression)


def _inside_word(text: str, match: NumberMatch) -> bool:
    return is_inside_word(text, match.start, match.end)


def _span_value(span: str) -> tuple[Fraction, bool] | None:
    """The value of an answer span read as one expression: a number, or safe arithmetic (``3^4``, ``\\frac{3}{4}``)."""
    if len(span) > _SPAN_LIMIT:
        return None
    if "\\boxed" in span:  # <SOLUTION>\boxed{3^4}</SOLUTION>
        boxed = _boxed_content(span)
        if boxed is not None:
            span = span[boxed[0] : boxed[1]]
    simple = _SIMPLE_NUMBER.match(span)
    if simple is not None:  # most answers: "72", "-3", "2.5"
        return Fraction(simple.group(1)), False
    if span.count(" ") > _EXPRESSION_WORDS:
        return None  # a sentence, not one number expression (약 3만 5천 원 정도입니다 has 5 words)
    parsed = _parse(span)
    if parsed is not None:
        return parsed
    if _OPERATOR.search(span) is not None and "=" not in span:
        return evaluate_arithmetic(span.strip().rstrip(".。"))
    return None


def _conclusion(span: str, prefer_last: bool) -> tuple[NumberMatch | None, bool]:
    """The number a sentence concludes with, and whether it hedges between several different answers.

    Numbers that the sentence does not conclude with are passed over when a later number follows: a negated
    one (``24가 아닌 25``), an operand (``360의 절반인 180``, ``12개에서 5개를 뺀 7개``), a choice or step
    marker (``(3) 64``, ``③ 64``, ``2번째 방법으로 56``), and everything before the last ``=``. Of what remains,
    the first (or with ``prefer_last`` the last) is the conclusion; two different values joined by 또는, 혹은,
    이나, or, ``~`` ... or a span that says "중 하나" (one of) hedge."""
    numbers = list(_scan(span, 0, len(span)))
    if numbers and _ASCII_LETTER.search(span) is not None:
        numbers = [number for number in numbers if not _inside_word(span, number)]
    if not numbers:
        return None, False
    if len(numbers) > 1 and _ordinal_hedge(span, numbers):
        return None, True  # 10번째 아니면 11번째
    equals = [m.end() for m in _EQUALS.finditer(span)]
    if equals:
        after = [n for n in numbers if n.start >= equals[-1]]
        if after:
            numbers = after
    kept: list[NumberMatch] = []
    for index, number in enumerate(numbers):
        later = index + 1 < len(numbers)
        if _NEGATED_AFTER.match(span, number.end) or _NEGATED_BEFORE.search(span, max(0, number.start - 8), number.start):
            continue
        if later and (
            _ORDINAL_AFTER.match(span, number.end)
            or _ORDINAL_BEFORE.search(span, max(0, number.start - 6), number.start)
            or number.text in _CIRCLED
            or _OPERAND_AFTER.match(span, number.end)
        ):
            continue
        kept.append(number)
    if not kept:
        return None, False
    values = {(n.value, n.percent) for n in kept}
    if len(values) > 1:
        if _HEDGE_SPAN.search(span):
            return None, True
        # the conclusion and its neighbour: "10, 20, 30을 더하면 60" concludes 60 (10, 20 is no hedge of it)
        left, right = (kept[-2], kept[-1]) if prefer_last else (kept[0], kept[1])
        for left, right in [(left, right)]:
            if left.value != right.value and (
                _HEDGE_BETWEEN.search(span, left.end, right.start)
                or _LIST_SEPARATOR.fullmatch(span, left.end, right.start)
            ):
                return None, True  # 25 또는 26; a bare list "25, 26"
    elif len(numbers) > 1 and _HEDGE_SPAN.search(span) and len({n.value for n in numbers}) > 1:
        return None, True  # 정답은 1, 2, 3 중 하나
    return (kept[-1] if prefer_last else kept[0]), False


def _ordinal_hedge(span: str, numbers: list[NumberMatch]) -> bool:
    """Two different ordinals joined by a hedge word (``10번째 아니면 11번째``, ``3번째 또는 4번째``): the ordinal
    marks that make a number a label elsewhere do not make this a single answer."""
    if _HEDGE_BETWEEN.search(span) is None:
        return False
    for left, right in zip(numbers, numbers[1:]):
        if (
            left.value != right.value
            and right.start - left.end <= 16
            and _ORDINAL_AFTER.match(span, left.end)
            and _ORDINAL_AFTER.match(span, right.end)
            and _HEDGE_BETWEEN.search(span, left.end, right.start)
        ):
            return True
    return False


def _read_span(text: str, start: int, end: int, source: str, prefer_last: bool = False) -> FinalAnswer | None:
    """The answer in ``text[start:end]``: the whole span as one number first, else its conclusion (its final
    words read as one number when the scan reads only part of them: ``곱하면 일조이다``, ``삼 백 오 십이다``)."""
    span = normalize_latex_numbers(text[start : min(end, start + _SPAN_LIMIT)])  # read within its first 400 characters
    check = _CHECK_REMARK.search(span)
    if check is not None and check.start() > 0:
        span = span[: check.start()]  # 정답: 17 (검산: 17 + 8 = 25)
    # a letter outside a LaTeX command (3x, 2 + 3i, x = 1/3) or ± is read as math first: the number reader
    # would take a letter after a number for a unit; otherwise the number reader first, the math reader after
    bare = _BARE_LETTER.search(span) is not None
    expression = math_only_answer(span) if bare else None
    if expression is not None:
        return _final(expression, source)
    whole = _span_value(span.strip())
    if whole is not None:
        return FinalAnswer(whole[0], whole[1], span.strip(), source)
    expression = math_only_answer(span) if not bare and _LETTERISH.search(span) else None
    if expression is not None:
        return _final(expression, source)
    match, hedged = _conclusion(span, prefer_last)
    if hedged:
        return FinalAnswer(None, False, span.strip(), source, True)
    expression = expression_around(span, match)
    if expression is not None:
        return _final(expression, source)
    restated = _restated(span, match, source)
    if restated is not None:
        return restated
    final = _final_words(span, match, prefer_last)
    if final is not None:
        return FinalAnswer(final[0], final[1], final[2], source)
    if match is None:
        return None
    return FinalAnswer(match.value, match.percent, match.text, source)


_BARE_LETTER = re.compile(r"(?<![\\A-Za-z])[A-Za-z]|[√∛∜π±∓]|\\(?:pm|mp)(?![A-Za-z])")
_CHECK_REMARK = re.compile(r"[(\[]?[ \t]?(?:검산|확인|검증|check|verify)", re.IGNORECASE)
_WORD_START = re.compile(r"(?:^|(?<=[ \t]))\S")
_NUMERAL_WORD = re.compile(r"[0-9일이삼사오육칠팔구십백천만억조경영공점,.]+")
_FINAL_WORDS = 6
_FINAL_COPULA = re.compile(r"(?:이다|입니다|이에요|예요|이야|임)\Z")


def _final_words(span: str, match: NumberMatch | None, prefer_last: bool) -> tuple[Fraction, bool, str] | None:
    """The longest run of the span's last words (up to 6) that reads as one number, when the scan's
    conclusion does not already cover them: no number in the last word, or a numeral word before it."""
    if match is not None and not prefer_last:
        return None  # a forward cue concludes with its first number
    body = span.rstrip(" \t\n.。!")
    if not body or len(body) > _SPAN_LIMIT:
        return None
    copula = _FINAL_COPULA.search(body)
    if copula is None or copula.start() < 2:
        return None  # only a sentence that ends "... <number>이다" states its number in its final words
    starts = [m.start() for m in _WORD_START.finditer(body)][-_FINAL_WORDS:]
    if not starts:
        return None
    last_word = starts[-1]
    if match is not None and match.start >= last_word:
        previous = body[starts[-2] : last_word].strip() if len(starts) > 1 else ""
        if not previous or _NUMERAL_WORD.fullmatch(previous) is None:
            return None  # the scan read the last word, and no numeral word comes before it
    for start in starts:
        if copula.start() - start < 2:
            break  # one syllable before the copula: 이다 alone is never read as a number here
        parsed = _parse(body[start:])
        if parsed is not None:
            return parsed[0], parsed[1], body[start:]
    return None


def _free_answer(text: str, prefix: str = "", depth: int = 0) -> FinalAnswer | None:
    """The final answer of a text without answer tags, by these rules in order (see ``_ANSWER_RULES``):
    side remarks after the answer are set aside; the latest answer cue that names the answer (정답은, 답:, The
    final answer is, ``180이 답이다``), unless the last ``\\boxed{}`` comes after it; a correction after that
    answer hands over to the corrected one; then concluding sentences (따라서 … 이다); then the conclusion of the
    sentence of the last number."""
    text = _without_side_remarks(text)
    boxed = _boxed_content(text)
    if boxed is not None and not any(text.find(word, boxed[1]) >= 0 for word in ("답", "answer", "Answer", "ANSWER")):
        cues: list[tuple[int, int, int, bool, bool]] = []  # nothing after the last box can name another answer
        named = None
    else:
        cues = _cues(text)
        named = _named_answer(text, cues, prefix)
    if named is not None and (boxed is None or named[2] > boxed[1]):
        answer, start, end = named
        corrected = _corrected_answer(text, start, prefix, depth)  # "답은 12개… 아니, 다시 계산하면 15개"
        return corrected if corrected is not None else _unless_alternative(text, end, answer)
    if boxed is not None:
        # the last box counts (an earlier one with another value is a corrected attempt, "처음엔 \\boxed{3}이라
        #생각했지만 다시 풀면 \\boxed{5}"); a hedge inside the box ("\\boxed{25 \\text{ 또는 } 26}") is a hedge
        answer = _read_span(text, boxed[0], boxed[1], prefix + "boxed", prefer_last=True)
        at = text.rfind("\\boxed", 0, boxed[0])
        earlier = _boxed_content(text[:at]) if at > 0 else None
        if answer is not None and answer.value is not None and earlier is not None:
            other = _read_span(text, earlier[0], earlier[1], prefix + "boxed", prefer_last=True)
            if _differ(other, answer) and not _CORRECTION.search(text, earlier[1], at):
                return answer._replace(value=None, hedged=True)  # \\boxed{18} ... 다른 방법으로는 \\boxed{20}
        if answer is None:
            return FinalAnswer(None, False, text[boxed[0] : boxed[1]], prefix + "boxed")
        return _unless_alternative(text, boxed[1] + 1, answer)
    for at, start, end, prefer_last, names_answer in cues:
        if names_answer:
            continue  # read above
        answer = _read_span(text, start, end, prefix + "cue", prefer_last)
        if answer is not None:
            return _unless_alternative(text, end, answer)
    ending = text[-_CUE_REACH:].rstrip()
    if ending and not ending[-1].isdigit() and _UNFINISHED.search(ending) is not None:
        return None  # the text stops mid-sentence ("72를 계산하고, 다음으로"): it never gave its answer
    last = _last_answer_number(text)
    if last is None:
        tail = text[-_CUE_REACH:]
        final = _final_words(tail[_sentence_start(tail, len(tail.rstrip(" \t\n.。!"))) :], None, True)
        return None if final is None else FinalAnswer(final[0], final[1], final[2], prefix + "last")
    start = _sentence_start(text, last.start)
    end = _sentence_end(text, last.end, min(len(text), last.end + _CUE_REACH))
    if _inside_word(text, last):
        return None  # AZYUK2A: a digit inside a word is no answer
    if end - start <= _SPAN_LIMIT:  # the last number's sentence: a hedge ("25 또는 26"), or final words (일조이다)
        span = normalize_latex_numbers(text[start:end])
        normalized = len(span) != end - start  # 32,\! 349: the last number read again in the plain span
        expression = math_only_answer(span) if _LETTERISH.search(span) else None
        if expression is not None:
            return _final(expression, prefix + "last")
        match, hedged = _conclusion(span, prefer_last=True)
        if hedged:
            return FinalAnswer(None, False, span.strip(), prefix + "last", True)
        expression = expression_around(span, match)
        if expression is not None:
            return _final(expression, prefix + "last")
        restated = _restated(span, match, prefix + "last")
        if restated is not None:
            return restated
        final = _final_words(span, match, True)
        if final is not None:
            return FinalAnswer(final[0], final[1], final[2], prefix + "last")
        if normalized and match is not None:
            return FinalAnswer(match.value, match.percent, match.text, prefix + "last")
    return FinalAnswer(last.value, last.percent, last.text, prefix + "last")


def _named_answer(
    text: str, cues: list[tuple[int, int, int, bool, bool]], prefix: str
) -> tuple[FinalAnswer, int, int] | None:
    """The answer of the latest cue that names the answer (정답은, 답:, answer is, ``180이 답이다``) and reads one,
    with the start and end of its span; a different value under an earlier such cue, with no correction between, makes
    it a hedge (답: 7 … 답: 8)."""
    for index, (at, start, end, prefer_last, names_answer) in enumerate(cues):
        if not names_answer:
            continue
        if not prefer_last and _introduces_method(text, start, end):
            continue
        answer = _read_span(text, start, end, prefix + "cue", prefer_last)
        if answer is None:
            continue
        if answer.value is not None:
            for other_at, other_start, other_end, other_last, other_names in cues[index + 1 :]:
                if not other_names or other_end > start:
                    continue
                other = _read_span(text, other_start, other_end, prefix + "cue", other_last)
                if other is not None and other.value is not None:
                    if _differ(other, answer) and not _CORRECTION.search(text, other_end, start):
                        return answer._replace(value=None, hedged=True), start, end
                    break
        return answer, start, end
    return None


_CORRECTION_DEPTH = 4


def _corrected_answer(text: str, start: int, prefix: str, depth: int) -> FinalAnswer | None:
    """The answer of the text after a correction that follows the answer span starting at ``start``, or None."""
    if depth >= _CORRECTION_DEPTH:
        return None
    correction = _correction_at(text, start)
    if correction is None:
        return None
    corrected = _free_answer(text[correction:], prefix, depth + 1)
    if corrected is None or (corrected.value is None and not corrected.hedged and not corrected.expression):
        return None
    return corrected


_TRAILING_SPECIAL = re.compile(r"(?:\s*(?:<\|[A-Za-z_]{1,20}\|>|</s>|<eos>|<end_of_turn>|<\|eot_id\|>))+\s*\Z")
# A text that stops on a connective, or on a lone operator after a number on its line ("3 + 5 ="), was cut off
# mid-sentence; a run of operator characters ("++++") or a line without a number is no unfinished expression.
_UNFINISHED = re.compile(
    r"(?:[가-힣](?:하고|하면|해서|하여|하니|므로|는데|지만|으로|에서|이고|이며|이면)|다음으로|그리고|먼저)\s*\Z"
    r"|[0-9][^\n0-9]{0,40}?(?:(?<![-+=×*÷(])[+=×*÷(]|\s-)\s*\Z"
)
_CORRECTION = re.compile(
    r"다시|잘못|틀렸|틀린|수정|정정|고치|실수|아니라|아닌|아니다|생각했지만|\bwait\b|\bactually\b|correct(?:ion|ed)",
    re.IGNORECASE,
)


_ALTERNATIVE = re.compile(
    r"혹은|또는|아니면|(?<![A-Za-z])or(?![A-Za-z])|수도 있|일지도|지도 모|가능성도|도 가능|도 답이", re.IGNORECASE
)
_ALTERNATIVE_REACH = 120


def _unless_alternative(text: str, end: int, answer: FinalAnswer) -> FinalAnswer:
    """The answer, or a hedge when the sentence or two right after it offer another value: "정답은 12입니다. 혹은
    15일 수도 있습니다", "<SOLUTION>12</SOLUTION> 또는 15"."""
    if answer.value is None or end >= len(text):
        return answer
    tail = text[end : end + _ALTERNATIVE_REACH]
    first = _SENTENCE_END.search(tail)
    if first is not None:  # the rest of the answer's sentence and the next one, no further
        second = _SENTENCE_END.search(tail, first.end() + 1)
        tail = tail[: second.end()] if second is not None else tail
    if _ALTERNATIVE.search(tail) is None:
        return answer
    for number in _scan(tail, 0, len(tail)):
        if (number.value, number.percent) != (answer.value, answer.percent):
            return answer._replace(value=None, hedged=True)
    return answer


def _differ(one: FinalAnswer | None, other: FinalAnswer) -> bool:
    return one is not None and one.value is not None and (one.value, one.percent) != (other.value, other.percent)


def _tag_blocks(text: str, start_tag: str, end_tag: str) -> list[tuple[int, int]]:
    """Content spans of the last answer blocks (``<SOLUTION>…</SOLUTION>``; an unclosed last one runs to the
    end), in text order."""
    blocks: list[tuple[int, int]] = []
    end = len(text)
    for _ in range(_BLOCK_TRIES):
        at = text.rfind(start_tag, 0, end)
        if at < 0:
            break
        content = at + len(start_tag)
        close = text.find(end_tag, content, min(len(text), content + _BLOCK_LIMIT))
        blocks.append((content, close if close >= 0 else min(end, content + _BLOCK_LIMIT)))
        end = at
    return blocks[::-1]


def find_final_answer(
    text: str,
    solution_start: str | None = "<SOLUTION>",
    solution_end: str | None = "</SOLUTION>",
    think_end: str | None = "</think>",
) -> FinalAnswer | None:
    r"""Where the final answer of a completion is, and its value; None when there is no answer at all.

    In this order: the answer blocks (``solution_start`` … ``solution_end``; the last one counts, and blocks with
    different values hedge); else, when ``think_end`` is in the text, only the text after the last one (a
    completion that opens ``<think>`` and never closes it has no answer); else the last ``\boxed{}``; else the
    latest answer cue with a number (정답은, 답:, 최종 답, answer is, ``180이 답이다``, 따라서 … 이다); else the
    sentence of the last number. An answer span is first read whole, as one number or as safe LaTeX arithmetic
    (``<SOLUTION>스물 다섯</SOLUTION>`` is 25, ``\boxed{3^4}`` is 81), then by the number its sentence concludes
    with (``24가 아닌 25``, ``360의 절반인 180``). Two different final answers (``25 또는 26``, ``1, 2, 3 중
    하나``) give ``hedged=True`` and no value. Linear in the length of the text; never raises.

    Example:
        >>> find_final_answer("<SOLUTION>스물 다섯</SOLUTION>").value
        Fraction(25, 1)
        >>> find_final_answer("<think>3×4=12</think>\n답은 12개입니다.").value
        Fraction(12, 1)
        >>> find_final_answer(r"그러므로 $\boxed{2\frac{1}{2}}$").value
        Fraction(5, 2)
        >>> find_final_answer("따라서 360의 절반인 180이 답이다.").value
        Fraction(180, 1)
        >>> find_final_answer("정답은 25 또는 26입니다.").hedged
        True
        >>> find_final_answer("숫자가 없는 글") is None
        True
    """
    if not isinstance(text, str):
        return None
    try:
        return _find_final_answer(text, solution_start, solution_end, think_end)
    except Exception:  # noqa: BLE001 - never raise on model output
        return None


def _find_final_answer(
    text: str, solution_start: str | None, solution_end: str | None, think_end: str | None
) -> FinalAnswer | None:
    special = _TRAILING_SPECIAL.search(text, max(0, len(text) - 200)) if text.rstrip().endswith(">") else None
    if special is not None:
        text = text[: special.start()]  # <|endoftext|>, <|im_end|>, </s>: not part of the answer
    if solution_start and solution_start in text:
        answers = []
        for start, end in _tag_blocks(text, solution_start, solution_end or "\x00"):
            answer = _read_span(text, start, end, "tags")
            if answer is None:
                answer = FinalAnswer(None, False, text[start:end].strip()[:200], "tags")
            answers.append(answer)
        if any(a.hedged for a in answers):
            return answers[-1]._replace(value=None, hedged=True)
        values = {(a.value, a.percent) for a in answers if a.value is not None}
        if len(values) > 1:
            return answers[-1]._replace(value=None, hedged=True)
        with_value = [a for a in answers if a.value is not None]
        if not with_value:
            return answers[-1]
        last_block = text.rfind(solution_end or "\x00")
        after = last_block + len(solution_end) if solution_end and last_block >= 0 else len(text)
        return _unless_alternative(text, after, with_value[-1])
    if think_end:
        at = text.rfind(think_end)
        if at >= 0:
            return _free_answer(text[at + len(think_end) :], "think:")
        if think_end.startswith("</") and "<" + think_end[2:] in text:
            return None  # <think> opened and never closed: the completion stopped before its answer
    return _free_answer(text)


_RANGE = re.compile(r"[ \t]*[-−]?[0-9][0-9.,]*[ \t]*[~∼〜][ \t]*[-−]?[0-9]")
# more than a number: an operator between two operands, =, a sign standing apart, a letter, a LaTeX command
_EXPRESSION_HINT = re.compile(
    r"[0-9)}][ \t]*[-+*/^×÷·−][ \t]*[-−(0-9\\{]|=|\A[ \t]*[-−][ \t]+[0-9]|[\\A-Za-z√π±∓]"
)


def read_answer_span(span: str) -> FinalAnswer | None:
    r"""The answer of a text meant to be one answer (an answer tag's content, up to its first line break) when
    it is more than a number: a range (``15~16개``: a hedge), an expression or equation (``6 × 7 = 42`` is 42,
    ``- 3`` is -3, ``4\sqrt{2}`` is ``expression=True``, ``\pm 7`` a hedge), or Korean text read as an answer
    span (``삼 백 오 십`` is 350, ``정답은 24가 아닌 25``, ``25 또는 26`` a hedge); None for anything else (a plain
    ASCII number, a text without a number), which the caller reads its own way. Never raises.

    Example:
        >>> read_answer_span("6 × 7 = 42").value, read_answer_span("- 3").value, read_answer_span("15~16개").hedged
        (Fraction(42, 1), Fraction(-3, 1), True)
        >>> read_answer_span(r"4\sqrt{2}").expression, read_answer_span("42"), read_answer_span("정답은 24가 아닌 25").value
        (True, None, Fraction(25, 1))
    """
    if not isinstance(span, str):
        return None
    if not span.isascii():
        try:  # Korean in the tag: read it as an answer span (삼 백 오 십, 24가 아닌 25, 25 또는 26)
            answer = _read_span(span, 0, len(span), "tags")
        except Exception:  # noqa: BLE001 - never raise on model output
            return None
        if answer is not None and (answer.value is not None or answer.hedged or answer.expression):
            return answer
        return None
    original = span[:_SPAN_LIMIT].split("\n", 1)[0]
    line = normalize_latex_numbers(original)
    if _DIGIT_CHAR.search(line) is None:
        return None
    if _RANGE.match(line) is not None:
        return FinalAnswer(None, False, line.strip(), "tags", True)
    if line == original and _EXPRESSION_HINT.search(line) is None:
        return None
    try:
        answer = math_only_answer(line)
    except Exception:  # noqa: BLE001 - never raise on model output
        return None
    return None if answer is None else _final(answer, "tags")


def _answer_number(text: str) -> tuple[NumberMatch | None, bool]:
    """The answer number (of :func:`find_final_answer` without tags) and whether an answer was found at all
    (a ``\\boxed{x+1}`` or a hedged answer is found, not a number)."""
    answer = _find_final_answer(text, None, None, "</think>")
    if answer is None:
        return None, False
    if answer.value is None:
        return None, True
    return NumberMatch(answer.value, 0, 0, answer.text, answer.percent), True


def extract_answer_number(text: str) -> Fraction | None:
    r"""The answer number of a free-text solution, or None.

    The value of :func:`find_final_answer` without answer tags (the text after ``</think>`` when there is one):
    the last ``\boxed{...}``, else the number the latest answer cue concludes with (정답은 / 답: / 최종 답 /
    answer is / ``180이 답이다`` / 따라서 … 이다), else the last number. Korean numerals are looked for in the last
    4,096 characters (``ANSWER_WINDOW``) for the last number; when those have no number (a model that loops
    after its answer), the number at the last digit of the text is taken. A hedged answer (``25 또는 26``) has no
    value. See ``docs/number-parsing.md`` for every rule.

    Never raises: non-strings give None.

    Example:
        >>> extract_answer_number("3 + 5 = 8이고, 두 배 하면 16이다. 따라서 답은 16개입니다.")
        Fraction(16, 1)
        >>> extract_answer_number(r"so the total is $\boxed{\frac{7}{2}}$ cups")
        Fraction(7, 2)
        >>> extract_answer_number("The answer is 1,234. Checked with 2 methods.")
        Fraction(1234, 1)
        >>> extract_answer_number("사과는 모두 삼백오십 개")
        Fraction(350, 1)
    """
    if not isinstance(text, str):
        return None
    try:
        match, _ = _answer_number(text)
    except Exception:  # noqa: BLE001 - never raise on model output
        return None
    return None if match is None else match.value
