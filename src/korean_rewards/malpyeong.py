"""The 2025 AI 말평 Korean-norm RAG task: the official answer/reason split, answer normalization, exact match,
a reward for following the answer template, and the leaderboard's final score (:func:`malpyeong_final_score`).

A Malpyeong answer reads ``"<selected or corrected sentence>"가 옳다. <reason>``. The official scorer

1. splits it at the first ``가 옳다`` (``str.find``; only when absent, at the first ``이 옳다``): the answer is
   the text up to and including the pattern, stripped; the reason is the rest, stripped, then stripped of
   leading ``.``, ``,`` and spaces. Without either pattern the whole text is the answer and the reason is empty;
2. normalizes an answer by deleting every ASCII ``"`` and ``'`` and stripping; nothing else (the particle
   stays, so ``X가 옳다`` and ``X이 옳다`` differ);
3. counts a prediction correct when its normalized answer equals one of the ``#``-separated alternatives of the
   normalized gold answer (both sides stripped once more).

:func:`split_answer_reason` and :func:`normalize_answer` reproduce these rules exactly, quirks included: a
``가 옳다`` inside the reason wins over an earlier ``이 옳다``; a gold written ``"…" 가 옳다`` (space before 가)
only matches a prediction with the same space; curly quotes are kept. ``normalize_answer(text, strict=True)``
(and ``strict=True`` on :class:`MalpyeongEMReward`) is a separate, more forgiving normalization that is *not*
the official one; it is off by default.

Example:
    >>> gold = '"나는 학교에 갔다."가 옳다. 주어와 서술어가 호응한다.'
    >>> split_answer_reason(gold)
    ('"나는 학교에 갔다."가 옳다', '주어와 서술어가 호응한다.')
    >>> malpyeong_em_reward(completions=["'나는 학교에 갔다.'가 옳다. 이유"], answer=[gold])
    [1.0]
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._trl import RewardFunction, RewardOutput, score_span

__all__ = [
    "split_answer_reason",
    "normalize_answer",
    "answer_alternatives",
    "exact_match",
    "template_parts",
    "mostly_malpyeong",
    "MalpyeongEMReward",
    "MalpyeongFormatReward",
    "malpyeong_em_reward",
    "malpyeong_format_reward",
    "malpyeong_final_score",
]

#: The verdict patterns, in the order the official scorer searches for them.
VERDICT_PATTERNS: tuple[str, str] = ("가 옳다", "이 옳다")

# Quote characters the strict normalization deletes (after NFKC, which already maps fullwidth quotes to ASCII).
_STRICT_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019\u201e\u201f\u201a\u201b\u2032\u2033\u00ab\u00bb\u2039\u203a")
_STRICT_QUOTE_TABLE = {ord(ch): None for ch in _STRICT_QUOTES}
_ASCII_QUOTE_TABLE = {ord('"'): None, ord("'"): None}


def split_answer_reason(text: str) -> tuple[str, str]:
    """Split a Malpyeong answer into ``(answer, reason)`` exactly as the official scorer does.

    The first ``가 옳다`` wins (even when an ``이 옳다`` comes earlier); only without one is the first
    ``이 옳다`` used. The answer keeps the pattern and is stripped; the reason is stripped and then loses its
    leading ``.``, ``,`` and spaces. Without any pattern the answer is the stripped text and the reason is ``""``.

    Raises ``TypeError`` when ``text`` is not a string (rewards turn every completion into a string first).

    Example:
        >>> split_answer_reason('"깨끗이"가 옳다. 어간 끝이 ㅅ이다.')
        ('"깨끗이"가 옳다', '어간 끝이 ㅅ이다.')
        >>> split_answer_reason('"덤핑"이 옳다, 원어 발음을 따른다.')
        ('"덤핑"이 옳다', '원어 발음을 따른다.')
        >>> split_answer_reason('"X"이 옳다. 그래서 Y가 옳다. 끝')   # the first 가 옳다 wins
        ('"X"이 옳다. 그래서 Y가 옳다', '끝')
        >>> split_answer_reason('  답을 모르겠다  ')
        ('답을 모르겠다', '')
    """
    if not isinstance(text, str):
        raise TypeError(f"split_answer_reason expects a string, got {type(text).__name__}")
    for pattern in VERDICT_PATTERNS:
        index = text.find(pattern)
        if index != -1:
            end = index + len(pattern)
            return text[:end].strip(), text[end:].strip().lstrip("., ")
    return text.strip(), ""


def normalize_answer(text: str, strict: bool = False) -> str:
    """Normalize an answer for exact match.

    Official (default): delete every ASCII ``"`` and ``'``, then strip. Nothing else changes: curly quotes,
    inner spaces and the 이/가 particle are kept.

    ``strict=True`` (not the official rule, off by default) also applies NFKC, deletes typographic quotes
    (``“ ” ‘ ’ „ ‟ ‚ ‛ ′ ″ « » ‹ ›``), collapses every whitespace run into one space, and drops a space
    between the sentence and its verdict (``X 가 옳다`` -> ``X가 옳다``).

    Example:
        >>> normalize_answer(' "나는 \\'학교\\'에 갔다."가 옳다 ')
        '나는 학교에 갔다.가 옳다'
        >>> normalize_answer('“나는  학교에 갔다.” 가 옳다')
        '“나는  학교에 갔다.” 가 옳다'
        >>> normalize_answer('“나는  학교에 갔다.” 가 옳다', strict=True)
        '나는 학교에 갔다.가 옳다'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize_answer expects a string, got {type(text).__name__}")
    if not strict:
        return text.translate(_ASCII_QUOTE_TABLE).strip()
    text = unicodedata.normalize("NFKC", text).translate(_STRICT_QUOTE_TABLE)
    text = " ".join(text.split())
    for pattern in VERDICT_PATTERNS:
        spaced = " " + pattern
        if text.endswith(spaced):
            text = text[: -len(spaced)] + pattern
            break
    return text


def answer_alternatives(gold: str, strict: bool = False) -> list[str]:
    """The accepted answers of a gold text: its answer part, normalized, split on ``#`` and stripped.

    This is the official order: the answer part is taken first (so a ``#`` inside the reason is ignored), then
    normalized, then split.

    Example:
        >>> answer_alternatives('"가"#"나"가 옳다. 이유 # 여기는 이유')
        ['가', '나가 옳다']
    """
    answer, _ = split_answer_reason(gold)
    return [alternative.strip() for alternative in normalize_answer(answer, strict=strict).split("#")]


def exact_match(prediction: str, gold: str, strict: bool = False) -> bool:
    """Whether a predicted answer text matches a gold answer text under the official EM rule.

    Both are full Malpyeong answers (``"…"가 옳다. <reason>``); only their answer parts are compared.

    Example:
        >>> exact_match('"나는 학교에 갔다."가 옳다. 다른 이유', '"나는 학교에 갔다."가 옳다. 이유')
        True
        >>> exact_match('"나는 학교에 갔다."이 옳다.', '"나는 학교에 갔다."가 옳다.')
        False
    """
    predicted = normalize_answer(split_answer_reason(prediction)[0], strict=strict).strip()
    return any(predicted == alternative for alternative in answer_alternatives(gold, strict=strict))


@dataclass(eq=False)
class MalpyeongEMReward(RewardFunction):
    """Official exact match of the answer part: 1.0 when it equals a ``#`` alternative of the gold, else 0.0.

    The gold column (``answer_key``, default ``"answer"``) holds full official answers
    (``"…"가 옳다. <reason>``; an official ``output`` dict with an ``"answer"`` key also works).
    ``strict=True`` switches both sides to :func:`normalize_answer`'s non-official strict normalization.
    Logs the normalized predicted answer as ``<name>/answer`` when the trainer passes ``log_extra``.

    Example:
        >>> gold = '"불은 개울물"이 옳다. 어간 받침 ㄷ이 ㄹ로 바뀐다.'
        >>> malpyeong_em_reward(completions=['"불은 개울물"이 옳다. 아무 이유', '"불은 개울물"가 옳다.'],
        ...                     answer=[gold, gold])
        [1.0, 0.0]
        >>> MalpyeongEMReward(strict=True).score('“불은 개울물” 이 옳다.', gold)
        1.0
    """

    base_name: ClassVar[str] = "malpyeong_em_reward"
    needs_gold: ClassVar[bool] = True

    answer_key: str = "answer"
    strict: bool = False
    name: str | None = None

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> tuple[RewardOutput, dict[str, list[Any]]]:
        assert golds is not None
        scores: RewardOutput = []
        answers: list[str] = []
        alternatives_of: dict[str, list[str]] = {}  # a GRPO batch repeats each gold num_generations times
        for text, gold in zip(texts, golds):
            alternatives = alternatives_of.get(gold)
            if alternatives is None:
                alternatives = alternatives_of[gold] = answer_alternatives(gold, strict=self.strict)
            predicted = normalize_answer(split_answer_reason(text)[0], strict=self.strict).strip()
            answers.append(predicted)
            scores.append(1.0 if predicted in alternatives else 0.0)
        return scores, {"answer": answers}

    def _score_range(self) -> tuple[float, float]:
        return 0.0, 1.0


def template_parts(text: str, curly_quotes: bool = False) -> tuple[bool, bool, bool]:
    """Which parts of the answer template ``"<sentence>"가 옳다. <reason>`` a text has.

    Returns ``(verdict, quoted, reason)``, using the official split:

    - ``verdict``: the text contains ``가 옳다`` or ``이 옳다``;
    - ``quoted``: the answer part is a quoted sentence directly followed by the particle: it starts with ``"``,
      the character before ``가``/``이`` is the closing ``"``, and something non-blank lies between (nested
      quotes are fine). With ``curly_quotes=True``, ``“…”`` also counts;
    - ``reason``: the official reason is non-empty.

    Runs in linear time and never raises for a string.

    Example:
        >>> template_parts('"나는 학교에 갔다."가 옳다. 주어와 서술어가 호응한다.')
        (True, True, True)
        >>> template_parts('"나는 학교에 갔다." 가 옳다.')
        (True, False, False)
        >>> template_parts('나는 학교에 갔다')
        (False, False, False)
    """
    answer, reason = split_answer_reason(text)
    if not answer.endswith(VERDICT_PATTERNS):
        return False, False, bool(reason)
    sentence = answer[: -len(VERDICT_PATTERNS[0])]  # both patterns have the same length
    pairs = [('"', '"')] + ([("\u201c", "\u201d")] if curly_quotes else [])
    quoted = any(
        len(sentence) >= 2 and sentence[0] == open_ and sentence[-1] == close and sentence[1:-1].strip() != ""
        for open_, close in pairs
    )
    return True, quoted, bool(reason)


def mostly_malpyeong(texts: Sequence[str]) -> bool:
    """Whether at least half of ``texts`` (golds, or completions) are 말평 answers (they state a verdict,
    ``…가 옳다``): the one rule by which ``audit`` and the CLI's default reward set tell 말평 rows from math rows.

    Example:
        >>> mostly_malpyeong(['"깨끗이"가 옳다. 부사이다.', "84"]), mostly_malpyeong(["84", "3"]), mostly_malpyeong([])
        (True, False, False)
    """
    verdicts = sum(1 for text in texts if template_parts(text)[0])
    return bool(texts) and verdicts * 2 >= len(texts)


@dataclass(eq=False)
class MalpyeongFormatReward(RewardFunction):
    """Reward for following the answer template ``"<sentence>"가 옳다. <reason>`` (or ``이 옳다``).

    A completion with all three parts of :func:`template_parts` (a verdict, a quoted sentence right before it,
    a non-empty reason) gets ``full_credit`` (1.0). Otherwise it gets the sum of the partial credits of the
    parts it has: ``verdict_credit``, ``quoted_credit`` and ``reason_credit`` (all 0.0 by default, so the
    default reward is 1.0 or 0.0). ``curly_quotes=True`` also accepts ``“…”`` around the sentence (the official
    normalization keeps curly quotes, so such an answer still fails the official exact match).
    Needs no gold column. Linear time; never raises on model output.

    Example:
        >>> malpyeong_format_reward(completions=['"깨끗이"가 옳다. 부사화 접미사 -이.', '"깨끗이"가 옳다.', '깨끗이'])
        [1.0, 0.0, 0.0]
        >>> partial = MalpyeongFormatReward(verdict_credit=0.25, quoted_credit=0.25, reason_credit=0.25)
        >>> partial(completions=['"깨끗이"가 옳다.', '깨끗이가 옳다. 이유'])
        [0.5, 0.5]
    """

    base_name: ClassVar[str] = "malpyeong_format_reward"
    needs_gold: ClassVar[bool] = False

    full_credit: float = 1.0
    verdict_credit: float = 0.0
    quoted_credit: float = 0.0
    reason_credit: float = 0.0
    curly_quotes: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        self._require_numbers("full_credit", "verdict_credit", "quoted_credit", "reason_credit")
        super().__post_init__()

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> RewardOutput:
        scores: RewardOutput = []
        for text in texts:
            verdict, quoted, reason = template_parts(text, curly_quotes=self.curly_quotes)
            if verdict and quoted and reason:
                scores.append(float(self.full_credit))
            else:
                scores.append(
                    float(verdict * self.verdict_credit + quoted * self.quoted_credit + reason * self.reason_credit)
                )
        return scores

    def _score_range(self) -> tuple[float, float]:
        credits = (self.verdict_credit, self.quoted_credit, self.reason_credit)
        partial = [sum(c for c, on in zip(credits, (a, b, d)) if on) for a in (0, 1) for b in (0, 1) for d in (0, 1)]
        return score_span(self.full_credit, *partial[:-1])


#: Official exact match on the ``answer`` column (the default instance).
malpyeong_em_reward = MalpyeongEMReward()

#: The answer-template reward, 1.0 or 0.0 (the default instance).
malpyeong_format_reward = MalpyeongFormatReward()


#: What :func:`malpyeong_final_score` does without BLEURT: raise, or average ROUGE-1 and BERTScore only.
BLEURT_MISSING = ("raise", "average_of_two")


def malpyeong_final_score(
    em: float,
    rouge1: float,
    bertscore: float,
    bleurt: float | None = None,
    *,
    bleurt_missing: str = "raise",
) -> float:
    """The leaderboard score: ``(EM + (ROUGE-1 + BERTScore + BLEURT) / 3) / 2``.

    Pass the four corpus values on one scale (all in points 0-100, or all fractions 0-1); the result is on
    that scale. BLEURT is the corpus BLEURT-20 score: :class:`~korean_rewards.BLEURTScorer` (the ``[bleurt]``
    extra) computes it with the PyTorch port of the official checkpoint, or pass your own. Without it (``bleurt=None``) the function raises ``ValueError``, unless
    ``bleurt_missing="average_of_two"``, which averages only ROUGE-1 and BERTScore,
    ``(EM + (ROUGE-1 + BERTScore) / 2) / 2``: a stand-in that is *not* comparable with leaderboard numbers.

    Example:
        >>> round(malpyeong_final_score(45.5823, 34.9636, 73.9318, 43.7260), 5)  # published as 48.2281
        48.22805
        >>> malpyeong_final_score(0.5, 0.3, 0.7, bleurt_missing="average_of_two")
        0.5
    """
    values = {"em": em, "rouge1": rouge1, "bertscore": bertscore}
    if bleurt is not None:
        values["bleurt"] = bleurt
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"malpyeong_final_score: {key} must be a finite number, got {value!r}")
    if bleurt_missing not in BLEURT_MISSING:
        raise ValueError(f"bleurt_missing must be one of {BLEURT_MISSING}, got {bleurt_missing!r}")
    if bleurt is None:
        if bleurt_missing == "raise":
            raise ValueError(
                "the official final score needs BLEURT: pass bleurt=<corpus BLEURT-20 score>, or "
                "bleurt_missing='average_of_two' to average ROUGE-1 and BERTScore only (not comparable with the "
                "leaderboard)"
            )
        descriptive = (rouge1 + bertscore) / 2
    else:
        descriptive = (rouge1 + bertscore + bleurt) / 3
    return (em + descriptive) / 2
