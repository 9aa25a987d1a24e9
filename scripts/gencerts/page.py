"""gencerts.page: page model: ops in mm (origin top-left, y = text baseline)."""
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

# --------------------------------------------------------------------------------------
# page model: ops in mm (origin top-left, y = text baseline)
# --------------------------------------------------------------------------------------
_FONT_CACHE = {}


def pil_font(path, px):
    key = (path, px)
    f = _FONT_CACHE.get(key)
    if f is None:
        f = ImageFont.truetype(path, px, index=0)
        _FONT_CACHE[key] = f
    return f


def measure(s, size_pt, font_path):
    return pil_font(font_path, 100).getlength(s) / 100.0 * size_pt / MM_PT


CJK_PUNCT = set("，、。；：）》」』！？,.;:)")


def tokens(s):
    out, buf = [], ""
    for ch in s:
        if ch.isascii() and not ch.isspace():
            buf += ch
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(ch)
    if buf:
        out.append(buf)
    return out


def wrap(s, size, width, fp):
    lines, cur = [], ""
    for t in tokens(s):
        if t in CJK_PUNCT or not cur.strip() or measure(cur + t, size, fp) <= width:
            cur += t
        else:
            lines.append(cur.rstrip())
            cur = "" if t == " " else t
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


class Page:
    def __init__(self, font_path, bg=(255, 255, 255), ink=INK):
        self.ops = []
        self.fp = font_path
        self.bg = bg
        self.ink = ink

    def text(self, x, y, s, size, align="l", bold=False, color=None, maxw=None):
        if not s:
            return
        # never run off the page: shrink the font to the available width
        if maxw is None:
            maxw = {"l": A4_W - 14 - x, "c": 2 * min(x, A4_W - x) - 26, "r": x - 14}[align]
        w = measure(s, size, self.fp)
        if w > maxw > 10:
            size = size * maxw / w * 0.98
        if s:
            self.ops.append(("text", x, y, s, size, align, bold, color or self.ink))

    def para(self, x, y, s, size, width, align="l", leading=1.45, bold=False, color=None, indent=0.0):
        lines = wrap(s, size, width, self.fp)
        lh = size / MM_PT * leading
        for i, ln in enumerate(lines):
            xx = x
            if align == "c":
                xx = x + width / 2
            elif align == "r":
                xx = x + width
            elif i == 0:
                xx = x + indent
            self.text(xx, y, ln, size, align, bold, color)
            y += lh
        return y

    def line(self, x1, y1, x2, y2, w=0.3, color=None):
        self.ops.append(("line", x1, y1, x2, y2, w, color or self.ink))

    def rect(self, x, y, w, h, lw=0.3, color=None, fill=None):
        self.ops.append(("rect", x, y, w, h, lw, color or self.ink, fill))

    def poly(self, pts, lw=0.3, color=None):
        self.ops.append(("poly", pts, lw, color or self.ink))

    def seal(self, cx, cy, r, name, sub="认证专用章", alpha=0.72):
        self.ops.append(("seal", cx, cy, r, name, sub, alpha))

    def qr(self, x, y, size, rng):
        n = rng.choice([21, 25, 29])
        m = [[rng.random() < 0.5 for _ in range(n)] for _ in range(n)]
        for ox, oy in [(0, 0), (n - 7, 0), (0, n - 7)]:
            for i in range(7):
                for j in range(7):
                    ring = max(abs(i - 3), abs(j - 3))
                    m[oy + i][ox + j] = ring != 2
            for i in range(-1, 8):
                for j in range(-1, 8):
                    if 0 <= oy + i < n and 0 <= ox + j < n and (i in (-1, 7) or j in (-1, 7)):
                        m[oy + i][ox + j] = False
        self.ops.append(("qr", x, y, size, m))

    def mark(self, x, y, w, h, big, small, color=None):
        color = color or self.ink
        self.rect(x, y, w, h, 0.5, color)
        self.text(x + w / 2, y + h * 0.55, big, h * 1.1, "c", True, color)
        if small:
            self.text(x + w / 2, y + h * 0.85, small, h * 0.45, "c", False, color)


def border(p: Page, rng, style=None):
    style = style if style is not None else rng.randint(0, 3)
    col = rng.choice([GOLD, INK_BLUE, (120, 30, 30), (40, 90, 60)])
    if style == 0:
        p.rect(8, 8, A4_W - 16, A4_H - 16, 1.6, col)
        p.rect(11, 11, A4_W - 22, A4_H - 22, 0.4, col)
    elif style == 1:  # wavy guilloche frame
        for off, amp in [(9, 1.2), (11.5, 1.0)]:
            for side in range(4):
                pts = []
                L = (A4_W if side in (0, 2) else A4_H) - 2 * off
                steps = int(L / 1.5)
                for k in range(steps + 1):
                    t = k * L / steps
                    w = amp * math.sin(t / 2.2)
                    if side == 0:
                        pts.append((off + t, off + w))
                    elif side == 1:
                        pts.append((A4_W - off + w, off + t))
                    elif side == 2:
                        pts.append((off + t, A4_H - off + w))
                    else:
                        pts.append((off + w, off + t))
                p.poly(pts, 0.35, col)
    elif style == 2:
        p.rect(10, 10, A4_W - 20, A4_H - 20, 0.8, col)
        for (x, y) in [(10, 10), (A4_W - 10, 10), (10, A4_H - 10), (A4_W - 10, A4_H - 10)]:
            sx = 1 if x < A4_W / 2 else -1
            sy = 1 if y < A4_H / 2 else -1
            for k in range(3):
                d = 4 + 3 * k
                p.line(x, y + sy * d, x + sx * d, y, 0.5, col)
    # style 3: no border
    return col


def body_header(p: Page, c, rng, y=24, name=None):
    name = name or c["body"]["name"]
    if not c.get("p_body", True):  # spec mode: body name not printed
        name = ""
    # logo: circle with initials
    if rng.random() < 0.6:
        logo = ("logo", 24, y - 4, 7, rng.choice([INK_BLUE, RED, (30, 110, 60)]))
        if c.get("p_logo", True):
            p.ops.append(logo)
        p.text(34, y, name, 12, "l", True)
    else:
        p.text(A4_W / 2, y, name, 13, "c", True)


def fmt(c, d, en=False):
    return fmt_date(d, c["date_style_en"] if en else c["date_style"])


def marks_block(p: Page, c, x, y, tw=False):
    """CNAS / IAF marks (or TAF for Taiwan). returns flags actually printed"""
    printed_cnas = printed_iaf = False
    if tw:
        if c["p_cnas"]:
            p.mark(x, y, 22, 11, "TAF", "認證 ACCREDITATION")
            p.text(x + 11, y + 15, "Accreditation No. " + c["tw_taf"], 6.5, "c")
            x += 28
    elif c["p_cnas"]:
        p.mark(x, y, 24, 11, "CNAS", "中国认可 管理体系")
        p.text(x + 12, y + 15.5, c["cnas"], 8, "c")
        printed_cnas = True
        x += 30
    if c["p_iaf"]:
        p.mark(x, y, 20, 11, "IAF", "MLA")
        printed_iaf = True
    return printed_cnas, printed_iaf


def seal_and_body(p, c, rng, x_center, y_top, tw=False, body_name=None, date_overlap=None, sub="认证专用章"):
    """Body name + CNCA approval number + round seal near (x_center, y_top)."""
    name = body_name or c["body"]["name"]
    if c.get("p_body", True):
        p.text(x_center, y_top, name, 11.5, "c", True)
    yy = y_top + 6
    if c["p_cnca"] and not tw:
        lab = rng.choice(["批准号：", "批准号: ", "认证机构批准号：", "CNCA批准号："])
        p.text(x_center, yy, lab + c["body"]["cnca"], 9, "c")
        yy += 5.5
    if c["p_seal"]:
        cy = y_top - rng.uniform(2, 10) if date_overlap is None else date_overlap
        p.seal(x_center + rng.uniform(-14, 14), cy, rng.uniform(17, 21), name, sub=sub)
    return yy


def surveillance_table(p: Page, c, x, y, w, trad=False, en=True, rows=2):
    rows = max(rows, len(c["surv_dates"])) if c.get("surv_limit") else rows
    head = "年度监督审核记录" if not trad else "年度監督審核記錄"
    if en:
        head += " Surveillance Audit Record"
    p.text(x, y, head, 10.5, "l", True)
    y += 3
    cols = [0.28, 0.36, 0.36]
    labs = ["审核次数", "审核日期", "审核结论"] if not trad else ["審核次數", "審核日期", "審核結論"]
    rh = 7.5
    p.rect(x, y, w, rh * (rows + 1), 0.4)
    cx = x
    for k, cw in enumerate(cols):
        p.text(cx + 2, y + 5.2, labs[k], 9)
        cx += cw * w
        if k < len(cols) - 1:
            p.line(cx, y, cx, y + rh * (rows + 1), 0.4)
    dates = []
    limit = c.get("surv_limit", AS_OF)
    for r in range(rows):
        yy = y + rh * (r + 1)
        p.line(x, yy, x + w, yy, 0.4)
        nth = "第" + cn_num(r + 1) + "次"
        p.text(x + 2, yy + 5.2, (nth + "监督") if not trad else (nth + "監督"), 9)
        if c["p_surv"] == "full" and r < len(c["surv_dates"]) and c["surv_dates"][r] <= limit:
            d = c["surv_dates"][r]
            dates.append(d)
            p.text(x + cols[0] * w + 2, yy + 5.2, fmt(c, d), 9)
            p.text(x + (cols[0] + cols[1]) * w + 2, yy + 5.2, "保持认证注册" if not trad else "保持認證註冊", 9)
    return y + rh * (rows + 1) + 4, dates


SURV_CLAUSE = ("在证书有效期内获证组织按规定接受年度监督，本证书与(保持注册通知书)一并使用方可有效,"
               "本证书有效状态在本机构网站（www.{site}.com）或国家认证认可监督管理委员会官方网站（www.cnca.gov.cn）上查询.")
EN_CLAUSE = ("Only when used concurrently with the notice of Annual confirmation, can certificate be valid. "
             "The validity of this certificate can be checked on www.cnca.gov.cn.")


def shown(c, what):
    """spec mode may switch off elements every layout prints (p_org, p_certno, ...)"""
    return c.get("p_" + what, True)


def auditor_line(c, sep_no):
    """'name<sep_no>number' with the parts that are printed"""
    parts = []
    if c.get("auditor"):
        parts.append(c["auditor"])
    if c.get("auditor_no"):
        parts.append(sep_no + c["auditor_no"])
    return "".join(parts).strip()


def site_of(c):
    return "cert" + c["body"]["code"]


def truth_fields(c, org_name, address, scope, body_name, std_printed=None, surv=(False, []), cnas=None,
                 iaf=None, modules=None, cnca=...):
    return {
        "certificate_number": c["certno"],
        "body_code": c["body_field"],
        "organization_name": org_name,
        "unified_social_credit_code": c["org"]["uscc"] if c["p_uscc"] else None,
        "address": address,
        "standard": c["std"],
        "standard_printed": std_printed or c["std_printed"],
        "supplementary_modules": list(c["modules"]) if modules is None else modules,
        "scope": scope,
        "scope_processes": list(c["procs"]),
        "certification_body_name": body_name,
        # cnca: ... = as the certificate's draw says; None = not printed on this layout
        "cnca_approval_number": (c["body"]["cnca"] if c["p_cnca"] else None) if cnca is ... else cnca,
        "cnas_code": c["cnas"] if (c["p_cnas"] if cnas is None else cnas) else None,
        "cnas_mark": bool(c["p_cnas"] if cnas is None else cnas),
        "iaf_mark": bool(c["p_iaf"] if iaf is None else iaf),
        "auditor_name": c["auditor"] if c["p_auditor"] else None,
        "auditor_qualification_number": c["auditor_no"] if c["p_auditor"] else None,
        "initial_issue_date": c["initial"].isoformat() if c["p_initial"] else None,
        "decision_date": c["decision"].isoformat() if c["p_decision"] else None,
        "issue_date": c["issue"].isoformat(),
        "expiry_date": c["expiry"].isoformat(),
        "surveillance_section": bool(surv[0]),
        "surveillance_audits": [d.isoformat() for d in surv[1]],
        "transition_notice": bool(c["transition"]),
    }
