"""What the chapter 07 and 08 figures share: titles and axis labels (a default from the label tables, or
the caller's free text) and the check of what a figure is given."""
from __future__ import annotations

from typing import Any, Mapping


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


def check_type(value: Any, cls: type, name: str, what: str) -> None:
    """Refuse anything but a ``cls``, with one TypeError naming the argument.

    Parameters
    ----------
    value : object
    cls : type
        The result class the figure draws.
    name : str
        The argument's name.
    what : str
        The class as the message says it, with its maker (``"an ABTest (ab_test)"``).
    """
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")


def one_or_many(value: Any, cls: type, name: str, *, article: str, keys: str,
                single_key: Any = None) -> tuple[dict[Any, Any], bool]:
    """One ``cls`` or a non-empty mapping of them, as a dict, and whether it was one.

    Parameters
    ----------
    value : object
        A ``cls`` or a mapping of key -> ``cls``.
    cls : type
    name : str
        The argument's name (for the error).
    article : {"a", "an"}
        The article before the class name in the error.
    keys : str
        What the mapping's keys are (``"level"``), for the error.
    single_key : object
        The key of a single ``cls`` in the dict.

    Returns
    -------
    (dict, bool)
        The items in order, and True when ``value`` was a single ``cls``.
    """
    single = isinstance(value, cls)
    items = {single_key: value} if single else dict(value) if isinstance(value, Mapping) else None
    if not items or not all(isinstance(v, cls) for v in items.values()):
        raise TypeError(f"{name} must be {article} {cls.__name__} or a non-empty mapping of {keys} -> {cls.__name__}")
    return items, single
