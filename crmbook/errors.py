"""Errors the book shows to a reader as one sentence in the chapter's language, without a traceback."""
from __future__ import annotations

__all__ = ["SentenceError"]


class SentenceError(ValueError):
    """A mistake of the reader's (a parameter outside its values …) whose message is one sentence in the
    chapter's language; the project's kernel (:mod:`crmbook.kernel`) shows that sentence instead of a traceback.

    Parameters
    ----------
    message : str
        The sentence.
    name : str
        What it is about (e.g. the parameter's name).
    """

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name
