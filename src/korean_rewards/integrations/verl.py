"""Rewards of this library as verl's ``compute_score`` (verl >= 0.9, its reward loop).

verl loads ``reward.custom_reward_function.path`` / ``.name`` in each reward-loop worker (a Ray actor that
asks for no GPU) and calls it once per sample, ``compute_score(data_source=, solution_str=, ground_truth=,
extra_info=, **reward_kwargs)``; it awaits ``async`` functions. The result's ``"score"`` is the reward (put on
the last response token) and every other key becomes ``reward_extra_info`` (validation metrics, dumped
generations), with the key set of the first sample. So the functions here:

- are ``async``: the concurrent calls of one worker are gathered into one reward call per batch for model
  rewards (BERTScore, BLEURT), so a worker runs one forward pass per batch, not per sample;
- return ``{"score": float, <component>: float, ..., "gold_missing": 0.0/1.0}`` with one fixed key set per
  reward and never ``None`` (see :mod:`korean_rewards.integrations.rows` for the values given to a ``None``);
- pass ``ground_truth`` as the gold column (``answer``, or the reward's ``answer_key``), ``extra_info`` entries
  as dataset columns (an ``extra_info["prompt"]`` becomes the ``prompts`` argument) and ``data_source`` as the
  ``data_source`` column; they ignore verl's ``reward_router_address`` / ``reward_model_tokenizer`` arguments.

Config (the reward by name, options in the spec)::

    reward.custom_reward_function.path=pkg://korean_rewards.integrations.verl
    reward.custom_reward_function.name=compute_score
    +reward.custom_reward_function.reward_kwargs.reward='check_numbers_ko(rel_tol=0.01)'

or a file of your own with ``compute_score = make_compute_score(combine({...}, name="mix"))``.

Example:
    >>> import asyncio
    >>> result = asyncio.run(compute_score("gsm8k_ko", "<SOLUTION>42</SOLUTION>", "42", {}, reward="check_numbers_ko"))
    >>> result
    {'score': 3.5, 'gold_missing': 0.0}
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import warnings
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .batching import BatchedScorer
from .rows import Row, RowScorer

__all__ = ["compute_score", "make_compute_score", "make_remote_compute_score", "DEFAULT_REWARD"]

#: The reward ``compute_score`` uses when ``reward_kwargs.reward`` is not given.
DEFAULT_REWARD = "accuracy_reward_ko"

# Arguments verl adds to the call that are not dataset columns.
_VERL_ARGUMENTS = frozenset({"reward_router_address", "reward_model_tokenizer"})

ComputeScore = Callable[..., Awaitable[dict[str, float]]]

_WARNED: set[str] = set()


def _warn_unknown(kwargs: Mapping[str, Any]) -> None:
    """One warning per unknown keyword (a misspelt ``reward_kwargs`` key would otherwise do nothing)."""
    for key in sorted(set(kwargs) - _VERL_ARGUMENTS - _WARNED):
        _WARNED.add(key)
        warnings.warn(
            f"korean_rewards' verl compute_score ignores the argument {key!r} (from reward_kwargs?); it takes "
            "reward=<spec> and missing_gold_score=<number>",
            UserWarning,
            stacklevel=3,
        )


def _row(data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any) -> Row:
    columns = dict(extra_info) if isinstance(extra_info, Mapping) else {}
    prompt = columns.pop("prompt", None)
    columns.setdefault("data_source", data_source)
    text = solution_str if isinstance(solution_str, str) else ("" if solution_str is None else str(solution_str))
    return Row(text, gold=ground_truth, columns=columns, prompt=prompt)


def _as_compute_score(score_row: Callable[[Row], Awaitable[dict[str, float]]]) -> ComputeScore:
    """verl's calling convention around a coroutine that scores one :class:`Row` (a real ``async def``, which
    is what verl checks with ``inspect.iscoroutinefunction`` to await it)."""

    async def compute_score(
        data_source: Any = None,
        solution_str: Any = "",
        ground_truth: Any = None,
        extra_info: Any = None,
        **kwargs: Any,
    ) -> dict[str, float]:
        _warn_unknown(kwargs)
        return await score_row(_row(data_source, solution_str, ground_truth, extra_info))

    return compute_score


def make_compute_score(
    reward: Any,
    *,
    missing_gold_score: float = 0.0,
    none_score: float | None = None,
    batch: bool | None = None,
    max_batch: int = 64,
    max_wait_ms: float = 5.0,
) -> ComputeScore:
    """verl's ``compute_score`` for a reward of your own (a reward callable, a ``combine``, or a spec string).

    Put it in a file and point ``reward.custom_reward_function.path`` at the file. ``missing_gold_score`` is the
    score of a row without a gold value; ``none_score`` the score where the reward gives ``None`` for another
    reason (default: the reward's lowest score). ``batch`` (default: for model rewards), ``max_batch`` and
    ``max_wait_ms`` control the gathering of concurrent calls. The returned coroutine function has ``keys``
    (the fixed result keys) and ``scorer`` attributes.

    Example:
        >>> import asyncio
        >>> from korean_rewards import combine, check_numbers_ko, match_format_exactly
        >>> compute_score = make_compute_score(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix"))
        >>> compute_score.keys
        ('score', 'check_numbers_ko', 'match_format_exactly', 'gold_missing')
        >>> text = "<start_working_out>6*7<end_working_out><SOLUTION>42</SOLUTION>"
        >>> asyncio.run(compute_score(data_source="ko", solution_str=text, ground_truth="42", extra_info={}))
        {'score': 5.0, 'check_numbers_ko': 3.5, 'match_format_exactly': 3.0, 'gold_missing': 0.0}
    """
    scorer = BatchedScorer(
        RowScorer(reward, missing_gold_score=missing_gold_score, none_score=none_score),
        batch=batch,
        max_batch=max_batch,
        max_wait_ms=max_wait_ms,
    )

    compute_score = _as_compute_score(scorer.score_async)
    compute_score.keys = scorer.scorer.keys  # type: ignore[attr-defined]
    compute_score.scorer = scorer  # type: ignore[attr-defined]
    compute_score.__doc__ = f"verl compute_score for {scorer.scorer.name}"
    return compute_score


_BY_SPEC: dict[tuple[str, float], ComputeScore] = {}
_BY_SPEC_LOCK = threading.Lock()


def _for_spec(reward: str, missing_gold_score: float) -> ComputeScore:
    key = (reward, missing_gold_score)
    with _BY_SPEC_LOCK:
        if key not in _BY_SPEC:
            _BY_SPEC[key] = make_compute_score(reward, missing_gold_score=missing_gold_score)
        return _BY_SPEC[key]


async def compute_score(
    data_source: Any = None,
    solution_str: Any = "",
    ground_truth: Any = None,
    extra_info: Any = None,
    *,
    reward: str = DEFAULT_REWARD,
    missing_gold_score: float = 0.0,
    **kwargs: Any,
) -> dict[str, float]:
    """verl's ``compute_score`` for a reward named in the config (``reward_kwargs.reward=<spec>``).

    ``reward`` is a spec as ``korean-rewards score --reward`` takes it (:func:`korean_rewards.registry.resolve_reward`):
    a public reward name, ``name(option=value)``, ``module:attr`` or ``path/to/file.py:attr``; each worker builds it
    once. ``missing_gold_score`` (also from ``reward_kwargs``) is the
    score of a row whose ``ground_truth`` is missing. verl's ``reward_router_address`` and
    ``reward_model_tokenizer`` are ignored; any other keyword is ignored with a warning (once per name).

    Example:
        >>> import asyncio
        >>> asyncio.run(compute_score("ko", "<SOLUTION>3</SOLUTION>", None, reward="check_numbers_ko"))
        {'score': 0.0, 'gold_missing': 1.0}
    """
    _warn_unknown(kwargs)
    function = _for_spec(reward, missing_gold_score)
    return await function(data_source, solution_str, ground_truth, extra_info)


def make_remote_compute_score(url: str, *, timeout: float = 180.0, retries: int = 5) -> ComputeScore:
    """verl's ``compute_score`` that asks a ``korean-rewards serve`` server (e.g. BERTScore on a GPU node).

    verl's reward workers have no GPU; this posts each sample to ``url`` (``http://host:port/get_reward``) as
    ``{"query": [solution_str], "prompts": [""], "labels": [ground_truth]}`` and returns the server's reward and
    ``extra_logs`` as ``{"score": ..., <key>: ...}``. The server gathers the concurrent requests of all workers into
    batches. Connection errors and HTTP 5xx are retried ``retries`` times (1 s apart, for a server that is still
    starting); an HTTP 4xx (a ground truth that is not JSON, say) raises at once with the server's message.

    Example:
        >>> compute_score = make_remote_compute_score("http://127.0.0.1:5000/get_reward")
        >>> compute_score.url
        'http://127.0.0.1:5000/get_reward'
    """

    def post(body: bytes) -> dict[str, Any]:
        request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
        for attempt in range(retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:
                if error.code < 500 or attempt == retries:
                    raise RuntimeError(f"{url} answered HTTP {error.code}: {error.read().decode(errors='replace')}") from None
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if attempt == retries:
                    raise
            time.sleep(1.0)
        raise AssertionError("unreachable")

    async def remote(row: Row) -> dict[str, float]:
        body = json.dumps({"query": [row.completion], "prompts": [""], "labels": [row.gold]}, default=str).encode()
        answer = await asyncio.to_thread(post, body)
        result = {"score": float(answer["rewards"][0])}
        result.update({key: float(values[0]) for key, values in answer.get("extra_logs", {}).items()})
        return result

    compute_score = _as_compute_score(remote)
    compute_score.url = url  # type: ignore[attr-defined]
    return compute_score
