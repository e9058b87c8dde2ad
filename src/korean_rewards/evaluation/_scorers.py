"""Scorers of reasons for :func:`~korean_rewards.evaluation.evaluate_items`: BERTScore F1 and BLEURT on the
library's scorers, Google's TensorFlow BLEURT where installed, or the user's own function.

Example:
    >>> BERTScoreF1().model_type, BLEURTScore().checkpoint
    ('bert-base-multilingual-cased', 'lucadiliello/BLEURT-20')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._io import EvaluationInputError
from ._metrics import TextScorer

__all__ = ["BERTScoreF1", "BLEURTScore", "load_bleurt_checkpoint", "import_scorer"]


class BERTScoreF1:
    """BERTScore F1 as a :data:`TextScorer`, with the official defaults (``bert-base-multilingual-cased``,
    its default layer 9, no idf, no baseline rescaling).

    The model loads on the first call (torch and transformers are imported only then), through
    :class:`korean_rewards.bertscore.BERTScorer`. ``model_type`` may be a hub id or a local folder.

    Example:
        >>> scorer = BERTScoreF1("bert-base-multilingual-cased")
        >>> scorer.model_type, scorer.num_layers
        ('bert-base-multilingual-cased', None)
    """

    def __init__(
        self,
        model_type: str = "bert-base-multilingual-cased",
        num_layers: int | None = None,
        device: str | None = None,
        batch_size: int = 64,
    ) -> None:
        self.model_type = model_type
        self.num_layers = num_layers
        self.device = device
        self.batch_size = batch_size
        self._scorer: Any = None

    def load(self) -> Any:
        """Load the model now (if not loaded yet) and return the :class:`~korean_rewards.bertscore.BERTScorer`.

        The scorer is the process's shared one for these settings (:func:`korean_rewards.bertscore.get_scorer`),
        so an evaluation during training reuses the model and reference cache of a BERTScore reward.
        """
        if self._scorer is None:
            from ..bertscore import get_scorer

            scorer = get_scorer(
                model_type=self.model_type, num_layers=self.num_layers, device=self.device, batch_size=self.batch_size
            )
            scorer.load()
            self._scorer = scorer
        return self._scorer

    def __call__(self, candidates: list[str], references: list[str]) -> list[float]:
        if not candidates:
            return []
        _, _, f1 = self.load().score(list(candidates), list(references))
        return [float(value) for value in f1.tolist()]


class BLEURTScore:
    """BLEURT as a :data:`TextScorer` ``(candidates, references) -> scores``, with
    :class:`korean_rewards.bleurt.BLEURTScorer` on a checkpoint in bleurt-pytorch's format (the official scorer
    uses BLEURT-20: ``lucadiliello/BLEURT-20``).

    The model loads on the first call or :meth:`load` (torch is imported only then), once per process and
    settings, shared with :class:`~korean_rewards.bleurt.BLEURTReward`. :meth:`describe` says which checkpoint
    and activation were used.

    Example:
        >>> import tempfile
        >>> from korean_rewards.testing import save_tiny_bleurt
        >>> scorer = BLEURTScore(save_tiny_bleurt(tempfile.mkdtemp()), device="cpu")
        >>> len(scorer(["후보 이유"], ["정답 이유"])), scorer.describe()["activation"]
        (1, 'gelu')
    """

    def __init__(
        self,
        checkpoint: str = "lucadiliello/BLEURT-20",
        device: str | None = None,
        batch_size: int = 32,
        dtype: str | None = None,
        tf_gelu: bool = False,
    ) -> None:
        self.checkpoint = checkpoint
        self.device = device
        self.batch_size = batch_size
        self.dtype = dtype
        self.tf_gelu = tf_gelu
        self._scorer: Any = None

    def load(self) -> Any:
        """Load the model now (if not loaded yet) and return the :class:`~korean_rewards.bleurt.BLEURTScorer`."""
        if self._scorer is None:
            from ..scorers.bleurt import get_scorer

            scorer = get_scorer(self.checkpoint, self.device, self.batch_size, self.dtype, 512, self.tf_gelu)
            scorer.load()
            self._scorer = scorer
        return self._scorer

    def describe(self) -> dict[str, Any]:
        """What the report records: ``{"checkpoint", "folder", "activation", "tf_gelu"}`` (loads the model).

        ``activation`` is the config's ``hidden_act`` (``"gelu"`` is the exact GELU, as bleurt-pytorch), or
        ``"gelu_tanh"`` with ``tf_gelu`` (TensorFlow BLEURT's approximation).
        """
        scorer = self.load()
        return {
            "checkpoint": self.checkpoint,
            "folder": None if scorer.folder is None else str(scorer.folder),
            "activation": scorer.activation,
            "tf_gelu": bool(self.tf_gelu),
        }

    def __call__(self, candidates: list[str], references: list[str]) -> list[float]:
        if not candidates:
            return []
        return self.load().score(list(references), list(candidates))


def load_bleurt_checkpoint(checkpoint: str, batch_size: int = 64) -> TextScorer:
    """BLEURT through Google's TensorFlow ``bleurt`` package (the official scorer uses ``BLEURT-20``).

    That package (``pip install git+https://github.com/google-research/bleurt``, plus TensorFlow and a
    downloaded checkpoint) is not a dependency of this library and cannot be installed next to it in many
    environments; without it this raises :class:`EvaluationInputError` saying so.

    Example:
        >>> try:
        ...     load_bleurt_checkpoint("BLEURT-20")
        ... except EvaluationInputError as error:
        ...     print(str(error)[:55])
        BLEURT needs Google's TensorFlow "bleurt" package, whic
    """
    try:
        from bleurt import score as bleurt_score  # type: ignore[import-not-found]
    except ImportError:
        raise EvaluationInputError(
            'BLEURT needs Google\'s TensorFlow "bleurt" package, which is not installed (it is not installable '
            "with this library's dependencies): install it with TensorFlow "
            "(pip install git+https://github.com/google-research/bleurt) and download BLEURT-20, or pass "
            "your own scorer with --bleurt-function module:function"
        ) from None
    if not Path(checkpoint).is_dir():
        raise EvaluationInputError(f"BLEURT checkpoint {checkpoint}: no such folder")
    scorer = bleurt_score.BleurtScorer(checkpoint)

    def bleurt(candidates: list[str], references: list[str]) -> list[float]:
        return list(scorer.score(references=references, candidates=candidates, batch_size=batch_size))

    return bleurt




def import_scorer(spec: str) -> TextScorer:
    """Import a scorer ``(candidates, references) -> list[float]`` given as ``"module:name"`` or ``"file.py:name"``.

    A module is looked up in the current folder first (as ``python -c`` would), then on the usual path; a
    ``.py`` file is imported from that file (:func:`korean_rewards.registry.import_object`, which leaves
    ``sys.path`` as it found it).

    Example:
        >>> import os
        >>> import_scorer("os.path:join") is os.path.join
        True
        >>> import_scorer("no_such_module_xyz:f")
        Traceback (most recent call last):
        ...
        korean_rewards.evaluation.EvaluationInputError: cannot import no_such_module_xyz:f (cannot import the module ...
    """
    from ..registry import SpecError, import_object

    try:
        scorer = import_object(spec)
    except SpecError as error:
        raise EvaluationInputError(str(error)) from None
    if not callable(scorer):
        raise EvaluationInputError(f"{spec} is not callable")
    return scorer
