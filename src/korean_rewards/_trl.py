"""The TRL reward contract, in one place.

Every reward in this library derives from :class:`RewardFunction`. The base class does the parts that
are the same for all of them:

1. turn whatever TRL passes as ``completions`` into plain strings (:func:`completion_text`),
2. read each row's gold text with THE gold reader (:func:`gold_texts`: the ``answer_key`` column or TRL's
   ``solution``, a string or the official ``{"answer": ...}`` shape, ``None`` for a row without a gold) and
   give ``None`` ("does not apply") for a row without a gold, with a clear error when the column is missing,
3. call the subclass's pure scoring code,
4. log what was extracted through ``log_extra`` when the trainer passes it,
5. give every instance a readable ``__name__`` that depends only on its options (or an explicit ``name=``), so
   TRL's ``rewards/<name>/mean`` curves keep their names from run to run;
6. on TRL releases that pass no ``log_extra``, warn once that extra columns cannot be shown, and refuse two
   rewards with one name in the same trainer (see :mod:`korean_rewards._trainer`).

Subclasses are dataclasses (so they pickle without closures) and implement ``_score_batch``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from decimal import Decimal
from fractions import Fraction
from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar

from ._trainer import calling_trainer, check_unique_reward_names, warn_no_extra_columns
from .errors import ParameterError, literal

__all__ = [
    "GOLD_ALIAS",
    "GOLD_COLUMN",
    "ColumnError",
    "RewardFunction",
    "RewardOutput",
    "completion_text",
    "completion_texts",
    "gold_column",
    "gold_key",
    "gold_text",
    "gold_texts",
    "score_span",
]

RewardOutput = list[float | None]

# Roles whose text is *not* the model's own output in a conversational completion.
_NON_MODEL_ROLES = frozenset({"tool", "user", "system", "ipython", "function"})


def _content_text(content: Any) -> str:
    """Text of one message's ``content``: a string, a list of content parts, or anything else (-> "")."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, (bytes, bytearray)):
        return bytes(content).decode("utf-8", errors="replace")
    if isinstance(content, Mapping):
        # a single content part, e.g. {"type": "text", "text": "..."}
        text = content.get("text")
        if isinstance(text, str):
            return text
        inner = content.get("content")
        return _content_text(inner) if inner is not content else ""
    if isinstance(content, (list, tuple)):
        parts = [_content_text(part) for part in content]
        return "".join(part for part in parts if part)
    return ""


def completion_text(completion: Any) -> str:
    """Return the model's text from one completion in any format TRL uses.

    - a plain string is returned as it is;
    - a conversational completion (a list of message dicts) gives the text of the model's messages
      (role ``assistant`` or no role), joined with a newline; tool, user and system messages are skipped,
      so a completion with tool calls still yields what the model wrote;
    - a message's ``content`` may be a string, a list of content parts (``{"type": "text", "text": ...}``)
      or ``None``;
    - bytes are decoded as UTF-8 with replacement; anything else (``None``, numbers, objects) gives ``""``.

    It never raises on what the model wrote: a reward then scores the empty string. A message whose ``role`` is
    not a string is a bug in the calling code and raises a ``TypeError`` naming the field.

    Example:
        >>> completion_text("<SOLUTION>42</SOLUTION>")
        '<SOLUTION>42</SOLUTION>'
        >>> completion_text([{"role": "assistant", "content": "답: 3"}])
        '답: 3'
        >>> completion_text([{"role": "assistant", "content": [{"type": "text", "text": "삼백"}]}])
        '삼백'
        >>> completion_text([{"role": "assistant", "content": None}]), completion_text(None)
        ('', '')
    """
    if isinstance(completion, str):
        return completion
    if completion is None:
        return ""
    if isinstance(completion, (bytes, bytearray)):
        return bytes(completion).decode("utf-8", errors="replace")
    if isinstance(completion, Mapping):
        return _content_text(completion.get("content"))
    if isinstance(completion, (list, tuple)):
        texts = []
        for message in completion:
            if isinstance(message, Mapping):
                role = message.get("role")
                if role is not None and not isinstance(role, str):
                    raise TypeError(
                        f"a message's 'role' must be a string such as 'assistant', got {type(role).__name__}: "
                        f"{role!r:.60}; build conversational completions as [{{'role': 'assistant', 'content': ...}}]"
                    )
                if role in _NON_MODEL_ROLES:
                    continue
                texts.append(_content_text(message.get("content")))
            else:
                texts.append(_content_text(message))
        return "\n".join(text for text in texts if text)
    return ""


def completion_texts(completions: Any) -> list[str]:
    """Turn the ``completions`` argument of a reward call into a list of strings, one per completion.

    Raises ``TypeError`` only for programmer misuse: no completions at all, or a single string where a
    batch (a list) is expected.

    Example:
        >>> completion_texts(["a", [{"role": "assistant", "content": "b"}], None])
        ['a', 'b', '']
    """
    if completions is None:
        raise TypeError(
            "a reward was called without `completions`: call it as reward(prompts=..., completions=[...], **columns)"
        )
    if isinstance(completions, (str, bytes)):
        raise TypeError(
            "`completions` must be a list with one completion per sample, not a single string: "
            "wrap it, e.g. reward(completions=[text], answer=[gold])"
        )
    fast = _plain_texts(completions)
    if fast is not None:
        return fast
    try:
        items = list(completions)
    except TypeError as error:  # not iterable
        raise TypeError(
            f"`completions` must be a list of completions, got {type(completions).__name__}"
        ) from error
    return [completion_text(completion) for completion in items]


def _plain_texts(completions: Any) -> list[str] | None:
    """The texts of a batch in TRL's two common shapes, or None when the general conversion is needed.

    Handles only plain strings and one-message assistant completions with string content, for which the result
    is what :func:`completion_text` gives. Rule-based rewards cost about a microsecond per completion, so the
    general conversion would otherwise dominate their time.
    """
    if type(completions) is not list:
        return None
    texts = []
    for completion in completions:
        if type(completion) is str:
            texts.append(completion)
            continue
        if type(completion) is not list or len(completion) != 1:
            return None
        message = completion[0]
        if type(message) is not dict or message.get("role") != "assistant":
            return None
        content = message.get("content")
        if type(content) is not str:
            return None
        texts.append(content)
    return texts


#: The dataset column a reward reads its gold answer from unless its ``answer_key`` says otherwise.
GOLD_COLUMN = "answer"
#: TRL's name for the gold column (``trl.rewards.accuracy_reward(completions, solution)``): a reward with the
#: default ``answer_key`` reads it when the batch has no ``answer`` column.
GOLD_ALIAS = "solution"

# Keyword arguments that TRL adds to every reward call and that are not dataset columns.
_TRAINER_KWARGS = frozenset({"trainer_state", "log_extra", "log_metric", "environments", "completion_ids", "prompts"})


class ColumnError(ParameterError):
    """A column named by a parameter (``answer_key``, ``prompt_key``, ...) is not in the data.

    The message names the parameter, the column and the columns that exist; as every
    :class:`~korean_rewards.errors.ParameterError`, it is a template whose parameter fields a front end renders
    in its own words (the CLI's ``--answer-column``). ``column`` and ``available`` are attributes too.

    Example:
        >>> error = ColumnError("{prompt_key}'q': no row has that column; the rows have: answer, question",
        ...                     parameter="prompt_key", column="q", available=["answer", "question"])
        >>> str(error), error.available
        ("prompt_key='q': no row has that column; the rows have: answer, question", ['answer', 'question'])
        >>> error.render({"prompt_key": "--prompt-column "})
        "--prompt-column 'q': no row has that column; the rows have: answer, question"
    """

    def __init__(self, template: str, *, parameter: str, column: str, available: Sequence[str]) -> None:
        self.column = column
        self.available = list(available)
        super().__init__(template, parameter=parameter)


def gold_key(columns: Collection[str], key: str = GOLD_COLUMN) -> str:
    """The column to read the gold answers from: ``key``, or TRL's ``solution`` when ``key`` is the default
    ``answer`` and the data has ``solution`` but no ``answer`` (one alias rule for every reward, ``combine`` and
    ``audit_rewards``).

    Example:
        >>> gold_key(["prompt", "solution"]), gold_key(["answer", "solution"]), gold_key(["solution"], "gold")
        ('solution', 'answer', 'gold')
    """
    if key == GOLD_COLUMN and key not in columns and GOLD_ALIAS in columns:
        return GOLD_ALIAS
    return key


def gold_text(value: Any) -> str | None:
    """The text of one gold value, or ``None`` when the row has no gold: THE reader of a row's gold.

    - a string is the gold as it is (a blank one too: rewards score it as they score any unreadable gold);
    - the official 말평 shape ``{"answer": ...}`` (an item's ``output``) gives its ``answer``, read by these rules;
      a message ``{"role": ..., "content": ...}`` or a list of messages gives its text (:func:`completion_text`);
    - bytes are decoded as UTF-8; an integral float is written without ``.0`` (pandas turns an integer column
      with a gap into floats), other numbers with ``str``;
    - ``None`` and NaN (a pandas gap) are no gold.

    Every reward that reads a gold column, :func:`~korean_rewards.combine` and
    :func:`~korean_rewards.audit_rewards` read it through this function, and a row without a gold gives ``None``
    ("does not apply") from all of them. How a gold *text* is read as a number (GSM8K's ``#### N``,
    ``\\boxed{}``) is up to the reward that compares numbers.

    Raises ``ValueError`` for a dict that has neither ``answer`` nor ``content`` (a malformed dataset).

    Example:
        >>> gold_text('"가"가 옳다. 이유'), gold_text({"answer": '"가"가 옳다. 이유'}), gold_text(84.0)
        ('"가"가 옳다. 이유', '"가"가 옳다. 이유', '84')
        >>> gold_text(None), gold_text(float("nan")), gold_text({"answer": None})
        (None, None, None)
    """
    if isinstance(value, str):
        return value
    if value is None or type(value).__name__ in _PANDAS_MISSING:
        return None
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return _number_text(value)
    if isinstance(value, Mapping):
        if "answer" in value:
            return gold_text(value["answer"])
        if "content" in value:
            return gold_text(completion_text(value))
        raise ValueError(
            f"a gold value is a dict without an 'answer' key (its keys: {', '.join(map(str, value)) or 'none'}): "
            "store the gold answer as a string, or as the official shape {'answer': '...'}"
        )
    if isinstance(value, (bytes, bytearray, list, tuple)):
        return gold_text(completion_text(value))
    return str(value)


_PANDAS_MISSING = frozenset({"NAType", "NaTType"})  # pandas.NA and pandas.NaT, without importing pandas


def _number_text(value: numbers.Number) -> str | None:
    """A numeric gold as text: NaN is no gold, an integral float (numpy's too) has no ``.0``, a Fraction or
    Decimal keeps its exact text.

    Example:
        >>> _number_text(84.0), _number_text(0.5), _number_text(1e300), _number_text(float("nan"))
        ('84', '0.5', '1e+300', None)
    """
    try:
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # complex numbers, huge Decimals
        return str(value)
    if math.isnan(as_float):
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, (Fraction, Decimal)):
        return str(value)
    if as_float.is_integer() and abs(as_float) < 2**53:  # exactly an integer: "84", not "84.0"
        return str(int(as_float))
    return str(value)  # numpy's float32 0.1 as "0.1", not its binary expansion


def gold_column(kwargs: Mapping[str, Any], key: str, n: int, reward_name: str = "this reward") -> list[Any]:
    """Return the gold column ``key`` (or its alias, :func:`gold_key`) from a reward call's kwargs, checked
    against ``n`` completions.

    Raises :class:`ColumnError` (a ``ValueError``) naming the column and the fix when it is missing, and
    ``ValueError`` when its length differs.

    Example:
        >>> gold_column({"answer": ["3", "4"]}, "answer", 2), gold_column({"solution": ["3"]}, "answer", 1)
        (['3', '4'], ['3'])
        >>> gold_column({"question": ["?"]}, "answer", 1)
        Traceback (most recent call last):
        ...
        korean_rewards._trl.ColumnError: this reward needs the dataset column 'answer', but the batch has only ['question']. Add an 'answer' column to your dataset (TRL's name 'solution' works too), or pass answer_key='<your column>' when you create the reward.
    """
    column_name = gold_key(kwargs, key)
    if column_name not in kwargs:
        columns = sorted(k for k in kwargs if k not in _TRAINER_KWARGS)
        alias = f" (TRL's name {GOLD_ALIAS!r} works too)" if key == GOLD_COLUMN else ""
        raise ColumnError(
            literal(
                f"{reward_name} needs the dataset column {key!r}, but the batch has only {columns}. "
                f"Add an {key!r} column to your dataset{alias}, or pass ",
                quote=False,
            )
            + "{answer_key}'<your column>' when you create the reward.",
            parameter="answer_key",
            column=key,
            available=columns,
        )
    column = kwargs[column_name]
    if isinstance(column, (str, bytes)) or not isinstance(column, Sequence):
        try:
            column = list(column)  # numpy arrays, tensors, tuples of golds
        except TypeError:
            column = None
        if column is None or isinstance(kwargs[column_name], (str, bytes)):
            raise TypeError(
                f"the column {column_name!r} passed to {reward_name} must be a list with one gold value per "
                f"completion, got {type(kwargs[column_name]).__name__}"
            )
    if len(column) != n:
        raise ValueError(
            f"{reward_name} got {n} completions but {len(column)} values in the column {column_name!r}: "
            "pass one gold value per completion (TRL repeats each row num_generations times for you)"
        )
    return list(column)


def gold_texts(kwargs: Mapping[str, Any], key: str, n: int, reward_name: str = "this reward") -> list[str | None]:
    """The gold text of each row of a reward call (:func:`gold_column` read with :func:`gold_text`); ``None``
    marks a row without a gold.

    Example:
        >>> gold_texts({"solution": [{"answer": "3"}, None, 4.0]}, "answer", 3)
        ['3', None, '4']
    """
    return [gold_text(value) for value in gold_column(kwargs, key, n, reward_name)]


def _short(value: Any) -> str | None:
    """A short rendering of a configuration value for a reward's name, or None when it has none."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str) and len(value) <= 24 and "/" not in value and value.isprintable():
        return value
    return None


class RewardFunction:
    """Base class of every reward: TRL's calling convention, gold lookup, logging and naming.

    A subclass is a ``@dataclass(eq=False)`` with its options as fields. It sets the class attributes
    ``base_name`` (the name of its default instance) and ``needs_gold`` (whether it reads the gold column
    named by its ``answer_key`` field), and implements ``_score_batch(texts, golds, kwargs)``, which returns a
    list with one ``float | None`` per text, or that list and a dict of columns to log (one value per text).
    ``golds`` holds the gold *texts* (:func:`gold_text`); a row without a gold has ``""`` there and gets
    ``None`` whatever ``_score_batch`` returns for it.

    A configured instance is named after what differs from the defaults, e.g. ``check_numbers_ko(rel_tol=0.01)``;
    a field ``name`` set by the user wins. The name depends on nothing else (not on how many rewards the process
    built before), so two equal configurations share a name; a trainer given two rewards with one name raises
    a ``ValueError`` at its first reward call, asking for ``name=``.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(eq=False)
        ... class LengthReward(RewardFunction):
        ...     base_name = "length_reward"
        ...     per_char: float = 0.1
        ...     name: str | None = None
        ...     def _score_batch(self, texts, golds, kwargs):
        ...         return [self.per_char * len(t) for t in texts]
        >>> LengthReward()(completions=["ab", [{"role": "assistant", "content": "abcd"}]])
        [0.2, 0.4]
        >>> LengthReward(per_char=1.0).__name__
        'length_reward(per_char=1)'
        >>> LengthReward().__name__ == LengthReward().__name__ == "length_reward"   # stable, whatever came before
        True
    """

    base_name: ClassVar[str] = "reward"
    needs_gold: ClassVar[bool] = False
    __name__: str

    def __post_init__(self) -> None:
        if self.needs_gold:
            answer_key = getattr(self, "answer_key", "answer")
            if not isinstance(answer_key, str) or not answer_key:
                raise TypeError(
                    f"{type(self).__name__}: answer_key must be the name of a dataset column, got {answer_key!r}"
                )
        self.__name__ = self._derive_name()

    def _require_numbers(self, *fields: str) -> None:
        """Raise a TypeError naming the field when an option that holds a score is not a finite number."""
        for field in fields:
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise TypeError(f"{type(self).__name__}: `{field}` must be a finite number, got {value!r}")

    # -- naming ---------------------------------------------------------------------------------
    def _derive_name(self) -> str:
        explicit = getattr(self, "name", None)
        if explicit:
            return str(explicit)
        changed = []
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            if field.name == "name" or not field.init:
                continue
            default = _field_default(field)
            value = getattr(self, field.name)
            if default is not dataclasses.MISSING and _same(value, default):
                continue
            rendered = _short(value)
            changed.append(f"{field.name}={rendered}" if rendered is not None else field.name)
        return f"{self.base_name}({', '.join(changed)})" if changed else self.base_name

    # -- the TRL call ---------------------------------------------------------------------------
    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> RewardOutput:
        texts = completion_texts(completions)
        trainer = calling_trainer(kwargs)
        if trainer is not None:
            check_unique_reward_names(trainer)
        golds = None
        no_gold: list[int] = []
        if self.needs_gold:
            read = gold_texts(kwargs, getattr(self, "answer_key", GOLD_COLUMN), len(texts), self.__name__)
            # a row without a gold means "does not apply", the same for every reward (and for combine)
            no_gold = [i for i, gold in enumerate(read) if gold is None]
            golds = ["" if gold is None else gold for gold in read]
        kwargs.setdefault("prompts", prompts)
        result = self._score_batch(texts, golds, kwargs)
        if isinstance(result, tuple):
            scores, extras = result
        else:
            scores, extras = result, {}
        if len(scores) != len(texts):  # a bug in this library, never the user's fault
            raise RuntimeError(f"{self.__name__} returned {len(scores)} scores for {len(texts)} completions")
        if no_gold:
            scores = list(scores)
            for i in no_gold:
                scores[i] = None
        log_extra = kwargs.get("log_extra")
        if callable(log_extra):
            for column, values in extras.items():
                log_extra(f"{self.__name__}/{column}", list(values))
        elif extras and trainer is not None:
            warn_no_extra_columns(self.__name__)
        return [None if score is None else float(score) for score in scores]

    def _score_batch(
        self, texts: list[str], golds: list[Any] | None, kwargs: dict[str, Any]
    ) -> RewardOutput | tuple[RewardOutput, dict[str, list[Any]]]:
        raise NotImplementedError

    # -- the range of the scores ----------------------------------------------------------------
    @property
    def score_range(self) -> tuple[float, float] | None:
        """``(lowest, highest)`` score this reward can give with its options, or ``None`` when unknown.

        :func:`~korean_rewards.combine` uses the lowest score for a component that returns ``None``, so that
        no completion gains by dodging a component. Subclasses implement ``_score_range``.

        Example:
            >>> from korean_rewards import check_numbers_ko, language_consistency_ko
            >>> check_numbers_ko.score_range, language_consistency_ko.score_range
            ((-2.5, 3.5), (0.0, 1.0))
        """
        return self._score_range()

    def _score_range(self) -> tuple[float, float] | None:
        return None

    # -- conveniences ---------------------------------------------------------------------------
    def score(self, completion: Any, gold: Any = None, **columns: Any) -> float | None:
        """Score one completion (and its gold value when the reward needs one).

        Example:
            >>> from korean_rewards import check_numbers_ko
            >>> check_numbers_ko.score("<SOLUTION>삼백오십</SOLUTION>", "350")
            3.5
        """
        batch = {key: [value] for key, value in columns.items()}
        if self.needs_gold:
            batch[getattr(self, "answer_key", "answer")] = [gold]
        return self(prompts=[None], completions=[completion], **batch)[0]

    def configure(self, **changes: Any) -> RewardFunction:
        """Return a new reward like this one with some options changed (named after its options).

        Example:
            >>> from korean_rewards import check_numbers_ko
            >>> lenient = check_numbers_ko.configure(rel_tol=0.01)
            >>> lenient.score("<SOLUTION>100.5</SOLUTION>", "100")
            3.5
        """
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def __repr__(self) -> str:
        return f"<reward {self.__name__}>"


def score_span(*values: float) -> tuple[float, float]:
    """``(min, max)`` of some scores, as floats (what a reward's ``_score_range`` returns).

    Example:
        >>> score_span(3.5, -1.5, 0)
        (-1.5, 3.5)
    """
    return float(min(values)), float(max(values))


def _field_default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return field.default_factory()  # type: ignore[misc]
    return dataclasses.MISSING


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - e.g. arrays with ambiguous truth values
        return a is b
