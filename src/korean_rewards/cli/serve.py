"""``korean-rewards serve``: rewards over HTTP on OpenRLHF's reward-server protocol (the ``[serve]`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import CLIError, command
from .score import reward_option

__all__ = ["serve"]


@command
def serve(
    reward: Annotated[
        list[str],
        reward_option(
            "A reward to serve (repeat the option; several are summed, each logged under its own key): ",
        ),
    ],
    host: Annotated[
        str, typer.Option(metavar="HOST", help="Address to bind (0.0.0.0 to accept other machines).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, metavar="PORT", help="Port to listen on.")] = 5000,
    max_batch: Annotated[
        int, typer.Option(min=1, metavar="N", help="The most rows per reward call (model rewards).")
    ] = 64,
    max_wait_ms: Annotated[
        float,
        typer.Option(min=0.0, metavar="MS", help="How long to gather concurrent requests into one batch (model "
                     "rewards)."),
    ] = 5.0,
    missing_gold_score: Annotated[
        float, typer.Option(metavar="SCORE", help="The reward of a row whose label is missing.")
    ] = 0.0,
) -> None:
    """Serve rewards on OpenRLHF's reward-server protocol (POST /get_reward, GET /health).

    See korean_rewards.integrations.server; e.g. BERTScore on a GPU node for CPU-only rollout workers. Needs the
    [serve] extra. Stops cleanly on Ctrl-C / SIGTERM.
    """
    import logging

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401

        from ..integrations.rows import load_reward
        from ..integrations.server import create_app
        from ..integrations.server import serve as run_server
    except ImportError as error:
        raise CLIError(
            f"serve needs the [serve] extra ({error}): pip install -e '.[serve]' in a clone of korean-rewards "
            "(or pip install 'korean-rewards[serve]')"
        ) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    rewards = [load_reward(spec) for spec in reward]
    application = create_app(rewards, max_batch=max_batch, max_wait_ms=max_wait_ms,
                             missing_gold_score=missing_gold_score)  # fmt: skip
    run_server(application, host=host, port=port)
