"""gencerts.data: constants / resources."""
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

# --------------------------------------------------------------------------------------
# constants / resources
# --------------------------------------------------------------------------------------
A4_W, A4_H = 210.0, 297.0
MM_PT = 72.0 / 25.4
INK = (20, 20, 20)
INK_BLUE = (18, 40, 110)
INK_BROWN = (70, 40, 20)
RED = (205, 28, 36)
GOLD = (170, 130, 40)

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
]
FONTS = [p for p in FONT_CANDIDATES if os.path.exists(p)]
if not FONTS:
    sys.exit("gen_certs: no CJK font found (install fonts-noto-cjk or fonts-wqy-zenhei)")
# TrueType-outline fonts reportlab can embed (Noto CJK .ttc are CFF: raster only)
PDF_TTF = {
    "wqy-zenhei": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "wqy-microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "uming": "/usr/share/fonts/truetype/arphic/uming.ttc",
    "ukai": "/usr/share/fonts/truetype/arphic/ukai.ttc",
}
PDF_TTF = {k: v for k, v in PDF_TTF.items() if os.path.exists(v)}
PDF_CID = ["STSong-Light", "MSung-Light"]

HERE = Path(__file__).resolve().parent.parent  # scripts/
BODY_CSV_CANDIDATES = [
    HERE.parent / "data" / "cnca-bodies-snapshot.csv",
    Path("/work/shared/data/cnca-bodies-snapshot.csv"),
]


def load_bodies():
    for p in BODY_CSV_CANDIDATES:
        if p.exists():
            rows = []
            with open(p, encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    code = (r.get("body_code") or "").strip()
                    if code and (r.get("status") or "active").strip() == "active":
                        rows.append({"code": code.zfill(3), "name": r["name_zh"].strip(),
                                     "cnca": r["cnca_approval_number"].strip(),
                                     "cnas": (r.get("cnas_code") or "").strip()})
            if rows:
                return rows
    return [
        {"code": "001", "name": "中国质量认证中心", "cnca": "CNCA-R-2002-001", "cnas": ""},
        {"code": "046", "name": "北京海德国际认证有限公司", "cnca": "CNCA-R-2002-046", "cnas": ""},
        {"code": "021", "name": "华夏认证中心有限公司", "cnca": "CNCA-R-2002-021", "cnas": ""},
    ]


BODIES = load_bodies()
