"""``korean-rewards demo``: score the bundled sample completions with every rule-based reward, offline."""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
from typing import Annotated, Any

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..bertscore import DEFAULT_MODEL
from ..registry import DEFAULT_REWARDS, SpecError, resolve_reward
from .app import CLIError, command, console, error_console, flag_message, fmt, natural_width, quiet_transformers
from .score import score_rows, summary

__all__ = ["demo", "RULE_BASED_REWARDS", "MODEL_REWARDS", "BLEURT_REWARDS"]

#: The rule-based rewards (default instances) and the kind of sample each one is meant for ("any": both kinds).
RULE_BASED_REWARDS: dict[str, str] = {
    name: "any" if all(name in names for names in DEFAULT_REWARDS.values()) else kind
    for kind, names in DEFAULT_REWARDS.items()
    for name in names
}
#: Rewards that need a BERT model.
MODEL_REWARDS: dict[str, str] = {"bertscore_reward": "malpyeong", "malpyeong_reward": "malpyeong"}
#: Rewards that need a BLEURT checkpoint (the demo does not download one).
BLEURT_REWARDS: dict[str, str] = {"bleurt_reward": "malpyeong"}

#: Short column titles for the demo tables (the legend under each table gives the reward names).
_HEADERS = {
    "match_format_exactly": "format",
    "match_format_approximately": "format~",
    "check_answer_ko": "answer",
    "check_numbers_ko": "numbers",
    "accuracy_reward_ko": "accuracy",
    "malpyeong_em_reward": "EM",
    "malpyeong_format_reward": "template",
    "rouge1_reward": "ROUGE-1",
    "bertscore_reward": "BERTScore",
    "malpyeong_reward": "team",
    "language_consistency_ko": "korean",
    "repetition_penalty_ko": "repeat",
}
_KINDS = {"math": "Korean math answers (notebook tags)", "malpyeong": "말평-style answers"}


@command
def demo(
    bertscore_model: Annotated[
        str | None,
        typer.Option(
            metavar="MODEL",
            help="Add BERTScore with this model (a local folder or a hub id). Default: "
            f"{DEFAULT_MODEL} when it is already in the local cache, else skipped.",
        ),
    ] = None,
    num_layers: Annotated[int | None, typer.Option(metavar="N", help="BERT layer for BERTScore.")] = None,
) -> None:
    """Score bundled sample completions with every rule-based reward (offline) and print the tables.

    One table per kind of sample; a table too wide for the terminal is split into several, each with its legend.
    """
    rows = _demo_rows()
    rewards: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for name in RULE_BASED_REWARDS:
        try:
            rewards[name] = resolve_reward(name)
        except SpecError as error:
            skipped[name] = str(error)
    rewards.update(_model_rewards(bertscore_model, num_layers, skipped))
    output = console()
    kind_of = RULE_BASED_REWARDS | MODEL_REWARDS
    for kind, title in _KINDS.items():
        subset = [row for row in rows if row["kind"] == kind]
        scores: dict[str, list[float | None]] = {}
        for name in (n for n in kind_of if kind_of[n] in (kind, "any") and n in rewards):
            try:
                scores[name] = score_rows(rewards[name], subset)
            except CLIError as error:
                skipped[name] = str(error)
        for part, names in enumerate(_column_groups(output, subset, list(scores)), start=1):
            suffix = "" if len(names) == len(scores) else f" ({part})"
            output.print(_table(title + suffix, subset, {name: scores[name] for name in names}))
            legend = ", ".join(f"{_HEADERS.get(name, name)} = {name}" for name in names)
            output.print(f"[dim]{escape(legend)}; — = no score (None)[/dim]")
            output.print()
    for name, why in skipped.items():
        output.print(f"[yellow]skipped[/yellow] {escape(name)}: {escape(why)}")
    output.print(
        "[dim]Columns are rewards (TRL reward functions); rows are bundled sample completions "
        "(korean_rewards/data/demo_completions.jsonl). Score your own: korean-rewards score FILE.jsonl "
        "--reward check_numbers_ko[/dim]"
    )


def _demo_rows() -> list[dict[str, Any]]:
    resource = importlib.resources.files("korean_rewards") / "data" / "demo_completions.jsonl"
    return [json.loads(line) for line in resource.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sample_width(rows: list[dict[str, Any]]) -> int:
    """The sample column's width: the longest label on at most two lines."""
    longest = max((cell_len(row["label"]) for row in rows), default=6)
    return min(longest, max(16, (longest + 1) // 2 + 2))


def _table(title: str, rows: list[dict[str, Any]], scores: dict[str, list[float | None]]) -> Table:
    table = Table(title=title, title_justify="left", show_footer=True, box=box.SIMPLE_HEAD)
    table.add_column("#", footer="mean", justify="right", no_wrap=True)
    table.add_column("sample", min_width=_sample_width(rows))
    for name, values in scores.items():
        table.add_column(_HEADERS.get(name, name), footer=fmt(summary(values)["mean"], 2), justify="right",
                         no_wrap=True)  # fmt: skip
    for index, row in enumerate(rows):
        table.add_row(str(index + 1), row["label"], *(fmt(values[index], 2) for values in scores.values()))
    return table


def _column_groups(output: Console, rows: list[dict[str, Any]], names: list[str]) -> list[list[str]]:
    """The reward columns split into groups whose tables fit the terminal (every column shown, none dropped)."""
    groups: list[list[str]] = [[]]
    placeholder: list[float | None] = [-0.5] * len(rows)
    for name in names:
        trial = groups[-1] + [name]
        table = _table("", rows, {n: placeholder for n in trial})
        if groups[-1] and natural_width(output, table) > output.width:
            groups.append([name])
        else:
            groups[-1] = trial
    return groups


def _bertscore_source(model: str | None) -> tuple[str | None, str | None]:
    """(model to load, None) when BERTScore can run in the demo, else (None, reason it is skipped)."""
    missing = [name for name in ("torch", "transformers") if importlib.util.find_spec(name) is None]
    if missing:
        return None, f"{' and '.join(missing)} not installed (pip install -e '.[bertscore]' in the korean-rewards clone)"
    if model is not None:
        return model, None
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(DEFAULT_MODEL, "config.json")
    except Exception:  # noqa: BLE001 - an unusual hub install: treat as not cached
        cached = None
    if isinstance(cached, str):
        return DEFAULT_MODEL, None
    return None, (
        f"{DEFAULT_MODEL} is not in the local Hugging Face cache and the demo downloads nothing "
        "(pass --bertscore-model PATH or a hub id to load one)"
    )


def _model_rewards(model: str | None, num_layers: int | None, skipped: dict[str, str]) -> dict[str, Any]:
    """bertscore_reward and malpyeong_reward configured for the model, loaded once; reasons in ``skipped`` if not."""
    model, reason = _bertscore_source(model)
    if model is None:
        skipped.update({name: str(reason) for name in MODEL_REWARDS})
        return {}
    import korean_rewards

    try:
        with error_console().status(f"loading {model} ..."):
            quiet_transformers()
            options: dict[str, Any] = {"model_type": model}
            if num_layers is not None:
                options["num_layers"] = num_layers
            bert = korean_rewards.bertscore_reward.configure(**options)
            combined = korean_rewards.malpyeong_reward(bertscore_model=model, num_layers=num_layers)
            bert.score("이유", "이유")  # load now, fail here
    except Exception as error:  # noqa: BLE001 - the demo goes on without BERTScore
        skipped.update({name: f"cannot load the BERTScore model {model}: {flag_message(error)}" for name in MODEL_REWARDS})
        return {}
    return {"bertscore_reward": bert, "malpyeong_reward": combined}
