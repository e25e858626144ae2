"""What-if widgets that also run headless.

:func:`what_if` shows sliders wired to a function in JupyterLab. Under
papermill (the runner sets ``CRMNB_HEADLESS=1``) or without ipywidgets'
front end, it calls the function once with the sliders' default values so
the executed notebook and the site still show a result.
"""
from __future__ import annotations

import os
from typing import Any, Callable

__all__ = ["headless", "what_if"]


def headless() -> bool:
    """True when notebooks run without a live widget front end (papermill, tests, site build)."""
    return os.environ.get("CRMNB_HEADLESS", "") not in ("", "0", "false", "False")


def what_if(func: Callable[..., Any], **controls: Any) -> Any:
    """Wire ``controls`` (ipywidgets, keyed by ``func``'s argument names) to ``func``.

    Returns the widget box in a live notebook; headless, the value ``func``
    returned for the controls' current values.
    """
    import ipywidgets as w

    if not controls:
        raise ValueError("what_if needs at least one control")
    for name, c in controls.items():
        if not isinstance(c, w.ValueWidget):
            raise TypeError(f"control {name!r} must be an ipywidgets value widget, got {type(c).__name__}")
    if headless():
        return func(**{k: c.value for k, c in controls.items()})
    from IPython.display import display

    out = w.interactive_output(func, controls)
    box = w.VBox([w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), out])
    display(box)
    return box
