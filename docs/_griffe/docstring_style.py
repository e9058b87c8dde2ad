"""A Griffe extension for this project's docstrings (used by mkdocstrings when the site is built).

The library's docstrings are Google style with two habits Griffe's Google parser does not read as intended:

- ``Example:`` (singular) heads the runnable doctest examples; Griffe only knows ``Examples:`` and would render
  the doctests as Markdown text (where ``x[0]`` even looks like a link). It is read as ``Examples:``.
- Sphinx roles such as ``:func:`split_answer_reason``` or ``:class:`~korean_rewards.rouge.Rouge1Reward```
  would show the role literally. They become plain code spans (the last part of the name with ``~``).
- reStructuredText simple tables (columns framed by ``=====  =====`` lines, a row continued on the next line
  when its first column is blank) would run together into one paragraph of ``=`` signs. They become Markdown
  tables, which mkdocstrings renders.
- A list nested under a numbered item with reStructuredText's three-space indent would come out as more items
  of the numbered list; Markdown nests at four spaces, so those items get one space more.

Only the docstring text given to the parser changes; the source files are untouched.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|obj|exc|const):`(~?)([^`]+)`")


_NESTED_ITEM = re.compile(r"^   (?=[-*] )", re.MULTILINE)
_BORDER = re.compile(r"^(\s*)(=+(?:  +=+)+)[ \t]*$")


def _columns(border: str) -> list[tuple[int, int]]:
    return [(match.start(), match.end()) for match in re.finditer(r"=+", border)]


def _cells(line: str, columns: list[tuple[int, int]]) -> list[str]:
    starts = [start for start, _ in columns] + [None]
    return [line[starts[i] : starts[i + 1]].strip() for i in range(len(columns))]


def _markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _rows(lines: list[str], columns: list[tuple[int, int]]) -> list[list[str]]:
    rows: list[list[str]] = []
    for line in lines:
        if not line.strip():
            continue
        cells = _cells(line, columns)
        if rows and not cells[0]:  # a continuation line: its cells extend the row above
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    return rows


def _tables(text: str) -> str:
    """Rewrite each reStructuredText simple table (header row between the first two borders) as Markdown."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        top = _BORDER.match(lines[i])
        ends = [j for j in range(i + 1, len(lines)) if lines[j].strip() == lines[i].strip()] if top else []
        if not top or len(ends) < 2:
            out.append(lines[i])
            i += 1
            continue
        indent, columns = top.group(1), _columns(lines[i])
        header, end = ends[0], ends[1]
        head = _rows(lines[i + 1 : header], columns)
        body = _rows(lines[header + 1 : end], columns)
        out.append(indent + _markdown_row(head[0] if head else [""] * len(columns)))
        out.append(indent + "|" + "---|" * len(columns))
        out.extend(indent + _markdown_row(row) for row in body)
        i = end + 1
    return "\n".join(out)


def _role(match: re.Match[str]) -> str:
    target = match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"


def restyle(text: str) -> str:
    """The docstring text as Griffe's Google parser should see it.

    >>> restyle("Example:\\n    >>> f()\\n")
    'Examples:\\n    >>> f()\\n'
    >>> restyle("See :func:`~korean_rewards.rouge.rouge1_f1` and :class:`Tags`.")
    'See `rouge1_f1` and `Tags`.'
    >>> print(restyle("Forms:\\n\\n====  =======\\nform  example\\n====  =======\\nsign  ``-5``,\\n      ``−5``\\nunit  ``3만``\\n====  =======\\n"))
    Forms:
    <BLANKLINE>
    | form | example |
    |---|---|
    | sign | ``-5``, ``−5`` |
    | unit | ``3만`` |
    <BLANKLINE>
    >>> print(restyle("1. read;\\n2. score:\\n\\n   - EM;\\n   - ROUGE-1."))
    1. read;
    2. score:
    <BLANKLINE>
        - EM;
        - ROUGE-1.
    """
    text = _ROLE.sub(_role, _EXAMPLE_HEADING.sub(r"\1Examples:", text))
    return _tables(_NESTED_ITEM.sub("    ", text))


class DocstringStyle(griffe.Extension):
    """Rewrites each docstring with :func:`restyle` once the object tree is loaded."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = restyle(obj.docstring.value)
