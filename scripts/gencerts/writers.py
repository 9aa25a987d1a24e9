"""gencerts.writers: writers."""
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

# --------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------
def save_image(img, path, fmt, quality=85, palette=False, gray=False, dpi=300):
    if gray:
        img = img.convert("L")
    elif palette:
        img = img.convert("RGB").quantize(colors=palette if isinstance(palette, int) and palette > 1 else 32,
                                          method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    kw = {"dpi": (dpi, dpi)}
    if fmt == "JPEG":
        img = img.convert("RGB") if img.mode not in ("RGB", "L") else img
        kw.update(quality=quality, optimize=True)
    elif fmt == "WEBP":
        kw = {"quality": quality, "method": 4}
    elif fmt == "PNG":
        kw.update(optimize=True) if palette or gray else kw.update(compress_level=6)
    img.save(path, fmt, **kw)


def save_exif_jpeg(img, path, orientation, quality=85, dpi=200):
    # stored pixels are turned so that applying the EXIF orientation shows the page upright
    stored = img.transpose(Image.Transpose.ROTATE_90 if orientation == 6 else Image.Transpose.ROTATE_270)
    ex = Image.Exif()
    ex[0x0112] = orientation
    stored.convert("RGB").save(path, "JPEG", quality=quality, exif=ex.tobytes(), dpi=(dpi, dpi))


def cert_entry(pages, fields):
    return {"pages": pages, "fields": fields}


def record(file, kind, status="certificate", error=None, degraded=False, tier=None, layout=None, certs=None, **extra):
    r = {"file": file, "kind": kind, "expect_status": status, "expect_error_code": error, "degraded": degraded,
         "tier": tier, "layout": layout, "certificates": certs or []}
    r.update(extra)
    return r
