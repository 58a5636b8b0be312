#!/usr/bin/python3
"""Reads a safetensors file with NumPy only and compares it with expected numbers.

Usage: check_checkpoint.py FILE EXPECTED.json

EXPECTED.json maps each tensor name to {"shape": [...], "values": [...]} (values flattened
in row-major order). The script checks the safetensors container independently of xgrad
(8-byte little-endian header length, JSON header, F32 dtype, contiguous data offsets
covering the data section) and that the names, shapes and float32 values are exactly the
expected ones. Exit status 0 on success, 1 with a message on the first mismatch.
"""
import json
import struct
import sys

import numpy as np


def fail(msg):
    print("check_checkpoint: " + msg, file=sys.stderr)
    sys.exit(1)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        fail("header length %d exceeds the file" % n)
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    if (8 + n) % 8 != 0:
        fail("data section not 8-byte aligned")
    data = raw[8 + n :]
    tensors = {}
    spans = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            fail("%s: dtype %s" % (name, entry["dtype"]))
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if end - begin != 4 * count:
            fail("%s: %d bytes for shape %s" % (name, end - begin, shape))
        spans.append((begin, end))
        tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=begin).reshape(shape)
    pos = 0
    for begin, end in sorted(spans):
        if begin != pos:
            fail("data offsets not contiguous at byte %d" % begin)
        pos = end
    if pos != len(data):
        fail("data section has %d bytes, tensors cover %d" % (len(data), pos))
    return tensors


def main():
    if len(sys.argv) != 3:
        fail("usage: check_checkpoint.py FILE EXPECTED.json")
    tensors = read_safetensors(sys.argv[1])
    with open(sys.argv[2]) as f:
        expected = json.load(f)
    if sorted(tensors) != sorted(expected):
        fail("names %s, expected %s" % (sorted(tensors), sorted(expected)))
    for name, want in expected.items():
        got = tensors[name]
        if list(got.shape) != list(want["shape"]):
            fail("%s: shape %s, expected %s" % (name, list(got.shape), want["shape"]))
        want_values = np.asarray(want["values"], dtype=np.float32).reshape(want["shape"])
        if not np.array_equal(got, want_values):
            fail("%s: values %s, expected %s" % (name, got.ravel(), want_values.ravel()))
    print("check_checkpoint: %d tensors OK" % len(tensors))


if __name__ == "__main__":
    main()
