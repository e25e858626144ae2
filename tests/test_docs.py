"""Docs a researcher can use: every public callable of both packages — functions, classes, their public
methods and properties, the ones inherited from the packages' own (private) base classes included — has a
docstring; whatever takes arguments documents them (numpydoc ``Parameters``) and what it gives back
(``Returns``, or ``Yields``)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import crmbook
import crmlib

PACKAGES = (crmlib, crmbook)
#: Modules that are commands rather than a library API (documented by their --help).
COMMANDS = {"crmbook.__main__"}


def _modules():
    for pkg in PACKAGES:
        yield pkg
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if info.name not in COMMANDS and not info.name.rsplit(".", 1)[-1].startswith("_"):
                yield importlib.import_module(info.name)


def _ours(obj) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] in {p.__name__ for p in PACKAGES}


def members(cls):
    """Public methods and properties a user calls on ``cls``: its own and those inherited from classes of
    crmlib or crmbook (private bases such as ``_PositiveModel`` included), not those of other libraries."""
    seen = set()
    for klass in cls.__mro__:
        if not _ours(klass):
            continue
        for name, attr in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(attr, property):
                yield name, attr
            elif isinstance(attr, (staticmethod, classmethod)):
                yield name, attr.__func__
            elif inspect.isfunction(attr):
                yield name, attr


def _public(mod):
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in vars(mod) if not n.startswith("_")]
    for n in names:
        obj = getattr(mod, n, None)
        if obj is None or getattr(obj, "__module__", None) != mod.__name__:
            continue
        if inspect.isfunction(obj):
            yield f"{mod.__name__}.{n}", obj
        elif inspect.isclass(obj):
            yield f"{mod.__name__}.{n}", obj
            for m, f in members(obj):
                yield f"{mod.__name__}.{n}.{m}", f


def _takes_arguments(f) -> bool:
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name not in ("self", "cls") for p in params)


def _problems(name: str, f) -> list[str]:
    doc = inspect.getdoc(f) or ""
    if not doc:
        return [f"{name}: no docstring"]
    if isinstance(f, property) or inspect.isclass(f):
        return []                       # a property or a class: its docstring (the constructor is documented there)
    out = []
    if _takes_arguments(f) and "Parameters\n----------" not in doc:
        out.append(f"{name}: no Parameters section")
    ann = inspect.signature(f).return_annotation
    returns = ann not in (None, "None")
    if returns and _takes_arguments(f) and not any(s in doc for s in ("Returns\n-------", "Yields\n------")):
        out.append(f"{name}: no Returns section")
    return out


def public_callables() -> list[str]:
    return [name for mod in _modules() for name, _ in _public(mod)]


#: Owed by branch lib-clv (crmlib/clv/btyd.py is its file): the numpydoc sections of ``loglike``,
#: ``loglikeobs`` and ``summary``, which the public models inherit from btyd's private bases. Remove an
#: entry when it is documented; every other public callable of both packages is checked now.
PENDING_LIB_CLV = {f"crmlib.clv.btyd.{c}.{m}" for c, m in [
    ("BetaGeo", "loglikeobs"), ("ParetoNBD", "loglikeobs"), ("ParetoNBD", "loglike"), ("GammaGamma", "loglike"),
    ("ShiftedBetaGeometric", "loglike"), ("BetaGeoResults", "summary"), ("ParetoNBDResults", "summary"),
    ("GammaGammaResults", "summary"), ("ShiftedBetaGeometricResults", "summary"),
    ("BetaGeoBetaBernoulliResults", "summary")]}


def undocumented() -> list[str]:
    return [p for mod in _modules() for name, f in _public(mod) if name not in PENDING_LIB_CLV
            for p in _problems(name, f)]


def test_every_public_callable_documents_parameters_and_returns():
    missing = undocumented()
    assert not missing, f"{len(missing)} public callables lack numpydoc sections:\n" + "\n".join(missing)


def test_the_walk_covers_both_packages_and_inherited_members():
    names = set(public_callables())
    assert {"crmlib.loss.pareto_table", "crmlib.business_case.CaseAssumptions.replace",
            "crmlib.business_case.CaseAssumptions.visible_cost", "crmbook.chapter.Chapter.record",
            "crmbook.exercises.verdict_for_number", "crmlib.clv.btyd.BetaGeo.fit",
            "crmlib.clv.btyd.BetaGeoResults.summary", "crmlib.clv.btyd.BetaGeoResults.conf_int",
            "crmlib.clv.btyd.BetaGeoResults.frequency_recency_matrix",
            "crmlib.funnel.CloseModel.conf_int", "crmlib.datasets.published"} <= names
    assert not any(".BetaGeo.hessian" in n or ".BetaGeoResults.t_test" in n for n in names)   # statsmodels' own


def test_the_check_notices_a_missing_section():
    import types

    mod = types.ModuleType("crmlib._probe")

    def f(x: int) -> int:
        """Double."""
        return 2 * x

    class _Base:
        def shared(self, y: int) -> int:
            """Inherited, undocumented arguments."""
            return y

    class Public(_Base):
        """A class."""

        @property
        def size(self) -> int:
            return 1

    for obj in (f, _Base, Public):
        obj.__module__ = mod.__name__
    mod.f, mod.Public, mod.__all__ = f, Public, ["f", "Public"]
    found = {n: _problems(n, obj) for n, obj in _public(mod)}
    assert found == {"crmlib._probe.f": ["crmlib._probe.f: no Parameters section",
                                         "crmlib._probe.f: no Returns section"],
                     "crmlib._probe.Public": [],
                     "crmlib._probe.Public.size": ["crmlib._probe.Public.size: no docstring"],
                     "crmlib._probe.Public.shared": ["crmlib._probe.Public.shared: no Parameters section",
                                                     "crmlib._probe.Public.shared: no Returns section"]}
