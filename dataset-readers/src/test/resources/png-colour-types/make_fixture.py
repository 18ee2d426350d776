#!/usr/bin/env python3
"""Writes small images of every PNG colour type (and two JPEGs) and the RGB bytes PIL gives for each over white.

Run from this folder with Debian's python3-pil and python3-numpy: `python3 make_fixture.py`. The PNGs are encoded
by hand (zlib + struct) so that each has exactly the colour type and bit depth its name says; the expected pixels
come from PIL decoding those files:

  alpha (grey+alpha, RGBA, RGBA 16-bit, palette with tRNS):
      Image.alpha_composite(Image.new("RGBA", size, white), im.convert("RGBA")).convert("RGB")
  everything else:
      im.convert("RGB")
  16-bit: PIL's PNG decoder keeps the high byte of RGB and RGBA samples (raw modes RGB;16B, RGBA;16B); grey 16-bit
      opens as mode I;16, whose convert("RGB") clips at 255, so for it the same high-byte rule is applied
      explicitly: Image.fromarray((np.asarray(im) >> 8).astype(np.uint8), "L").convert("RGB").

Each NAME.png / NAME.jpg gets NAME.rgb: width x height x 3 bytes, row by row. The emoji-64 grey+alpha images named
in EMOJI get emoji-NAME.rgb the same way (alpha rule), read from ../../../../../datasets/emoji-64/images.
"""
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

W, H = 7, 5
WHITE = (255, 255, 255, 255)
EMOJI = ["1f5a4", "1f4ad", "1f46a"]  # black heart, thought balloon, family (silhouette)
EMOJI_DIR = Path(__file__).resolve().parents[5] / "datasets" / "emoji-64" / "images"


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(path, samples, colour_type, bit_depth, palette=None, trns=None):
    """samples: H x W x channels array (uint8 or uint16), or H x W indices for a palette."""
    dtype = ">u2" if bit_depth == 16 else "u1"
    rows = samples.reshape(H, -1).astype(dtype)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 on every row
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, bit_depth, colour_type, 0, 0, 0))
    if palette is not None:
        body += chunk(b"PLTE", bytes(np.asarray(palette, dtype="u1").ravel()))
    if trns is not None:
        body += chunk(b"tRNS", bytes(trns))
    body += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + body)


def over_white(im):
    return Image.alpha_composite(Image.new("RGBA", im.size, WHITE), im.convert("RGBA")).convert("RGB")


def expect(name, rgb):
    assert rgb.mode == "RGB" and rgb.size == (W, H) or name.startswith("emoji-"), name
    Path(name + ".rgb").write_bytes(rgb.tobytes())


rng = np.random.default_rng(2412_03513)
y, x = np.mgrid[0:H, 0:W]
grey8 = ((x * 37 + y * 53) % 256).astype(np.uint8)
grey8[0, :3] = [12, 48, 0]  # the values the old trainer decoder brightened (12 -> 61, 48 -> 120)
grey8[4, 6] = 255
alpha8 = np.tile(np.array([0, 1, 64, 127, 128, 200, 255], dtype=np.uint8), (H, 1))
alpha8[1] = [255, 254, 3, 90, 180, 33, 0]
rgb8 = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
rgb8[0, 0] = [12, 48, 200]
rgb16 = rng.integers(0, 65536, size=(H, W, 3), dtype=np.uint32).astype(np.uint16)
rgb16[0, 0] = [0x80FF, 0x00FF, 0xFF00]  # high byte and rounding (v / 257) differ here
alpha16 = rng.integers(0, 65536, size=(H, W), dtype=np.uint32).astype(np.uint16)
alpha16[0, :3] = [0, 0xFFFF, 0x80FF]
grey16 = rng.integers(0, 65536, size=(H, W), dtype=np.uint32).astype(np.uint16)
grey16[0, :2] = [0x80FF, 0x0CFF]

png("grey8.png", grey8, 0, 8)
png("grey16.png", grey16, 0, 16)
png("grey-alpha.png", np.dstack([grey8, alpha8]), 4, 8)
png("rgb.png", rgb8, 2, 8)
png("rgba.png", np.dstack([rgb8, alpha8]), 6, 8)
png("rgb16.png", rgb16, 2, 16)
png("rgba16.png", np.dstack([rgb16, alpha16]), 6, 16)
palette = rng.integers(0, 256, size=(16, 3), dtype=np.uint8)
indices = ((x + 3 * y) % 16).astype(np.uint8)
png("palette.png", indices, 3, 8, palette=palette)
png("palette-trns.png", indices, 3, 8, palette=palette, trns=[0, 40, 128, 255, 7, 250, 90, 1])  # entries 8.. opaque

smooth = np.dstack([(x * 30 + 20), (y * 50 + 10), ((x + y) * 20 + 40)]).astype(np.uint8)
Image.fromarray(smooth, "RGB").save("jpeg-rgb.jpg", quality=95, subsampling=0)
Image.fromarray(grey8, "L").save("jpeg-grey.jpg", quality=95)

for name in ["grey8", "rgb", "rgb16", "palette"]:
    expect(name, Image.open(name + ".png").convert("RGB"))
for name in ["grey-alpha", "rgba", "rgba16", "palette-trns"]:
    expect(name, over_white(Image.open(name + ".png")))
grey16_image = Image.open("grey16.png")
assert grey16_image.mode.startswith("I"), grey16_image.mode
expect("grey16", Image.fromarray((np.asarray(grey16_image).astype(np.uint16) >> 8).astype(np.uint8), "L").convert("RGB"))
for name in ["jpeg-rgb", "jpeg-grey"]:
    expect(name, Image.open(name + ".jpg").convert("RGB"))
for name in EMOJI:
    im = Image.open(EMOJI_DIR / (name + ".png"))
    assert im.mode == "LA", (name, im.mode)
    expect("emoji-" + name, over_white(im))
