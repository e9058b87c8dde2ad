"""Errors that name the parameter at fault, so that each front end can say it in its own words.

The library speaks of keyword arguments (``num_layers=99``); the command line speaks of flags
(``--num-layers 99``). An error raised here keeps the parameter names apart from the prose: the message is a
template whose fields are parameter names, :meth:`ParameterError.render` fills them in, as ``name=`` by
default (the library's own message) or with the words a caller passes (the CLI's one table of flags).

Example:
    >>> error = ParameterError("{num_layers}99, but the model has only 4 layers", parameter="num_layers")
    >>> str(error)
    'num_layers=99, but the model has only 4 layers'
    >>> error.render({"num_layers": "--num-layers "})
    '--num-layers 99, but the model has only 4 layers'
"""

from __future__ import annotations

import string
from collections.abc import Mapping

__all__ = ["ParameterError", "ModelLoadError", "render_message", "literal"]


def render_message(template: str, names: Mapping[str, str] | None = None) -> str:
    """Fill a template's parameter fields: ``{num_layers}`` becomes ``names["num_layers"]``, else ``num_layers=``.

    Literal braces are written doubled (``{{`` and ``}}``), as in :meth:`str.format`.

    Example:
        >>> render_message("pass {num_layers}<layer> for {model_type}'x'")
        "pass num_layers=<layer> for model_type='x'"
        >>> render_message("pass {num_layers}<layer>", {"num_layers": "--num-layers "})
        'pass --num-layers <layer>'
    """
    names = names or {}
    fields = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return template.format(**{field: names.get(field, f"{field}=") for field in fields})


def literal(value: object, quote: bool = True) -> str:
    """``value`` as text to put in a template (its ``repr`` when ``quote``), braces escaped.

    Example:
        >>> render_message("{model_type}" + literal("./{x}"))
        "model_type='./{x}'"
    """
    text = repr(value) if quote else str(value)
    return text.replace("{", "{{").replace("}", "}}")


class _Rendered:
    """What both errors share: a template, the parameter at fault, and :meth:`render`."""

    template: str
    parameter: str

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """The message with parameter names given by ``names`` (default: ``name=``).

        Example:
            >>> ParameterError("{batch_size}0 is not positive", parameter="batch_size").render({"batch_size": "-b "})
            '-b 0 is not positive'
        """
        return render_message(self.template, names)


class ParameterError(_Rendered, ValueError):
    """A bad value for a parameter of a library call; ``parameter`` names it and the message names the fix.

    The message is a template whose ``{fields}`` are parameter names (see the module notes); values are part of
    the text. It is a ``ValueError``, so code that catches those keeps working.

    Example:
        >>> try:
        ...     raise ParameterError("{device}'tpu' is not a device", parameter="device")
        ... except ValueError as error:
        ...     print(error.parameter, "|", error)
        device | device='tpu' is not a device
    """

    def __init__(self, template: str, *, parameter: str) -> None:
        self.template = template
        self.parameter = parameter
        super().__init__(render_message(template))


class ModelLoadError(_Rendered, OSError):
    """A model or checkpoint that cannot be loaded; ``parameter`` is the argument that named it.

    An ``OSError`` (as ``from_pretrained`` raises), with a message template like :class:`ParameterError`.

    Example:
        >>> error = ModelLoadError("could not load './m': no such folder; pass {model_type}'DIR'", parameter="model_type")
        >>> isinstance(error, OSError), error.render({"model_type": "--bertscore-model "})
        (True, "could not load './m': no such folder; pass --bertscore-model 'DIR'")
    """

    def __init__(self, template: str, *, parameter: str) -> None:
        self.template = template
        self.parameter = parameter
        super().__init__(render_message(template))
