"""crmbook.layout's notebook kinds: a guide says so in its metadata; every other numbered notebook is a chapter."""
from __future__ import annotations

import json

import pytest

from crmbook.layout import KINDS, edition_notebooks, notebook_kind


def test_kind_is_read_from_the_metadata(tmp_path):
    assert notebook_kind({"metadata": {}}) == "chapter"
    assert notebook_kind({"metadata": {"crmnb": {"needs": ["02"]}}}) == "chapter"
    assert notebook_kind({"metadata": {"crmnb": {"kind": "guide"}}}) == "guide"
    path = tmp_path / "97_x.ipynb"
    path.write_text(json.dumps({"metadata": {"crmnb": {"kind": "guid"}}, "cells": []}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"97_x.ipynb: metadata crmnb.kind must be one of \['chapter', 'guide'\], "
                                         r"got 'guid'"):
        notebook_kind(path)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_shipped_notebooks_are_chapters_and_one_guide(lang):
    kinds = {nn: notebook_kind(p) for nn, p in edition_notebooks(lang).items()}
    assert set(kinds.values()) <= set(KINDS)
    assert kinds["90"] == "guide" and kinds["02"] == "chapter"
    assert [nn for nn, k in kinds.items() if k == "guide"] == ["90"]
