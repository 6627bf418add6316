#!/usr/bin/python3
"""Writes the damaged model files of this corpus from model_good_iris.safetensors
(an iris model: `train fit --data testdata/iris.csv --hidden 3 --epochs 2`).
Run from this directory: /usr/bin/python3 make_models.py

model_v1_iris.safetensors is the same model written by an earlier version
(format 1: its checksum covers the data alone); it must still load.

Since format 3 the checksum covers the header too (pkg/nn/filesum.go): each
damaged file gets the checksum of its damaged header (seal=True), so that it
reaches the check it is about, except those about the checksum itself."""
import hashlib
import json
import struct

good = open("model_good_iris.safetensors", "rb").read()
hlen = struct.unpack("<Q", good[:8])[0]
header = json.loads(good[8:8 + hlen])
data = good[8 + hlen:]


def checksum(h, body):
    """The checksum of header h and data body, as pkg/nn/filesum.go describes it."""
    sha = hashlib.sha256()
    num = lambda v: sha.update(struct.pack("<q", v))

    def string(s):
        b = s.encode()
        num(len(b))
        sha.update(b)

    meta = {k: v for k, v in h.get("__metadata__", {}).items() if k != "checksum"}
    num(len(meta))
    for k in sorted(meta, key=str.encode):
        string(k)
        string(meta[k])
    tensors = {k: v for k, v in h.items() if k != "__metadata__"}
    num(len(tensors))
    for k in sorted(tensors, key=str.encode):
        t = tensors[k]
        string(k)
        string(t["dtype"])
        num(len(t["shape"]))
        for d in t["shape"]:
            num(d)
        num(t["data_offsets"][0])
        num(t["data_offsets"][1])
    sha.update(body)
    return "sha256:" + sha.hexdigest()


def write(name, header_obj=None, raw_header=None, body=data, seal=True):
    if header_obj is not None and seal and "__metadata__" in header_obj:
        header_obj["__metadata__"]["checksum"] = checksum(header_obj, body)
    h = raw_header if raw_header is not None else json.dumps(header_obj, separators=(",", ":")).encode()
    open(name, "wb").write(struct.pack("<Q", len(h)) + h + body)


def edited(fn):
    h = json.loads(json.dumps(header))
    fn(h)
    return h


open("model_truncated.safetensors", "wb").write(good[: len(good) // 2])
open("model_empty.safetensors", "wb").write(b"")
open("model_short.safetensors", "wb").write(good[:5])
flipped = bytearray(good)
flipped[8 + hlen + 7] ^= 0x10  # one bit of one weight
open("model_flipped_data.safetensors", "wb").write(bytes(flipped))
raw = good[8:8 + hlen].replace(b'"format"', b'"fo\x01mat"', 1)  # a control byte in the JSON
write("model_flipped_header.safetensors", raw_header=raw)
write("model_bad_json.safetensors", raw_header=good[8:8 + hlen - 1] + b",")
open("model_huge_header_length.safetensors", "wb").write(struct.pack("<Q", 1 << 60) + good[8:])
write("model_lying_offsets.safetensors", edited(lambda h: h["layers.0.weight"].update(data_offsets=[0, 44])))
write("model_overlapping_offsets.safetensors", edited(lambda h: h["layers.0.bias"].update(data_offsets=[40, 52])))
write("model_wrong_dtype.safetensors", edited(lambda h: h["layers.0.weight"].update(dtype="I32")))
write("model_mixed_dtype.safetensors", edited(lambda h: h["layers.0.bias"].update(dtype="F64", data_offsets=[48, 72])))
write("model_huge_shape.safetensors", edited(lambda h: h["layers.0.weight"].update(shape=[1000000, 1000000])))
write("model_negative_shape.safetensors", edited(lambda h: h["layers.0.weight"].update(shape=[-4, -3])))
write("model_future_version.safetensors", edited(lambda h: h["__metadata__"].update(format_version="99")))
write("model_other_format.safetensors", edited(lambda h: h["__metadata__"].update(format="pytorch")))
write("model_no_metadata.safetensors", edited(lambda h: h.pop("__metadata__")))


def arch(h, fn):
    a = json.loads(h["__metadata__"]["architecture"])
    fn(a)
    h["__metadata__"]["architecture"] = json.dumps(a, separators=(",", ":"))


write("model_arch_mismatch.safetensors", edited(lambda h: arch(h, lambda a: a["layers"][0].update(units=4))))
write("model_arch_huge.safetensors", edited(lambda h: arch(h, lambda a: a["layers"][0].update(inputs=10**12))))
write("model_arch_unknown_activation.safetensors", edited(lambda h: arch(h, lambda a: a["layers"][0].update(activation="swish"))))
write("model_bad_checksum.safetensors", edited(lambda h: h["__metadata__"].update(checksum="sha256:" + "0" * 64)), seal=False)
write("model_bad_preprocessing.safetensors", edited(lambda h: h["__metadata__"].update(preprocessing="{not json")))
write("model_missing_tensor.safetensors", edited(lambda h: h.pop("layers.1.bias")), body=data[:96])


# Header edits that change every answer: refused by the checksum.
raw = good[8:8 + hlen]
assert raw.count(b'mean\\":[5.8433') == 1 and raw.count(b'[\\"0\\",\\"1\\",\\"2\\"]') == 1 and raw.count(b'\\"relu\\"') == 1
write("model_flipped_mean.safetensors", raw_header=raw.replace(b'mean\\":[5.8433', b'mean\\":[4.8433'))  # one byte
write("model_swapped_labels.safetensors", raw_header=raw.replace(b'[\\"0\\",\\"1\\",\\"2\\"]', b'[\\"2\\",\\"1\\",\\"0\\"]'))
write("model_flipped_activation.safetensors", raw_header=raw.replace(b'\\"relu\\"', b'\\"tanh\\"'))

# Random bytes in place of a model: "not a densetrain model file".
import random
rnd = random.Random(7)
noise = bytearray(rnd.getrandbits(8) for _ in range(2048))
noise[8] = ord("}")  # never the "{" a header starts with
open("model_random_bytes.safetensors", "wb").write(bytes(noise))
