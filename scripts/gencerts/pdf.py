"""gencerts.pdf: PDF backend."""
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

# --------------------------------------------------------------------------------------
# PDF backend
# --------------------------------------------------------------------------------------
_PDF_REG = set()


def pdf_font(name):
    """register a font for reportlab; name is a PDF_TTF key or a CID font name"""
    if name not in _PDF_REG:
        if name in PDF_TTF:
            pdfmetrics.registerFont(TTFont(name, PDF_TTF[name], subfontIndex=0))
        else:
            pdfmetrics.registerFont(UnicodeCIDFont(name))
        _PDF_REG.add(name)
    return name


def _rgb(c):
    return c[0] / 255.0, c[1] / 255.0, c[2] / 255.0


def pdf_draw_page(cv, page: Page, fontname):
    H = A4_H * MM_PT
    X = lambda v: v * MM_PT
    Y = lambda v: H - v * MM_PT
    if page.bg != (255, 255, 255):
        cv.setFillColorRGB(*_rgb(page.bg))
        cv.rect(0, 0, A4_W * MM_PT, H, stroke=0, fill=1)
    for op in page.ops:
        kind = op[0]
        if kind == "text":
            _, x, y, s, size, align, bold, color = op
            w = pdfmetrics.stringWidth(s, fontname, size)
            xx = X(x) - (w / 2 if align == "c" else w if align == "r" else 0)
            cv.setFillColorRGB(*_rgb(color))
            cv.setStrokeColorRGB(*_rgb(color))
            t = cv.beginText(xx, Y(y))
            t.setFont(fontname, size)
            if bold:
                cv.setLineWidth(size / 35.0)
                t.setTextRenderMode(2)
            t.textOut(s)
            cv.drawText(t)
        elif kind == "line":
            _, x1, y1, x2, y2, w, color = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setLineWidth(w)
            cv.line(X(x1), Y(y1), X(x2), Y(y2))
        elif kind == "rect":
            _, x, y, w, h, lw, color, fill = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setLineWidth(lw)
            if fill:
                cv.setFillColorRGB(*_rgb(fill))
            cv.rect(X(x), Y(y + h), w * MM_PT, h * MM_PT, stroke=1, fill=1 if fill else 0)
        elif kind == "poly":
            _, pts, lw, color = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setLineWidth(lw)
            path = cv.beginPath()
            path.moveTo(X(pts[0][0]), Y(pts[0][1]))
            for a, b in pts[1:]:
                path.lineTo(X(a), Y(b))
            cv.drawPath(path, stroke=1, fill=0)
        elif kind == "qr":
            _, x, y, size, m = op
            n = len(m)
            cell = size / n
            cv.setFillColorRGB(0, 0, 0)
            for i in range(n):
                for j in range(n):
                    if m[i][j]:
                        cv.rect(X(x + j * cell), Y(y + (i + 1) * cell), cell * MM_PT, cell * MM_PT, stroke=0, fill=1)
        elif kind == "logo":
            _, x, y, r, color = op
            cv.setStrokeColorRGB(*_rgb(color))
            cv.setFillColorRGB(*_rgb(color))
            cv.setLineWidth(2)
            cv.circle(X(x), Y(y), r * MM_PT, stroke=1, fill=0)
            cv.circle(X(x), Y(y), r * 0.45 * MM_PT, stroke=0, fill=1)
        elif kind == "seal":
            _, cx, cy, r, name, sub, alpha = op
            k = 200 / 25.4  # seal raster at 200 dpi
            m = seal_mask(r * k, name, sub, alpha, page.fp)
            rgba = Image.new("RGBA", m.size, RED + (0,))
            rgba.putalpha(m)
            side = m.width / k  # mm
            cv.drawImage(ImageReader(rgba), X(cx - side / 2), Y(cy + side / 2), side * MM_PT, side * MM_PT,
                         mask="auto")


def new_canvas(target, encrypt=None):
    cv = rl_canvas.Canvas(target, pagesize=(A4_W * MM_PT, A4_H * MM_PT), invariant=1, encrypt=encrypt)
    cv.setTitle("certificate")
    cv.setAuthor("")
    cv.setProducer("certscan-gen")
    return cv


def pdf_add_image_page(cv, img: Image.Image, quality=70, dpi=200):
    """one JPEG per page; the page takes the image's size at its dpi (rotated scans -> landscape page)"""
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality, optimize=True)
    buf.seek(0)
    w, h = img.width * 72.0 / dpi, img.height * 72.0 / dpi
    cv.setPageSize((w, h))
    cv.drawImage(ImageReader(buf), 0, 0, w, h)
    cv.showPage()
    cv.setPageSize((A4_W * MM_PT, A4_H * MM_PT))


def write_pdf(path_or_buf, pages, modes, fontname, dpi=200, quality=70, degrade_fn=None, encrypt=None):
    """modes: list of 'text' | 'scan' per page"""
    cv = new_canvas(path_or_buf, encrypt)
    for pg, mode in zip(pages, modes):
        if mode == "text":
            pdf_draw_page(cv, pg, pdf_font(fontname))
            cv.showPage()
        else:
            img = render_page(pg, dpi)
            if degrade_fn:
                img = degrade_fn(img)
            pdf_add_image_page(cv, img, quality, dpi)
    cv.save()


def pdf_bytes(pages, modes, fontname, **kw):
    buf = io.BytesIO()
    write_pdf(buf, pages, modes, fontname, **kw)
    return buf.getvalue()
