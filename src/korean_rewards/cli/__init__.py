"""The ``korean-rewards`` command (also ``python -m korean_rewards``).

Commands:

``korean-rewards evaluate PRED [PRED ...] --labels LABELS.json``
    Score competition-format prediction files (or folders of them) against the labels with the official
    말평 rules (see :mod:`korean_rewards.evaluation`): EM, ROUGE-1, BERTScore, BLEURT (``--bleurt-model``
    for BLEURT-20 in PyTorch, or a plugged-in scorer), descriptive average and final score on the leaderboard's
    0-100 scale, in total and per question type, then name the best file.
    ``--json`` prints a machine-readable report instead of the table (schema below); ``--out FILE`` writes
    it to a file.

``korean-rewards score FILE [--reward SPEC ...]``
    Score the rows of a JSON Lines file (``{"prompt"?, "completion", "answer", ...}``; a completion may be a
    string or a list of chat messages) with the library's rewards, print each reward's mean and optionally
    write the per-row scores (``--out FILE``, JSON Lines). Without ``--reward`` it runs the rule-based rewards
    for the kind of rows (math or 말평) and says which set it chose.

``korean-rewards audit DATA --reward SPEC [--reward SPEC ...]``
    Look for holes in a reward mix before training (:mod:`korean_rewards.audit`): build degenerate completions
    (number spraying, tags only, hedged answers, copied prompts, filler, 10k characters, ...) from the rows of
    DATA (JSON / JSON Lines with the prompt and gold columns, or 말평 competition items), score them next to
    honest ones in TRL's calling convention and print a table (family, mean reward, gap to the honest answer,
    EXPLOIT / WEAK / ok), or ``--json``. Several SPECs are summed as GRPOTrainer sums its ``reward_funcs``
    (``--combine``: wrapped in ``combine`` with ``--none POLICY``). Exit status 3 when an exploit is found, so it
    can gate training in CI.

``korean-rewards serve -r SPEC [-r SPEC ...] [--host 127.0.0.1] [--port 5000]``
    Serve rewards over HTTP on OpenRLHF's protocol (``POST /get_reward``, ``GET /health``; see
    :mod:`korean_rewards.integrations.server`), e.g. BERTScore on a GPU node for CPU-only rollout workers.
    Needs the ``[serve]`` extra. Stops cleanly on Ctrl-C / SIGTERM.

``korean-rewards demo``
    Score the bundled sample completions with every rule-based reward, offline, and print one table per kind
    of sample (BERTScore is added when its model is on this machine, else named as skipped with the reason).

A reward SPEC (``--reward``/``-r`` on ``score``, ``audit`` and ``serve``) is read by :mod:`korean_rewards.registry`: a
public reward of the library by name (``accuracy_reward_ko``, ``CheckNumbersKo``...), ``name(option=value)``,
``module:attr`` or ``path/to/file.py:attr``.

Exit status: 0 on success, 3 when ``audit`` finds an exploit, 1 on bad input (a clear message on stderr, never
a traceback; set ``KOREAN_REWARDS_DEBUG=1`` to see one), 2 on a usage error (unknown option, missing argument). Nothing is
overwritten without ``--force``; files are written atomically (a temporary file, then ``os.replace``).

The ``evaluate --json`` schema (version 1)::

    {
      "schema": "korean-rewards.evaluate/1",
      "scale": "0-100",
      "labels": "dev.json",           # the labels file
      "n_labels": 127,
      "subset": {"ids": "ids.txt" | null, "limit": 50 | null} | null,   # --ids / --limit
      "bertscore": {"model": "bert-base-multilingual-cased", "num_layers": null} | null,
      "bleurt": "lucadiliello/BLEURT-20" | "module:function" | "checkpoint path" | null,
      "bleurt_model": {"checkpoint": ..., "folder": ..., "activation": "gelu" | "gelu_tanh", ...} | null,
      "files": [                      # one per prediction file scored, in the order evaluated
        {"source": "pred.json", "n_items": 127, "n_correct": 58, "n_reason_items": 120,
         "exact_match": 45.67, "rouge1": 34.96, "bertscore": 73.93, "bleurt": null,
         "descriptive_avg": ..., "final": ...,
         "final_rule": "official" | "average_of_two" | null,   # see EvaluationResult
         "by_type": {"선택형": {same numbers}, "교정형": {...}},
         "items": [...]}              # only with --items: per-item scores on 0-1
      ],
      "best": {"source": "pred.json", "metric": "final", "value": ...} | null,   # metric: "exact_match"
                                      # when there is no final score (--no-bertscore)
      "errors": [{"source": "broken.json", "error": "..."}],   # files reported and skipped (exit status 1)
      "notes": ["..."]                # e.g. that BLEURT was not computed
    }

The package has one module per command (``evaluate``, ``score``, ``audit``, ``serve``, ``demo``) and ``app`` (the typer
application, error handling, the one table from library parameters to flags). Importing it imports only typer,
rich and the standard library; torch loads only when BERTScore runs.

Example:
    >>> from typer.testing import CliRunner
    >>> result = CliRunner().invoke(app, ["score", "no-such-file.jsonl", "--reward", "match_format_exactly"])
    >>> result.exit_code, "no such file" in result.output
    (1, True)
"""

from __future__ import annotations

from typing import Any

from ..registry import resolve_reward, resolve_rewards
from . import evaluate as _evaluate_command  # isort: skip - the commands register in this order (--help lists them)
from . import score as _score_command  # isort: skip
from . import audit as _audit_command  # isort: skip
from . import serve as _serve_command  # isort: skip
from . import demo as _demo_command  # isort: skip
from .app import CLIError, app, main
from .audit import EXPLOIT_EXIT_CODE
from .demo import BLEURT_REWARDS, MODEL_REWARDS, RULE_BASED_REWARDS
from .evaluate import EVALUATE_SCHEMA

__all__ = ["app", "main", "REWARD_NAMES", "RULE_BASED_REWARDS", "resolve_reward", "resolve_mix"]
# also importable from here, as before the package split
__all__ += ["CLIError", "EXPLOIT_EXIT_CODE", "MODEL_REWARDS", "BLEURT_REWARDS", "EVALUATE_SCHEMA", "REWARD_CLASSES"]

del _evaluate_command, _score_command, _audit_command, _serve_command, _demo_command  # imported to register the commands


def resolve_mix(spec: str) -> list[Any]:
    """The rewards named by an ``audit --reward`` SPEC (:func:`korean_rewards.registry.resolve_rewards`).

    Example:
        >>> [fn.__name__ for fn in resolve_mix("korean_rewards:check_numbers_ko")]
        ['check_numbers_ko']
    """
    return resolve_rewards(spec)


def __getattr__(name: str) -> Any:
    """``REWARD_NAMES`` (every reward name the CLI accepts) and ``REWARD_CLASSES``, read from the package's public
    exports when first asked for (so that importing the CLI imports no reward module)."""
    from ..registry import reward_names

    if name == "REWARD_NAMES":
        return reward_names()
    if name == "REWARD_CLASSES":
        return tuple(n for n in reward_names() if n[0].isupper())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
