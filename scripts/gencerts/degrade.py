"""gencerts.degrade: degradations."""
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

# --------------------------------------------------------------------------------------
# degradations
# --------------------------------------------------------------------------------------
def degrade(img: Image.Image, rng: random.Random, allow_rot90=True, strength=1.0):
    nrng = np.random.default_rng(rng.randrange(2 ** 32))
    applied = []
    # paper tint + uneven lighting
    a = np.asarray(img.convert("RGB"), dtype=np.float32)
    h, w = a.shape[:2]
    if rng.random() < 0.75:
        gx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        gy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        ang = rng.uniform(0, 2 * math.pi)
        g = (math.cos(ang) * gx + math.sin(ang) * gy)
        g = (g - g.min()) / (g.max() - g.min() + 1e-6)
        lo = rng.uniform(0.72, 0.9)
        a *= (lo + (1 - lo) * g)[..., None]
        applied.append("uneven_lighting")
    if rng.random() < 0.5:
        a *= np.array([rng.uniform(0.93, 1.0), rng.uniform(0.92, 0.99), rng.uniform(0.85, 0.96)], dtype=np.float32)
        applied.append("paper_tint")
    if rng.random() < 0.8:
        sigma = rng.uniform(4, 14) * strength
        a += nrng.normal(0, sigma, size=(h, w, 1)).astype(np.float32)
        applied.append("noise")
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if rng.random() < 0.6:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.3) * strength))
        applied.append("blur")
    if rng.random() < 0.8:
        ang = rng.uniform(0.4, 4.0) * rng.choice([-1, 1])
        bgc = tuple(int(v) for v in np.asarray(img)[5, 5])
        img = img.rotate(ang, resample=Image.BICUBIC, expand=True, fillcolor=bgc)
        applied.append(f"skew{ang:+.1f}")
    if allow_rot90 and rng.random() < 0.25:
        r = rng.choice([90, 180, 270])
        img = img.rotate(r, expand=True)
        applied.append(f"rot{r}")
    return img, applied
