"""Evaluate every saved checkpoint on a 말평 dev set during training, and keep track of the best one.

:class:`EvaluateOnSaveCallback` is a ``transformers.TrainerCallback``: at each save it generates an answer for
every dev item with the model that was just saved (the in-memory model: a plain transformers model or a
PEFT/LoRA model), writes them in competition format to ``<output_dir>/checkpoint-<step>/predictions.json``,
scores that file with :func:`korean_rewards.evaluation.evaluate_items` (the same code as
``korean-rewards evaluate``), logs the scores and records the best checkpoint in ``<output_dir>/best.json``.

This module imports transformers (and so torch) when it is imported; the rest of the library does not.

Example:
    >>> from korean_rewards.callbacks import EvaluateOnSaveCallback
    >>> dev = [{"id": "1", "input": {"question_type": "선택형", "question": "{깨끗이/깨끗히} 중 옳은 것은?"},
    ...         "output": {"answer": '"깨끗이"가 옳다. 부사는 -이로 적는다.'}}]
    >>> callback = EvaluateOnSaveCallback(dev, bertscore_model=None, metric="exact_match", max_new_tokens=64)
    >>> callback.best_checkpoint is None, len(callback.dev_items)
    (True, 1)
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

from ._generation import DevSetGeneration, distributed
from .evaluation import (
    EvaluationResult,
    Item,
    TextScorer,
    BERTScoreF1,
    evaluate_items,
    load_items,
    write_json,
)

__all__ = [
    "EvaluateOnSaveCallback",
    "DEFAULT_SYSTEM_PROMPT",
    "default_prompt",
    "strip_thinking",
]

logger = logging.getLogger(__name__)

#: The system prompt of :func:`default_prompt`: the expected answer template, in Korean.
DEFAULT_SYSTEM_PROMPT = (
    "당신은 한국어 어문 규범(맞춤법, 띄어쓰기, 표준어, 문장 부호, 외래어 표기법) 전문가입니다. "
    "질문에 답할 때는 먼저 올바른 문장이나 표현을 큰따옴표로 감싸 쓰고 바로 뒤에 '가 옳다.'를 붙인 다음, "
    "그 이유를 어문 규범에 근거하여 설명하세요. "
    '예: "나는 그를 본 적이 있음을 기억해 냈다."가 옳다. \'기억하다\'는 파생어이므로 보조 용언을 띄어 쓴다.'
)

_METRICS = ("exact_match", "rouge1", "bertscore", "bleurt", "descriptive_avg", "final")


def default_prompt(item: Item) -> list[dict[str, str]]:
    """The default chat prompt for a 말평 item: :data:`DEFAULT_SYSTEM_PROMPT`, then the question (with its type).

    Example:
        >>> from korean_rewards.evaluation import Item
        >>> messages = default_prompt(Item("1", "", {"question_type": "교정형", "question": "고치세요."}))
        >>> [m["role"] for m in messages], messages[1]["content"]
        (['system', 'user'], '[교정형] 고치세요.')
    """
    question = str(item.input.get("question", ""))
    question_type = item.input.get("question_type")
    user = f"[{question_type}] {question}" if question_type else question
    return [{"role": "system", "content": DEFAULT_SYSTEM_PROMPT}, {"role": "user", "content": user}]


def strip_thinking(text: str) -> str:
    """The default post-processing of a generation: the text after the last ``</think>`` (if any), stripped.

    Example:
        >>> strip_thinking('<think>음...</think>\\n"깨끗이"가 옳다. 이유')
        '"깨끗이"가 옳다. 이유'
    """
    marker = "</think>"
    if marker in text:
        text = text[text.rindex(marker) + len(marker) :]
    return text.strip()


def _calling_trainer(callback: TrainerCallback) -> Any:
    """The ``transformers.Trainer`` up the call stack whose callback handler holds ``callback``, else ``None``.

    Callbacks receive no trainer, but ``Trainer.train`` is a few frames up when an event fires; finding it lets
    the scores go through ``Trainer.log`` (and so to every ``report_to`` integration).
    """
    from transformers import Trainer

    from ._trainer import find_in_stack

    return find_in_stack(
        lambda candidate: isinstance(candidate, Trainer)
        and callback in getattr(candidate.callback_handler, "callbacks", ()),
        depth=12,
    )


def _check_metric(metric: str, has_bleurt: bool, has_bertscore: bool, rouge: bool) -> None:
    """The metric that picks the best checkpoint must be one that is computed."""
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {', '.join(_METRICS)}; got {metric!r}")
    if metric == "bleurt" and not has_bleurt:
        raise ValueError("metric='bleurt' needs a BLEURT scorer: pass bleurt=<callable>")
    if metric in ("bertscore", "descriptive_avg", "final") and not has_bertscore:
        raise ValueError(
            f"metric={metric!r} needs BERTScore (set bertscore_model or bertscore), or track the best "
            "checkpoint by metric='exact_match'"
        )
    if metric in ("rouge1", "descriptive_avg", "final") and not rouge:
        raise ValueError(f"metric={metric!r} needs rouge=True, or track the best checkpoint by metric='exact_match'")


def _write_and_score(
    path: Path, texts: Sequence[str], dev_items: Sequence[Item], **scorers: Any
) -> tuple[EvaluationResult, dict[str, Any]]:
    """Write the answers as competition items to ``path`` and score them against the dev items (official rules)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [
        {"id": item.id, "input": dict(item.input), "output": {"answer": text}} for item, text in zip(dev_items, texts)
    ]
    write_json(path, records, force=True)
    predictions = load_items(records, what="predictions", name=str(path))
    result = evaluate_items(predictions, dev_items, source=str(path), labels_name="the dev set", **scorers)
    payload = {"predictions": str(path), "scores": result.metrics(), "n_items": result.n_items,
               "n_reason_items": result.n_reason_items}  # fmt: skip
    return result, payload


class EvaluateOnSaveCallback(TrainerCallback):
    """At each checkpoint save, generate answers for a 말평 dev set, score them officially, log and track the best.

    Args:
        dev_set: the dev items with gold answers: a list of competition-format records
            (``{"id", "input": {"question_type", "question"}, "output": {"answer"}}``), a list of
            :class:`~korean_rewards.evaluation.Item`, or a path to such a JSON / JSON Lines file.
        trainer: the trainer, so that the scores go through ``Trainer.log`` (``state.log_history`` *and* every
            ``report_to`` integration: TensorBoard, W&B, ...). Usually not needed: when the callback was given
            to the trainer (``callbacks=[...]`` or ``add_callback``), it finds the trainer that calls its
            ``on_train_begin``. :meth:`attach` registers and binds in one call. If no trainer can be found, the
            scores are appended to ``state.log_history`` only (kept in later checkpoints' ``trainer_state.json``)
            and a warning says so.
        tokenizer: the tokenizer for generation; default: the trainer's ``processing_class``.
        prompt_builder: ``item -> str | list[message dict]``; a message list is rendered with the tokenizer's
            chat template (``add_generation_prompt=True``, plus ``chat_template_kwargs``). Default
            :func:`default_prompt`.
        max_new_tokens, do_sample, temperature, top_p, batch_size: generation settings (greedy by default);
            ``generation_kwargs`` are passed to ``model.generate`` as well.
        generate_fn: replaces the built-in generation: ``(model, tokenizer, prompts: list[str]) -> list[str]``
            (e.g. Unsloth's ``FastLanguageModel.for_inference`` or vLLM).
        postprocess: ``generated text -> answer``; default :func:`strip_thinking`.
        file_name: the prediction file written in each checkpoint folder (default ``predictions.json``).
        bertscore_model: BERTScore model (hub id or local folder); ``None`` skips BERTScore.
        num_layers, bertscore_device, bertscore_batch_size: BERTScore settings (``num_layers``: the BERT
            layer; default bert-score's choice, 9 for mBERT).
        bertscore: a custom BERTScore scorer ``(candidates, references) -> list[float]`` (overrides the model).
        bleurt: a BLEURT scorer ``(candidates, references) -> list[float]`` on 0-1, e.g.
            ``korean_rewards.evaluation.BLEURTScore("lucadiliello/BLEURT-20")`` (BLEURT-20 in PyTorch).
        rouge: compute ROUGE-1 (needs MeCab-ko).
        metric: the metric that picks the best checkpoint (``final`` by default; higher is better). ``final``
            and ``descriptive_avg`` need ROUGE-1 and BERTScore; without BLEURT they average ROUGE-1 and
            BERTScore only (see :class:`~korean_rewards.evaluation.EvaluationResult`).
        metric_prefix: prefix of the logged keys (``eval_malpyeong_final``, ...).
        protect_best: when the trainer tracks no best model itself (``metric_for_best_model`` unset), set
            ``state.best_model_checkpoint`` to the best checkpoint so ``save_total_limit`` never deletes it.

    Files: ``<output_dir>/checkpoint-<step>/predictions.json`` (competition format, so
    ``korean-rewards evaluate <output_dir> --labels dev.json`` rescores them all) and ``<output_dir>/best.json``
    (``metric``, ``best`` and the ``history`` of every evaluated checkpoint). Keys logged (0-100 scale):
    ``<prefix>exact_match``, ``<prefix>rouge1``, ``<prefix>bertscore``, ``<prefix>bleurt`` (when computed),
    ``<prefix>descriptive_avg``, ``<prefix>final``, ``<prefix>runtime`` (seconds).

    Distributed training: every rank generates its share of the dev set (every rank runs the same number of
    ``generate`` calls, so sharded models such as DeepSpeed ZeRO-3 and FSDP work), the answers are gathered on
    the main process, which writes and scores them; the scores are then broadcast so that every rank logs and
    tracks the same values. Only the main process writes files.

    Generating the answers is :class:`korean_rewards._generation.DevSetGeneration`'s job; the class keeps the trainer
    events, scoring, logging and the best-checkpoint history. It runs to about 270 lines, a quarter of them this
    docstring, because those four share the callback's state and read best together.

    Example:
        >>> callback = EvaluateOnSaveCallback(
        ...     [{"id": "7", "input": {"question": "?"}, "output": {"answer": '"가"가 옳다. 이유'}}],
        ...     bertscore_model=None, metric="exact_match")
        >>> callback.metric, callback.metric_prefix
        ('exact_match', 'eval_malpyeong_')
    """

    def __init__(
        self,
        dev_set: str | os.PathLike[str] | Iterable[Mapping[str, Any] | Item],
        *,
        trainer: Any = None,
        tokenizer: Any = None,
        prompt_builder: Callable[[Item], str | list[dict[str, str]]] | None = None,
        chat_template_kwargs: Mapping[str, Any] | None = None,
        max_new_tokens: int = 256,
        do_sample: bool = False,
        temperature: float | None = None,
        top_p: float | None = None,
        batch_size: int = 8,
        generation_kwargs: Mapping[str, Any] | None = None,
        generate_fn: Callable[[Any, Any, list[str]], list[str]] | None = None,
        postprocess: Callable[[str], str] | None = None,
        file_name: str = "predictions.json",
        bertscore_model: str | None = "bert-base-multilingual-cased",
        num_layers: int | None = None,
        bertscore_device: str | None = None,
        bertscore_batch_size: int = 64,
        bertscore: TextScorer | None = None,
        bleurt: TextScorer | None = None,
        rouge: bool = True,
        metric: str = "final",
        metric_prefix: str = "eval_malpyeong_",
        protect_best: bool = True,
    ) -> None:
        if isinstance(dev_set, (str, os.PathLike)):
            self.dev_items = load_items(dev_set, what="labels")
        else:
            records = list(dev_set)
            if records and all(isinstance(record, Item) for record in records):
                self.dev_items = records  # type: ignore[assignment]
            else:
                self.dev_items = load_items(records, what="labels", name="the dev set")
        _check_metric(metric, bleurt is not None, bertscore is not None or bertscore_model is not None, rouge)
        if not file_name or os.sep in file_name or (os.altsep and os.altsep in file_name):
            raise ValueError(f"file_name must be a plain file name such as 'predictions.json', got {file_name!r}")
        self.trainer = trainer
        self.tokenizer = tokenizer
        sampling = {"temperature": temperature, "top_p": top_p}
        options = {"max_new_tokens": max_new_tokens, "do_sample": do_sample}
        options.update({key: value for key, value in sampling.items() if value is not None})
        self.generation = DevSetGeneration(
            prompt_builder or default_prompt, options={**options, **(generation_kwargs or {})}, batch_size=batch_size,
            generate_fn=generate_fn, postprocess=postprocess or strip_thinking, chat_template_kwargs=chat_template_kwargs,
        )  # fmt: skip
        self.file_name = file_name
        self.rouge = rouge
        self.bleurt = bleurt
        self.bertscore: TextScorer | None = bertscore
        if bertscore is None and bertscore_model is not None:
            self.bertscore = BERTScoreF1(
                bertscore_model, num_layers=num_layers, device=bertscore_device,
                batch_size=bertscore_batch_size,
            )
        self.metric = metric
        self.metric_prefix = metric_prefix
        self.protect_best = protect_best
        self.best_checkpoint: str | None = None
        self.best_step: int | None = None
        self.best_score: float | None = None
        self.best_metrics: dict[str, float] | None = None
        self.history: list[dict[str, Any]] = []
        self.last_result: EvaluationResult | None = None
        self._warned_no_trainer = False

    # -- wiring ------------------------------------------------------------------------------------
    def attach(self, trainer: Any) -> EvaluateOnSaveCallback:
        """Register this callback on ``trainer`` and log through it; returns the callback.

        Example:
            >>> callback = EvaluateOnSaveCallback([{"id": "1", "output": {"answer": "x"}}], metric="exact_match",
            ...                                   bertscore_model=None)
            >>> class FakeTrainer:
            ...     def add_callback(self, cb): self.added = cb
            >>> trainer = FakeTrainer()
            >>> callback.attach(trainer) is callback and trainer.added is callback
            True
        """
        self.trainer = trainer
        trainer.add_callback(self)
        return self

    # -- trainer events ------------------------------------------------------------------------------
    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        """Check the setup before training starts (fail fast): a tokenizer, and the BERTScore model loads."""
        if self.generation.generate_fn is None and self._tokenizer(kwargs) is None:
            raise ValueError(
                "EvaluateOnSaveCallback needs a tokenizer: pass tokenizer=... or give the trainer a processing_class"
            )
        if state.is_world_process_zero and isinstance(self.bertscore, BERTScoreF1):
            self.bertscore.load()
        if self.trainer is None:
            self.trainer = _calling_trainer(self)
        if state.global_step > 0:
            self._resume(args, state)

    def on_save(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> TrainerControl:
        """Generate, write, score, log, and update the best checkpoint."""
        model = kwargs.get("model")
        tokenizer = self._tokenizer(kwargs)
        if model is None:
            raise ValueError("EvaluateOnSaveCallback.on_save got no model from the trainer")
        started = time.perf_counter()
        step = state.global_step
        checkpoint = Path(args.output_dir) / f"checkpoint-{step}"
        texts = self.generation.generate_all(model, tokenizer, self.dev_items)

        dist = distributed()
        payload: dict[str, Any] | None = None
        if state.is_world_process_zero:
            payload = self._write_and_score(checkpoint, texts, step, state.epoch, started)
        if dist is not None:
            box = [payload]
            dist.broadcast_object_list(box, src=0)
            payload = box[0]
        if payload is None:  # a non-main process without a process group: nothing to share
            return control
        self._record(payload, args, state)
        self._log(payload["logs"], state)
        return control

    # -- generation (DevSetGeneration does it) ---------------------------------------------------------
    def _tokenizer(self, kwargs: Mapping[str, Any]) -> Any:
        tokenizer = self.tokenizer
        for key in ("processing_class", "tokenizer"):
            if tokenizer is None:
                tokenizer = kwargs.get(key)
        return getattr(tokenizer, "tokenizer", tokenizer)  # a processor wraps its tokenizer

    # -- scoring and bookkeeping -----------------------------------------------------------------
    def _write_and_score(
        self, checkpoint: Path, texts: Sequence[str], step: int, epoch: float | None, started: float
    ) -> dict[str, Any]:
        result, payload = _write_and_score(
            checkpoint / self.file_name, texts, self.dev_items, rouge=self.rouge, bertscore=self.bertscore,
            bleurt=self.bleurt,
        )  # fmt: skip
        self.last_result = result
        runtime = round(time.perf_counter() - started, 4)
        logs = {f"{self.metric_prefix}{name}": value for name, value in payload["scores"].items()}
        logs[f"{self.metric_prefix}runtime"] = runtime
        return {"step": step, "epoch": epoch, "checkpoint": str(checkpoint), **payload, "runtime": runtime,
                "logs": logs}  # fmt: skip

    def _record(self, payload: dict[str, Any], args: TrainingArguments, state: TrainerState) -> None:
        entry = {key: value for key, value in payload.items() if key != "logs"}
        self.history = [h for h in self.history if h["step"] != entry["step"]] + [entry]
        value = entry["scores"].get(self.metric)
        if value is not None and (self.best_score is None or value > self.best_score):
            self.best_score = value
            self.best_step = entry["step"]
            self.best_checkpoint = entry["checkpoint"]
            self.best_metrics = dict(entry["scores"])
        if self.protect_best and self.best_checkpoint is not None and args.metric_for_best_model is None:
            state.best_model_checkpoint = self.best_checkpoint  # save_total_limit keeps it
        if state.is_world_process_zero:
            write_json(Path(args.output_dir) / "best.json", self.summary(), force=True)

    def summary(self) -> dict[str, Any]:
        """What ``best.json`` holds: the metric, the best checkpoint and every evaluated checkpoint.

        Example:
            >>> EvaluateOnSaveCallback([{"id": "1", "output": {"answer": "x"}}], metric="exact_match",
            ...                        bertscore_model=None).summary()
            {'metric': 'exact_match', 'scale': '0-100', 'best': None, 'history': []}
        """
        best = None
        if self.best_step is not None:
            best = next((dict(h) for h in self.history if h["step"] == self.best_step), None)
        return {"metric": self.metric, "scale": "0-100", "best": best, "history": list(self.history)}

    def _resume(self, args: TrainingArguments, state: TrainerState) -> None:
        """Continue the history of ``best.json`` when training resumes from a checkpoint."""
        path = Path(args.output_dir) / "best.json"
        if not path.is_file():
            return
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            history = [h for h in saved.get("history", []) if h.get("step", math.inf) <= state.global_step]
        except (OSError, ValueError, AttributeError, TypeError):
            logger.warning("ignoring %s: it is not a best.json written by EvaluateOnSaveCallback", path)
            return
        for entry in history:
            self.history.append(entry)
            value = entry.get("scores", {}).get(self.metric)
            if value is not None and (self.best_score is None or value > self.best_score):
                self.best_score, self.best_step = value, entry["step"]
                self.best_checkpoint, self.best_metrics = entry["checkpoint"], dict(entry["scores"])

    def _log(self, logs: dict[str, float], state: TrainerState) -> None:
        if self.trainer is not None:
            try:
                from transformers import Trainer
            except ImportError:  # pragma: no cover - transformers without the trainer
                Trainer = None  # type: ignore[assignment]  # noqa: N806
            if Trainer is not None and isinstance(self.trainer, Trainer):
                # The base Trainer.log: subclasses such as TRL's GRPOTrainer fold their pending training metrics
                # into whatever is logged (and reset them); an evaluation entry must not take them.
                Trainer.log(self.trainer, dict(logs))
            else:
                self.trainer.log(dict(logs))
            return
        if not self._warned_no_trainer:
            logger.warning(
                "EvaluateOnSaveCallback has no trainer: scores go to state.log_history only, not to report_to "
                "integrations. Pass trainer=... or use callback.attach(trainer)."
            )
            self._warned_no_trainer = True
        entry: dict[str, Any] = dict(logs)
        if state.epoch is not None:
            entry["epoch"] = state.epoch
        entry["step"] = state.global_step
        state.log_history.append(entry)

