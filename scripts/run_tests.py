#!/usr/bin/env python3
"""Run the test suite on every supported TRL / transformers stack, each in its own fresh virtual environment.

This is the project's one test command (the README gives it and ``.ci/run`` calls it)::

    python scripts/run_tests.py                       # every stack, as CI does
    python scripts/run_tests.py --stacks t4           # one stack (comma-separated names for several)
    python scripts/run_tests.py --stacks current      # just `python -m pytest` in the running environment
    python scripts/run_tests.py --stacks t4 -- -k grpo   # extra pytest arguments after `--`
    python scripts/run_tests.py --soak                # only the long soak tests (new random inputs), on latest

Stacks (each venv lives in ``.venvs/<stack>`` and is reused while its requirements are unchanged):

==========  =============================================================  ===================================
stack       pins                                                           tests
==========  =============================================================  ===================================
t4          trl 0.22.2, transformers 4.56.2, peft 0.17.1 (the T4 recipe's    ``-m trainer``: real GRPOTrainer
            trl/transformers pair, with CPU-side pins of its own)            runs, both examples' ``--smoke``,
trl-0.24    trl 0.24.0, transformers 4.57.6                                  callbacks, the 2-process run
latest      the newest trl and transformers                                the whole suite
wheel       the built wheel, installed non-editable with ``[rouge]``      ``korean-rewards demo`` outside the
                                                                             checkout
engines     verl 0.9.1 and openrlhf 0.11.2 (``--no-deps``, CPU), ray,      ``tests/engines`` (verl's
            transformers 5.10 (verl's range), ``[serve,bertscore]``        RewardLoopManager on Ray, OpenRLHF's
                                                                             executor + experiences, the server
                                                                             with OpenRLHF's HTTP client) and
                                                                             ``tests/test_integrations.py``
t4-recipe   no venv: ``pip install --dry-run`` of                          ``scripts/t4_recipe.py``: resolves
            ``examples/requirements-t4.txt`` (metadata only)                 to the versions docs/training.md
                                                                             states
==========  =============================================================  ===================================

The ``engines`` stack installs the engines as their CPU users do: ``pip install --no-deps verl==0.9.1
openrlhf==0.11.2`` after the few dependencies their reward code imports (plain ``pip install verl`` / ``openrlhf``
pull CUDA builds, flash-attn and deepspeed, or fail to build on a CPU machine); the tests stub ``vllm``.

The ``t4`` stack is the CPU half of the T4 recipe: it has no Unsloth, vLLM or CUDA torch, and keeps the peft /
accelerate / datasets versions its trainer tests were written for (peft 0.17.1), while the recipe itself asks for
``peft>=0.18`` (every Unsloth since 2026.1.3 does). ``t4-recipe`` checks the recipe's resolution instead.

Every venv gets ``torch==2.13.0`` first (the CPU build on the project's machines; set ``KR_TORCH`` to change it).
A pytest run that collects no test (exit code 5) counts as a failure. The last line sums up every stack as
``total: N passed, N failed``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".venvs"
TORCH = os.environ.get("KR_TORCH", "torch==2.13.0")


@dataclass(frozen=True)
class Stack:
    """One supported set of library versions and what to run on it."""

    name: str
    pins: tuple[str, ...]
    pytest_args: tuple[str, ...] = ()
    wheel: bool = False
    extras: str = "test"
    description: str = ""
    #: installed afterwards with ``pip install --no-deps`` (packages whose declared dependencies cannot install here)
    no_deps: tuple[str, ...] = ()


# The trainer-facing tests (marker `trainer`) run on every stack; the whole suite runs once, on `latest`.
TRAINER_TESTS = ("-m", "trainer")
STACKS: dict[str, Stack] = {
    "t4": Stack(
        "t4",
        ("trl==0.22.2", "transformers==4.56.2", "peft==0.17.1", "accelerate==1.10.1", "datasets==4.3.0"),
        TRAINER_TESTS,
        description="the T4 recipe's trl/transformers pair on CPU (its own peft/accelerate/datasets pins)",
    ),
    "trl-0.24": Stack(
        "trl-0.24",
        ("trl==0.24.0", "transformers==4.57.6", "peft==0.18.0", "accelerate==1.11.0", "datasets==4.3.0"),
        TRAINER_TESTS,
        description="trl 0.24 with the newest transformers it runs with",
    ),
    "latest": Stack("latest", (), (), description="the newest trl and transformers; the whole suite"),
    "wheel": Stack("wheel", (), (), wheel=True, extras="rouge", description="the built wheel, non-editable"),
    "engines": Stack(
        "engines",
        (
            # what verl's reward loop and OpenRLHF's rollout-side reward code import (see the issue-19 notes)
            "transformers>=5.5.3,<5.11,!=5.6.0",  # verl 0.9.1's range
            "tensordict>=0.8,<=0.10,!=0.9.0",
            "ray==2.55.0",  # openrlhf 0.11.2's pin, within verl's >=2.41
            "omegaconf",
            "aiohttp",
            "codetiming",
            "sympy",
            "pylatexenc",
            "tqdm",
            "pytest>=8.0",
            "hypothesis>=6.100",
            "httpx>=0.27",
        ),
        ("tests/engines", "tests/test_integrations.py"),
        extras="serve,bertscore",
        description="verl and OpenRLHF's own reward code, on CPU",
        no_deps=("verl==0.9.1", "openrlhf==0.11.2"),
    ),
}
DEFAULT_STACKS = ("t4", "trl-0.24", "latest", "wheel", "engines", "t4-recipe")


def run_t4_recipe(extra: list[str]) -> Result:
    """The ``t4-recipe`` step: the T4 recipe still resolves to the versions docs/training.md states (t4_recipe.py)."""
    import t4_recipe  # this folder, which is sys.path[0] when the script runs

    started = time.perf_counter()
    log("=== step t4-recipe: pip install --dry-run of examples/requirements-t4.txt against docs/training.md")
    try:
        rows, seconds = t4_recipe.check_resolution()
    except (RuntimeError, ValueError, OSError) as error:
        log(f"t4-recipe: {error}")
        return Result("t4-recipe", False, failed=1, seconds=time.perf_counter() - started, note="did not resolve")
    print(t4_recipe.format_rows(rows), flush=True)
    different = [package for package, _, _, same in rows if not same]
    note = f"resolved with pip {t4_recipe.pip_version()} in {seconds:.0f} s"
    note += f"; differs from the docs: {', '.join(different)}" if different else ""
    return Result("t4-recipe", not different, passed=len(rows) - len(different), failed=len(different),
                  seconds=time.perf_counter() - started, note=note)


STEPS = {"t4-recipe": run_t4_recipe}  # checks that are no pytest run in a stack's venv


@dataclass
class Result:
    """What one stack did."""

    stack: str
    ok: bool
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    note: str = ""
    versions: dict[str, str] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[run_tests] {message}", flush=True)


def run(command: list[str], **kwargs: object) -> int:
    log("$ " + " ".join(command))
    return subprocess.call(command, **kwargs)  # type: ignore[arg-type]


def python_of(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / "python"


def ensure_venv(stack: Stack, wheel_file: Path | None = None) -> Path:
    """Create (or reuse) the stack's venv with torch first, then the package and the stack's pins."""
    venv = VENVS / stack.name
    if stack.wheel:
        assert wheel_file is not None
        target = f"{wheel_file}[{stack.extras}]"
    else:
        target = f"{ROOT}[{stack.extras}]"
    requirements = [TORCH, target, *stack.pins, *(f"--no-deps {name}" for name in stack.no_deps)]
    # a changed pyproject.toml (new extras or pins) makes a fresh venv too
    stamp = hashlib.sha256("\n".join(requirements).encode() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp_file = venv / ".korean-rewards-stack"
    if stack.wheel or not stamp_file.is_file() or stamp_file.read_text() != stamp:
        if venv.exists():
            shutil.rmtree(venv)
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        python = str(python_of(venv))
        subprocess.check_call([python, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        if not stack.wheel:  # the demo needs no torch: the wheel check installs exactly what a user would
            subprocess.check_call([python, "-m", "pip", "install", "-q", TORCH])
        install = [python, "-m", "pip", "install", "-q"]
        install += [target] if stack.wheel else ["-e", target]
        subprocess.check_call(install + list(stack.pins))
        if stack.no_deps:
            subprocess.check_call([python, "-m", "pip", "install", "-q", "--no-deps", *stack.no_deps])
        stamp_file.write_text(stamp)
    return venv


def versions(venv: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m\n"
        "for name in ('trl', 'transformers', 'torch', 'peft', 'accelerate', 'datasets', 'verl', 'openrlhf', 'ray'):\n"
        "    try: print(name, m.version(name))\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    out = subprocess.run([str(python_of(venv)), "-c", code], capture_output=True, text=True).stdout
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def pytest_counts(output: str) -> tuple[int, int, int]:
    """(passed, failed + errors, skipped) from pytest's closing line."""
    lines = [line for line in output.splitlines() if " in " in line and ("passed" in line or "failed" in line)]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for number, kind in _COUNT.findall(lines[-1] if lines else ""):
        counts["failed" if kind.startswith("error") else kind] += int(number)
    return counts["passed"], counts["failed"], counts["skipped"]


def run_pytest(python: Path, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run pytest, echoing its output, and return (exit code, output)."""
    command = [str(python), "-m", "pytest", *args]
    log("$ " + " ".join(command))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    captured = []
    for line in process.stdout:
        sys.stdout.write(line)
        captured.append(line)
    return process.wait(), "".join(captured)


def build_wheel() -> Path:
    """Build the sdist and the wheel with ``python -m build`` (in a throwaway venv) and return the wheel."""
    out = Path(tempfile.mkdtemp(prefix="korean-rewards-dist-"))
    builder = VENVS / "build"
    if not python_of(builder).exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(builder)])
        subprocess.check_call([str(python_of(builder)), "-m", "pip", "install", "-q", "build"])
    subprocess.check_call([str(python_of(builder)), "-m", "build", "--outdir", str(out), str(ROOT)])
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    if not wheels or not sdists:
        raise RuntimeError(f"python -m build made no wheel or sdist in {out}")
    return wheels[0]


def run_stack(stack: Stack, extra: list[str]) -> Result:
    started = time.perf_counter()
    log(f"=== stack {stack.name}: {stack.description}")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    try:
        if stack.wheel:
            wheel_file = build_wheel()
            venv = ensure_venv(stack, wheel_file)
            # from outside the checkout, so the package (and its data files) must come from the wheel
            outside = tempfile.mkdtemp(prefix="korean-rewards-demo-")
            cli = python_of(venv).parent / "korean-rewards"
            code = run([str(cli), "demo"], cwd=outside, env=env)
            where = subprocess.run(
                [str(python_of(venv)), "-c", "import korean_rewards; print(korean_rewards.__file__)"],
                cwd=outside, capture_output=True, text=True, env=env,
            ).stdout.strip()
            ok = code == 0 and "site-packages" in where and str(ROOT / "src") not in where
            note = f"demo exit {code}; imported from {where}"
            return Result(stack.name, ok, passed=int(ok), failed=int(not ok), seconds=time.perf_counter() - started,
                          note=note, versions={"wheel": wheel_file.name})
        venv = ensure_venv(stack)
    except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
        return Result(stack.name, False, failed=1, seconds=time.perf_counter() - started, note=f"set-up failed: {error}")
    found = versions(venv)
    log(f"{stack.name}: " + ", ".join(f"{k} {v}" for k, v in found.items()))
    code, output = run_pytest(python_of(venv), [*stack.pytest_args, *extra], env)
    passed, failed, skipped = pytest_counts(output)
    note = f"pytest exit {code}"
    if code == 5:
        note += " (no test collected)"
    return Result(stack.name, code == 0, passed, failed + (code != 0 and failed == 0), skipped,
                  time.perf_counter() - started, note, found)


def run_current(extra: list[str]) -> Result:
    started = time.perf_counter()
    code, output = run_pytest(Path(sys.executable), extra, dict(os.environ))
    passed, failed, skipped = pytest_counts(output)
    return Result("current", code == 0, passed, failed + (code != 0 and failed == 0), skipped,
                  time.perf_counter() - started, f"pytest exit {code}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stacks",
        default=",".join(DEFAULT_STACKS),
        help=f"comma-separated stacks out of {', '.join([*STACKS, *STEPS])} and 'current' "
        f"(default: {','.join(DEFAULT_STACKS)})",
    )
    parser.add_argument(
        "--soak", action="store_true", help="run only the soak tests (marker soak), on 'latest' unless --stacks is given"
    )
    args = parser.parse_args(argv)
    if args.soak:
        extra = ["-m", "soak", *extra]  # after a stack's own -m, so it wins
        args.stacks = args.stacks if "--stacks" in " ".join(argv) else "latest"
    names = [name.strip() for name in args.stacks.split(",") if name.strip()]
    unknown = [name for name in names if name not in STACKS and name not in STEPS and name != "current"]
    if unknown or not names:
        parser.error(f"unknown stack(s) {unknown}; choose from {', '.join([*STACKS, *STEPS])}, current")
    results = [
        run_current(extra) if name == "current" else STEPS[name](extra) if name in STEPS
        else run_stack(STACKS[name], extra)
        for name in names
    ]

    print()
    log(f"{'stack':<10} {'result':<6} {'passed':>7} {'failed':>7} {'skipped':>8} {'seconds':>8}  versions / note")
    for r in results:
        shown = ("trl", "transformers", "wheel", "verl", "openrlhf")
        described = ", ".join(f"{k} {v}" for k, v in r.versions.items() if k in shown)
        log(f"{r.stack:<10} {'ok' if r.ok else 'FAIL':<6} {r.passed:>7} {r.failed:>7} {r.skipped:>8} "
            f"{r.seconds:>8.0f}  {described}; {r.note}")
    total_passed = sum(r.passed for r in results)
    total_failed = sum(r.failed for r in results) + sum(1 for r in results if not r.ok and r.failed == 0)
    print(f"total: {total_passed} passed, {total_failed} failed", flush=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
