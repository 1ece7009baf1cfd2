"""Degradations applied alike to real and synthetic images, so that neither class can be told
by its file history rather than its pixels.

The pool's real photographs are mostly JPEG (ImageNet, Debian wallpapers) while generator
outputs are mostly PNG: a network would learn "JPEG blocking = real" and call every
re-saved generated image a photograph. Two steps remove that shortcut:
  1. history: an image stored losslessly is, with probability PRECOMPRESS_P, JPEG-compressed
     whole at a random quality first (its 8x8 grid then lies where a camera's would);
  2. delivery: every training patch is cut from a region that is JPEG-compressed at a random
     quality with probability DELIVERY_JPEG_P, at a random grid offset, blurred with
     probability BLUR_P and resized with probability RESIZE_P, as CNNDetection (Wang et al.,
     CVPR 2020) and the Dataset Alignment seed augment their training images.
"""

import io
import math

import numpy as np
from PIL import Image, ImageFilter, ImageOps

PRECOMPRESS_P = 0.7
PRECOMPRESS_QUALITY = (70, 98)
DELIVERY_JPEG_P = 0.8
DELIVERY_QUALITY = (60, 100)
BLUR_P = 0.1
BLUR_SIGMA = (0.2, 1.2)
RESIZE_P = 0.2
RESIZE_FACTOR = (0.5, 1.5)   # log-uniform
LOSSLESS_FORMATS = {"png", "tiff", "webp", "bmp"}


def load_rgb(path):
    """Decoded upright RGB, as the engine feeds it (EXIF orientation applied)."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("I;16", "I;16B", "I;16L", "I"):
            image = image.point(lambda v: v / 256).convert("L")
        return image.convert("RGB")


def jpeg(image, quality):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(quality))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def with_history(image, file_format, rng):
    if file_format in LOSSLESS_FORMATS and rng.random() < PRECOMPRESS_P:
        return jpeg(image, rng.randint(*PRECOMPRESS_QUALITY))
    return image


def delivery_patch(image, size, rng):
    """One size x size patch of `image` (PIL RGB) after the delivery degradations, as uint8
    [size, size, 3]; None when the image is too small."""
    factor = 1.0
    if rng.random() < RESIZE_P:
        factor = math.exp(rng.uniform(math.log(RESIZE_FACTOR[0]), math.log(RESIZE_FACTOR[1])))
    # A region a little larger than the patch, so the JPEG grid and the resize phase land at
    # a random offset within the patch.
    region = size + 16
    source = int(math.ceil(region / factor))
    width, height = image.size
    if width < source or height < source:
        source = min(width, height)   # resized up to the region below
        if source < 16:
            return None
    left = rng.randint(0, width - source)
    top = rng.randint(0, height - source)
    crop = image.crop((left, top, left + source, top + source))
    if factor != 1.0 or crop.size[0] != region:
        crop = crop.resize((region, region), Image.BICUBIC)
    if rng.random() < BLUR_P:
        crop = crop.filter(ImageFilter.GaussianBlur(rng.uniform(*BLUR_SIGMA)))
    if rng.random() < DELIVERY_JPEG_P:
        crop = jpeg(crop, rng.randint(*DELIVERY_QUALITY))
    x = rng.randint(0, region - size)
    y = rng.randint(0, region - size)
    patch = np.asarray(crop, dtype=np.uint8)[y:y + size, x:x + size]
    if rng.random() < 0.5:
        patch = patch[:, ::-1]
    return np.ascontiguousarray(patch)
