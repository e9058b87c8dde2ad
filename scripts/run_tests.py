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
t4          trl 0.22.2, transformers 4.56.2 (``examples/requirements-t4``)  ``-m trainer``: real GRPOTrainer
trl-0.24    trl 0.24.0, transformers 4.57.6                                  runs, both examples' ``--smoke``,
                                                                             callbacks, the 2-process run
latest      the newest trl and transformers                                the whole suite
wheel       the built wheel, installed non-editable with ``[rouge]``      ``korean-rewards demo`` outside the
                                                                             checkout
==========  =============================================================  ===================================

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


# The trainer-facing tests (marker `trainer`) run on every stack; the whole suite runs once, on `latest`.
TRAINER_TESTS = ("-m", "trainer")
STACKS: dict[str, Stack] = {
    "t4": Stack(
        "t4",
        ("trl==0.22.2", "transformers==4.56.2", "peft==0.17.1", "accelerate==1.10.1", "datasets==4.3.0"),
        TRAINER_TESTS,
        description="the T4 recipe's pins (examples/requirements-t4.txt)",
    ),
    "trl-0.24": Stack(
        "trl-0.24",
        ("trl==0.24.0", "transformers==4.57.6", "peft==0.18.0", "accelerate==1.11.0", "datasets==4.3.0"),
        TRAINER_TESTS,
        description="trl 0.24 with the newest transformers it runs with",
    ),
    "latest": Stack("latest", (), (), description="the newest trl and transformers; the whole suite"),
    "wheel": Stack("wheel", (), (), wheel=True, extras="rouge", description="the built wheel, non-editable"),
}
DEFAULT_STACKS = ("t4", "trl-0.24", "latest", "wheel")


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
    requirements = [TORCH, target, *stack.pins]
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
        stamp_file.write_text(stamp)
    return venv


def versions(venv: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m\n"
        "for name in ('trl', 'transformers', 'torch', 'peft', 'accelerate', 'datasets'):\n"
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
        help=f"comma-separated stacks out of {', '.join(STACKS)} and 'current' (default: {','.join(DEFAULT_STACKS)})",
    )
    parser.add_argument(
        "--soak", action="store_true", help="run only the soak tests (marker soak), on 'latest' unless --stacks is given"
    )
    args = parser.parse_args(argv)
    if args.soak:
        extra = ["-m", "soak", *extra]  # after a stack's own -m, so it wins
        args.stacks = args.stacks if "--stacks" in " ".join(argv) else "latest"
    names = [name.strip() for name in args.stacks.split(",") if name.strip()]
    unknown = [name for name in names if name not in STACKS and name != "current"]
    if unknown or not names:
        parser.error(f"unknown stack(s) {unknown}; choose from {', '.join(STACKS)}, current")
    results = [run_current(extra) if name == "current" else run_stack(STACKS[name], extra) for name in names]

    print()
    log(f"{'stack':<10} {'result':<6} {'passed':>7} {'failed':>7} {'skipped':>8} {'seconds':>8}  versions / note")
    for r in results:
        described = ", ".join(f"{k} {v}" for k, v in r.versions.items() if k in ("trl", "transformers", "wheel"))
        log(f"{r.stack:<10} {'ok' if r.ok else 'FAIL':<6} {r.passed:>7} {r.failed:>7} {r.skipped:>8} "
            f"{r.seconds:>8.0f}  {described}; {r.note}")
    total_passed = sum(r.passed for r in results)
    total_failed = sum(r.failed for r in results) + sum(1 for r in results if not r.ok and r.failed == 0)
    print(f"total: {total_passed} passed, {total_failed} failed", flush=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
