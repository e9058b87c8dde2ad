"""Model plumbing shared by the BERTScore and BLEURT scorers (the way bert_score's ``utils.py`` holds its own).

- what a model name means: :func:`looks_like_path` (the one rule for "this can only be a local folder"),
  :func:`offline`, :func:`hub_reachable` and :func:`from_pretrained`, which fails at once with the fix in the
  message when a model is neither a local folder nor obtainable from the hub;
- where and how it runs: :func:`default_device` (the trainer's accelerator under accelerate) and
  :func:`resolve_dtype_name`;
- how texts are batched: :func:`plan_batches` (sorted by length, padding kept small);
- :class:`ModelHolder`, the base of both scorers: the model loads on first use, once, under a lock; pickling
  leaves it behind (a copy reloads on first use); warnings are given once per scorer; a CUDA out-of-memory error
  halves the batch and retries;
- :class:`ScorerRegistry`: one scorer per configuration and process, so every reward and evaluation with the same
  settings shares one model and one cache.

Nothing here imports torch at import time.

Example:
    >>> looks_like_path("bert-base-multilingual-cased"), looks_like_path("./mbert")
    (False, True)
    >>> [list(batch) for batch in plan_batches([9, 9, 3, 3], batch_size=8, tolerance=0.15)]
    [[0, 1], [2, 3]]
"""

from __future__ import annotations

import os
import socket
import threading
import urllib.parse
from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from .._util import warn
from ..errors import ModelLoadError, ParameterError, literal

__all__ = [
    "looks_like_path",
    "offline",
    "hub_reachable",
    "from_pretrained",
    "from_cache_or_hub",
    "NotObtainable",
    "require",
    "default_device",
    "resolve_dtype_name",
    "plan_batches",
    "check_batch_size",
    "ModelHolder",
    "ScorerRegistry",
]

_DTYPES = {
    "float32": "float32", "fp32": "float32", "float": "float32",
    "float16": "float16", "fp16": "float16", "half": "float16",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
}  # fmt: skip



# -- what a model name means -----------------------------------------------------------------------------------------
def looks_like_path(name: str) -> bool:
    """Whether ``name`` can only be a local path: a hub id is ``name`` or ``org/name``, never ``/x``, ``./x``,
    ``~/x``, ``C:\\x`` or ``a/b/c``.

    Example:
        >>> [looks_like_path(n) for n in ["bert-base-multilingual-cased", "org/model", "./mbert", "/m", "a/b/c"]]
        [False, False, True, True, True]
    """
    return (
        name.startswith(("/", ".", "~"))
        or "\\" in name
        or name.count("/") > 1
        or name.endswith("/")
        or (len(name) > 1 and name[1] == ":")
    )


def offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` is set.

    Example:
        >>> import os
        >>> os.environ["HF_HUB_OFFLINE"] = "1"; offline()
        True
        >>> del os.environ["HF_HUB_OFFLINE"]
    """
    return any(
        os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}
        for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the hub opens within ``timeout`` seconds (the hub client itself retries for
    a minute before giving up). Behind a proxy this cannot be told, so the answer is yes.

    Example:
        >>> isinstance(hub_reachable(timeout=0.01), bool)
        True
    """
    if any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")):
        return True
    try:
        from huggingface_hub import constants

        endpoint = urllib.parse.urlparse(constants.ENDPOINT)
    except Exception:  # noqa: BLE001 - no hub client to ask: let from_pretrained try
        return True
    if endpoint.hostname is None:
        return True
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        socket.create_connection((endpoint.hostname, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def from_pretrained(loader: Any, model_type: str, **kwargs: Any) -> Any:
    """``loader.from_pretrained`` that fails at once, with the fix in the message, when the model is unavailable.

    The :class:`~korean_rewards.errors.ModelLoadError` says how ``model_type`` was read: as a local folder (it
    exists, or can only be a path) or as a hub id (looked up in the local Hugging Face cache, then on the hub when
    it can be reached).

    Example:
        >>> from_pretrained(object, "./no-such-model")
        Traceback (most recent call last):
        ...
        korean_rewards.errors.ModelLoadError: could not load './no-such-model', read as a local folder: no such ...
    """
    name = literal(model_type)
    local = os.path.expanduser(model_type)
    if os.path.isdir(local):
        try:
            return loader.from_pretrained(local, **kwargs)
        except Exception as error:  # noqa: BLE001 - a malformed folder fails in many ways, per transformers release
            raise ModelLoadError(
                f"could not load {name}, read as a local folder (it exists): {literal(error, quote=False)}. The "
                "folder must hold what save_pretrained writes (config.json, the weights, the tokenizer files).",
                parameter="model_type",
            ) from error
    if looks_like_path(model_type):
        raise ModelLoadError(
            f"could not load {name}, read as a local folder: no such folder "
            f"(resolved to {literal(os.path.abspath(local))}). Check the path, or give a hub id such as "
            "'bert-base-multilingual-cased'.",
            parameter="model_type",
        )
    try:
        return from_cache_or_hub(
            lambda: loader.from_pretrained(model_type, local_files_only=True, **kwargs),
            lambda: loader.from_pretrained(model_type, **kwargs),
        )
    except NotObtainable as missing:
        raise ModelLoadError(
            f"could not load {name}, read as a hub id (there is no local folder of that name): it is not in the "
            f"local Hugging Face cache and {literal(missing.where, quote=False)}. Download it where there is network "
            f"(`hf download {literal(model_type, quote=False)}`, or `AutoModel.from_pretrained({name})"
            ".save_pretrained(DIR)` and the same for AutoTokenizer), then pass {model_type}'DIR' (a local folder; "
            "give {num_layers}<layer> if the folder name is not the model's name), or set HF_HOME to a cache that "
            "has it.",
            parameter="model_type",
        ) from missing.first


class NotObtainable(OSError):
    """Neither the local Hugging Face cache nor the hub gave a model; ``where`` says why the hub did not (offline,
    unreachable, or its answer), ``first`` is the error it gave.

    Example:
        >>> NotObtainable("the hub cannot be reached", OSError("not cached")).where
        'the hub cannot be reached'
    """

    def __init__(self, where: str, first: BaseException) -> None:
        super().__init__(where)
        self.where = where
        self.first = first


def from_cache_or_hub(local: Callable[[], T], remote: Callable[[], T], catch: tuple[type[BaseException], ...] = (
        OSError, ValueError)) -> T:  # fmt: skip
    """``local()`` (from the cache only), else ``remote()`` when the hub can be reached and is not switched off;
    else :class:`NotObtainable`. The hub is not asked offline or when it cannot be reached (its client would retry
    for a minute).

    Example:
        >>> from_cache_or_hub(lambda: "cached", lambda: "downloaded")
        'cached'
    """
    try:
        return local()
    except catch as error:
        first: BaseException = error
    is_offline = offline()
    reachable = not is_offline and hub_reachable()
    if reachable:
        try:
            return remote()
        except catch as error:
            first = error
    if is_offline:
        where = "HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set"
    elif reachable:
        where = f"the hub did not give it ({type(first).__name__}: {first})"
    else:
        where = "the hub cannot be reached"
    raise NotObtainable(where, first)


def require(module: str, what: str, extra: str) -> None:
    """Raise an ``ImportError`` naming the extra to install when ``module`` is not installed.

    Example:
        >>> require("json", "this", "bleurt")
        >>> require("no_such_module_xyz", "BLEURT", "bleurt")
        Traceback (most recent call last):
        ...
        ImportError: BLEURT needs no_such_module_xyz: pip install -e '.[bleurt]' in a clone of korean-rewards (or pip install 'korean-rewards[bleurt]')
    """
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"{what} needs {module}: pip install -e '.[{extra}]' in a clone of korean-rewards "
            f"(or pip install 'korean-rewards[{extra}]')"
        )


# -- where and how a model runs ----------------------------------------------------------------------------------------
def default_device() -> str:
    """The process's accelerator (accelerate's ``PartialState().device`` under multi-GPU training), else ``"cpu"``.

    Example:
        >>> default_device() in {"cpu", "cuda"} or default_device().startswith(("cuda", "mps"))
        True
    """
    import torch

    if torch.cuda.is_available():
        try:
            from accelerate import PartialState

            return str(PartialState().device)
        except Exception:  # noqa: BLE001 - accelerate missing or not usable here: the first GPU
            return "cuda"
    return "cpu"


def resolve_dtype_name(dtype: Any, parameter: str = "dtype") -> str | None:
    """``"float32"``, ``"float16"`` or ``"bfloat16"`` for a dtype name or torch dtype; ``None`` for ``None``.

    Example:
        >>> resolve_dtype_name("fp16"), resolve_dtype_name("torch.bfloat16"), resolve_dtype_name(None)
        ('float16', 'bfloat16', None)
    """
    if dtype is None:
        return None
    if isinstance(dtype, str):
        name = _DTYPES.get(dtype.lower().removeprefix("torch."))
        if name is None:
            raise ParameterError(
                f"{{{parameter}}}{literal(dtype)} is not a dtype: give float32, float16, bfloat16 (or a torch dtype)",
                parameter=parameter,
            )
        return name
    text = str(dtype)  # a torch.dtype, e.g. torch.float16
    if text.startswith("torch."):
        return resolve_dtype_name(text, parameter)
    raise TypeError(f"dtype must be a string such as 'float16' or a torch dtype, got {type(dtype).__name__}")


def check_batch_size(value: Any, parameter: str = "batch_size") -> int:
    """``value`` when it is a positive integer, else a :class:`~korean_rewards.errors.ParameterError`.

    Example:
        >>> check_batch_size(8)
        8
        >>> check_batch_size(0)
        Traceback (most recent call last):
        ...
        korean_rewards.errors.ParameterError: batch_size=0 is not a positive integer
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{{{parameter}}}{literal(value)} is not a positive integer", parameter=parameter)
    return value


# -- batching ----------------------------------------------------------------------------------------------------------
def plan_batches(lengths: list[int], batch_size: int, tolerance: float, min_tokens: int = 0) -> list[range]:
    """Split positions ``0..n`` (lengths in descending order) into batches of at most ``batch_size``.

    A batch is closed early, to cut padding, when the next text would make its padding more than ``tolerance``
    of its tokens, but only once it holds ``min_tokens`` real tokens (small batches waste more than padding does).

    Example:
        >>> [list(b) for b in plan_batches([10, 10, 10, 2, 2], batch_size=2, tolerance=0.15)]
        [[0, 1], [2], [3, 4]]
    """
    batches = []
    start, n = 0, len(lengths)
    while start < n:
        longest = lengths[start]
        end, total = start + 1, lengths[start]
        while end < n and end - start < batch_size:
            size = end - start + 1
            if total >= min_tokens and size * longest - (total + lengths[end]) > tolerance * size * longest:
                break
            total += lengths[end]
            end += 1
        batches.append(range(start, end))
        start = end
    return batches


# -- the lazy, picklable model holder ------------------------------------------------------------------------------------
T = TypeVar("T")
H = TypeVar("H", bound="ModelHolder")


class ModelHolder:
    """Base of the scorers: a model that loads on first use, once, under a lock, and stays behind when pickled.

    A subclass sets its options as public attributes in ``__init__`` and then calls :meth:`_init_state`, which
    (re)creates the private, per-process state (extend it, calling ``super()._init_state()``); it implements
    ``_load``, which sets ``self._model`` and ``self._device``. Public attributes travel in a pickle, as do the
    private ones named in ``_PICKLED``; the counters named in ``_COUNTERS`` start again at 0 in the copy.

    Example:
        >>> import copy
        >>> class Echo(ModelHolder):
        ...     def __init__(self, name):
        ...         self.name = name
        ...         self._init_state()
        ...     def _load(self):
        ...         self._model = self.name.upper()
        >>> holder = Echo("x").load()
        >>> holder.loaded, copy.copy(holder).loaded, copy.copy(holder).name   # copies and pickles leave the model
        (True, False, 'x')
    """

    _PICKLED: ClassVar[tuple[str, ...]] = ()
    _COUNTERS: ClassVar[tuple[str, ...]] = ()

    def _init_state(self) -> None:
        self._lock = threading.RLock()
        self._model: Any = None
        self._device: Any = None
        self._oom_cap: int | None = None
        self._warned: set[str] = set()
        for counter in self._COUNTERS:
            setattr(self, counter, 0)

    # -- pickling: the model stays behind and reloads on first use ----------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = {key: value for key, value in self.__dict__.items() if not key.startswith("_") or key in self._PICKLED}
        for counter in self._COUNTERS:
            state[counter] = 0
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        kept = {key: state[key] for key in self._PICKLED if key in state}
        self._init_state()
        self.__dict__.update(kept)

    # -- loading -----------------------------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded.

        Example:
            >>> from korean_rewards import BERTScorer
            >>> BERTScorer().loaded
            False
        """
        return self._model is not None

    def load(self: H) -> H:
        """Load the model now (the first score does it otherwise) and return ``self``.

        Example:
            >>> import tempfile
            >>> from korean_rewards import BERTScorer
            >>> from korean_rewards.testing import save_tiny_bert
            >>> BERTScorer(save_tiny_bert(tempfile.mkdtemp()), num_layers=1).load().loaded
            True
        """
        with self._lock:
            if self._model is None:
                self._load()
        return self

    def _load(self) -> None:
        raise NotImplementedError

    # -- warnings ----------------------------------------------------------------------------------------------------
    def _warn_once(self, kind: str, message: str) -> None:
        """Warn once per scorer and ``kind``, at the first caller outside the package."""
        if kind not in self._warned:
            self._warned.add(kind)
            warn(message)

    # -- batches -----------------------------------------------------------------------------------------------------
    def _run_batched(
        self,
        items: Sequence[T],
        lengths: Sequence[int],
        batch_size: int,
        run: Callable[[list[T]], list[Any]],
        tolerance: float,
        min_tokens: int,
        what: str,
    ) -> list[Any]:
        """``run`` over ``items`` in batches planned by length (longest first); results in the order of ``items``.

        A CUDA out-of-memory error halves the batch and retries; the smaller size is kept for later calls.
        ``what`` names the scorer and its unit in the warning (e.g. ``"BERTScore", "texts"``).
        """
        if self._oom_cap is not None:
            batch_size = min(batch_size, self._oom_cap)
        order = sorted(range(len(items)), key=lambda i: lengths[i], reverse=True)
        out: list[Any] = [None] * len(items)
        for batch in plan_batches([lengths[i] for i in order], batch_size, tolerance, min_tokens):
            indices = [order[k] for k in batch]
            for index, value in zip(indices, self._with_oom_retry(run, [items[i] for i in indices], what)):
                out[index] = value
        return out

    def _with_oom_retry(self, run: Callable[[list[T]], list[Any]], batch: list[T], what: str) -> list[Any]:
        import torch

        try:
            return run(batch)
        except torch.cuda.OutOfMemoryError:
            if len(batch) == 1:
                raise
            if self._device.type == "cuda":
                torch.cuda.empty_cache()
            half = (len(batch) + 1) // 2
            self._oom_cap = half if self._oom_cap is None else min(self._oom_cap, half)
            scorer, _, unit = what.partition(" ")
            self._warn_once("oom", f"{scorer}: out of memory on {self._device}; batches of at most {half} {unit} from now on.")
            return self._with_oom_retry(run, batch[:half], what) + self._with_oom_retry(run, batch[half:], what)


# -- one scorer per configuration and process ---------------------------------------------------------------------------
class ScorerRegistry(Generic[T]):
    """The process's scorers by configuration: :meth:`get` creates one on first request (not loaded) and gives the
    same one afterwards, so every reward and evaluation with the same settings shares a model and its cache.

    Example:
        >>> registry = ScorerRegistry()
        >>> first = registry.get(("a", 1), lambda: object())
        >>> registry.get(("a", 1), lambda: object()) is first, len(registry)
        (True, 1)
    """

    def __init__(self) -> None:
        self._scorers: dict[Hashable, T] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, create: Callable[[], T]) -> T:
        """The scorer for ``key``, created with ``create()`` on first request.

        Example:
            >>> ScorerRegistry().get("k", lambda: 3)
            3
        """
        with self._lock:
            scorer = self._scorers.get(key)
            if scorer is None:
                scorer = create()
                self._scorers[key] = scorer
            return scorer

    def __len__(self) -> int:
        return len(self._scorers)
