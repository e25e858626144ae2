"""What-if widgets that also run headless.

:func:`what_if` shows controls wired to a function in JupyterLab, *once*: it
displays them itself and returns a :class:`WhatIf` handle that has no display
of its own, so a what-if that is the last expression of its cell is still shown
exactly once. Under papermill (the runner sets ``CRMNB_HEADLESS=1``) it calls the
function once with the controls' values, so the executed notebook and the site
show the default case.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["headless", "what_if", "WhatIf"]


def headless() -> bool:
    """True when notebooks run without a live widget front end (papermill, tests, site build).

    Returns
    -------
    bool
    """
    return os.environ.get("CRMNB_HEADLESS", "") not in ("", "0", "false", "False")


@dataclass
class WhatIf:
    """A displayed what-if. It shows nothing as a cell result (the controls are already on screen).

    Attributes
    ----------
    controls : dict
        Argument name -> ipywidgets control.
    result : Any
        What the function returned for the controls' current values (headless: the default case).
    box : ipywidgets.Widget or None
        The displayed widget box (None headless).
    """

    controls: dict[str, Any]
    result: Any = None
    box: Any = None
    _callbacks: list = field(default_factory=list, repr=False)

    def _ipython_display_(self) -> None:
        return None

    def __repr__(self) -> str:  # plain-text repr, in case a front end asks
        return f"WhatIf({', '.join(self.controls)})"


def what_if(func: Callable[..., Any], *, plot: Callable[[Any], Any] | None = None, **controls: Any) -> WhatIf:
    """Wire ``controls`` (ipywidgets, keyed by ``func``'s argument names) to ``func`` and show them once.

    Parameters
    ----------
    func : callable
        Called with the controls' values; prints or displays its result (``ch.say``) and returns it.
    plot : callable, optional
        ``plot(result) -> Axes or Figure``: drawn below the controls in a live notebook only
        (headless, the chapter saves the default case's figure itself).
    **controls
        Argument name -> an ipywidgets value widget (its ``description`` from the label table).

    Returns
    -------
    WhatIf
        A handle (not displayed again as a cell result).

    Raises
    ------
    ValueError
        No controls.
    TypeError
        A control that is not an ipywidgets value widget, or ``func`` / ``plot`` not callable.
    """
    import ipywidgets as w

    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if plot is not None and not callable(plot):
        raise TypeError(f"plot must be callable, got {type(plot).__name__}")
    if not controls:
        raise ValueError("what_if needs at least one control")
    for name, c in controls.items():
        if not isinstance(c, w.ValueWidget):
            raise TypeError(f"control {name!r} must be an ipywidgets value widget, got {type(c).__name__}")
    handle = WhatIf(dict(controls))
    if headless():
        handle.result = func(**{k: c.value for k, c in controls.items()})
        return handle

    from IPython.display import Image, display

    def run(**values: Any) -> None:
        handle.result = func(**values)
        if plot is not None:
            import matplotlib.pyplot as plt

            # not interactive while drawing: pyplot's interactive mode redraws a figure whenever an
            # artist changes, and such a redraw from a widget callback could leave the PNG blank
            with plt.ioff():
                drawn = plot(handle.result)
                fig = getattr(drawn, "figure", drawn)   # an Axes stands for its Figure
                if not hasattr(fig, "savefig"):
                    return
                png = _png(fig)
                plt.close(fig)
            display(Image(data=png, format="png"))

    out = w.interactive_output(run, controls)
    handle.box = w.VBox([w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), out])
    display(handle.box)
    return handle


def _png(fig: Any, dpi: float = 100) -> bytes:
    """``fig`` as PNG bytes, drawn on a canvas of its own (whatever backend the kernel runs).

    The figure is put on a fresh Agg canvas first, and its tight box is measured as the
    chapters' figures are (:meth:`crmbook.Chapter.figure`). Call it with pyplot's interactive mode
    off (``plt.ioff()``): a redraw triggered from a widget callback could leave the PNG blank.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from .figures import tight_bbox

    FigureCanvasAgg(fig)          # attaches itself as fig.canvas
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=tight_bbox(fig, dpi))
    return buf.getvalue()
