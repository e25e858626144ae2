"""The seeded synthetic datasets (crmlib.crosssell_data, satisfaction_data, accounts_data, own_log_data, written through
crmlib._synthetic): every generator is seeded and checks its size, and every shipped file is byte for byte
what its generator writes."""
from __future__ import annotations

import pytest

from crmlib import _synthetic, accounts_data, crosssell_data, datasets, own_log_data, satisfaction_data

#: dataset name -> the generator's CSV text (defaults: the shipped size and seed)
GENERATED = {"bank_customers": crosssell_data.bank_customers_csv, "baskets": crosssell_data.baskets_csv,
             "satisfaction_survey": satisfaction_data.survey_csv, "accounts": accounts_data.accounts_csv,
             "own_log": own_log_data.own_log_csv}
#: generator -> its smallest size
GENERATORS = {crosssell_data.generate_bank_customers: 1, crosssell_data.generate_baskets: 1,
              satisfaction_data.generate_survey: 2, accounts_data.generate_accounts: 1,
              own_log_data.generate_own_log: 1}


@pytest.mark.parametrize("generate", list(GENERATORS), ids=lambda g: g.__name__)
def test_generators_are_seeded(generate):
    a = generate(40, seed=1)
    assert a.equals(generate(40, seed=1)) and not a.equals(generate(40, seed=2))


@pytest.mark.parametrize("generate", list(GENERATORS), ids=lambda g: g.__name__)
def test_generators_reject_bad_sizes(generate):
    smallest = GENERATORS[generate]
    with pytest.raises(ValueError, match=f"n must be >= {smallest}, got {smallest - 1}"):
        generate(smallest - 1)
    with pytest.raises(TypeError, match="n must be an integer"):
        generate(2.5)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        generate(10, seed=-1)


@pytest.mark.parametrize("name", list(GENERATED))
def test_regenerating_gives_identical_bytes(name):
    assert _synthetic.matches_shipped(name, GENERATED[name]())


def test_a_changed_text_does_not_match():
    text = GENERATED["accounts"]()
    assert not _synthetic.matches_shipped("accounts", text.replace("\n", "\r\n"))
    assert not _synthetic.matches_shipped("accounts", text[:-1])


@pytest.mark.parametrize("write, names", [(crosssell_data.write_all, ["bank_customers", "baskets"]),
                                          (satisfaction_data.write_all, ["satisfaction_survey"]),
                                          (lambda d: [accounts_data.write_accounts(d)], ["accounts"]),
                                          (lambda d: _synthetic.write_csv({"own_log.csv": own_log_data.own_log_csv()}, d), ["own_log"])])
def test_writers_write_the_generated_bytes(tmp_path, write, names):
    paths = write(tmp_path / "new")
    assert [p.name for p in paths] == [datasets.path(n).name for n in names]
    for p, n in zip(paths, names):
        assert p.read_bytes() == GENERATED[n]().encode("utf-8")


def test_csv_text_and_bool_text():
    assert _synthetic.csv_text({"a": ["1", "2"], "b": ["x", "y"]}) == "a,b\n1,x\n2,y\n"
    # a comma or a quote is quoted as RFC 4180 says, so that csv readers get the value back
    assert _synthetic.csv_text({"a": ["$1,234.50", 'say "hi"']}) == 'a\n"$1,234.50"\n"say ""hi"""\n'
    with pytest.raises(ValueError, match="line break"):
        _synthetic.csv_text({"a": ["two\nlines"]})
    assert _synthetic.bool_text([True, False, 1]) == ["True", "False", "True"]
