"""Titles and axis labels of the chapter-07 figures: a default from the label tables, or the caller's free text."""
from __future__ import annotations

from typing import Any


def set_texts(ax: Any, *, title: str | None, xlabel: str | None, ylabel: str | None,
              default_title: str | None = None, default_xlabel: str | None = None,
              default_ylabel: str | None = None) -> None:
    """Set the title and axis labels: the caller's text where given, else the default (None: leave unset).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    title, xlabel, ylabel : str or None
        Free text that overrides the default.
    default_title, default_xlabel, default_ylabel : str or None
        The labels computed from the label tables and the data.
    """
    for name, text, default, setter in (("title", title, default_title, ax.set_title),
                                        ("xlabel", xlabel, default_xlabel, ax.set_xlabel),
                                        ("ylabel", ylabel, default_ylabel, ax.set_ylabel)):
        if text is not None and not isinstance(text, str):
            raise TypeError(f"{name} must be a string or None, got {type(text).__name__}")
        chosen = text if text is not None else default
        if chosen is not None:
            setter(chosen)


def label_or(key: str, fallback: str, lang: str, **fmt: Any) -> str:
    """``t(key)`` if the label table has the key, else ``fallback`` (e.g. a column name of the user's data).

    Parameters
    ----------
    key : str
        A label key.
    fallback : str
        Text used when the key is not in the tables.
    lang : {"en", "zh"}
    **fmt
        Placeholder values.

    Returns
    -------
    str
    """
    from ..i18n import t

    try:
        return t(key, lang, **fmt)
    except KeyError as err:
        if str(err.args[0]).startswith("no label"):
            return fallback
        raise
