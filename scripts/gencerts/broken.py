"""gencerts.broken: bad inputs."""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import struct
import sys
import time
import zipfile
import zlib
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from .data import *  # noqa: F401,F403
from .script import *  # noqa: F401,F403
from .values import *  # noqa: F401,F403
from .page import *  # noqa: F401,F403
from .layouts import *  # noqa: F401,F403
from .bidpages import *  # noqa: F401,F403
from .raster import *  # noqa: F401,F403
from .pdf import *  # noqa: F401,F403
from .degrade import *  # noqa: F401,F403
from .writers import *  # noqa: F401,F403

# --------------------------------------------------------------------------------------
# bad inputs
# --------------------------------------------------------------------------------------
def png_chunk(typ, data):
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xFFFFFFFF)


def make_bomb_png():
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def make_bad_tiff(rng):
    img = Image.new("L", (240, 80), 255)
    ImageDraw.Draw(img).text((10, 30), "CERT", fill=0)
    buf = io.BytesIO()
    img.save(buf, "TIFF")
    b = bytearray(buf.getvalue())
    assert b[:2] == b"II"
    ifd = struct.unpack_from("<I", b, 4)[0]
    n = struct.unpack_from("<H", b, ifd)[0]
    for i in range(n):
        off = ifd + 2 + 12 * i
        tag, typ, cnt = struct.unpack_from("<HHI", b, off)
        if tag == 273:  # StripOffsets -> far beyond EOF
            struct.pack_into("<HHII", b, off, tag, 4, 1, 0x7FFFFF00)
        elif tag == 279:  # StripByteCounts -> absurd
            struct.pack_into("<HHII", b, off, tag, 4, 1, 0x7FFFFFF0)
    # cut the strip data short as well
    return bytes(b[: max(ifd + 2 + 12 * n + 4, len(b) - 4000)])


def gen_bad(out, rng, prefix="bad", make_valid_pdf=None):
    recs = []
    (out / f"{prefix}_empty.pdf").write_bytes(b"")
    recs.append(record(f"{prefix}_empty.pdf", "bad_empty", "error", "empty"))
    valid = make_valid_pdf()
    (out / f"{prefix}_truncated.pdf").write_bytes(valid[: int(len(valid) * 0.4)])
    recs.append(record(f"{prefix}_truncated.pdf", "bad_truncated", "error", "truncated"))
    garbage = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(rng.getrandbits(8) for _ in range(6000))
    (out / f"{prefix}_corrupt.pdf").write_bytes(garbage)
    recs.append(record(f"{prefix}_corrupt.pdf", "bad_corrupt", "error", "corrupt"))
    (out / f"{prefix}_random.png").write_bytes(bytes(rng.getrandbits(8) for _ in range(5000)))
    recs.append(record(f"{prefix}_random.png", "bad_random", "error", "unsupported_format"))
    (out / f"{prefix}_bomb.png").write_bytes(make_bomb_png())
    recs.append(record(f"{prefix}_bomb.png", "bad_bomb", "error", "too_large"))
    (out / f"{prefix}_tiff.tif").write_bytes(make_bad_tiff(rng))
    recs.append(record(f"{prefix}_tiff.tif", "bad_tiff", "error", "corrupt"))
    return recs
