"""``python -m korean_rewards``: the same as the ``korean-rewards`` command.

Example:
    >>> import subprocess, sys
    >>> out = subprocess.run([sys.executable, "-m", "korean_rewards", "--help"], capture_output=True, text=True)
    >>> out.returncode, "evaluate" in out.stdout
    (0, True)
"""

from __future__ import annotations

if __name__ == "__main__":
    from korean_rewards.cli import main

    main()
