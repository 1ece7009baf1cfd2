"""Reads and writes .safetensors files with torch and numpy only (no `safetensors` package).

The format: 8 bytes little-endian unsigned header length N, then N bytes of UTF-8 JSON, then
the raw data buffer. The JSON maps each tensor name to {"dtype", "shape", "data_offsets":
[begin, end]} (offsets relative to the start of the data buffer) and may hold a
"__metadata__" object of string -> string. Tensor data is row-major little-endian.

The checks below mirror the reference implementation's: a bounded header, no duplicate names,
offsets inside the buffer, each tensor's byte count equal to numel * itemsize, tensors tiling
the buffer without overlaps or holes, and no trailing bytes. A file that fails any check is
rejected with a ValueError that names the tensor and the problem.
"""

import json
import math
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch

# The reference implementation refuses headers above 100 MB; a header that large is not a
# weights file but an attempt to make the reader allocate memory.
MAX_HEADER_BYTES = 100_000_000

# dtype name -> (little-endian numpy dtype used to read the bytes, torch dtype, itemsize).
# BF16 has no numpy type: its 16-bit patterns are read as int16 and reinterpreted by torch.
_DTYPES = {
    "BOOL": ("|b1", torch.bool, 1),
    "U8": ("|u1", torch.uint8, 1),
    "I8": ("|i1", torch.int8, 1),
    "I16": ("<i2", torch.int16, 2),
    "I32": ("<i4", torch.int32, 4),
    "I64": ("<i8", torch.int64, 8),
    "F16": ("<f2", torch.float16, 2),
    "BF16": ("<i2", torch.bfloat16, 2),
    "F32": ("<f4", torch.float32, 4),
    "F64": ("<f8", torch.float64, 8),
}
_TORCH_TO_NAME = {torch_dtype: name for name, (_, torch_dtype, _) in _DTYPES.items()}


def _reject_duplicates(pairs):
    names = [name for name, _ in pairs]
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(f"safetensors header names tensor {name!r} twice")
        seen.add(name)
    return dict(pairs)


def _parse_header(raw_header):
    try:
        text = raw_header.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"safetensors header is not UTF-8: {error}") from None
    if not text.lstrip().startswith("{"):
        raise ValueError("safetensors header is not a JSON object")
    try:
        header = json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as error:
        raise ValueError(f"safetensors header is not valid JSON: {error}") from None
    if not isinstance(header, dict):
        raise ValueError("safetensors header is not a JSON object")
    return header


def _check_metadata(metadata):
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise ValueError("safetensors __metadata__ must map strings to strings")
    return dict(metadata)


def _check_entry(name, entry, buffer_size):
    """Returns (dtype name, shape tuple, begin, end) after checking one header entry."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"tensor {name!r}: entry must hold exactly dtype, shape, data_offsets")
    dtype = entry["dtype"]
    if dtype not in _DTYPES:
        raise ValueError(f"tensor {name!r}: unsupported dtype {dtype!r} "
                         f"(supported: {', '.join(_DTYPES)})")
    shape = entry["shape"]
    if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise ValueError(f"tensor {name!r}: shape must be a list of non-negative integers")
    offsets = entry["data_offsets"]
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(
            isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
        raise ValueError(f"tensor {name!r}: data_offsets must be two integers")
    begin, end = offsets
    if not 0 <= begin <= end <= buffer_size:
        raise ValueError(f"tensor {name!r}: data_offsets [{begin}, {end}] lie outside the "
                         f"{buffer_size}-byte data buffer")
    expected = math.prod(shape) * _DTYPES[dtype][2]
    if end - begin != expected:
        raise ValueError(f"tensor {name!r}: {end - begin} bytes for shape {shape} of {dtype} "
                         f"(expected {expected})")
    return dtype, tuple(shape), begin, end


def _check_layout(spans, buffer_size):
    """spans: [(begin, end, name)]. The tensors must tile [0, buffer_size) exactly."""
    position = 0
    previous = None
    for begin, end, name in sorted(spans):
        if begin < position:
            raise ValueError(f"tensor {name!r} overlaps tensor {previous!r} in the data buffer")
        if begin > position:
            raise ValueError(f"{begin - position} unused bytes before tensor {name!r} "
                             "in the data buffer")
        position, previous = end, name
    if position != buffer_size:
        raise ValueError(f"{buffer_size - position} bytes after the last tensor in the data "
                         "buffer (truncated header or appended data)")


def _to_tensor(data, dtype, shape):
    np_dtype, torch_dtype, _ = _DTYPES[dtype]
    array = np.frombuffer(data, dtype=np.dtype(np_dtype))
    # astype to the native byte order copies, so the tensor owns writable memory.
    array = array.astype(array.dtype.newbyteorder("="), copy=True).reshape(shape)
    tensor = torch.from_numpy(array)
    if dtype == "BF16":
        tensor = tensor.view(torch.bfloat16)
    return tensor


def read_safetensors_with_metadata(path):
    """Returns (OrderedDict name -> tensor in file order, metadata dict or {})."""
    file_size = os.path.getsize(path)
    with open(path, "rb") as handle:
        prefix = handle.read(8)
        if len(prefix) != 8:
            raise ValueError(f"{path}: {len(prefix)} bytes, too short for a safetensors file")
        (header_size,) = struct.unpack("<Q", prefix)
        if header_size > MAX_HEADER_BYTES:
            raise ValueError(f"{path}: header of {header_size} bytes is larger than the "
                             f"{MAX_HEADER_BYTES}-byte limit")
        if 8 + header_size > file_size:
            raise ValueError(f"{path}: header of {header_size} bytes runs past the end of the "
                             f"{file_size}-byte file")
        header = _parse_header(handle.read(header_size))
        buffer_size = file_size - 8 - header_size
        metadata = _check_metadata(header.pop("__metadata__", {}))
        entries = OrderedDict()
        spans = []
        for name, entry in header.items():
            dtype, shape, begin, end = _check_entry(name, entry, buffer_size)
            entries[name] = (dtype, shape, begin, end)
            spans.append((begin, end, name))
        _check_layout(spans, buffer_size)
        data = handle.read(buffer_size)
    if len(data) != buffer_size:
        raise ValueError(f"{path}: file shrank while it was being read")
    tensors = OrderedDict()
    for name, (dtype, shape, begin, end) in sorted(entries.items(), key=lambda kv: kv[1][2]):
        tensors[name] = _to_tensor(data[begin:end], dtype, shape)
    return tensors, metadata


def read_safetensors(path):
    """OrderedDict name -> tensor, in the order the tensors are stored in the file."""
    return read_safetensors_with_metadata(path)[0]


def write_safetensors(tensors, path, metadata=None):
    """Writes tensors (a mapping name -> tensor) as a safetensors file, atomically.

    Layout as the reference writer: tensors sorted by decreasing itemsize then by name, packed
    without gaps; the JSON header padded with spaces to a multiple of 8 bytes so the data
    buffer is aligned."""
    prepared = []
    for name, tensor in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise ValueError(f"invalid tensor name {name!r}")
        tensor = tensor.detach().to("cpu").contiguous()
        if tensor.dtype not in _TORCH_TO_NAME:
            raise ValueError(f"tensor {name!r}: dtype {tensor.dtype} cannot be written")
        prepared.append((name, _TORCH_TO_NAME[tensor.dtype], tensor))
    prepared.sort(key=lambda item: (-_DTYPES[item[1]][2], item[0]))

    header = OrderedDict()
    if metadata:
        header["__metadata__"] = _check_metadata(metadata)
    chunks = []
    offset = 0
    for name, dtype, tensor in prepared:
        if dtype == "BF16":
            array = tensor.view(torch.int16).numpy()
        else:
            array = tensor.numpy()
        raw = array.astype(np.dtype(_DTYPES[dtype][0]), copy=False).tobytes(order="C")
        header[name] = {"dtype": dtype, "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)

    temp_path = path + ".partial"
    with open(temp_path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for raw in chunks:
            handle.write(raw)
    os.replace(temp_path, path)
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: safetensors_reader.py FILE.safetensors  (lists the tensors)")
    loaded, meta = read_safetensors_with_metadata(sys.argv[1])
    print("metadata:", meta)
    for key, value in loaded.items():
        print(f"{key}: {str(value.dtype).replace('torch.', '')} {list(value.shape)}")
