"""Generating answers for a dev set, as :class:`~korean_rewards.callbacks.EvaluateOnSaveCallback` does at each
save: prompts rendered with the tokenizer's chat template, batched greedy (or sampled) generation with left
padding, and under distributed training each rank generating its share (the same number of ``generate`` calls on
every rank, so sharded models work), gathered in order.

Example:
    >>> generation = DevSetGeneration(generate_fn=lambda model, tokenizer, prompts: [p.upper() for p in prompts],
    ...                               prompt_builder=lambda item: item.id)
    >>> from korean_rewards.evaluation import Item
    >>> generation.generate_all(None, None, [Item("a", ""), Item("b", "")])
    ['A', 'B']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .evaluation import Item

__all__ = ["DevSetGeneration", "distributed", "shard"]


class DevSetGeneration:
    """How answers are generated for dev items: the prompt, the generation settings, the post-processing.

    ``prompt_builder`` gives a string or a list of chat messages (rendered with the tokenizer's chat template and
    ``chat_template_kwargs``); ``options`` go to ``model.generate`` (greedy, 256 new tokens unless they say
    otherwise), ``batch_size`` prompts at a time; ``generate_fn(model, tokenizer, prompts) -> texts`` replaces
    the built-in generation; ``postprocess`` maps each generated text to the answer.

    Example:
        >>> DevSetGeneration(lambda item: "q", options={"max_new_tokens": 8}).options
        {'max_new_tokens': 8, 'do_sample': False}
    """

    def __init__(
        self,
        prompt_builder: Callable[[Item], str | list[dict[str, str]]],
        *,
        options: Mapping[str, Any] | None = None,
        batch_size: int = 8,
        generate_fn: Callable[[Any, Any, list[str]], list[str]] | None = None,
        postprocess: Callable[[str], str] = str.strip,
        chat_template_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        self.options = {"max_new_tokens": 256, "do_sample": False, **(options or {})}
        max_new_tokens = self.options["max_new_tokens"]
        if not isinstance(max_new_tokens, int) or max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be a positive integer, got {max_new_tokens!r}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.prompt_builder = prompt_builder
        self.batch_size = batch_size
        self.generate_fn = generate_fn
        self.postprocess = postprocess
        self.chat_template_kwargs = dict(chat_template_kwargs or {})

    def render(self, tokenizer: Any, items: Sequence[Item]) -> tuple[list[str], bool]:
        """Prompt strings for every item, and whether the tokenizer should add its special tokens.

        Example:
            >>> DevSetGeneration(prompt_builder=lambda item: f"Q{item.id}").render(None, [Item("1", "")])
            (['Q1'], True)
        """
        prompts: list[str] = []
        templated = False
        for item in items:
            prompt = self.prompt_builder(item)
            if isinstance(prompt, str):
                prompts.append(prompt)
            elif getattr(tokenizer, "chat_template", None):
                templated = True
                prompts.append(
                    tokenizer.apply_chat_template(
                        list(prompt), tokenize=False, add_generation_prompt=True, **self.chat_template_kwargs
                    )
                )
            else:  # no chat template: the messages' contents, one paragraph each
                prompts.append("\n\n".join(str(message.get("content", "")) for message in prompt) + "\n\n")
        return prompts, not templated

    def generate_all(self, model: Any, tokenizer: Any, items: Sequence[Item]) -> list[str]:
        """Answers for every item, in order; shared across ranks when training is distributed (see the module)."""
        prompts, add_special_tokens = self.render(tokenizer, items)
        dist = distributed()
        if dist is None:
            return self.generate(model, tokenizer, prompts, add_special_tokens)
        rank, world = dist.get_rank(), dist.get_world_size()
        indices, per_rank = shard(len(prompts), rank, world)
        local = [prompts[i] for i in indices]
        local += [prompts[0]] * (per_rank - len(local))  # the same number of generate calls on every rank
        answers = self.generate(model, tokenizer, local, add_special_tokens)[: len(indices)]
        gathered: list[Any] = [None] * world
        dist.all_gather_object(gathered, list(zip(indices, answers)))
        merged = [""] * len(prompts)
        for part in gathered:
            for index, answer in part:
                merged[index] = answer
        return merged

    def generate(self, model: Any, tokenizer: Any, prompts: list[str], add_special_tokens: bool) -> list[str]:
        """The post-processed answers to ``prompts`` (this process's share), with ``generate_fn`` or ``model.generate``.

        Example:
            >>> DevSetGeneration(prompt_builder=str, generate_fn=lambda m, t, p: [" x "] * len(p)).generate(None, None, ["a"], True)
            ['x']
        """
        if self.generate_fn is not None:
            texts = list(self.generate_fn(model, tokenizer, prompts))
            if len(texts) != len(prompts):
                raise ValueError(f"generate_fn returned {len(texts)} texts for {len(prompts)} prompts")
            return [self.postprocess(text) for text in texts]

        import torch

        was_training = model.training
        padding_side, pad_token = tokenizer.padding_side, tokenizer.pad_token
        tokenizer.padding_side = "left"  # decoder-only generation continues at the right edge
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        options = {"pad_token_id": tokenizer.pad_token_id, **self.options}
        device = getattr(model, "device", None) or next(model.parameters()).device
        answers: list[str] = []
        model.eval()
        try:
            with torch.no_grad():
                for start in range(0, len(prompts), self.batch_size):
                    batch = prompts[start : start + self.batch_size]
                    encoded = tokenizer(
                        batch, return_tensors="pt", padding=True, add_special_tokens=add_special_tokens
                    ).to(device)
                    output = model.generate(**encoded, **options)
                    new_tokens = output[:, encoded["input_ids"].shape[1] :]
                    answers.extend(tokenizer.batch_decode(new_tokens, skip_special_tokens=True))
        finally:
            tokenizer.padding_side = padding_side
            tokenizer.pad_token = pad_token
            model.train(was_training)
        return [self.postprocess(text) for text in answers]


def distributed() -> Any:
    """``torch.distributed`` when a process group with more than one process is running, else ``None``.

    Example:
        >>> distributed() is None   # a single process
        True
    """
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        return dist
    return None


def shard(n: int, rank: int, world: int) -> tuple[list[int], int]:
    """The item indices of one rank (strided) and the number of prompts every rank generates (equal on all).

    Example:
        >>> shard(5, 0, 2), shard(5, 1, 2)
        (([0, 2, 4], 3), ([1, 3], 3))
    """
    return list(range(rank, n, world)), math.ceil(n / world)
