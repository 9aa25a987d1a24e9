"""gencerts.raster: raster backend."""
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

# --------------------------------------------------------------------------------------
# raster backend
# --------------------------------------------------------------------------------------
def render_page(page: Page, dpi, font_path=None) -> Image.Image:
    fp = font_path or page.fp
    k = dpi / 25.4
    W, H = int(round(A4_W * k)), int(round(A4_H * k))
    img = Image.new("RGB", (W, H), page.bg)
    d = ImageDraw.Draw(img)
    anchors = {"l": "ls", "c": "ms", "r": "rs"}
    for op in page.ops:
        kind = op[0]
        if kind == "text":
            _, x, y, s, size, align, bold, color = op
            px = max(6, int(round(size * dpi / 72.0)))
            f = pil_font(fp, px)
            sw = max(1, px // 28) if bold else 0
            d.text((x * k, y * k), s, font=f, fill=color, anchor=anchors[align], stroke_width=sw,
                   stroke_fill=color if sw else None)
        elif kind == "line":
            _, x1, y1, x2, y2, w, color = op
            d.line([(x1 * k, y1 * k), (x2 * k, y2 * k)], fill=color, width=max(1, int(w * k / MM_PT * 2.2)))
        elif kind == "rect":
            _, x, y, w, h, lw, color, fill = op
            d.rectangle([x * k, y * k, (x + w) * k, (y + h) * k], outline=color, fill=fill,
                        width=max(1, int(lw * k / MM_PT * 2.2)))
        elif kind == "poly":
            _, pts, lw, color = op
            d.line([(a * k, b * k) for a, b in pts], fill=color, width=max(1, int(lw * k / MM_PT * 2.2)))
        elif kind == "qr":
            _, x, y, size, m = op
            n = len(m)
            cell = size * k / n
            for i in range(n):
                for j in range(n):
                    if m[i][j]:
                        d.rectangle([x * k + j * cell, y * k + i * cell, x * k + (j + 1) * cell - 1,
                                     y * k + (i + 1) * cell - 1], fill=(0, 0, 0))
        elif kind == "logo":
            _, x, y, r, color = op
            d.ellipse([(x - r) * k, (y - r) * k, (x + r) * k, (y + r) * k], outline=color, width=max(2, int(k * 0.8)))
            d.ellipse([(x - r * 0.45) * k, (y - r * 0.45) * k, (x + r * 0.45) * k, (y + r * 0.45) * k], fill=color)
        elif kind == "seal":
            _, cx, cy, r, name, sub, alpha = op
            draw_seal(img, cx * k, cy * k, r * k, name, sub, alpha, fp)
            d = ImageDraw.Draw(img)
    return img


def star_points(cx, cy, r_out, r_in, up=True):
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r_out if i % 2 == 0 else r_in
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a) * (1 if up else -1)))
    return pts


def draw_seal(img, cx, cy, r, name, sub, alpha, fp):
    layer = seal_mask(r, name, sub, alpha, fp)
    o = layer.width / 2
    x0, y0 = int(cx - o), int(cy - o)
    red = Image.new("RGB", layer.size, RED)
    img.paste(red, (x0, y0), layer)


def seal_mask(r, name, sub, alpha, fp):
    """L-mode mask (0..255*alpha) of a round seal of radius r px; image side = 2r+8"""
    size = int(2 * r + 8)
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    o = size / 2
    w = max(2, int(r * 0.06))
    d.ellipse([o - r, o - r, o + r, o + r], outline=255, width=w)
    d.polygon(star_points(o, o, r * 0.28, r * 0.11), fill=255)
    chars = list(name)
    n = len(chars)
    span = min(280.0, 22.0 * n)
    fpx = max(8, int(r * min(0.3, 5.2 / max(n, 1) * 1.0 + 0.12)))
    f = pil_font(fp, fpx)
    rt = r - w - fpx * 0.75
    for i, ch in enumerate(chars):
        th = -span / 2 + (span * (i + 0.5) / n)
        t = Image.new("L", (fpx * 2, fpx * 2), 0)
        ImageDraw.Draw(t).text((fpx, fpx), ch, font=f, fill=255, anchor="mm")
        t = t.rotate(-th, resample=Image.BICUBIC)
        a = math.radians(th)
        px, py = o + rt * math.sin(a), o - rt * math.cos(a)
        layer.paste(255, (int(px - fpx), int(py - fpx)), t)
    if sub:
        f2 = pil_font(fp, max(8, int(r * 0.2)))
        d.text((o, o + r * 0.55), sub, font=f2, fill=255, anchor="mm")
    return layer.point(lambda v: int(v * alpha))
