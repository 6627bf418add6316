"""Makes the benchmark's tables as CSV files, outside git:

    /usr/bin/python3 benchmarks/tables/make.py DIR

downloads the R data packages (apt-get download; no root needed), unpacks
them into DIR/pkgs, and writes DIR/<package>-<name>.csv for every table of
tables.py, raw as the package keeps it: factors as their labels, R's NA as
an empty cell, Date columns as ISO dates, POSIXct as ISO date-times (UTC).
Needs python3-rdata and python3-pandas (Debian)."""
import glob
import os
import subprocess
import sys
import warnings

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdata_read  # noqa: E402
from tables import PACKAGES, TABLES  # noqa: E402


def fetch(out):
    debs = os.path.join(out, "debs")
    os.makedirs(debs, exist_ok=True)
    missing = [p for p in PACKAGES if not glob.glob(os.path.join(debs, p + "_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True)
    root = os.path.join(out, "pkgs")
    for deb in glob.glob(os.path.join(debs, "*.deb")):
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    return root


def plain(df):
    """df with a plain index (dates and times are datetime64 columns,
    which pandas writes as ISO text)."""
    return df.reset_index(drop=True)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tables-data"
    root = fetch(out)
    warnings.simplefilter("ignore")
    for half, rows in TABLES.items():
        for pkg, name, target, task, drop in rows:
            df = rdata_read.read(root, pkg, name)
            df = plain(df).drop(columns=drop)
            cols = [c for c in df.columns if c != target] + [target]  # the target last
            path = os.path.join(out, f"{pkg}-{name}.csv")
            df[cols].to_csv(path, index=False)
            print(f"{half}\t{path}\t{len(df)} rows\t{len(cols) - 1} features\t{task}")


if __name__ == "__main__":
    main()
