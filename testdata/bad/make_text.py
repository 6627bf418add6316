#!/usr/bin/env python3
"""Writes the text_ fixtures named below, of the bad-input corpus (cmd/train/corpus_test.go,
"round 3: text"): CSV text that is not UTF-8 with LF or CRLF line ends, and
gzip files with bytes after their last member. Run it from this directory:
python3 make_text.py. The output is the same on every run (mtime 0)."""
import gzip

TABLE = "a,b,y\n1,2,x\n3,4,z\n5,6,x\n"


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def gz(text):
    return gzip.compress(text.encode(), mtime=0)


write("text_utf16le_bom.csv", TABLE.encode("utf-16"))  # BOM FF FE, then LE
write("text_utf16le.csv", TABLE.encode("utf-16-le"))
write("text_utf16be_bom.csv", b"\xfe\xff" + TABLE.encode("utf-16-be"))
write("text_utf16be.csv", TABLE.encode("utf-16-be"))
write("text_utf32le_bom.csv", TABLE.encode("utf-32"))  # BOM FF FE 00 00
write("text_utf32be.csv", TABLE.encode("utf-32-be"))
write("text_cr_only.csv", TABLE.replace("\n", "\r").encode())
write("text_trailing_garbage.csv.gz", gz(TABLE) + b"garbage\n")
write("text_zeros_then_garbage.csv.gz", gz(TABLE) + bytes(8) + b"xyz")
