"""The copy of an executed chapter notebook that the site renders.

It differs from the executed notebook in presentation only:

* code cells are collapsed (myst-nb's ``hide-input`` tag) except the exercise
  answer cells; papermill's injected-parameters cell is removed;
* a figure shown by :meth:`crmbook.chapter.Chapter.figure` becomes an HTML
  ``<figure>`` with the saved PNG (a tap opens it at full resolution), the
  numbered caption, an ``id="figure-N-k"`` anchor and PNG / SVG downloads. The
  figures and captions come from the record the chapter wrote when it saved
  them (the results JSON's ``figures``): an output is that figure's caption
  when it says the recorded label and caption (or carries
  ``metadata["crmlib"]["figure"]``), and the image shown just before it is
  replaced by the saved PNG;
* bare object reprs (``PosixPath('…')``, ``<Figure size …>``) and widget views
  are dropped, and so are matplotlib's "findfont: … now using 400" notices;
* citations ``[@key]`` / ``[@a; @b]`` in Markdown cells become
  sphinxcontrib-bibtex ``{cite:p}`` roles linking to the edition's References
  page (keys not in ``references.bib`` are left as they are);
* a "Run it" box after the title tells how to run the chapter, lists its
  parameters, the crmlib modules it uses (linked to the API reference), the
  instructor's kit, the notebook and every figure.
"""
from __future__ import annotations

import copy
import html
import importlib.util
import re
from typing import Any

from crmbook.mdtext import commonmark

from .collect import ChapterPage, text_of, ui

__all__ = ["prepare_notebook", "figure_path", "crmlib_modules", "convert_citations", "figure_anchor",
           "run_parameters", "changed_parameters", "changed_text"]

_ANSWER_CELL = re.compile(r"^answer_\d+_\d+\s*=", re.M)
_BARE_REPR = re.compile(r"^(?:(?:Posix|Windows)?Path\(.*\)|<[^<>]*>)$", re.S)
_FONT_NOTICE = re.compile(r"^findfont: Failed to find font weight .* now using \d+\.\s*$")
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_CITE = re.compile(r"\[(@[A-Za-z][\w:\-]*(?:\s*;\s*@[A-Za-z][\w:\-]*)*)\]")
_HIDDEN_CITE = re.compile(r"<!--\s*" + _CITE.pattern + r"\s*-->")
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(crmlib(?:\.[\w.]+)?)[ \t]+import[ \t]+(?:\(([^)]*)\)|([\w \t,]+))"
                     r"|import[ \t]+(crmlib[\w.]*))", re.M)


def figure_anchor(number: str) -> str:
    """``"2.1"`` -> ``"figure-2-1"``, the same in both editions."""
    return "figure-" + number.replace(".", "-")


def figure_path(recorded: str) -> str:
    """``figures/zh/02_x/fig.png`` (as recorded, relative to the build folder) -> ``zh/02_x/fig.png``."""
    parts = recorded.split("/")
    return "/".join(parts[1:]) if parts and parts[0] == "figures" else recorded


def _figure_url(fig: dict[str, Any], key: str, up: str) -> str:
    return f"{up}figures/{figure_path(fig[key])}"


def _figure_html(number: str, fig: dict[str, Any], lang: str, up: str) -> str:
    label = html.escape(fig.get("label") or number)
    caption = html.escape(fig.get("caption", ""))
    png, svg = _figure_url(fig, "png", up), _figure_url(fig, "svg", up)
    return (f'<figure class="crm-figure" id="{figure_anchor(number)}">'
            f'<a class="crm-figure-image" href="{png}" title="{label}">'
            f'<img src="{png}" alt="{label}. {caption}" loading="lazy"></a>'
            f'<figcaption><span class="crm-figure-label">{label}.</span> {caption} '
            f'<span class="crm-downloads">{ui("download", lang)}'
            f'<a href="{png}" download>PNG</a><a href="{svg}" download>SVG</a></span>'
            f'</figcaption></figure>')


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def _caption_of(out: dict[str, Any], figures: dict[str, dict[str, Any]], shown: set[str]) -> str | None:
    """The number of the recorded figure whose caption this output shows, or None."""
    meta = (out.get("metadata") or {}).get("crmlib") or {}
    if isinstance(meta, dict) and meta.get("figure") in figures:
        return meta["figure"]
    data = out.get("data") or {}
    if "text/markdown" not in data:
        return None
    text = _plain(text_of(data["text/markdown"]))
    for number, fig in figures.items():
        if number in shown:
            continue
        label, caption = _plain(fig.get("label", "")), _plain(fig.get("caption", ""))
        if label and text.startswith(label) and caption in text:
            return number
    return None


def _is_bare_repr(out: dict[str, Any]) -> bool:
    data = out.get("data") or {}
    return (out.get("output_type") in ("execute_result", "display_data") and set(data) == {"text/plain"}
            and bool(_BARE_REPR.match(text_of(data["text/plain"]).strip())))


def _without_font_notices(out: dict[str, Any]) -> dict[str, Any] | None:
    """A stderr stream without matplotlib's "findfont: … now using …" notices (None if empty)."""
    if out.get("output_type") != "stream" or out.get("name") != "stderr":
        return out
    lines = text_of(out.get("text")).splitlines(keepends=True)
    kept = [line for line in lines if not _FONT_NOTICE.match(line)]
    if len(kept) == len(lines):
        return out
    return {**out, "text": "".join(kept)} if "".join(kept).strip() else None


def _transform_outputs(outputs: list[dict[str, Any]], figures: dict[str, dict[str, Any]], lang: str,
                       shown: set[str], up: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for out in outputs:
        data = out.get("data") or {}
        if _WIDGET_MIME in data:
            data = {k: v for k, v in data.items() if k != _WIDGET_MIME}
            if not data or set(data) == {"text/plain"}:
                continue  # a widget's text repr ("IntSlider(value=…)") says nothing on a static page
            out = {**out, "data": data}
        if _is_bare_repr(out):
            continue
        out = _without_font_notices(out)
        if out is None:
            continue
        if "text/markdown" in (out.get("data") or {}):   # JupyterLab's dollar signs, as CommonMark
            out = {**out, "data": {**out["data"], "text/markdown": commonmark(text_of(out["data"]["text/markdown"]))}}
        number = _caption_of(out, figures, shown)
        if number is not None:
            if result and "image/png" in (result[-1].get("data") or {}):
                result.pop()  # the inline copy of the figure: replaced by the saved PNG
            result.append({"output_type": "display_data", "metadata": {},
                           "data": {"text/html": _figure_html(number, figures[number], lang, up)}})
            shown.add(number)
            continue
        result.append(out)
    return result


def _parameter_names(nb: dict[str, Any]) -> list[str]:
    for cell in nb.get("cells", []):
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            return re.findall(r"^([A-Za-z_]\w*)\s*=", text_of(cell.get("source")), re.M)
    return []


def _literals(source: str) -> dict[str, Any]:
    """``name = literal`` assignments of a cell (values that are not literals are left out)."""
    import ast

    out: dict[str, Any] = {}
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return out
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return out


def run_parameters(nb: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The notebook's default parameters and the values this run used.

    The defaults are the literals of the cell tagged ``parameters``; the run's values are those
    defaults updated with what papermill injected (``metadata.papermill.parameters``, else the
    cell tagged ``injected-parameters``).

    Parameters
    ----------
    nb : dict
        An executed notebook (nbformat JSON).

    Returns
    -------
    (dict, dict)
        ``(defaults, values)``.
    """
    defaults: dict[str, Any] = {}
    injected: dict[str, Any] | None = None
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags") or []
        if "parameters" in tags and not defaults:
            defaults = _literals(text_of(cell.get("source")))
        elif "injected-parameters" in tags:
            injected = _literals(text_of(cell.get("source")))
    meta = (nb.get("metadata", {}).get("papermill") or {}).get("parameters")
    if isinstance(meta, dict):
        injected = {**(injected or {}), **meta}
    return defaults, {**defaults, **(injected or {})}


def changed_parameters(nb: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(name, value, default)`` of every parameter this run set to something other than its default
    (not ``lang`` and the output folders, which every run sets).

    Parameters
    ----------
    nb : dict
        An executed notebook.

    Returns
    -------
    list of (str, Any, Any)
        In the order of the parameters cell.
    """
    defaults, values = run_parameters(nb)
    return [(k, values[k], defaults[k]) for k in defaults
            if k not in ("lang", "build_dir", "inputs_dir") and values.get(k) != defaults[k]]


def changed_text(nb: dict[str, Any], lang: str) -> str:
    """The run's :func:`changed_parameters` as "survey_n = 2000 (default 500)"; "" when there are none.

    Parameters
    ----------
    nb : dict
        An executed notebook.
    lang : {"en", "zh"}

    Returns
    -------
    str
    """
    sep = "；" if lang == "zh" else "; "
    return sep.join(ui("param_diff", lang, name=k, value=_literal(v), default=_literal(d))
                    for k, v, d in changed_parameters(nb))


def crmlib_modules(nb: dict[str, Any]) -> list[str]:
    """The crmlib modules a notebook's code imports, in order of first use (``crmlib`` itself for
    names such as ``Chapter`` taken from the package).

    Parameters
    ----------
    nb : dict
        A notebook (nbformat JSON).

    Returns
    -------
    list of str
        Dotted module names, e.g. ``["crmlib", "crmlib.loss", "crmlib.plotting.loss"]``.
    """
    found: list[str] = []

    def add(name: str) -> None:
        if name not in found and not name.split(".")[-1].startswith("_"):
            found.append(name)

    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for m in _IMPORT.finditer(text_of(cell.get("source"))):
            if m.group(4):
                add(m.group(4))
                continue
            base = m.group(1)
            for name in (n.strip().split(" as ")[0].strip() for n in (m.group(2) or m.group(3)).split(",")):
                if not name:
                    continue
                sub = f"{base}.{name}"
                try:
                    is_module = importlib.util.find_spec(sub) is not None
                except (ImportError, ValueError):
                    is_module = False
                add(sub if is_module else base)
    # a chapter's exercise set (crmbook.exercises.ch02) is documented with crmbook.exercises
    out: list[str] = []
    for name in found:
        name = re.sub(r"^(crmlib\.exercises)\.ch\d\d$", r"\1", name)
        if name not in out:
            out.append(name)
    return out


def convert_citations(text: str, keys: set[str]) -> str:
    """``[@a; @b]`` -> ``{cite:p}`a,b``` for keys in ``keys``; other brackets are left alone.

    A citation inside an HTML comment, ``<!-- [@a] -->`` (how a chapter cites beside a reference
    it writes out for JupyterLab's readers, who would otherwise see the raw key), becomes
    ``{cite:empty}`a```: listed on the References page, nothing shown in the text.
    """
    def one(m: re.Match[str], role: str = "p") -> str:
        cited = [k.strip().lstrip("@") for k in m.group(1).split(";")]
        if not all(k in keys for k in cited):
            return m.group(0)
        return "{cite:" + role + "}`" + ",".join(cited) + "`"

    text = _HIDDEN_CITE.sub(lambda m: one(m, "empty"), text)
    return _CITE.sub(one, text)


def _figure_item(number: str, fig: dict[str, Any], on_page: bool, up: str) -> str:
    png, svg = _figure_url(fig, "png", up), _figure_url(fig, "svg", up)
    target = "#" + figure_anchor(number) if on_page else png
    return (f'<li><a href="{target}">{html.escape(fig.get("label") or number)}</a> '
            f'{html.escape(fig.get("caption", ""))} <span class="crm-downloads">'
            f'<a href="{png}" download>PNG</a><a href="{svg}" download>SVG</a></span></li>')


def _literal(v: Any) -> str:
    return repr(v) if isinstance(v, str) else str(v)


def _inline_code(escaped: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def _source_name(chapter: str, lang: str) -> str:
    """The file name of the chapter's source notebook in its edition (a Chinese notebook has a Chinese name)."""
    from crmbook.layout import chapter_notebook

    try:
        return chapter_notebook(chapter, lang).name
    except (FileNotFoundError, ValueError):
        return f"{chapter}.ipynb"


def _runit_html(page: ChapterPage, nb: dict[str, Any], shown: set[str], links: dict[str, str]) -> str:
    """The "Run it" box: how to run the chapter, its parameters, crmlib used, the kit, downloads (a guide's
    texts say "guide" and name no what-ifs or exercises: labels ``site.<key>_guide``)."""
    lang = page.lang
    own = "_guide" if page.kind == "guide" else ""
    used = changed_text(nb, lang) or ui("defaults", lang)
    names = ", ".join(f"`{n}`" for n in _parameter_names(nb) if n != "build_dir")
    figs = "".join(_figure_item(n, f, n in shown, links["up"]) for n, f in page.figures.items())
    text = ui(f"runit_text{own}", lang, file=_source_name(page.chapter, lang), params=used, nn=page.nn)
    lines = ['<div class="crm-runit" id="run-it">',
             f"<p><strong>{ui('runit', lang)}.</strong> {_inline_code(html.escape(text, quote=False))}</p>"]
    if names:
        lines.append(f"<p>{_inline_code(html.escape(ui('params', lang, names=names), quote=False))}</p>")
    mods = crmlib_modules(nb)
    if mods:
        api = links.get("api")
        items = ", ".join(f'<a class="crm-api-link" href="{api}#module-{m}"><code>{m}</code></a>' if api
                          else f"<code>{m}</code>" for m in mods)
        lines.append(f'<p class="crm-crmlib-used"><strong>{ui(f"crmlib_used{own}", lang)}:</strong> {items}</p>')
    if links.get("slides"):
        lines.append(f'<p class="crm-kit-links"><strong>{ui("kit", lang)}:</strong> '
                     f'<a class="crm-kit-slides" href="{links["slides"]}">{ui("kit_slides", lang)}</a> · '
                     + (f'<a class="crm-kit-pdf" href="{links["pdf"]}" download>PDF</a> · ' if links.get("pdf") else "")
                     + (f'<a class="crm-kit-pptx" href="{links["pptx"]}" download>PowerPoint</a> · '
                        if links.get("pptx") else "") +
                     f'<a class="crm-kit-pack" href="{links["pack"]}" download>{ui("kit_pack", lang)}</a> · '
                     f'<a class="crm-kit-teacher" href="{links["teacher"]}">{ui("kit_teacher", lang)}</a></p>')
    lines.append(f'<p>{ui("download", lang)}: <a class="crm-notebook-download" href="{links["notebook"]}" '
                 f'download>{ui("notebook", lang)}</a></p>')
    if figs:
        lines.append(f"<details><summary>{ui(f'figures{own}', lang)}</summary><ul>{figs}</ul></details>")
    lines.append("</div>")
    return "\n".join(lines)  # one HTML block: no blank line inside


def prepare_notebook(nb: dict[str, Any], page: ChapterPage, *, links: dict[str, str] | None = None,
                     bib_keys: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """The copy of an executed notebook that the site renders (see the module docstring).

    Parameters
    ----------
    nb : dict
        The executed notebook (nbformat JSON); it is not modified.
    page : ChapterPage
        Its chapter, edition and recorded results.
    links : dict, optional
        URLs relative to the page: ``up`` (to the site root, default ``"../"``), ``notebook``,
        ``api`` (the API reference page), ``slides``, ``pack``, ``teacher`` (the kit).
    bib_keys : set of str
        Citation keys of the bibliography; ``[@key]`` with other keys stays as text.

    Returns
    -------
    dict
        A new notebook.
    """
    lang = page.lang
    links = {"up": "../", **(links or {})}
    links.setdefault("notebook", f"{links['up']}downloads/{lang}/{page.chapter}.ipynb")
    out = copy.deepcopy(nb)
    md = out.setdefault("metadata", {})
    md.pop("widgets", None)
    md["mystnb"] = {"code_prompt_show": ui("code_show", lang), "code_prompt_hide": ui("code_hide", lang)}
    figures = page.figures
    shown: set[str] = set()
    cells = []
    for cell in out.get("cells", []):
        tags = list(cell.get("metadata", {}).get("tags") or [])
        if "injected-parameters" in tags:
            continue
        if cell.get("cell_type") == "code":
            if not _ANSWER_CELL.search(text_of(cell.get("source"))) and "hide-input" not in tags:
                tags.append("hide-input")
            cell.setdefault("metadata", {})["tags"] = tags
            cell["outputs"] = _transform_outputs(cell.get("outputs") or [], figures, lang, shown, links["up"])
        elif cell.get("cell_type") == "markdown" and bib_keys:
            cell["source"] = convert_citations(text_of(cell.get("source")), set(bib_keys))
        cells.append(cell)
    at = next((i + 1 for i, c in enumerate(cells) if c.get("cell_type") == "markdown"
               and re.search(r"^#\s", text_of(c.get("source")), re.M)), 0)
    box = {"cell_type": "markdown", "metadata": {}, "source": _runit_html(page, nb, shown, links)}
    if out.get("nbformat", 4) >= 4 and out.get("nbformat_minor", 0) >= 5:
        box["id"] = "crm-run-it"
    cells.insert(at, box)
    out["cells"] = cells
    return out
