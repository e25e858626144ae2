"""The CLV area documents what a user calls, inherited methods included (issue 22 §4): every public
function, and every public method or property a public class has — also those it inherits from the
package's private bases (``fit``, ``summary``, ``conf_int``, ``frequency_recency_matrix`` ...) — has a
numpydoc docstring naming each parameter and what it returns."""
from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = ("crmlib.clv", "crmlib.clv.btyd", "crmlib.clv.rfm", "crmlib.clv.rfm_sql", "crmlib.clv.value",
           "crmlib.plotting.clv", "crmlib.plotting.bgbb")
SECTIONS = ("Returns\n", "Raises\n", "Yields\n", "Notes\n", "Examples\n", "Warns\n", "Attributes\n", "See Also\n")


def _owner(cls: type, attr: str) -> type:
    return next(k for k in cls.__mro__ if attr in vars(k))


def _callables(mod):
    for n in getattr(mod, "__all__", []):
        obj = getattr(mod, n)
        if getattr(obj, "__module__", "") != mod.__name__:
            continue
        if inspect.isfunction(obj):
            yield f"{mod.__name__}.{n}", obj
        elif inspect.isclass(obj):
            yield f"{mod.__name__}.{n}", obj
            for attr in dir(obj):
                owner = None if attr.startswith("_") else _owner(obj, attr)
                if owner is None or not owner.__module__.startswith("crmlib"):
                    continue  # private, or statsmodels' own
                raw = vars(owner)[attr]
                raw = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
                if isinstance(raw, property) or inspect.isfunction(raw):
                    yield f"{mod.__name__}.{n}.{attr}", raw


def _documented_names(doc: str, header: str = "Parameters\n----------") -> set[str]:
    sect = doc.split(header, 1)[1]
    for stop in SECTIONS:
        sect = sect.split(stop)[0]
    return {p.strip().lstrip("*") for line in sect.splitlines() if line and not line.startswith(" ")
            for p in line.split(":")[0].split(",")}


def problems() -> list[str]:
    out = []
    for name in MODULES:
        for qual, obj in _callables(importlib.import_module(name)):
            doc = inspect.getdoc(obj.fget if isinstance(obj, property) else obj) or ""
            if not doc:
                out.append(f"{qual}: no docstring")
                continue
            if isinstance(obj, property):
                continue
            func = obj.__init__ if inspect.isclass(obj) else obj
            if inspect.isclass(obj) and func is object.__init__:
                continue
            params = [p.name for p in inspect.signature(func).parameters.values() if p.name not in ("self", "cls")]
            if inspect.isclass(obj) and not any(c.__module__.startswith("crmlib") and "__init__" in vars(c)
                                                 for c in obj.__mro__):
                continue
            header = "Parameters\n----------"
            if inspect.isclass(obj) and header not in doc and "Attributes\n----------" in doc:
                header = "Attributes\n----------"  # a dataclass: its fields are its parameters
            if params and header not in doc:
                out.append(f"{qual}: no Parameters section")
            elif params:
                lack = [p for p in params if p not in _documented_names(doc, header)]
                if lack:
                    out.append(f"{qual}: Parameters lacks {lack}")
            ann = inspect.signature(func).return_annotation
            if not inspect.isclass(obj) and ann not in (None, "None") and "Returns\n-------" not in doc:
                out.append(f"{qual}: no Returns section")
    return out


def test_every_public_callable_of_the_clv_area_is_documented():
    missing = problems()
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("cls, methods", [
    ("BetaGeo", ("fit", "loglike", "loglikeobs")),
    ("BetaGeoResults", ("summary", "conf_int", "frequency_recency_matrix", "probability_alive",
                        "expected_purchases", "expected_purchases_new", "period", "bse", "llf", "converged")),
    ("ParetoNBDResults", ("summary", "conf_int", "frequency_recency_matrix", "probability_alive",
                          "expected_purchases")),
    ("GammaGamma", ("fit",)),
    ("ShiftedBetaGeometricResults", ("conf_int", "survival")),
])
def test_the_methods_a_researcher_calls_are_reached_from_the_public_classes(cls, methods):
    from crmlib.clv import btyd

    found = {q.rsplit(".", 1)[-1] for q, _ in _callables(btyd) if q.startswith(f"crmlib.clv.btyd.{cls}.")}
    assert set(methods) <= found, set(methods) - found
