"""What-if widgets that also run headless, and cannot break.

:func:`what_if` shows controls wired to a function in JupyterLab, *once*: it
displays them itself and returns a :class:`WhatIf` handle that has no display
of its own, so a what-if that is the last expression of its cell is still shown
exactly once. Under papermill (the runner sets ``CRMNB_HEADLESS=1``) it calls the
function once with the controls' values, so the executed notebook and the site
show the default case.

A student cannot break it:

* every slider gets a text box instead of ipywidgets' readout; what is typed there is read as
  :mod:`crmbook.typed` reads answers (full-width digits, ``%``, units) and set if it is in the
  slider's range, or refused with one sentence in the chapter's language beside the slider
  (nothing jumps to an end of the range, nothing is silently ignored);
* a combination the function cannot compute is one sentence above the last chart, which stays:
  the function raises :class:`Invalid` with the sentence (``raise ch.invalid("key", …)``), and any
  other error becomes a general sentence (its traceback goes to the kernel's log, not the page);
* the controls sit in a grid whose slider column keeps a usable width in both languages;
* :func:`slider` never clamps: a value outside the range it is given widens the range.

With ``CRMNB_WHATIF_CORNERS=1`` (or a language code: that edition only; the test suite's notebook
runs set ``en``) a headless what-if also calls the function and the plot at every corner of its
controls (each slider at both ends, each checkbox both ways) and fails the run on any error other
than :class:`Invalid`.
"""
from __future__ import annotations

import html
import io
import itertools
import math
import os
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from crmlib.i18n import check_lang, t
from .mdtext import lab_markdown
from .typed import format_number, read_number

__all__ = ["headless", "what_if", "WhatIf", "Invalid", "slider"]


def headless() -> bool:
    """True when notebooks run without a live widget front end (papermill, tests, site build).

    Returns
    -------
    bool
    """
    return os.environ.get("CRMNB_HEADLESS", "") not in ("", "0", "false", "False")


class Invalid(Exception):
    """A what-if combination that cannot be computed; the message is one sentence in the chapter's language."""


@dataclass
class WhatIf:
    """A displayed what-if. It shows nothing as a cell result (the controls are already on screen).

    Attributes
    ----------
    controls : dict
        Argument name -> ipywidgets control.
    result : Any
        What the function returned for the controls' current values (headless: the default case);
        None while the current values are an invalid combination.
    box : ipywidgets.Widget or None
        The displayed widget box (None headless).
    message : str
        The sentence shown for an invalid combination ("" when the values are valid).
    """

    controls: dict[str, Any]
    result: Any = None
    box: Any = None
    message: str = ""
    _callbacks: list = field(default_factory=list, repr=False)

    def _ipython_display_(self) -> None:
        return None

    def __repr__(self) -> str:  # plain-text repr, in case a front end asks
        return f"WhatIf({', '.join(self.controls)})"


def slider(value: float, low: float, high: float, step: float, description: str = "") -> Any:
    """An ipywidgets slider that never clamps: a ``value`` outside [low, high] widens the range.

    Parameters
    ----------
    value, low, high, step : float
        The start value, the range and the step (integers throughout give an ``IntSlider``).
    description : str
        The label (from the label table).

    Returns
    -------
    ipywidgets.IntSlider or ipywidgets.FloatSlider
        Updated only when released (``continuous_update=False``).
    """
    import ipywidgets as w

    nums = (value, low, high, step)
    if any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) for x in nums):
        raise TypeError(f"slider needs finite numbers, got value={value!r}, low={low!r}, high={high!r}, step={step!r}")
    if not low < high or step <= 0:
        raise ValueError(f"slider needs low < high and step > 0, got {low}, {high}, {step}")
    low, high = min(low, value), max(high, value)
    kind = w.IntSlider if all(isinstance(x, int) for x in nums) else w.FloatSlider
    return kind(value=value, min=low, max=high, step=step, description=description, continuous_update=False)


def _is_slider(c: Any) -> bool:
    import ipywidgets as w

    return isinstance(c, (w.IntSlider, w.FloatSlider))


def _decimals(c: Any) -> int:
    step = float(c.step or 1)
    return 0 if step.is_integer() else min(6, max(0, -math.floor(math.log10(step) + 1e-9)))


def _shown(c: Any, v: float) -> str:
    return format_number(v, _decimals(c), lang="zh")


def _read_typed(c: Any, text: str, lang: str) -> tuple[float | None, str]:
    """(value to set, sentence): the slider value a student typed, or None and why it is refused."""
    lo, hi = float(c.min), float(c.max)
    bounds = dict(low=_shown(c, lo), high=_shown(c, hi))
    n = read_number(text)
    if n is None:
        return None, t("core.whatif.not_a_number", lang, text=text.strip(), **bounds)
    v = n.value / 100 if n.percent and hi <= 1 else n.value
    if not lo - 1e-12 <= v <= hi + 1e-12:
        if hi <= 1 and 1 < v <= 100 and lo <= v / 100 <= hi:
            return None, t("core.whatif.percent_hint", lang, value=format_number(v, lang="zh"),
                           fraction=format_number(v / 100, lang="zh"))
        return None, t("core.whatif.out_of_range", lang, value=format_number(v, lang="zh"), **bounds)
    step = float(c.step or 1)
    k = math.floor((v - lo) / step + 0.5 + 1e-9)
    snapped = min(hi, lo + k * step)
    if isinstance(c.value, int) and not float(v).is_integer():
        return None, t("core.whatif.not_whole", lang, value=format_number(v, lang="zh"), **bounds)
    snapped = round(snapped, _decimals(c) + 6)
    note = "" if abs(snapped - v) <= 1e-9 * max(1.0, abs(v)) else t("core.whatif.rounded", lang,
                                                                     snapped=_shown(c, snapped))
    return (int(round(snapped)) if isinstance(c.value, int) else snapped), note


def _readout(c: Any, lang: str) -> tuple[Any, Any]:
    """A text box that shows the slider's value and sets it from what is typed; and its message line."""
    import ipywidgets as w

    text = w.Text(value=_shown(c, c.value), continuous_update=False, layout=w.Layout(width="7em"))
    text.add_class("crm-readout")
    msg = w.HTML(value="", layout=w.Layout(min_width="0"))
    msg.add_class("crm-readout-message")
    busy = []

    def from_slider(change: Any) -> None:
        busy.append(1)
        try:
            text.value = _shown(c, change["new"])
        finally:
            busy.pop()

    def from_text(change: Any) -> None:
        if busy:
            return
        v, sentence = _read_typed(c, change["new"], lang)
        msg.value = f'<span style="color:#b45309">{html.escape(sentence)}</span>' if sentence else ""
        busy.append(1)
        try:
            if v is not None:
                c.value = v
            text.value = _shown(c, c.value)
        finally:
            busy.pop()

    c.observe(from_slider, "value")
    text.observe(from_text, "value")
    return text, msg


def _layout(controls: dict[str, Any], lang: str) -> Any:
    """Sliders in a grid (label, track, typed value, message), other controls below, one per row."""
    import ipywidgets as w

    cells, others = [], []
    for c in controls.values():
        if _is_slider(c):
            label = w.HTML(value=html.escape(c.description or ""), layout=w.Layout(min_width="0"))
            c.description = ""
            c.readout = False
            c.layout = w.Layout(width="auto", min_width="14em")
            c.add_class("crm-control")
            cells += [label, c, *_readout(c, lang)]
        else:
            c.add_class("crm-control")
            others.append(c)
    parts = []
    if cells:
        parts.append(w.GridBox(cells, layout=w.Layout(
            grid_template_columns="minmax(8em, max-content) minmax(14em, 26em) 7.5em minmax(0, 1fr)",
            grid_gap="2px 12px", align_items="center", width="100%")))
    if others:
        parts.append(w.VBox(others))
    return parts


def _figure_png(plot: Callable[[Any], Any], result: Any) -> bytes | None:
    import matplotlib.pyplot as plt

    # not interactive while drawing: pyplot's interactive mode redraws a figure whenever an
    # artist changes, and such a redraw from a widget callback could leave the PNG blank
    with plt.ioff():
        drawn = plot(result)
        fig = getattr(drawn, "figure", drawn)   # an Axes stands for its Figure
        if not hasattr(fig, "savefig"):
            return None
        png = _png(fig)
        plt.close(fig)
    return png


def _corners(controls: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of each control's extreme values (sliders: both ends; checkboxes: both ways)."""
    import ipywidgets as w

    ends = {}
    for k, c in controls.items():
        if _is_slider(c):
            ends[k] = (c.min, c.max)
        elif isinstance(c, w.Checkbox):
            ends[k] = (False, True)
        elif hasattr(c, "options") and getattr(c, "options", None):
            ends[k] = tuple(o[1] if isinstance(o, tuple) else o for o in c.options)
        else:
            ends[k] = (c.value,)
    return [dict(zip(ends, combo)) for combo in itertools.product(*ends.values())]


def _corners_wanted(lang: str) -> bool:
    """``CRMNB_WHATIF_CORNERS``: ``1`` checks the corners in every edition, a language code in that one."""
    want = os.environ.get("CRMNB_WHATIF_CORNERS", "").strip()
    return want == "1" or want == lang


def _check_corners(func: Callable[..., Any], plot: Callable[[Any], Any] | None, controls: dict[str, Any]) -> None:
    from IPython.utils.capture import capture_output

    failures = []
    for values in _corners(controls):
        with capture_output():
            try:
                result = func(**values)
                if plot is not None:
                    _figure_png(plot, result)
            except Invalid:
                continue
            except Exception as exc:  # noqa: BLE001 - collected and reported together below
                failures.append(f"{values}: {type(exc).__name__}: {exc}")
    if failures:
        raise AssertionError(f"what-if fails at {len(failures)} corner(s) of its controls:\n" + "\n".join(failures[:8]))


def what_if(func: Callable[..., Any], *, plot: Callable[[Any], Any] | None = None, lang: str = "en",
            **controls: Any) -> WhatIf:
    """Wire ``controls`` (ipywidgets, keyed by ``func``'s argument names) to ``func`` and show them once.

    Parameters
    ----------
    func : callable
        Called with the controls' values; prints or displays its result (``ch.say``) and returns it,
        or raises :class:`Invalid` with one sentence for values it cannot compute.
    plot : callable, optional
        ``plot(result) -> Axes or Figure``: drawn below the controls in a live notebook only
        (headless, the chapter saves the default case's figure itself).
    lang : {"en", "zh"}
        The chapter's language (the sentences of the typed values and of a failed computation).
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

    check_lang(lang)
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
        from IPython.display import display

        try:
            handle.result = func(**{k: c.value for k, c in controls.items()})
        except Invalid as e:
            handle.message = str(e)
            display({"text/markdown": lab_markdown(str(e)), "text/plain": str(e)}, raw=True)
        if _corners_wanted(lang):
            _check_corners(func, plot, controls)
        return handle

    from IPython.display import Image, display

    out = w.Output()
    last_png: list[bytes] = []

    def say(sentence: str) -> None:
        out.clear_output()
        handle.result, handle.message = None, sentence
        with out:
            display({"text/markdown": lab_markdown(sentence), "text/plain": sentence}, raw=True)
            if last_png:
                note = t("core.whatif.last_chart", lang)
                display({"text/markdown": f"*{lab_markdown(note)}*", "text/plain": note}, raw=True)
                display(Image(data=last_png[-1], format="png"))

    def update(*_: Any) -> None:
        values = {k: c.value for k, c in controls.items()}
        out.clear_output(wait=True)
        refused = ""
        # the errors are caught inside the Output's context: leaving it with an exception would print
        # the traceback into the page
        with out:
            try:
                result = func(**values)
                png = _figure_png(plot, result) if plot is not None else None
            except Invalid as e:
                refused = str(e)
            except Exception:  # noqa: BLE001 - a student sees one sentence; the traceback goes to the kernel log
                traceback.print_exc(file=sys.__stderr__)
                refused = t("core.whatif.cannot", lang)
            else:
                if png is not None:
                    last_png[:] = [png]
                    display(Image(data=png, format="png"))
        if refused:
            say(refused)
            return
        handle.result, handle.message = result, ""

    for c in controls.values():
        c.observe(update, "value")
    handle.box = w.VBox([*_layout(controls, lang), out])
    update()
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
