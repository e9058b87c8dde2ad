"""A reward server on OpenRLHF's protocol (``korean-rewards serve``; needs the ``[serve]`` extra).

``POST /get_reward`` takes ``{"query": [str, ...], "prompts": [str, ...], "labels": [gold, ...]}`` (``prompts``
optional) and answers ``{"rewards": [float, ...], "scores": [float, ...], "extra_logs": {key: [float, ...]}}``,
what OpenRLHF's ``--reward.remote_url http://host:port/get_reward`` expects. Responses are recovered from the
queries as in :func:`~korean_rewards.integrations.openrlhf.response_from_query`. Several rewards are served as
their sum (``combine`` with weight 1 each, every reward logged under its own key). The rows of concurrent
requests are scored together in batches for model rewards. A malformed body gets HTTP 400 with a message that
names the field; ``GET /health`` answers ``{"status": "ok", "rewards": [...], "keys": [...]}``. Each request
is logged as one INFO line on the ``korean_rewards.serve`` logger.

Example:
    >>> import pytest; _ = pytest.importorskip("fastapi"), pytest.importorskip("httpx")
    >>> from fastapi.testclient import TestClient
    >>> client = TestClient(create_app(["check_numbers_ko"]))
    >>> client.post("/get_reward", json={"query": ["Q <SOLUTION>4</SOLUTION>"], "prompts": ["Q "],
    ...                                  "labels": ["4"]}).json()
    {'rewards': [3.5], 'scores': [3.5], 'extra_logs': {'gold_missing': [0.0]}}
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations (`Request`) at run time.
import contextlib
import json
import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from ..combining import combine
from .batching import BatchedScorer
from .openrlhf import rows_from_queries
from .rows import RowScorer, load_reward

__all__ = ["create_app", "serve", "parse_request", "RequestError", "DEFAULT_HOST", "DEFAULT_PORT"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000

logger = logging.getLogger("korean_rewards.serve")


class RequestError(ValueError):
    """A malformed ``/get_reward`` body; the message names the field."""


def parse_request(body: bytes) -> tuple[list[str], list[str | None] | None, list[Any]]:
    """``(queries, prompts, labels)`` from a ``/get_reward`` body, or :class:`RequestError` naming the field.

    Example:
        >>> parse_request(b'{"query": ["a"], "labels": ["1"]}')
        (['a'], None, ['1'])
        >>> parse_request(b'{"query": ["a", "b"], "labels": ["1"]}')
        Traceback (most recent call last):
        ...
        korean_rewards.integrations.server.RequestError: 'labels' has 1 items but 'query' has 2: send one label per query
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise RequestError(f"the body is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise RequestError('the body must be a JSON object {"query": [...], "prompts": [...], "labels": [...]}')
    for name in ("query", "labels"):
        if name not in data:
            raise RequestError(f"missing field {name!r} (fields given: {', '.join(map(repr, data)) or 'none'})")
    queries, labels, prompts = data["query"], data["labels"], data.get("prompts")
    if not isinstance(queries, list):
        raise RequestError(f"'query' must be a list of strings, got {type(queries).__name__}")
    for index, query in enumerate(queries):
        if not isinstance(query, str):
            raise RequestError(f"'query'[{index}] must be a string, got {type(query).__name__}")
    if not isinstance(labels, list):
        raise RequestError(f"'labels' must be a list with one gold value per query, got {type(labels).__name__}")
    if len(labels) != len(queries):
        raise RequestError(f"'labels' has {len(labels)} items but 'query' has {len(queries)}: send one label per query")
    if prompts is not None:
        if not isinstance(prompts, list):
            raise RequestError(f"'prompts' must be a list of strings, got {type(prompts).__name__}")
        if len(prompts) != len(queries):
            raise RequestError(
                f"'prompts' has {len(prompts)} items but 'query' has {len(queries)}: send one prompt per query"
            )
        for index, prompt in enumerate(prompts):
            if prompt is not None and not isinstance(prompt, str):
                raise RequestError(f"'prompts'[{index}] must be a string, got {type(prompt).__name__}")
    return queries, prompts, labels


def _served_reward(loaded: Sequence[Any]) -> Any:
    if not loaded:
        raise ValueError("serve needs at least one reward")
    return loaded[0] if len(loaded) == 1 else combine([(reward, 1.0) for reward in loaded], name="served")


def create_app(
    rewards: Sequence[Any],
    *,
    missing_gold_score: float = 0.0,
    batch: bool | None = None,
    max_batch: int = 64,
    max_wait_ms: float = 5.0,
) -> Any:
    """The FastAPI application that serves ``rewards`` (callables or specs) on OpenRLHF's protocol.

    Options as for :func:`~korean_rewards.integrations.openrlhf.make_reward_func`. Model rewards load their
    model before the first request is answered (at start-up).

    Example:
        >>> import pytest; _ = pytest.importorskip("fastapi")
        >>> app = create_app(["check_numbers_ko", "match_format_exactly"])
        >>> app.state.scorer.scorer.keys
        ('score', 'check_numbers_ko', 'match_format_exactly', 'gold_missing')
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    loaded = [load_reward(reward) for reward in rewards]
    scorer = BatchedScorer(
        RowScorer(_served_reward(loaded), missing_gold_score=missing_gold_score),
        batch=batch,
        max_batch=max_batch,
        max_wait_ms=max_wait_ms,
    )
    names = [str(getattr(reward, "__name__", type(reward).__name__)) for reward in loaded]
    load = getattr(scorer.scorer.reward, "load", None)
    if callable(load):
        load()

    app = FastAPI(title="korean-rewards", description="Korean rewards on OpenRLHF's /get_reward protocol")

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "rewards": names,
            "keys": list(scorer.scorer.keys),
            "requests": app.state.requests,
            "rows": app.state.rows,
            "batched": scorer.batched,
            "batches": scorer.batcher.batches,
        }

    @app.post("/get_reward")
    async def get_reward(request: Request) -> JSONResponse:
        started = time.perf_counter()
        client = f"{request.client.host}:{request.client.port}" if request.client else "-"
        try:
            queries, prompts, labels = parse_request(await request.body())
        except RequestError as error:
            logger.info("POST /get_reward 400 from %s: %s", client, error)
            return JSONResponse({"error": str(error)}, status_code=400)
        results = await scorer.score_many_async(rows_from_queries(queries, prompts, labels))
        app.state.requests += 1
        app.state.rows += len(results)
        rewards_out = [result["score"] for result in results]
        extra_logs = {key: [result[key] for result in results] for key in scorer.scorer.keys if key != "score"}
        mean = sum(rewards_out) / len(rewards_out) if rewards_out else float("nan")
        logger.info(
            "POST /get_reward 200 from %s: %d rows, mean reward %.4f, %.1f ms",
            client, len(rewards_out), mean, 1000 * (time.perf_counter() - started),
        )
        return JSONResponse({"rewards": rewards_out, "scores": rewards_out, "extra_logs": extra_logs})

    app.state.scorer = scorer
    app.state.names = names
    app.state.requests = 0
    app.state.rows = 0
    return app


def serve(app: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run ``app`` with uvicorn until SIGINT or SIGTERM, then return normally (exit status 0).

    uvicorn finishes the requests in flight and runs the shutdown; unlike ``uvicorn.run``, the signal is not
    raised again afterwards, so a supervisor's ``kill -TERM`` (or Ctrl-C) is a clean stop, logged as such.
    Outside the main thread no signal is handled: set ``app.state.server.should_exit = True`` to stop it.

    Example:
        >>> import json, socket, threading, time, urllib.request
        >>> import pytest; _ = pytest.importorskip("fastapi"), pytest.importorskip("uvicorn")
        >>> app = create_app(["check_numbers_ko"])
        >>> with socket.socket() as sock:
        ...     sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]
        >>> thread = threading.Thread(target=serve, args=(app, "127.0.0.1", port)); thread.start()
        >>> for _ in range(200):
        ...     try:
        ...         health = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/health")); break
        ...     except OSError:
        ...         time.sleep(0.05)
        >>> health["status"], health["rewards"]
        ('ok', ['check_numbers_ko'])
        >>> app.state.server.should_exit = True; thread.join(timeout=30)
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = _server_class()(config)
    app.state.server = server
    logger.info("serving %s on http://%s:%d/get_reward (GET /health)", ", ".join(app.state.names), host, port)
    server.run()
    stop = ", ".join(signal.Signals(sig).name for sig in server.signals_received) or "shutdown"
    logger.info("stopped (%s); %d requests served", stop, app.state.requests)


def _server_class() -> Any:
    import uvicorn

    class QuietSignalServer(uvicorn.Server):
        """uvicorn's server, handling SIGINT / SIGTERM as a graceful stop without re-raising them after."""

        signals_received: list[int]

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            self.signals_received = []
            if threading.current_thread() is not threading.main_thread():
                yield
                return

            def handle(sig: int, frame: Any) -> None:
                self.signals_received.append(sig)
                self.handle_exit(sig, frame)

            originals = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in originals.items():
                    signal.signal(sig, handler)

    return QuietSignalServer
