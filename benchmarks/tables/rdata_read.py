"""Read data frames out of R packages as Debian ships them: .rda files
and lazy-load databases (data/Rdata.rdx + Rdata.rdb), with python3-rdata.
"""
import bz2
import glob
import gzip
import lzma
import os
import zlib

import numpy as np
import pandas as pd
import rdata
from rdata.parser._parser import parse_rdata_binary


def _date(obj, attrs):
    """R's Date: days since 1970-01-01."""
    return pd.to_datetime(np.asarray(obj, dtype=float), unit="D")


def _posixct(obj, attrs):
    """R's POSIXct: seconds since 1970-01-01 UTC."""
    return pd.to_datetime(np.asarray(obj, dtype=float), unit="s")


CLASSES = {**rdata.conversion.DEFAULT_CLASS_MAP, "Date": _date, "POSIXct": _posixct}


def _convert(raw):
    return rdata.conversion.convert(parse_rdata_binary(memoryview(raw)), CLASSES)


def _unpack(blob, compressed):
    """One value of a lazy-load database: a 4-byte length, then (for
    compress 2 and 3) a type byte, then the compressed serialization."""
    if compressed in (2, 3):
        kind, body = blob[4:5], blob[5:]
        if kind == b"Z":
            return lzma.decompress(body, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}])
        if kind == b"2":
            return bz2.decompress(body)
        if kind == b"1":
            return zlib.decompress(body)
        return body
    return zlib.decompress(blob[4:])


def package_dir(root, package):
    """The installed package's directory under root (an extracted .deb)."""
    hits = glob.glob(os.path.join(root, "usr/lib/R/*", package))
    if not hits:
        raise FileNotFoundError(f"{package} under {root}")
    return hits[0]


def read(root, package, name):
    """The R object name of package (a data frame: a pandas DataFrame)."""
    d = os.path.join(package_dir(root, package), "data")
    rda = os.path.join(d, name + ".rda")
    if os.path.exists(rda):
        objs = rdata.conversion.convert(rdata.parser.parse_file(rda), CLASSES)
        return objs[name]
    rdx = os.path.join(d, "Rdata.rdx")
    with open(rdx, "rb") as f:
        idx = _convert(gzip.decompress(f.read()))
    compressed = int(idx.get("compressed", 1)) if not hasattr(idx.get("compressed"), "__len__") else int(idx["compressed"][0])
    off, ln = (int(v) for v in idx["variables"][name])
    with open(os.path.join(d, "Rdata.rdb"), "rb") as f:
        f.seek(off)
        blob = f.read(ln)
    return _convert(_unpack(blob, compressed))
