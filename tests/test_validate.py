"""crmlib._validate: the shared input checks behind every public function."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib._validate import as_float_array, check_nonnegative, check_whole


@pytest.mark.parametrize("values", [[1, 2.5, 3], np.array([1, 2, 3], dtype=np.int32), np.array([1.0, 2.5]),
                                    pd.Series([4, 5], index=["a", "b"]), (7,), 3.5])
def test_numbers_become_float_arrays(values):
    out = as_float_array(values, "x")
    assert out.dtype == float and out.ndim == 1
    assert np.array_equal(out, np.atleast_1d(np.asarray(values, dtype=float)))


def test_converted_array_is_a_copy():
    a = np.array([1.0, 2.0])
    as_float_array(a, "x")[0] = 9.0
    assert a[0] == 1.0


@pytest.mark.parametrize("values, exc, msg", [
    (pd.Series([1.0, np.nan], index=["c1", "c2"]), ValueError, r"x\['c2'\] is NaN"),
    (np.array([1.0, np.inf]), ValueError, r"x\[1\] is infinite"),
    ([1, "2"], TypeError, r"x\[1\] is not a number: '2'"),
    ([1, True], TypeError, r"x\[1\] is not a number: True"),
    (np.array([True, False]), TypeError, r"x\[0\] is not a number"),
    (pd.Series([1, None], index=[10, 20], dtype=object), TypeError, r"x\[20\] is not a number: None"),
    (np.array(["2024-01-01"], dtype="datetime64[D]"), TypeError, r"x\[0\] is not a number"),
    (np.array([1 + 2j]), TypeError, r"x\[0\] is not a number"),
    ("12", TypeError, "got a string"),
    (np.ones((2, 2)), ValueError, "one-dimensional"),
    ([], ValueError, "x is empty"),
])
def test_bad_entries_are_named(values, exc, msg):
    with pytest.raises(exc, match=msg):
        as_float_array(values, "x")


def test_empty_allowed_when_asked():
    assert as_float_array([], "x", allow_empty=True).size == 0


def test_count_checks_name_the_entry():
    with pytest.raises(ValueError, match=r"n\['b'\] is negative"):
        check_nonnegative(np.array([1.0, -1.0]), "n", ["a", "b"])
    with pytest.raises(ValueError, match=r"n\[1\] is not a whole number"):
        check_whole(np.array([1.0, 1.5]), "n")
    check_nonnegative(np.array([0.0, 2.0]), "n")
    check_whole(np.array([0.0, 2.0]), "n")


def test_scale_and_binary_checks_name_the_entry():
    from crmlib._validate import check_binary, check_in_range

    labels = pd.Index([10, 20, 30]).to_numpy()          # numpy ints, as a DataFrame index yields them
    check_in_range(np.array([1.0, 5.0, 3.0]), "x", 1, 5, labels)
    with pytest.raises(ValueError, match=r"^x\[20\] is 6, outside the scale 1–5$"):
        check_in_range(np.array([1.0, 6.0, 3.0]), "x", 1, 5, labels)
    check_binary(np.array([0.0, 1.0, 1.0]), "e")
    with pytest.raises(ValueError, match=r"^e\[30\] is 2; an event indicator must be 0"):
        check_binary(np.array([0.0, 1.0, 2.0]), "e", labels)


def test_row_labels_are_plain_values_in_messages():
    from crmlib._validate import check_columns

    df = pd.DataFrame({"a": [1.0, np.nan, -1.0]}, index=pd.Index([10, 20, 30], dtype="int64"))
    with pytest.raises(ValueError, match=r"has NaN at row 20$"):
        check_columns(df, ["a"], numeric=["a"])
    with pytest.raises(ValueError, match=r"is negative at row 30 \(-1.0\)$"):
        check_columns(df.fillna(0), ["a"], nonnegative=["a"])
    with pytest.raises(ValueError, match=r"x\[30\] is negative") as err:
        check_nonnegative(np.array([1.0, 2.0, -1.0]), "x", df.index.to_numpy())
    assert "np." not in str(err.value)
def test_messages_name_rows_by_plain_values():
    """numpy 2 prints np.int64(3); every check formats labels and values as the plain numbers they hold."""
    from crmlib._validate import check_aligned, check_columns, plain

    assert plain(np.int64(3)) == 3 and type(plain(np.int64(3))) is int
    assert plain(np.float64(2.5)) == 2.5 and plain("a") == "a"
    df = pd.DataFrame({"a": [1, -2]}, index=pd.Index([10, 11]))
    with pytest.raises(ValueError, match=r"column 'a' is negative at row 11 \(-2\)$"):
        check_columns(df, ["a"], "x", nonnegative=["a"])
    with pytest.raises(ValueError, match=r"column 'a' has NaN at row 11$"):
        check_columns(pd.DataFrame({"a": [1.0, np.nan]}, index=[10, 11]), ["a"], "x", numeric=["a"])
    with pytest.raises(ValueError, match=r"column 'a' is infinite at row 11 \(inf\)$"):
        check_columns(pd.DataFrame({"a": [1.0, np.inf]}, index=[10, 11]), ["a"], "x", numeric=["a"])
    with pytest.raises(ValueError, match=r"n\[5\] is negative \(-1\)$"):
        check_nonnegative(np.array([1, -1]), "n", np.array([4, 5]))
    with pytest.raises(ValueError, match=r"r has label 1 that o lacks"):
        check_aligned(pd.Series([1, 2], index=[0, 1]), "r", pd.Series([1, 2], index=[0, 2]), "o")
