"""Sphinx extension: Chinese search in which the course's compound terms are words.

Sphinx's Chinese search (:mod:`sphinx.search.zh`) cuts every text with jieba at build time, while
the search page splits the reader's query only at spaces and punctuation: a query of Chinese
characters is looked up whole, as one index word or as part of a longer one. Where jieba had cut
客户流失 into 客户 / 流失 (or 帕累托图 into 用帕 / 累托图), the query 客户流失 found nothing.

For the Chinese edition this extension replaces Sphinx's ``zh`` search language with
:class:`CourseChinese`, which

1. gives jieba a user dictionary made from the term list (:func:`crmbook.terms.search_words`:
   every Chinese term, its second name and every variant), written at build time to
   ``<doctrees>/crm_terms_userdict.txt`` and passed as ``html_search_options["dict"]``;
2. indexes, besides jieba's words, every term-list word that occurs in a text, so a compound is
   found on every page that contains it even where jieba cut that sentence differently
   (企业客户流失率: jieba gives 客户 / 流失 / 流失率);
3. splits the query on the search page with the index's own vocabulary (``splitQuery`` in
   ``language_data.js``): each run of Chinese characters is cut into the longest words the index
   holds, left to right, so 客户终身价值 is looked up whole and 客户流失原因 as 客户流失 + 原因
   (a page must contain all of them, as for an English query of several words).

Latin words keep Sphinx's handling (English stemming). Nothing here uses the network.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese

from crmbook.terms import search_words

USERDICT = "crm_terms_userdict.txt"
_HAN_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])\n+(?=[\u4e00-\u9fff])")

# The query splitter, in the browser: Sphinx's own split at non-letters, then each run of Han
# characters cut by forward maximum matching against the words of the loaded index.
_SPLITTER = r"""
/* CRM Notebooks (site/_ext/crm_search.py): split a Chinese query into the index's own words. */
var splitQuery = (function () {
  var vocab = null, longest = 1;
  function load() {
    if (vocab !== null || typeof Search === "undefined" || !Search._index) return vocab;
    vocab = new Set();
    [Search._index.terms || {}, Search._index.titleterms || {}].forEach(function (table) {
      Object.keys(table).forEach(function (w) {
        if (/\p{Script=Han}/u.test(w)) {
          vocab.add(w);
          if (w.length > longest) longest = w.length;
        }
      });
    });
    return vocab;
  }
  function cut(run) {
    var words = load();
    if (words === null || run.length < 3 || words.has(run)) return [run];
    var out = [], i = 0;
    while (i < run.length) {
      var n = Math.min(longest, run.length - i);
      for (; n >= 2; n--) {
        if (words.has(run.substr(i, n))) break;
      }
      if (n >= 2) {
        out.push(run.substr(i, n));
        i += n;
      } else {
        i += 1;  // a character no index word starts with here: not searchable on its own
      }
    }
    return out.length ? out : [run];
  }
  return function (query) {
    var out = [];
    query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).forEach(function (part) {
      (part.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) || []).forEach(function (run) {
        if (/\p{Script=Han}/u.test(run)) out.push.apply(out, cut(run));
        else out.push(run);
      });
    });
    return out;
  };
})();
"""


def _words() -> list[str]:
    return search_words()


class CourseChinese(SearchChinese):
    """Sphinx's Chinese search plus the course's terms as words (see the module docstring)."""

    js_splitter_code = _SPLITTER

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)   # loads options["dict"], the term list's user dictionary, into jieba
        by_first: dict[str, list[str]] = {}
        for w in _words():   # longest first, so the longest word starting at a place wins
            by_first.setdefault(w[0], []).append(w)
        self._terms = {c: re.compile("|".join(re.escape(w) for w in ws)) for c, ws in by_first.items()}

    def split(self, input: str) -> list[str]:
        """jieba's words and Latin words (as Sphinx), plus every term-list word in ``input``.

        Parameters
        ----------
        input : str

        Returns
        -------
        list of str
        """
        words = super().split(input)
        text = _HAN_BREAK.sub("", input)   # a Markdown line break inside a Chinese sentence
        found = set()
        for i, ch in enumerate(text):   # at every place, so overlapping terms count too (客户流失率)
            pattern = self._terms.get(ch)
            m = pattern.match(text, i) if pattern is not None else None
            if m:
                found.add(m.group(0))
        return words + sorted(found)


def _config_inited(app: Sphinx, config: Any) -> None:
    """Write the user dictionary (one term per line) and point the Chinese search at it."""
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)   # no "Building prefix dict…" lines in the build's output
    except ImportError:
        pass
    path = Path(app.doctreedir) / USERDICT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(_words()) + "\n", encoding="utf-8")
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def setup(app: Sphinx) -> dict[str, Any]:
    """Register :class:`CourseChinese` as the ``zh`` search language."""
    app.add_search_language(CourseChinese)
    app.connect("config-inited", _config_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


__all__ = ["CourseChinese", "USERDICT", "setup"]
