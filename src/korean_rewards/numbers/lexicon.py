"""The numeral lexicon: digit, Sino-Korean, native Korean and Hanja numerals, counters, particles and copulas.

Only tables and the tiny helpers that build regexes from them live here; nothing reads text.

Example:
    >>> _SINO_BIG["억"], _NATIVE_TENS["스물"], _HANJA_DIGIT["參"]
    (100000000, 20, 3)
"""

from __future__ import annotations

import re
import sys
from fractions import Fraction

# ---------------------------------------------------------------------------------------------------------------
# Character tables
# ---------------------------------------------------------------------------------------------------------------

_POSSESSIVE = "+" if sys.version_info >= (3, 11) else ""  # Python 3.10 has no possessive quantifiers

_DIGITS = "0-9\uff10-\uff19"  # ASCII and full-width digits
_DIGIT_CHARS = frozenset("0123456789" + "".join(chr(0xFF10 + k) for k in range(10)))
_TO_ASCII = str.maketrans({chr(0xFF10 + k): str(k) for k in range(10)} | {"，": ",", "．": "."})
_HANGUL = "\uac00-\ud7a3"
_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_MINUS_CHARS = "-\u2212\uff0d\ufe63"  # hyphen-minus, minus sign, full-width and small hyphen-minus

_SINO_DIGIT = {"영": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7, "팔": 8, "구": 9}
_SINO_SMALL = {"십": 10, "백": 100, "천": 1000}
_SINO_BIG = {"만": 10**4, "억": 10**8, "조": 10**12, "경": 10**16}
_SINO_CHARS = "".join(_SINO_DIGIT) + "".join(_SINO_SMALL) + "".join(_SINO_BIG)
# The units past 경 (垓 秭 穰 溝 澗 正 載 極), each 10^4 times the one before. 구 (溝, 10^32) is left out: it is the
# digit 9 (일구 is a typo of 19 far more often than 10^32). Each is an ordinary word alone (해 sun/year, 자 ruler/
# letters, 양 sheep/amount, 간 between, 정 tablets, 재 ashes, 극 pole), so a unit past 경 needs a coefficient
# (일해, 3해) and, in running text, a lower group after it (1해 2000경): see reading._accepted.
_SINO_HUGE = {"해": 10**20, "자": 10**24, "양": 10**28, "간": 10**36, "정": 10**40, "재": 10**44, "극": 10**48}
_HUGE_CHARS = "".join(_SINO_HUGE)
_SINO_ALL_BIG = {**_SINO_BIG, **_SINO_HUGE}
_DECIMAL_DIGIT = {**{k: v for k, v in _SINO_DIGIT.items()}, "공": 0}  # digits read one by one after 점

_HANJA_DIGIT = {
    "〇": 0, "零": 0, "一": 1, "壹": 1, "壱": 1, "二": 2, "貳": 2, "贰": 2, "弐": 2, "三": 3, "參": 3, "叁": 3,
    "参": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陸": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_HANJA_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_HANJA_BIG = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8, "兆": 10**12, "京": 10**16}
_HANJA_CHARS = "".join(_HANJA_DIGIT) + "".join(_HANJA_SMALL) + "".join(_HANJA_BIG)
# Hanja counters that may follow a Hanja numeral inside an ideograph run (三個, 五年, 十人)
_HANJA_COUNTERS = frozenset("個箇人名年月日時分秒元圓円歲才回番次度點点匹本冊枚號号層位等倍")

_VULGAR = {
    "½": Fraction(1, 2), "⅓": Fraction(1, 3), "⅔": Fraction(2, 3), "¼": Fraction(1, 4), "¾": Fraction(3, 4),
    "⅕": Fraction(1, 5), "⅖": Fraction(2, 5), "⅗": Fraction(3, 5), "⅘": Fraction(4, 5), "⅙": Fraction(1, 6),
    "⅚": Fraction(5, 6), "⅐": Fraction(1, 7), "⅛": Fraction(1, 8), "⅜": Fraction(3, 8), "⅝": Fraction(5, 8),
    "⅞": Fraction(7, 8), "⅑": Fraction(1, 9), "⅒": Fraction(1, 10),
}  # fmt: skip

# circled numerals (①..⑳): choice numbers in Korean tests ("정답은 ③번")
_CIRCLED = {chr(0x2460 + k): k + 1 for k in range(20)}
# Hanja units written after digits (5萬, 3億): read as the Hangul unit
_HANJA_UNIT_AS_HANGUL = {"十": "십", "拾": "십", "百": "백", "佰": "백", "千": "천", "仟": "천", "萬": "만", "万": "만",
                         "億": "억", "亿": "억", "兆": "조", "京": "경"}  # fmt: skip

_NATIVE_TENS = {"열": 10, "스물": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70, "여든": 80, "아흔": 90}
_NATIVE_CARDINAL = {"하나": 1, "둘": 2, "셋": 3, "넷": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
# 닷 and 엿 are the old attributive 5 and 6 before measures (닷 냥, 엿 되); 서 and 너 (서 말, 너 돈) are not read:
# 너 is "you" (너 말 잘했다, 너 시간 있어?)
_NATIVE_ATTRIBUTIVE = {"한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4, "닷": 5, "엿": 6}
_NATIVE_UNITS = {**_NATIVE_CARDINAL, **_NATIVE_ATTRIBUTIVE}

# Counters and units that may follow a number (longest first in the regexes). All are read the same way:
# they end the number and are dropped.
_COUNTERS = (
    "개월 개 명 마리 살 번째 번 째 달 년 해 월 일 주일 주 시간 시 분 초 원정 원 달러 엔 위안 유로 파운드 권 자루 도 점 "
    "세 층 호 쪽 페이지 회 차례 배 등 위 학년 인분 인 장 대 병 잔 그릇 켤레 송이 그루 채 척 벌 통 가지 곳 군데 "
    "줄 칸 쌍 알 포기 묶음 상자 봉지 조각 판 평 리터 밀리리터 미터 센티미터 밀리미터 킬로미터 킬로그램 킬로 "
    "그램 톤 제곱미터 제곱센티미터 사람 문제 문항 단계 걸음 바퀴 끼 발 퍼센트 프로 할 가구 학급 팀 표 골 "
    "냥 푼 근 홉 리 치 관 필 첩 접 마지기 두름"  # old counters and measures: 열 냥, 천 리, 구만리
    # (not 말, 돈, 섬, 되, 자 after a Sino-Korean numeral: 일 말고, 일 되면, 3자 are no numbers of them)
).split()
# the counters used with native numerals (한 개, 두 달); not 월/년/원/... so that 세월 is not "3 months"
_NATIVE_COUNTERS = (
    "개월 개 명 마리 살 번째 번 째 달 해 시간 시 분 권 자루 점 잔 병 그릇 켤레 송이 그루 채 척 벌 통 가지 곳 "
    "군데 줄 칸 쌍 알 포기 묶음 상자 봉지 조각 판 장 대 배 사람 문제 걸음 바퀴 끼 발 주 층 가구 팀 표 "
    "냥 푼 근 되 홉 치 필 첩 접 마지기 두름"  # old counters: 한 냥, 닷 되, 두 근 (not 말, 돈, 섬: 네 말, 네 돈, 한 섬)
).split()
# attached without a space to a single Sino syllable (삼년, 구월, 일층); others need a space (오 분)
_SINGLE_ATTACHED = "년 월 개월 층 등 학년 번째".split()
_UNIT_SYLLABLE_ATTACHED = "원 명 달러 엔 배 년 냥 리".split()  # also allowed after 십 백 천 만 억 (천원, 만명, 백냥, 천리)
_NATIVE_ATTACHED_EXCLUDED = frozenset({"세대", "두통", "세배", "열대", "한층"})  # words, not "3 cars", "2 barrels"

# Particles and endings after a number word, by the last syllable (with or without a final consonant).
_PARTICLES_ANY = (
    "입니다 입니까 이다 이고 이며 이므로 이니 이라 이었 이면 이지만 이나 이요 의 도 만 에서 에게 에 께 보다 까지 "
    "부터 씩 쯤 처럼 만큼 뿐 밖에 마다 째 간 가량 정도 남짓 이상 이하 미만 초과 내외 안팎 여 임 하고 짜리 동안 "
    "이내 중 및 전 후 뒤"
).split()
_PARTICLES_VOWEL = "가 는 를 와 로 야 예요 였 라 란 나 고 며 면 지만 랑 요".split()
_PARTICLES_CONSONANT = "이 은 을 과 으로 이야 이에요 이랑".split()
# copulas that a single syllable may take (삼입니다): by the last syllable, like the particles
_COPULA_ANY = "입니다 이다 이고 이며 이므로 이었".split()
_COPULA_VOWEL = "예요 야 였".split()
_COPULA_CONSONANT = "이에요 이야".split()
_COPULA_SINGLES = frozenset("삼사오육칠팔구십백천억영열")
_HEDGES_AFTER = "쯤 정도 가량 여 남짓 내외 안팎".split()


def _ranges(codes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted code points, as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=lambda w: (-len(w), w)))


def _first_syllables(*groups: list[str]) -> str:
    return "".join(sorted({word[0] for group in groups for word in group}))


_COUNTER_RE = re.compile(_alternation(_COUNTERS))
_NATIVE_COUNTER_RE = re.compile(_alternation(_NATIVE_COUNTERS))
_SINGLE_ATTACHED_RE = re.compile(_alternation(_SINGLE_ATTACHED))
_UNIT_ATTACHED_RE = re.compile(_alternation(_SINGLE_ATTACHED + _UNIT_SYLLABLE_ATTACHED))
_PARTICLE_ANY_RE = re.compile(_alternation(_PARTICLES_ANY))
_PARTICLE_VOWEL_RE = re.compile(_alternation(_PARTICLES_VOWEL))
_PARTICLE_CONSONANT_RE = re.compile(_alternation(_PARTICLES_CONSONANT))
_COPULA_ANY_RE = re.compile(_alternation(_COPULA_ANY))
_COPULA_VOWEL_RE = re.compile(_alternation(_COPULA_VOWEL))
_COPULA_CONSONANT_RE = re.compile(_alternation(_COPULA_CONSONANT))


def _is_hangul(char: str) -> bool:
    return "가" <= char <= "힣"


def _final_consonant(char: str) -> int:
    """The final consonant index of a Hangul syllable (0: none, 8: ㄹ), -1 for anything else."""
    return (ord(char) - 0xAC00) % 28 if "가" <= char <= "힣" else -1
