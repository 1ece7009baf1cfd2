#!/usr/bin/python3
"""Decode time of a 12-megapixel image in every format, against OpenCV's JPEG decode of the
same image (`make bench`).

    format_bench.py BUILD_DIR

Makes one 4000 x 3000 picture (a photograph-like synthetic scene: smooth gradients, texture and
sensor-like noise, generated here, so nothing from ../shared is needed) and writes it with each
format's own encoder: JPEG q90, PNG, TIFF and WebP q90 (PIL), HEIC (heif-enc -q 80),
AVIF (avifenc -s 8), JPEG XL (cjxl -d 1 -e 3), JPEG 2000 (opj_compress -r 20), and an
uncompressed 16-bit CFA DNG written here. Each is decoded by forgelens-format-decode-bench
(one untimed decode, then 5 timed); printed: median milliseconds (range) and the ratio to the
JPEG's median, from the same run. The machine's CPU and core count head the table.
"""
import os
import struct
import subprocess
import sys

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 4000, 3000


def scene():
    rng = np.random.default_rng(12)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    r = 120 + 80 * np.sin(x / 310.0) * np.cos(y / 270.0)
    g = 110 + 70 * np.sin((x + y) / 420.0)
    b = 100 + 60 * np.cos(x / 190.0 - y / 350.0)
    texture = 18 * np.sin(x / 3.1) * np.sin(y / 2.7)
    image = np.stack([b, g, r], axis=-1) + texture[..., None]
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def write_dng(path, bgr):
    """An uncompressed RGGB CFA DNG 1.4 (16 bits per photosite) sampled from the scene."""
    rgb = bgr[..., ::-1].astype(np.uint16) * 257
    cfa = np.empty((HEIGHT, WIDTH), np.uint16)
    cfa[0::2, 0::2] = rgb[0::2, 0::2, 0]
    cfa[0::2, 1::2] = rgb[0::2, 1::2, 1]
    cfa[1::2, 0::2] = rgb[1::2, 0::2, 1]
    cfa[1::2, 1::2] = rgb[1::2, 1::2, 2]
    SHORT, LONG, BYTE, ASCII, RATIONAL, SRATIONAL = 3, 4, 1, 2, 5, 10
    model = b"ForgeLens bench DNG\0"
    entries = [
        (254, LONG, 1, struct.pack("<I", 0)), (256, LONG, 1, struct.pack("<I", WIDTH)),
        (257, LONG, 1, struct.pack("<I", HEIGHT)), (258, SHORT, 1, struct.pack("<H", 16)),
        (259, SHORT, 1, struct.pack("<H", 1)), (262, SHORT, 1, struct.pack("<H", 32803)),
        (273, LONG, 1, None), (274, SHORT, 1, struct.pack("<H", 1)),
        (277, SHORT, 1, struct.pack("<H", 1)), (278, LONG, 1, struct.pack("<I", HEIGHT)),
        (279, LONG, 1, struct.pack("<I", WIDTH * HEIGHT * 2)),
        (284, SHORT, 1, struct.pack("<H", 1)), (33421, SHORT, 2, struct.pack("<HH", 2, 2)),
        (33422, BYTE, 4, bytes([0, 1, 1, 2])), (50706, BYTE, 4, bytes([1, 4, 0, 0])),
        (50707, BYTE, 4, bytes([1, 1, 0, 0])), (50708, ASCII, len(model), model),
        (50714, LONG, 1, struct.pack("<I", 0)), (50717, LONG, 1, struct.pack("<I", 65535)),
        (50721, SRATIONAL, 9,
         b"".join(struct.pack("<ii", 10000 if i % 4 == 0 else 0, 10000) for i in range(9))),
        (50728, RATIONAL, 3, struct.pack("<IIIIII", 1, 1, 1, 1, 1, 1)),
        (50778, SHORT, 1, struct.pack("<H", 21)),
    ]
    extra = 8 + 2 + 12 * len(entries) + 4
    blob, offsets = bytearray(), {}
    for tag, _, _, payload in entries:
        if payload is not None and len(payload) > 4:
            offsets[tag] = extra + len(blob)
            blob += payload + (b"\0" if len(payload) % 2 else b"")
    strip = extra + len(blob)
    ifd = bytearray(struct.pack("<H", len(entries)))
    for tag, kind, count, payload in entries:
        if tag == 273:
            payload = struct.pack("<I", strip)
        value = struct.pack("<I", offsets[tag]) if len(payload) > 4 else payload.ljust(4, b"\0")
        ifd += struct.pack("<HHI", tag, kind, count) + value
    ifd += struct.pack("<I", 0)
    with open(path, "wb") as out:
        out.write(b"II*\0" + struct.pack("<I", 8) + ifd + blob + cfa.astype("<u2").tobytes())


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    folder = os.path.join(build, "bench-data", "formats")
    os.makedirs(folder, exist_ok=True)
    source = os.path.join(folder, "scene.png")
    files = {}
    if not os.path.exists(source):
        Image.fromarray(scene()[..., ::-1]).save(source)
    picture = Image.open(source).convert("RGB")
    image = np.asarray(picture)[..., ::-1]
    steps = [
        ("jpeg", "scene.jpg", lambda p: picture.save(p, quality=90)),
        ("png", "scene.png", None),
        ("tiff", "scene.tif", lambda p: picture.save(p)),
        ("webp", "scene.webp", lambda p: picture.save(p, quality=90)),
        ("heif", "scene.heic", lambda p: subprocess.run(["heif-enc", "-q", "80", "-o", p, source], check=True, capture_output=True)),
        ("avif", "scene.avif", lambda p: subprocess.run(["avifenc", "-s", "8", "-j", "2", source, p], check=True, capture_output=True)),
        ("jxl", "scene.jxl", lambda p: subprocess.run(["cjxl", source, p, "-d", "1", "-e", "3"], check=True, capture_output=True)),
        ("jpeg2000", "scene.jp2", lambda p: subprocess.run(["opj_compress", "-i", source, "-o", p, "-r", "20"], check=True, capture_output=True)),
        ("raw", "scene.dng", lambda p: write_dng(p, image)),
    ]
    for name, file, make in steps:
        path = os.path.join(folder, file)
        if make and not os.path.exists(path):
            make(path)
        files[name] = path
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"format decode, 12 MP ({WIDTH}x{HEIGHT}), on {cpu}, {os.cpu_count()} cores; "
          "one thread, in process, median of 5 (range)")
    result = subprocess.run([os.path.join(build, "tests", "forgelens-format-decode-bench"), "5"]
                            + list(files.values()), check=True, capture_output=True, text=True)
    rows = [line.split() for line in result.stdout.splitlines()]
    jpeg = float(rows[0][3])
    print(f"{'format':10} {'bytes':>10} {'median ms':>10} {'range':>16} {'x JPEG':>7}")
    for (name, path), row in zip(files.items(), rows):
        print(f"{name:10} {os.path.getsize(path):>10} {float(row[3]):>10.1f} "
              f"{row[4] + '-' + row[5]:>16} {float(row[3]) / jpeg:>7.2f}")


if __name__ == "__main__":
    main()
