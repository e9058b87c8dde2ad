"""A Griffe extension for this project's docstrings (used by mkdocstrings when the site is built).

The library's docstrings are Google style with two habits Griffe's Google parser does not read as intended:

- ``Example:`` (singular) heads the runnable doctest examples; Griffe only knows ``Examples:`` and would render
  the doctests as Markdown text (where ``x[0]`` even looks like a link). It is read as ``Examples:``.
- Sphinx roles such as ``:func:`split_answer_reason``` or ``:class:`~korean_rewards.rouge.Rouge1Reward```
  would show the role literally. They become plain code spans (the last part of the name with ``~``).

Only the docstring text given to the parser changes; the source files are untouched.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|obj|exc|const):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    target = match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"


def restyle(text: str) -> str:
    """The docstring text as Griffe's Google parser should see it.

    >>> restyle("Example:\\n    >>> f()\\n")
    'Examples:\\n    >>> f()\\n'
    >>> restyle("See :func:`~korean_rewards.rouge.rouge1_f1` and :class:`Tags`.")
    'See `rouge1_f1` and `Tags`.'
    """
    return _ROLE.sub(_role, _EXAMPLE_HEADING.sub(r"\1Examples:", text))


class DocstringStyle(griffe.Extension):
    """Rewrites each docstring with :func:`restyle` once the object tree is loaded."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = restyle(obj.docstring.value)
