"""Warnings that point at the caller's line, for every module of the library.

A warning raised deep inside a reward (a batch without a readable gold, a model that fell back to float32) is
about the caller's code: the line that built or called the reward, or, in training, the trainer's reward call.
:func:`warn` therefore attributes it to the first stack frame outside the ``korean_rewards`` package, however
many of the library's own frames lie in between, so ``python -W error``, ``warnings.filterwarnings(module=...)``
and the printed ``file:line`` all name the caller. :func:`warn_once` does the same once per process and key.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings

__all__ = ["caller_stacklevel", "warn", "warn_once"]

# The package folder with a trailing separator, so that "korean_rewards_extra/" does not count as inside it.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_warned: set[str] = set()
_lock = threading.Lock()


def _inside_package(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def caller_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` (called by the caller of this function) that names the first
    frame outside the ``korean_rewards`` package.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warnings.warn("here", UserWarning, stacklevel=caller_stacklevel())
        >>> caught[0].filename.startswith("<doctest")   # this example's line, not a line of _util.py
        True
    """
    frame = sys._getframe(1)  # the function that will call warnings.warn: level 1
    level = 1
    try:
        while frame is not None and _inside_package(frame.f_code.co_filename):
            frame = frame.f_back
            level += 1
    finally:
        del frame
    return level


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Issue a warning attributed to the first caller outside the ``korean_rewards`` package.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn("a note for the caller")
        >>> caught[0].message.args[0], caught[0].filename.startswith("<doctest")
        ('a note for the caller', True)
    """
    warnings.warn(message, category, stacklevel=caller_stacklevel())


def warn_once(key: str, message: str, category: type[Warning] = UserWarning) -> None:
    """:func:`warn`, once per process for each ``key`` (later calls with the same key do nothing).

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     for _ in range(3):
        ...         warn_once("doc-example", "said once")
        >>> len(caught)
        1
    """
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(message, category, stacklevel=caller_stacklevel())
