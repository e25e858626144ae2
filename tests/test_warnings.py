"""The shared warning hierarchy of crmlib fits."""
import warnings

import pytest

from crmlib import warnings as cw


@pytest.mark.parametrize("cls", [cw.ConvergenceWarning, cw.BoundaryWarning, cw.SeparationWarning,
                                 cw.DataWarning])
def test_every_class_is_a_crm_warning(cls):
    assert issubclass(cls, cw.CRMWarning)
    assert issubclass(cls, UserWarning)


def test_warn_names_model_and_parameter():
    with pytest.warns(cw.BoundaryWarning, match=r"^GammaGamma, q: runs off"):
        cw.warn(cw.BoundaryWarning, "GammaGamma", "runs off to 1e14", parameter="q")


def test_warn_can_be_made_an_error_by_base_class():
    with warnings.catch_warnings():
        warnings.simplefilter("error", cw.CRMWarning)
        with pytest.raises(cw.ConvergenceWarning, match="close model"):
            cw.warn(cw.ConvergenceWarning, "close model", "stopped after 1 iteration")


def test_warn_refuses_foreign_category():
    with pytest.raises(TypeError, match="category"):
        cw.warn(RuntimeWarning, "m", "x")
