"""Reward specs: the one place that turns a string into a reward, for every command and integration.

A spec is one of:

- a public reward of this package by name: a default instance (``check_numbers_ko``), a reward class
  (``CheckNumbersKo``) or a factory (``malpyeong_reward``). The names are the package's public exports
  (``korean_rewards.__all__``), so every public reward is accepted and nothing else has to be listed;
- ``name(option=value, ...)``: the same with options (Python literals): an instance is reconfigured
  (``check_numbers_ko(rel_tol=0.01)``), a class or factory is called with them;
- ``module:attr`` or ``path/to/file.py:attr`` (``attr`` may be dotted, and may carry ``(option=value)``): user code,
  imported with :func:`import_object`. The attribute may be a reward, a list of rewards, or a function that
  returns them (called with the options, or with none).

:func:`resolve_reward` gives one reward, :func:`resolve_rewards` a list (a mix); :func:`default_reward_names`
is the set that ``korean-rewards score`` runs when none is given, chosen from the rows (math or 말평).

Example:
    >>> resolve_reward("accuracy_reward_ko").__name__
    'accuracy_reward_ko'
    >>> resolve_reward("CheckNumbersKo(rel_tol=0.01)").rel_tol
    0.01
    >>> [fn.__name__ for fn in resolve_rewards("korean_rewards:check_numbers_ko")]
    ['check_numbers_ko']
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "SpecError",
    "DEFAULT_REWARDS",
    "reward_names",
    "is_reward",
    "parse_spec",
    "import_object",
    "resolve_reward",
    "resolve_rewards",
    "rows_kind",
    "default_reward_names",
]

#: The rule-based rewards run by default, per kind of row (``score`` without ``--reward``; the demo).
DEFAULT_REWARDS: dict[str, tuple[str, ...]] = {
    "math": (
        "match_format_exactly",
        "match_format_approximately",
        "check_answer_ko",
        "check_numbers_ko",
        "accuracy_reward_ko",
        "language_consistency_ko",
        "repetition_penalty_ko",
    ),
    "malpyeong": (
        "malpyeong_em_reward",
        "malpyeong_format_reward",
        "rouge1_reward",
        "language_consistency_ko",
        "repetition_penalty_ko",
    ),
}


class SpecError(ValueError):
    """A reward spec that cannot be read, imported or resolved; the message says which and how to fix it.

    Example:
        >>> resolve_reward("no_such_reward")
        Traceback (most recent call last):
        ...
        korean_rewards.registry.SpecError: unknown reward 'no_such_reward'. Valid names: ...
    """


# -- what counts as a reward -----------------------------------------------------------------------------------------
def is_reward(obj: Any) -> bool:
    """Whether ``obj`` is a reward callable (TRL's contract: called with ``completions=``), not a class or factory.

    Example:
        >>> from korean_rewards import CheckNumbersKo, check_numbers_ko, combine
        >>> is_reward(check_numbers_ko), is_reward(CheckNumbersKo), is_reward(combine)
        (True, False, False)
        >>> is_reward(lambda completions, **kwargs: [0.0] * len(completions))
        True
    """
    if not callable(obj) or isinstance(obj, type):
        return False
    from ._trl import RewardFunction
    from .combining import CombinedReward

    if isinstance(obj, (RewardFunction, CombinedReward)):
        return True
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return True
    return "completions" in parameters


def _is_reward_class(obj: Any) -> bool:
    from ._trl import RewardFunction
    from .combining import CombinedReward

    return isinstance(obj, type) and issubclass(obj, (RewardFunction, CombinedReward)) and obj is not RewardFunction


def _is_reward_maker(obj: Any) -> bool:
    """A public reward class, or a function whose return annotation is one, that builds a reward from options alone
    (no required argument: ``combine`` and ``CombinedReward`` need their components, so they are no names)."""
    if inspect.isfunction(obj):
        annotation = inspect.signature(obj).return_annotation
        if isinstance(annotation, str):
            annotation = obj.__globals__.get(annotation)
        if not _is_reward_class(annotation):
            return False
    elif not _is_reward_class(obj):
        return False
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return False
    return not any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)


@functools.lru_cache(maxsize=1)
def reward_names() -> tuple[str, ...]:
    """Every public name of the package that ``resolve_reward`` accepts: reward instances first, then classes and
    factories (each group in ``korean_rewards.__all__`` order).

    Example:
        >>> names = reward_names()
        >>> {"accuracy_reward_ko", "AccuracyRewardKo", "reasoning_length", "malpyeong_reward"} <= set(names)
        True
        >>> "parse_korean_number" in names or "combine" in names
        False
    """
    import korean_rewards

    instances, makers = [], []
    for name in korean_rewards.__all__:
        try:
            value = getattr(korean_rewards, name)
        except ImportError:  # an optional part that cannot import here is still a name users may give
            continue
        if is_reward(value):
            instances.append(name)
        elif _is_reward_maker(value):
            makers.append(name)
    return tuple(instances + makers)


# -- reading a spec --------------------------------------------------------------------------------------------------
def parse_spec(text: str) -> tuple[str, dict[str, Any]]:
    """``name`` or ``name(option=value, ...)`` (``name`` may be dotted) -> ``(name, options)``; values are Python
    literals.

    Example:
        >>> parse_spec("check_numbers_ko(rel_tol=0.01, tags=None)")
        ('check_numbers_ko', {'rel_tol': 0.01, 'tags': None})
        >>> parse_spec("import os")
        Traceback (most recent call last):
        ...
        korean_rewards.registry.SpecError: cannot read the reward 'import os': write a name, or name(option=value, ...)
    """
    bad = f"cannot read the reward {text!r}: write a name, or name(option=value, ...)"
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise SpecError(bad) from None
    options: dict[str, Any] = {}
    if isinstance(node, ast.Call) and not node.args:
        for keyword in node.keywords:
            if keyword.arg is None:
                raise SpecError(f"cannot read the reward {text!r}: write options as option=value")
            try:
                options[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                raise SpecError(
                    f"cannot read the option {keyword.arg} of {text!r}: values must be Python literals "
                    "(numbers, strings in quotes, True/False/None, lists)"
                ) from None
        node = node.func
    name = _dotted(node)
    if name is None:
        raise SpecError(bad)
    return name, options


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _split_location(spec: str) -> tuple[str | None, str]:
    """``("module or file", "attr(...)")`` for ``location:attr``; ``(None, spec)`` for a library name."""
    head, paren, rest = spec.partition("(")
    location, colon, attribute = head.rpartition(":")
    if not colon or (len(location) == 1 and attribute.startswith(("\\", "/"))):  # C:\x.py is a path, not a spec
        return None, spec
    return location.strip(), attribute.strip() + paren + rest


# -- importing user code -----------------------------------------------------------------------------------------------
def import_object(spec: str) -> Any:
    """The object named by ``"module:attr"`` or ``"path/to/file.py:attr"`` (``attr`` may be dotted).

    A module is looked up in the current folder first (as ``python -c`` would), then on the usual path. A file is
    run as a module whose folder (and the current folder) is on ``sys.path`` while it runs, so its sibling imports
    work; ``sys.path`` is restored afterwards, and a file that fails to import leaves nothing in ``sys.modules``.
    Importing the same file again gives the same module.

    Example:
        >>> import_object("os.path:join") is os.path.join
        True
        >>> import_object("no_such_module_xyz:f")
        Traceback (most recent call last):
        ...
        korean_rewards.registry.SpecError: cannot import no_such_module_xyz:f (cannot import the module ...
    """
    location, _, attribute = spec.rpartition(":")
    if not location or not attribute:
        raise SpecError(f"give user code as module:function or path/to/file.py:function (any attribute), got {spec!r}")
    if location.endswith(".py") or os.sep in location or "/" in location:
        module = _import_file(location, spec)
    else:
        try:
            with _on_sys_path(os.getcwd()):
                module = importlib.import_module(location)
        except ImportError as error:
            raise SpecError(f"cannot import {spec} (cannot import the module {location!r}: {error})") from None
        except Exception as error:  # noqa: BLE001 - the user's module failed: say so, no traceback
            raise SpecError(f"cannot import {spec}: {type(error).__name__}: {error}") from None
    value: Any = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise SpecError(f"cannot import {spec}: {location} has no attribute {attribute!r}")
        value = getattr(value, part)
    return value


def _import_file(filename: str, spec: str) -> Any:
    path = Path(filename).expanduser()
    if not path.is_file():
        raise SpecError(f"cannot import {spec}: {filename}: no such file")
    resolved = path.resolve()
    name = f"_korean_rewards_user_{resolved.stem}_{hashlib.sha1(str(resolved).encode()).hexdigest()[:12]}"
    if name in sys.modules:
        return sys.modules[name]
    module_spec = importlib.util.spec_from_file_location(name, resolved)
    if module_spec is None or module_spec.loader is None:
        raise SpecError(f"cannot import {spec}: {filename} is not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up while it runs
    try:
        with _on_sys_path(os.getcwd()), _on_sys_path(str(resolved.parent)):
            module_spec.loader.exec_module(module)
    except BaseException as error:
        sys.modules.pop(name, None)
        if isinstance(error, Exception):  # the user's file failed: say so, no traceback
            raise SpecError(f"cannot import {spec}: {type(error).__name__}: {error}") from None
        raise
    return module


@contextmanager
def _on_sys_path(folder: str) -> Iterator[None]:
    """``folder`` first on ``sys.path`` for the duration (unless it is there already), then removed again."""
    present = folder in sys.path or (folder == os.getcwd() and "" in sys.path)
    if not present:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if not present and folder in sys.path:
            sys.path.remove(folder)


# -- resolving ---------------------------------------------------------------------------------------------------------
def resolve_rewards(spec: str) -> list[Any]:
    """The rewards named by ``spec`` (see the module notes): one for a name, several for a user attribute that is a
    list of rewards or a function returning one.

    Example:
        >>> [fn.__name__ for fn in resolve_rewards("reasoning_length(max_chars=300)")]
        ['reasoning_length(max_chars=300)']
        >>> resolve_rewards("korean_rewards:__version__")
        Traceback (most recent call last):
        ...
        korean_rewards.registry.SpecError: korean_rewards:__version__ gives '0.1.0', which is not a reward callable
    """
    if not isinstance(spec, str) or not spec.strip():
        raise SpecError(f"a reward spec is a non-empty string, got {spec!r}")
    location, target = _split_location(spec.strip())
    if location is None:
        return [_library_reward(target)]
    attribute, options = parse_spec(target)
    value = import_object(f"{location}:{attribute}")
    if isinstance(value, (list, tuple)):
        if options:
            raise SpecError(f"{location}:{attribute} is a list of rewards: it takes no options")
    else:
        value = _build(value, options, spec, user_code=True)
    rewards = list(value) if isinstance(value, (list, tuple)) else [value]
    for fn in rewards:
        if not is_reward(fn):
            raise SpecError(f"{spec} gives {fn!r}, which is not a reward callable")
    return rewards


def resolve_reward(spec: str) -> Any:
    """The one reward named by ``spec``: a library name (``check_numbers_ko``, ``CheckNumbersKo(rel_tol=0.01)``,
    ``malpyeong_reward(bertscore_model="path")``) or user code (``module:attr``, ``file.py:attr(option=1)``).

    A spec that gives several rewards raises :class:`SpecError`; use :func:`resolve_rewards` for mixes, or
    :func:`korean_rewards.combine` them into one reward.

    Example:
        >>> resolve_reward("check_numbers_ko(rel_tol=0.01)").rel_tol
        0.01
        >>> resolve_reward("korean_rewards:malpyeong_reward").__name__
        'malpyeong_reward'
    """
    rewards = resolve_rewards(spec)
    if len(rewards) != 1:
        raise SpecError(
            f"{spec} gives {len(rewards)} rewards, not one: use resolve_rewards for a mix, or combine them into one "
            "reward with korean_rewards.combine"
        )
    return rewards[0]


def _library_reward(text: str) -> Any:
    name, options = parse_spec(text)
    names = reward_names()
    if name not in names:
        import korean_rewards

        what = "is not a reward" if name in korean_rewards.__all__ else "unknown reward"
        lead = f"{name!r} {what}" if what == "is not a reward" else f"unknown reward {name!r}"
        raise SpecError(
            f"{lead}. Valid names: {', '.join(names)}; with options: name(option=value), e.g. "
            "CheckNumbersKo(rel_tol=0.01); or your own code: module:attr, path/to/file.py:attr"
        )
    import korean_rewards

    try:
        target = getattr(korean_rewards, name)
    except ImportError as error:
        raise SpecError(f"{name} is not available: {error}") from None
    return _build(target, options, name, user_code=False)


def _build(target: Any, options: Mapping[str, Any], spec: str, user_code: bool) -> Any:
    """The reward a target gives with ``options``: a reward reconfigured, a class or factory called."""
    if is_reward(target) and not options:
        return target
    accepted = _option_names(target)
    unknown = sorted(set(options) - set(accepted)) if accepted is not None else []
    if unknown:
        raise SpecError(
            f"{spec} has no option {', '.join(unknown)}; its options: {', '.join(accepted or []) or 'none'}"
        )
    try:
        if is_reward(target):
            if not hasattr(target, "configure"):
                raise SpecError(f"{spec} is a plain function: it takes no options")
            return target.configure(**options)
        if not callable(target):
            return target  # reported by the caller as "not a reward callable"
        return target(**options)
    except SpecError:
        raise
    except Exception as error:  # noqa: BLE001 - bad options, or the user's factory failed: say so, no traceback
        if user_code:
            raise SpecError(f"calling {spec} failed: {type(error).__name__}: {error}") from None
        raise SpecError(f"bad option for {spec}: {error}") from None


def _option_names(obj: Any) -> list[str] | None:
    """The options a reward, reward class or factory accepts; ``None`` when it takes any keyword."""
    target = obj if isinstance(obj, type) else type(obj)
    if dataclasses.is_dataclass(target) and (isinstance(obj, type) or is_reward(obj)):
        return [f.name for f in dataclasses.fields(target) if f.init]
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


# -- the default set ---------------------------------------------------------------------------------------------------
def rows_kind(rows: Sequence[Mapping[str, Any]], answer_key: str = "answer") -> str:
    """``"malpyeong"`` when at least half of the rows' golds (else their completions) are 말평 answers
    (``"…"가 옳다. <reason>``), else ``"math"``.

    The gold is the ``answer_key`` column, else ``solution``; a chat-message value is read as its text.

    Example:
        >>> rows_kind([{"completion": "x", "answer": '"깨끗이"가 옳다. 부사이다.'}])
        'malpyeong'
        >>> rows_kind([{"completion": "<SOLUTION>84</SOLUTION>", "answer": "... #### 84"}])
        'math'
    """
    from ._trl import completion_text, gold_key, gold_text
    from .malpyeong import mostly_malpyeong

    golds = [gold_text(row.get(gold_key(row, answer_key))) for row in rows]  # the one gold reader
    texts = [gold for gold in golds if gold is not None]
    if not texts:
        texts = [completion_text(row.get("completion")) for row in rows]
    return "malpyeong" if mostly_malpyeong(texts) else "math"


def default_reward_names(rows: Sequence[Mapping[str, Any]], answer_key: str = "answer") -> tuple[str, tuple[str, ...]]:
    """``(kind, names)``: the rule-based rewards to run on ``rows`` when none is named (see :data:`DEFAULT_REWARDS`).

    Example:
        >>> default_reward_names([{"completion": "<SOLUTION>3</SOLUTION>", "answer": "3"}])[1][-3:]
        ('accuracy_reward_ko', 'language_consistency_ko', 'repetition_penalty_ko')
    """
    kind = rows_kind(rows, answer_key)
    return kind, DEFAULT_REWARDS[kind]
