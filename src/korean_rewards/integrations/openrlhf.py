"""Rewards of this library as OpenRLHF's ``reward_func`` (``--reward.remote_url my_reward.py``, OpenRLHF >= 0.11).

OpenRLHF loads the attribute ``reward_func`` of a ``.py`` file inside each vLLM rollout actor and calls it per
sample from a worker thread, ``reward_func([query], [prompt], [label])``, where ``query`` is the prompt plus the
response decoded *with* special tokens. It expects ``{"rewards": tensor, "scores": tensor, "extra_logs":
{key: tensor}}``; an exception is swallowed (the sample's reward becomes ``None`` and the experience step fails
later) and a non-numeric ``extra_logs`` value raises. :func:`make_reward_func` builds such a function:

- the response is recovered from ``query`` (:func:`response_from_query`): after the prompt when the query starts
  with it, else after the last assistant-turn marker of common chat templates; the trailing end-of-turn / EOS /
  pad tokens are removed, so format rewards see what TRL would show them;
- every value is a float, never ``None``; ``extra_logs`` has the same keys for every sample (the components of a
  ``combine`` and ``gold_missing``; see :mod:`korean_rewards.integrations.rows`);
- concurrent calls of model rewards are gathered into batches.

A file for ``--reward.remote_url``::

    from korean_rewards import combine, check_numbers_ko, match_format_exactly
    from korean_rewards.integrations.openrlhf import make_reward_func

    reward_func = make_reward_func(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix"))

Example:
    >>> reward_func = make_reward_func("check_numbers_ko")
    >>> prompt = "<|im_start|>user\\n6 곱하기 7은?<|im_end|>\\n<|im_start|>assistant\\n"
    >>> out = reward_func([prompt + "<SOLUTION>42</SOLUTION><|im_end|>"], [prompt], ["42"])
    >>> out["rewards"].tolist(), sorted(out["extra_logs"])
    ([3.5], ['gold_missing'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .batching import BatchedScorer
from .rows import Row, RowScorer

__all__ = [
    "make_reward_func",
    "response_from_query",
    "rows_from_queries",
    "END_MARKERS",
    "ASSISTANT_MARKERS",
    "BOS_MARKERS",
]

#: End-of-turn, end-of-text and pad tokens that ``skip_special_tokens=False`` leaves at the end of a response
#: (Qwen / ChatML, Llama 3, Gemma, EXAONE, Llama 2 / Mistral, Phi).
END_MARKERS: tuple[str, ...] = (
    "<|im_end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|end_of_text|>",
    "<|finetune_right_pad_id|>",
    "<end_of_turn>",
    "<eos>",
    "<pad>",
    "[|endofturn|]",
    "</s>",
    "<|end|>",
)

#: Where the assistant's turn starts in common chat templates (the text after the last one is the response).
ASSISTANT_MARKERS: tuple[str, ...] = (
    "<|im_start|>assistant\n",
    "<|im_start|>assistant",
    "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "<|start_header_id|>assistant<|end_header_id|>",
    "<start_of_turn>model\n",
    "<start_of_turn>model",
    "[|assistant|]",
)

#: Beginning-of-text tokens a decoded query may start with when the prompt string does not (or the reverse).
BOS_MARKERS: tuple[str, ...] = ("<|begin_of_text|>", "<bos>", "<s>", "[BOS]")


def _drop_bos(text: str, bos: Sequence[str]) -> str:
    for marker in bos:
        if marker and text.startswith(marker):
            return text[len(marker) :]
    return text


def _strip_trailing_markers(text: str, markers: Sequence[str]) -> str:
    """Remove the end markers of the trailing run of markers and whitespace; keep the whitespace (as decoding
    with ``skip_special_tokens=True`` does). Linear in the text."""
    markers = [marker for marker in markers if marker]
    cut = len(text)
    position = len(text)
    while True:
        end = position
        while end > 0 and text[end - 1].isspace():
            end -= 1
        found = next((m for m in markers if end >= len(m) and text.startswith(m, end - len(m))), None)
        if found is None:
            break
        position = cut = end - len(found)
    if cut == len(text):
        return text
    tail = text[cut:]
    for marker in sorted(markers, key=len, reverse=True):
        tail = tail.replace(marker, "")
    return text[:cut] + tail


def response_from_query(
    query: Any,
    prompt: Any = None,
    *,
    end_markers: Sequence[str] = END_MARKERS,
    assistant_markers: Sequence[str] = ASSISTANT_MARKERS,
    bos_markers: Sequence[str] = BOS_MARKERS,
) -> str:
    """The response inside an OpenRLHF ``query`` (prompt + response, decoded with special tokens).

    In order: the text after ``prompt`` when the query starts with it (a leading BOS token ignored on either
    side); else the text after the last of ``assistant_markers``; else the whole query. Then the trailing
    ``end_markers`` are removed. Never raises: a query that is not a string counts as empty.

    Example:
        >>> prompt = "<|im_start|>user\\n질문<|im_end|>\\n<|im_start|>assistant\\n"
        >>> response_from_query(prompt + "답은 3<|im_end|><|endoftext|>", prompt)
        '답은 3'
        >>> response_from_query("<|begin_of_text|><|start_header_id|>assistant<|end_header_id|>\\n\\n답<|eot_id|>",
        ...                     "a prompt that was decoded differently")
        '답'
    """
    if not isinstance(query, str):
        return ""
    body = None
    if isinstance(prompt, str) and prompt:
        query_text, prompt_text = _drop_bos(query, bos_markers), _drop_bos(prompt, bos_markers)
        if query_text.startswith(prompt_text):
            body = query_text[len(prompt_text) :]
    if body is None:
        best = -1
        for marker in assistant_markers:
            at = query.rfind(marker) if marker else -1
            if at >= 0 and at + len(marker) > best:
                best = at + len(marker)
        body = query[best:] if best >= 0 else _drop_bos(query, bos_markers)
    return _strip_trailing_markers(body, end_markers)


def rows_from_queries(
    queries: Sequence[Any],
    prompts: Sequence[Any] | None,
    labels: Sequence[Any] | None,
    recover: Callable[[Any, Any], str] = response_from_query,
) -> list[Row]:
    """OpenRLHF's three lists as :class:`~korean_rewards.integrations.rows.Row` (``ValueError`` when their
    lengths differ; ``prompts`` / ``labels`` may be ``None``).

    Example:
        >>> rows_from_queries(["질문 답"], ["질문 "], ["답"])[0].completion
        '답'
    """
    n = len(queries)
    prompts = [None] * n if prompts is None else list(prompts)
    labels = [None] * n if labels is None else list(labels)
    if len(prompts) != n or len(labels) != n:
        raise ValueError(
            f"reward_func got {n} queries, {len(prompts)} prompts and {len(labels)} labels: pass one of each per sample"
        )
    return [Row(recover(query, prompt), gold=label, prompt=prompt) for query, prompt, label in zip(queries, prompts, labels)]


def make_reward_func(
    reward: Any,
    *,
    end_markers: Sequence[str] = END_MARKERS,
    assistant_markers: Sequence[str] = ASSISTANT_MARKERS,
    missing_gold_score: float = 0.0,
    none_score: float | None = None,
    batch: bool | None = None,
    max_batch: int = 64,
    max_wait_ms: float = 5.0,
) -> Callable[..., dict[str, Any]]:
    """OpenRLHF's ``reward_func(queries, prompts, labels, **kwargs)`` for a reward (callable, ``combine`` or spec).

    Returns ``{"rewards": tensor, "scores": tensor, "extra_logs": {key: tensor}}`` (float32, one value per query).
    ``end_markers`` / ``assistant_markers`` configure :func:`response_from_query`; ``missing_gold_score`` is the
    score of a sample whose label is missing, ``none_score`` where the reward gives ``None`` for another reason
    (default: its lowest score); ``batch`` / ``max_batch`` / ``max_wait_ms`` control the gathering of concurrent
    calls (default: batched for model rewards). The function has ``keys`` and ``scorer`` attributes.

    Example:
        >>> from korean_rewards import combine, check_numbers_ko, match_format_exactly
        >>> reward_func = make_reward_func(combine({check_numbers_ko: 1.0, match_format_exactly: 0.5}, name="mix"))
        >>> out = reward_func(["Q: 6*7? A: <SOLUTION>42</SOLUTION></s>"], ["Q: 6*7? A: "], [None])
        >>> out["rewards"].tolist(), {k: v.tolist() for k, v in out["extra_logs"].items()}
        ([0.0], {'check_numbers_ko': [-2.5], 'match_format_exactly': [0.0], 'gold_missing': [1.0]})
    """
    scorer = BatchedScorer(
        RowScorer(reward, missing_gold_score=missing_gold_score, none_score=none_score),
        batch=batch,
        max_batch=max_batch,
        max_wait_ms=max_wait_ms,
    )
    ends, assistants = tuple(end_markers), tuple(assistant_markers)

    def recover(query: Any, prompt: Any) -> str:
        return response_from_query(query, prompt, end_markers=ends, assistant_markers=assistants)

    def reward_func(queries: Sequence[Any], prompts: Sequence[Any] | None = None,
                    labels: Sequence[Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        import torch

        results = scorer.score_many(rows_from_queries(queries, prompts, labels, recover))
        rewards = torch.tensor([result["score"] for result in results], dtype=torch.float32)
        extra_logs = {
            key: torch.tensor([result[key] for result in results], dtype=torch.float32)
            for key in scorer.scorer.keys
            if key != "score"
        }
        return {"rewards": rewards, "scores": rewards.clone(), "extra_logs": extra_logs}

    reward_func.keys = scorer.scorer.keys  # type: ignore[attr-defined]
    reward_func.scorer = scorer  # type: ignore[attr-defined]
    return reward_func
