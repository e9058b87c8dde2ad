"""The ``korean-rewards`` command (also ``python -m korean_rewards``).

- ``korean-rewards evaluate``: score 말평 prediction files with the official rules and name the best one;
- ``korean-rewards score``: score completions with the library's rewards;
- ``korean-rewards audit``: look for degenerate completions that a reward mix pays as much as honest ones;
- ``korean-rewards serve``: serve rewards over HTTP on OpenRLHF's ``/get_reward`` protocol;
- ``korean-rewards demo``: score bundled sample completions, offline.

``korean-rewards COMMAND --help`` gives every option; the command-line page of the documentation shows the same
text (scripts/gen_cli_docs.py writes it from this command tree). A reward SPEC (``--reward``/``-r``) is read by
:mod:`korean_rewards.registry`. Exit status: 0 on success, 3 when ``audit`` finds an exploit, 1 on bad input (a
message on stderr, never a traceback; ``KOREAN_REWARDS_DEBUG=1`` shows one), 2 on a usage error.

The ``evaluate --json`` report (schema version 1):

```text
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
```

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
