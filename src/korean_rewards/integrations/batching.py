"""Gather per-sample reward calls into batches: one model forward pass per batch, not per sample.

verl calls a reward once per sample (many at once, as asyncio tasks of one worker), OpenRLHF once per sample
from worker threads, and a reward server once per request. :class:`MicroBatcher` collects the items submitted
from any thread or event loop for up to ``max_wait_ms`` after the first one, or until ``max_batch`` items, and
processes them with one call in its own thread. :class:`BatchedScorer` puts a
:class:`~korean_rewards.integrations.rows.RowScorer` behind one: model rewards (BERTScore, BLEURT, async
rewards) are batched, rule rewards are scored at once (batching would only add the wait).

Example:
    >>> import asyncio
    >>> batcher = MicroBatcher(lambda items: [2 * x for x in items], max_batch=8, max_wait_ms=5)
    >>> async def many():
    ...     return await asyncio.gather(*(batcher.run(x) for x in range(5)))
    >>> asyncio.run(many()), batcher.batches
    ([0, 2, 4, 6, 8], 1)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from .rows import Row, RowScorer, loads_model

__all__ = ["MicroBatcher", "BatchedScorer"]

T = TypeVar("T")
R = TypeVar("R")


class MicroBatcher(Generic[T, R]):
    """Collects submitted items into batches and runs ``process(items) -> results`` on each, in one thread.

    ``submit(item)`` returns a :class:`concurrent.futures.Future` (usable from any thread); ``await run(item)``
    is the same from an event loop. A batch closes ``max_wait_ms`` after its first item or at ``max_batch`` items;
    when ``process`` raises, every item of that batch gets the exception. The thread starts at the first
    submission (in the process that submits, so a forked or spawned worker gets its own) and is a daemon.

    Example:
        >>> batcher = MicroBatcher(lambda items: [x + 1 for x in items])
        >>> batcher.submit(41).result()
        42
    """

    def __init__(self, process: Callable[[list[T]], Sequence[R]], *, max_batch: int = 64, max_wait_ms: float = 5.0):
        if isinstance(max_batch, bool) or not isinstance(max_batch, int) or max_batch < 1:
            raise ValueError(f"max_batch must be a positive integer, got {max_batch!r}")
        if isinstance(max_wait_ms, bool) or not isinstance(max_wait_ms, (int, float)) or not max_wait_ms >= 0:
            raise ValueError(f"max_wait_ms must be a number >= 0, got {max_wait_ms!r}")
        self.process = process
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000.0
        #: how many batches were processed (for tests and benchmarks)
        self.batches = 0
        self._queue: queue.SimpleQueue[tuple[T, concurrent.futures.Future[R]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def submit(self, item: T) -> concurrent.futures.Future[R]:
        """Queue one item; the future gets its result when its batch has run."""
        future: concurrent.futures.Future[R] = concurrent.futures.Future()
        self._ensure_thread()
        self._queue.put((item, future))
        return future

    async def run(self, item: T) -> R:
        """Queue one item and await its result (from any event loop)."""
        return await asyncio.wrap_future(self.submit(item))

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's thread and queue are not ours
                self._queue = queue.SimpleQueue()
                self._thread = None
                self._pid = os.getpid()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="korean-rewards-batcher", daemon=True)
                self._thread.start()

    def _collect(self) -> list[tuple[T, concurrent.futures.Future[R]]]:
        batch = [self._queue.get()]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._collect()
            live = [(item, future) for item, future in batch if future.set_running_or_notify_cancel()]
            if not live:
                continue
            try:
                results = list(self.process([item for item, _ in live]))
                if len(results) != len(live):
                    raise RuntimeError(f"the batch function returned {len(results)} results for {len(live)} items")
            except BaseException as error:  # noqa: BLE001 - handed to every caller of the batch
                for _, future in live:
                    future.set_exception(error)
            else:
                for (_, future), result in zip(live, results):
                    future.set_result(result)
            self.batches += 1


class BatchedScorer:
    """Per-sample scoring for the engines: batched for model rewards, immediate for rule rewards.

    ``batch=None`` decides by :func:`~korean_rewards.integrations.rows.loads_model`; ``True`` / ``False`` force
    it. ``max_batch`` and ``max_wait_ms`` configure the :class:`MicroBatcher`.

    Example:
        >>> from korean_rewards import check_numbers_ko
        >>> scorer = BatchedScorer(RowScorer(check_numbers_ko))
        >>> scorer.batched, scorer.score(Row("<SOLUTION>7</SOLUTION>", gold="7"))["score"]
        (False, 3.5)
    """

    def __init__(
        self, scorer: RowScorer, *, batch: bool | None = None, max_batch: int = 64, max_wait_ms: float = 5.0
    ) -> None:
        self.scorer = scorer
        self.batched = loads_model(scorer.reward) if batch is None else bool(batch)
        self.batcher: MicroBatcher[Row, dict[str, float]] = MicroBatcher(
            scorer.score_rows, max_batch=max_batch, max_wait_ms=max_wait_ms
        )

    def score(self, row: Row) -> dict[str, float]:
        """Score one row (blocking; safe from many threads at once)."""
        return self.score_many([row])[0]

    def score_many(self, rows: Sequence[Row]) -> list[dict[str, float]]:
        """Score the rows of one call (blocking); with batching they join the rows of concurrent calls."""
        if not self.batched:
            return self.scorer.score_rows(list(rows))
        return [future.result() for future in [self.batcher.submit(row) for row in rows]]

    async def score_async(self, row: Row) -> dict[str, float]:
        """Score one row from an event loop."""
        return (await self.score_many_async([row]))[0]

    async def score_many_async(self, rows: Sequence[Row]) -> list[dict[str, float]]:
        """Score the rows of one call from an event loop; never blocks the loop on a model."""
        if not self.batched:
            return self.scorer.score_rows(list(rows))  # rule rewards: linear in the text, no model
        return list(await asyncio.gather(*(self.batcher.run(row) for row in rows)))
