r"""LaTeX in answers: the last ``\boxed{...}`` of a text, and safe exact arithmetic on a LaTeX or plain expression.

Example:
    >>> text = r"so $\boxed{\frac{7}{2}}$"
    >>> start, end = _boxed_content(text)
    >>> text[start:end]
    '\\frac{7}{2}'
"""

from __future__ import annotations

import re

_BRACES = re.compile(r"[{}]")
_BOXED_TRIES = 4
_BOXED_SPAN = 1000


def _boxed_content(text: str) -> tuple[int, int] | None:
    r"""Start and end of the content of the last closed ``\boxed{...}`` (nested braces allowed), or None.

    At most the last four ``\boxed{`` are tried, each over at most 1000 characters, so this is linear."""
    end = len(text)
    for _ in range(_BOXED_TRIES):
        at = text.rfind("\\boxed", 0, end)
        if at < 0:
            return None
        end = at
        pos = at + 6
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text) or text[pos] != "{":
            continue
        depth = 0
        for brace in _BRACES.finditer(text, pos, min(len(text), pos + _BOXED_SPAN)):
            depth += 1 if brace.group() == "{" else -1
            if depth == 0:
                return pos + 1, brace.start()
    return None
