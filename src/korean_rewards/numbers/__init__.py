r"""Reading numbers written in Korean: digits, Sino-Korean and native Korean numerals, Hanja, fractions, signs.

Three things live here, with parsing kept apart from any comparison (that is :mod:`korean_rewards.answers`):

* :func:`parse_korean_number` reads a text that *is* one number expression (``"삼백오십 개"``, ``"3만 5천"``);
* :func:`find_numbers`, :func:`first_number` and :func:`last_number` find number expressions in running text
  and give their value and place (:class:`NumberMatch`);
* :func:`extract_answer_number` picks the answer number of a free-text solution: the last ``\boxed{...}``,
  else the number the latest answer cue concludes with (정답은, 답:, answer is, 따라서 … 이다, ...), else the
  last number; :func:`~korean_rewards.numbers.final_answer.find_final_answer` also reads answer tags and
  ``</think>`` and reports hedged answers (the rules: ``docs/number-parsing.md``).

Values are exact :class:`fractions.Fraction` objects, so ``0.1``, ``삼 점 일사`` and ``3분의 1`` compare exactly.

What is read
------------

================================  ==========================================================================
form                              examples (value)
================================  ==========================================================================
digits                            ``1234``, ``1,234`` (thousands groups of exactly 3), ``１２３`` (full width),
                                  ``3.14``, ``.5``
Sino-Korean                       ``삼백오십`` (350), ``만 이천`` / ``일만 이천`` (12000), ``십만``, ``삼천오백만``,
                                  groups of 만/억/조/경 may be separated by a space (``이억 삼천만``)
digits with units                 ``3만 5천`` (35000), ``1억2천만``, ``2.5억``, ``1,500만``, ``3천``, ``3만 5000``
native Korean                     ``하나``, ``둘``, ``열``, ``스물다섯``, ``서른``, ``아흔아홉``; before a counter
                                  ``한 개``, ``두 명``, ``세 마리``, ``석 달``, ``넉 달``, ``스무 살``, ``열두 번``
Hanja                             ``三百五十``, ``一萬二千``, ``壹貳參拾佰仟``, ``一百零五`` (105),
                                  ``二〇二四`` (digit by digit: 2024)
decimals                          ``3.14``, ``삼 점 일사`` / ``삼점일사`` (3.14), ``영점오`` (0.5)
fractions                         ``3분의 1`` / ``삼분의 일`` (1/3), ``2와 3분의 1`` (7/3), ``1/3``, ``1⁄3``,
                                  ``\frac{1}{3}``, ``\dfrac{1}{3}``, ``\frac13``, ``2\frac{1}{3}`` (7/3),
                                  ``½``, ``2½``
signs                             ``-5``, ``−5``, ``마이너스 5``, ``영하 5도`` (-5), ``플러스 5`` (5)
units past 경                     ``일해`` (10^20), ``삼해 오천조``, ``1해 2000경``, ``천극`` (10^51): 해 자 양 간 정 재 극
                                  (not 구: the digit 9); in running text never at the end of a number
Sino-Korean with native           ``사십다섯`` (45), ``만 이천삼백사십다섯`` (12345), ``백서른넷`` (134)
leading 점                        ``점오`` (0.5), ``점이오`` (0.25)
old counters                      ``열냥``, ``닷 냥`` (5), ``엿 되`` (6), ``천 리``, ``구만리``, ``한 근``
percent                           ``50%``, ``50 퍼센트``, ``50프로`` read as **0.5** (value / 100); the match
                                  carries ``percent=True`` so a comparison can also accept 50 (answers.py does)
ordinals                          ``첫째`` / ``첫 번째`` (1), ``두 번째`` (2), ``셋째`` (3), ``제3`` / ``제 3`` /
                                  ``제삼`` (3), ``3번째`` (3)
spaced (one-number texts)         ``스물 다섯`` (25), ``서른 두 개`` (32), ``삼 백 오 십`` (350), ``2천 500``, ``1만 1``
                                  (10001), ``공 점 오`` (0.5), ``- 3`` (-3), ``백서른넷`` (134), ``일조``, ``칠경``
other forms                       ``5萬`` (50000), ``金壹萬圓整`` / ``일금 삼만오천 원정``, ``第一``, ``③``,
                                  ``이와 삼분의 일`` (7/3), ``삼조 이억 팔천만`` (in running text too)
dropped around a number           hedges before (약, 대략, 거의, about, approximately, ~, ≈) and counters or
                                  units after (개, 명, 마리, 살, 번, 개월, 년, 권, 자루, 도, 점, 원, kg, ...)
================================  ==========================================================================

Words that are not numbers
--------------------------

A Korean numeral word is read in running text only when it is a word of its own: it starts after a
non-Hangul character (a space, punctuation, a digit, the start of the text) and ends before a non-Hangul
character, a counter (개, 명, 원, 년, ...) or a particle that fits its last syllable (``삼백이``, ``삼백을``,
``오십오는``; ``사과`` is not 4 + 과 because 과 follows consonants). A numeral syllable inside an ordinary word
is never read: 사과, 사람, 이상, 이유, 오늘, 삼각형, 구름, 육지, 팔다, 만약, 만들다, 일어나다, 백성,
십자가, 사실, 그것이, 천천히, 구하다, 제곱. Sino-Korean syllables must also form a well-formed numeral
(천천, 사이, 일일 are not numerals).

Single syllables are the hard part; these are the decisions (the tests assert each one):

====================  ===========================================================================================
text                  decision
====================  ===========================================================================================
이 (alone)            never a number in running text (this / tooth / the particle): ``이 문제``, ``이를``, ``이번``,
                      ``이분``, ``이월`` are not 2. ``이십``, ``이백``, ``이분의 일`` (1/2) and ``이 점 오`` are read.
일, 삼, 사, 오, 육,   a number when followed by a counter (``일 년``, ``삼 개``, ``오 분``, attached only with
칠, 팔, 구, 십, 백,   년/월/개월/층/등/학년/번째, and 원/명/달러/엔/배 for 십·백·천·만·억: ``삼년``, ``구월``, ``천원``),
천, 만, 억, 영        or when it stands alone before punctuation or the end (``답: 삼.``); not before a
                      particle (``일을``, ``삼을``: work, ginseng) and not inside words (``만세``, ``만점``, ``십분``).
일 (alone)            needs a counter: ``할 일``, ``이상한 일``, ``좋은 일!`` ("work", "thing") are not 1.
오 (alone)            not before ``!``, ``,`` or ``~`` (``오!``, ``오, 정말?``: an interjection).
삼 + copula           ``삼입니다``, ``오이다`` are read (3, 5); not for 일 (``일입니다`` = "it is work"), 만
                      (``3년 만입니다`` = "after 3 years") or 이.
만 (only / after)     ``3개만``, ``10년 만에`` are not 10000 (particle / dependent noun); ``만 원`` is.
세                    3 before a counter (``세 개``, ``세 번째``); otherwise the word for age, tax or world
                      (``세상``, ``세금``, ``세대``, ``세월``) and not a number; after a number it is the age counter
                      (``이십 세`` = 20).
네                    4 before a counter (``네 개``); ``네,`` / ``네 생각`` (yes / your) are not numbers.
한, 두, 석, 넉, 스무  native attributive forms: only before a counter (``한 개``, ``두 명``, ``스무 살``);
                      ``한국``, ``한다``, ``두고``, ``두통``, ``세대``, ``세배`` are not numbers.
열, 쉰               like the single Sino syllables: ``열 개``, ``답: 열`` are 10, ``열이 나다`` (fever) is not.
조, 경 (in words)     a Hangul numeral containing 조 or 경 needs a counter (``삼조 원``); ``구조``, ``백조``,
                      ``조사``, ``구경`` are words. After digits they are units: ``3조``, ``1.5조`` are read.
이만                  needs a counter (``이만 원``); ``이만 가 보겠습니다`` is not 20000.
만일, 천사, 제일,     words ("if", "angel", "most", "not at all"), not 10001, 1004, "No. 1" and 10^7;
천만에요, 천만의 말씀  만일 and 천사 are numbers before a counter (``천사 원`` = 1004 won).
maximal munch         ``이십이`` is 22, not 20 + particle 이; ``삼십일`` is 31 (write ``삼십 일`` for 30 days);
                      ``이십이다`` is 20 + 이다 (22 + 다 is not a form this module accepts).
spaces in numerals    allowed after 만/억/조/경 before any group (the standard spacing: ``만 이천`` = 12000,
                      ``천만 일`` = 10000001; not ``만 이``, "10000 this"), elsewhere only before a group that
                      holds a unit (``삼천 오백`` = 3500); with digits ``3만 5천``, ``3만 5000`` and ``3억 8141만 2``
                      (a last group of 1-4 digits, like ``천만 일``); ``삼십 일`` is 30 followed by the day counter.
percent               value / 100 (``50%`` is 1/2), marked ``percent=True`` on the match.
====================  ===========================================================================================

:func:`parse_korean_number` is told that its whole input is a number, so it reads single syllables too
(``parse_korean_number("이") == 2``, ``"세"`` is 3) but still rejects anything that is not a number plus
optional hedge, counter, copula and final punctuation (``"사과"``, ``"천만에요"``, ``"5 이상"`` give None).

Speed
-----

Scanning is linear in the length of the text: one regular expression with possessive quantifiers (compiled
on first use, about 130 ms once) skips everything that cannot start a number at C speed -- ASCII text, Hangul
words that do not start with a numeral, and words that start with one but cannot be a number by what follows
their first syllable (이 문제, 한국, 사과, 세상, 오!, 조 조, 만일, 천천히) -- and a small hand-written parser reads
each remaining candidate with bounded look-ahead. A long text that repeats with a short period (a megabyte of
"이 " or "만일 네 생각 ") is read for a few periods and the repeats are passed over at once. :func:`last_number`
scans backwards in growing chunks, so finding the last number of a long text does not parse the numbers
before it. No function raises on any input; anything that is not a string gives None (or an empty list).

Example:
    >>> parse_korean_number("삼백오십 개")
    Fraction(350, 1)
    >>> extract_answer_number("사과 3개와 배 5개가 있으므로 정답은 여덟 개입니다. 검산: 3 + 5 = 8")
    Fraction(8, 1)
    >>> [(m.value, m.text) for m in find_numbers("2와 3분의 1, 영하 5도, 스무 살")]
    [(Fraction(7, 3), '2와 3분의 1'), (Fraction(-5, 1), '영하 5'), (Fraction(20, 1), '스무')]

Modules
-------

The package reads in layers, one concern per module: :mod:`~korean_rewards.numbers.lexicon` (the numeral
tables), :mod:`~korean_rewards.numbers.candidates` (the regex that finds where a number may start),
:mod:`~korean_rewards.numbers.reading` (every reading of the number at one place, and where it may end),
:mod:`~korean_rewards.numbers.scan` (numbers in running text), :mod:`~korean_rewards.numbers.expression` (a text
that is one number), :mod:`~korean_rewards.numbers.latex` (``\boxed{}`` and safe LaTeX arithmetic) and
:mod:`~korean_rewards.numbers.final_answer` (where the answer of a solution is). Everything is importable from
``korean_rewards.numbers`` as before.
"""

from __future__ import annotations

from .budget import DEFAULT_WORK_BUDGET, set_work_budget, work_budget
from .expression import _parse, parse_korean_number
from .final_answer import _answer_number, extract_answer_number
from .latex import _boxed_content
from .scan import ANSWER_WINDOW, NumberMatch, _last, _last_answer_number, _scan, find_numbers, first_number, last_number

__all__ = [
    "ANSWER_WINDOW",
    "NumberMatch",
    "parse_korean_number",
    "extract_answer_number",
    "find_numbers",
    "first_number",
    "last_number",
    "DEFAULT_WORK_BUDGET",
    "set_work_budget",
    "work_budget",
]
