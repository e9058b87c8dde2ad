"""``python -m korean_rewards.cli``: the ``korean-rewards`` command."""

from korean_rewards.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
