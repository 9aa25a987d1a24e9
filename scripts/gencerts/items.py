"""gencerts.items: item generation."""
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
from .broken import *  # noqa: F401,F403

# --------------------------------------------------------------------------------------
# item generation
# --------------------------------------------------------------------------------------
def pick_pdf_font(rng, trad=False, cid=None):
    if cid is None:
        cid = rng.random() < 0.35
    if cid:
        return "MSung-Light" if trad else "STSong-Light"
    keys = [k for k in PDF_TTF if not (trad and k == "wqy-microhei" and False)]
    return rng.choice(keys) if keys else ("MSung-Light" if trad else "STSong-Light")


def pdf_raster_path(fontname):
    """raster font used to measure/lay out text that will be drawn with a PDF font"""
    if fontname in PDF_TTF:
        return PDF_TTF[fontname]
    return next((f for f in FONTS if "Serif" in f), FONTS[0])


def gen_cert_file(out: Path, name: str, rng: random.Random, layout: str, kind: str, tier: str,
                  font_path=None, pdf_fontname=None, numstyle=None, dpi=300, quality=None, palette=False,
                  gray=False, std=None, second=None, tweak=None, post=None, degrade_fn=None):
    """render one certificate into one file; returns truth record.
    tweak(c, rng): edit the certificate's values before layout; post(fields, c): fix the truth fields;
    degrade_fn(img, rng) -> (img, applied): replaces the random degradation of raster pages"""
    trad = layout.startswith("traditional")
    if kind in ("pdf_text", "pdf_mixed", "encrypted_empty_pw"):
        pdf_fontname = pdf_fontname or pick_pdf_font(rng, trad)
        font_path = pdf_raster_path(pdf_fontname)
    font_path = font_path or rng.choice(FONTS)
    if kind in ("tiff", "pdf_mixed") and layout != "two_page":
        layout = "two_page"
    pages, fields, lname, variant, c = build_certificate(rng, layout, font_path, std=std, numstyle=numstyle,
                                                         second=second, tweak=tweak)
    if post:
        fields = post(fields, c)
    if lname == "two_page" or "+" in (variant or ""):
        lname = "two_page"
    page_nums = list(range(1, len(pages) + 1))
    degraded = tier == "degraded"
    degr, rots = [], []

    def raster(pg, allow_rot=True):
        img = render_page(pg, dpi, font_path)
        if degrade_fn:
            img, ap = degrade_fn(img, rng)
            degr.extend(ap)
            rots.append({"skew_ccw_deg": 0.0, "rotate_ccw_deg": 0})
        elif degraded:
            img, ap = degrade(img, rng, allow_rot90=allow_rot)
            degr.extend(ap)
            rots.append({"skew_ccw_deg": next((float(a[4:]) for a in ap if a.startswith("skew")), 0.0),
                         "rotate_ccw_deg": next((int(a[3:]) for a in ap if a.startswith("rot")), 0)})
        return img

    path = out / name
    extra = {"font": Path(font_path).name, "dpi": dpi if kind not in ("pdf_text",) else None,
             "number_style": c["numstyle"], "layout_variant": variant}
    if kind in ("png", "jpeg", "bmp", "webp", "exif_jpeg"):
        img = raster(pages[0], allow_rot=kind != "exif_jpeg")
        if kind == "png":
            save_image(img, path, "PNG", palette=palette, gray=gray, dpi=dpi)
        elif kind == "jpeg":
            save_image(img, path, "JPEG", quality=quality or (rng.randint(40, 70) if degraded else 88), gray=gray, dpi=dpi)
        elif kind == "bmp":
            save_image(img, path, "BMP", palette=256 if not gray else False, gray=gray, dpi=dpi)
        elif kind == "webp":
            save_image(img, path, "WEBP", quality=quality or (rng.randint(40, 70) if degraded else 80))
        else:
            orient = rng.choice([6, 8])
            save_exif_jpeg(img, path, orient, quality=quality or (rng.randint(45, 70) if degraded else 85), dpi=dpi)
            extra["exif_orientation"] = orient
        page_nums = [1]
        if len(pages) > 1:  # image formats hold page 1 only: truth from page 1
            fields = fields_first_page_only(fields, c)
    elif kind == "tiff":
        imgs = [raster(pg) for pg in pages]
        imgs = [im.convert("L") if gray else im.convert("RGB") for im in imgs]
        imgs[0].save(path, "TIFF", save_all=True, append_images=imgs[1:], compression="tiff_deflate", dpi=(dpi, dpi))
    elif kind == "pdf_scan":
        cv = new_canvas(str(path))
        for pg in pages:
            pdf_add_image_page(cv, raster(pg), quality or (rng.randint(40, 70) if degraded else 85), dpi)
        cv.save()
    elif kind in ("pdf_text", "encrypted_empty_pw"):
        enc = None
        if kind == "encrypted_empty_pw":
            from reportlab.lib.pdfencrypt import StandardEncryption
            enc = StandardEncryption("", ownerPassword="owner-" + str(rng.randint(1000, 9999)), canModify=0)
        write_pdf(str(path), pages, ["text"] * len(pages), pdf_fontname, encrypt=enc)
        extra["pdf_font"] = pdf_fontname
        extra["pdf_font_embedded"] = pdf_fontname in PDF_TTF
    elif kind == "pdf_mixed":
        cv = new_canvas(str(path))
        pdf_draw_page(cv, pages[0], pdf_font(pdf_fontname))
        cv.showPage()
        for pg in pages[1:]:
            img = render_page(pg, dpi, font_path)
            pdf_add_image_page(cv, img, quality or 75, dpi)
        cv.save()
        extra["pdf_font"] = pdf_fontname
        extra["page_modes"] = ["text"] + ["scan"] * (len(pages) - 1)
    else:
        raise ValueError(kind)
    if degr:
        extra["degradations"] = sorted(set(d if not d.startswith("skew") else "skew" for d in degr))
        extra["page_transform"] = rots  # per page: content turned counter-clockwise by these angles
    return record(name, kind, "certificate", None, degraded, tier, lname, [cert_entry(page_nums, fields)], **extra)


def fields_first_page_only(fields, c):
    f = dict(fields)
    f["surveillance_section"] = False
    f["surveillance_audits"] = []
    return f


def gen_package(out: Path, name: str, rng: random.Random, n_pages=None, quality=60):
    """A bid package PDF: cover, contents, prose, the business licence, the 20000-1 and 27001 certificates
    and a surveillance notice, text-layer and scanned pages mixed.
    n_pages=None: the short package of the `mixed` preset (12-19 pages). n_pages=N (the `bench` preset): about
    N pages in sections (prose, letters that mention the certificates), each section typed or scanned, the
    qualification block (licence, certificates, notice) somewhere in the middle, sometimes an annex page after
    the 20000-1 certificate and a third, older certificate (2-3 certificates, 2-4 certificate pages)."""
    fp_ttf = rng.choice(list(PDF_TTF)) if PDF_TTF else "STSong-Light"
    fp = pdf_raster_path(fp_ttf)
    org = make_org(rng, "cn")
    org["uscc"] = org["uscc"] or make_uscc(rng, "110108")
    body = rng.choice(BODIES)
    project = rng.choice(["某市政务云平台运维服务采购项目", "某省人民医院信息系统运维服务项目",
                          "某市大数据中心安全运营服务项目"])
    bid_date = rand_date(rng, 2025, 2025)
    c1_pages, f1, l1, _, c1 = build_certificate(rng, rng.choice(["table", "centred", "bilingual"]), fp,
                                                std="ISO/IEC 20000-1:2018", org=org)
    c2_pages, f2, l2, _, c2 = build_certificate(rng, rng.choice(["table", "centred", "english_first"]), fp,
                                                std="ISO/IEC 27001:2022", org=org)
    notice = page_notice(rng, fp, c1, add_years(c1["decision"], 1) - dt.timedelta(days=rng.randint(5, 40)))
    if n_pages is not None:
        return _gen_long_package(out, name, rng, n_pages, quality, fp_ttf, fp, org, project, bid_date,
                                 (c1_pages, f1, l1, c1), (c2_pages, f2, l2, c2), notice)
    n_before = rng.randint(3, 6)
    n_after = rng.randint(3, 7)
    pages, modes, roles = [], [], []
    pages.append(page_cover(rng, fp, org, project, bid_date)); modes.append("text"); roles.append("cover")
    pages.append(None); modes.append("text"); roles.append("toc")  # filled later
    heads = ["投标函", "法定代表人身份证明", "投标报价说明", "技术方案", "项目实施方案", "服务承诺"]
    for i in range(n_before):
        pages.append(page_prose(rng, fp, heads[i % len(heads)], page_no=len(pages) + 1))
        modes.append(rng.choice(["text", "text", "scan"])); roles.append("prose")
    pages.append(page_licence(rng, fp, org, rand_date(rng, 2005, 2018))); modes.append("scan"); roles.append("licence")
    p_c1 = len(pages) + 1
    pages.append(c1_pages[0]); modes.append(rng.choice(["scan", "scan", "text"])); roles.append("certificate")
    p_c2 = len(pages) + 1
    pages.append(c2_pages[0]); modes.append(rng.choice(["scan", "text"])); roles.append("certificate")
    pages.append(notice); modes.append(rng.choice(["scan", "text"])); roles.append("notice")
    tail = ["类似项目业绩", "售后服务承诺", "人员配置", "应急预案", "培训方案", "其他材料"]
    for i in range(n_after):
        pages.append(page_prose(rng, fp, tail[i % len(tail)], page_no=len(pages) + 1))
        modes.append(rng.choice(["text", "scan"])); roles.append("prose")
    while len(pages) < 12:
        pages.append(page_prose(rng, fp, "其他材料", page_no=len(pages) + 1)); modes.append("text"); roles.append("prose")
    toc = []
    for i, r in enumerate(roles):
        if r == "prose":
            toc.append((pages[i].ops[0][3], i + 1))
        elif r == "licence":
            toc.append(("营业执照", i + 1))
        elif r == "certificate":
            toc.append(("信息技术服务管理体系认证证书" if i + 1 == p_c1 else "信息安全管理体系认证证书", i + 1))
        elif r == "notice":
            toc.append(("保持认证注册资格通知书", i + 1))
    pages[1] = page_toc(rng, fp, toc)
    scan_deg = rng.random() < 0.5

    def dfn(img):
        return degrade(img, rng, allow_rot90=False, strength=0.6)[0] if scan_deg else img

    write_pdf(str(out / name), pages, modes, fp_ttf, dpi=rng.choice([150, 200]), quality=quality, degrade_fn=dfn)
    certs = [cert_entry([p_c1], f1), cert_entry([p_c2], f2)]
    return record(name, "pdf_package", "certificate", None, scan_deg, "degraded" if scan_deg else "clean", "package",
                  certs, page_count=len(pages), page_modes=modes, page_roles=roles,
                  licence_page=roles.index("licence") + 1, notice_pages=[roles.index("notice") + 1],
                  pdf_font=fp_ttf, layouts=[l1, l2])


PKG_SECTIONS_BEFORE = ["投标函", "法定代表人身份证明", "授权委托书", "投标报价一览表", "商务偏离表", "资格声明"]
PKG_SECTIONS_AFTER = ["技术方案", "项目实施方案", "服务承诺", "类似项目业绩", "售后服务承诺", "人员配置",
                      "应急预案", "培训方案", "质量保证措施", "其他材料"]
PKG_LETTERS = ("授权委托书", "资格声明", "投标函", "售后服务承诺")


def _gen_long_package(out, name, rng, n_pages, quality, fp_ttf, fp, org, project, bid_date, cert1, cert2, notice):
    """the bench preset's long bid package (see gen_package)"""
    c1_pages, f1, l1, c1 = cert1
    c2_pages, f2, l2, c2 = cert2
    # the qualification block
    block = [("licence", page_licence(rng, fp, org, rand_date(rng, 2005, 2018)), "scan", None)]
    block.append(("certificate", c1_pages[0], rng.choice(["scan", "scan", "scan", "text"]), 0))
    cert_fields, layouts = [f1, f2], [l1, l2]
    annex = rng.random() < 0.4
    if annex:  # the 20000-1 certificate's annex (scope processes, site) right after it
        block.append(("annex", page_annex(c1, rng, fp), block[-1][2], 0))
    block.append(("certificate", c2_pages[0], rng.choice(["scan", "scan", "text"]), 1))
    if rng.random() < 0.5:  # an older certificate the bidder attaches as well
        std3 = rng.choice(["ISO/IEC 27001:2013", "ISO/IEC 20000-1:2011"])
        c3_pages, f3, l3, _, _c3 = build_certificate(rng, rng.choice(["table", "centred", "bilingual"]), fp,
                                                     std=std3, org=org)
        block.append(("certificate", c3_pages[0], rng.choice(["scan", "text"]), 2))
        cert_fields.append(f3)
        layouts.append(l3)
    block.append(("notice", notice, rng.choice(["scan", "scan", "text"]), None))
    # the other pages: sections of prose and letters, each section typed or scanned as a whole
    n_other = max(4, n_pages - 2 - len(block))
    n_before = int(n_other * rng.uniform(0.15, 0.5))
    secs = []
    for part, heads, n in (("before", PKG_SECTIONS_BEFORE, n_before), ("after", PKG_SECTIONS_AFTER, n_other - n_before)):
        left, k = n, 0
        while left > 0:
            size = min(left, rng.randint(1, 3) if part == "before" else rng.randint(3, 14))
            secs.append((part, heads[k % len(heads)], size, rng.choice(["text", "text", "scan"])))
            left -= size
            k += 1
    pages, modes, roles, cert_pages, toc = [], [], [], [[] for _ in cert_fields], []
    pages.append(page_cover(rng, fp, org, project, bid_date)); modes.append("text"); roles.append("cover")
    pages.append(None); modes.append("text"); roles.append("toc")  # filled later

    def add_section(head, size, mode):
        toc.append((head, len(pages) + 1))
        for j in range(size):
            if head in PKG_LETTERS and j == 0:
                pg = page_letter(rng, fp, org, bid_date)
            else:
                pg = page_prose(rng, fp, head, page_no=len(pages) + 1)
            pages.append(pg); modes.append(mode); roles.append("prose")

    for part, head, size, mode in secs:
        if part == "before":
            add_section(head, size, mode)
    toc_names = {"licence": "营业执照", "notice": "保持认证注册资格通知书"}
    for role, pg, mode, ci in block:
        if role == "certificate":
            toc.append(("信息技术服务管理体系认证证书" if "20000" in cert_fields[ci]["standard"] else
                        "信息安全管理体系认证证书", len(pages) + 1))
        elif role in toc_names:
            toc.append((toc_names[role], len(pages) + 1))
        if ci is not None:
            cert_pages[ci].append(len(pages) + 1)
        pages.append(pg); modes.append(mode); roles.append(role)
    for part, head, size, mode in secs:
        if part == "after":
            add_section(head, size, mode)
    pages[1] = page_toc(rng, fp, toc[:24])
    scan_deg = rng.random() < 0.5
    dpi = rng.choice([150, 200, 200])

    def dfn(img):
        return degrade(img, rng, allow_rot90=False, strength=0.6)[0] if scan_deg else img

    write_pdf(str(out / name), pages, modes, fp_ttf, dpi=dpi, quality=quality, degrade_fn=dfn)
    certs = [cert_entry(pg, f) for pg, f in zip(cert_pages, cert_fields)]
    return record(name, "pdf_package", "certificate", None, scan_deg, "degraded" if scan_deg else "clean", "package",
                  certs, page_count=len(pages), page_modes=modes, page_roles=roles, scan_dpi=dpi,
                  licence_page=roles.index("licence") + 1, notice_pages=[roles.index("notice") + 1],
                  pdf_font=fp_ttf, layouts=layouts)


def gen_other(out, name, rng, fmt="png", dpi=150):
    fp = rng.choice(FONTS)
    org = make_org(rng, "cn")
    pg = page_letter(rng, fp, org, rand_date(rng, 2024, 2025))
    img = render_page(pg, dpi)
    if fmt == "png":
        save_image(img, out / name, "PNG", palette=16, dpi=dpi)
    elif fmt == "jpeg":
        save_image(img, out / name, "JPEG", quality=75, dpi=dpi)
    elif fmt == "pdf":
        write_pdf(str(out / name), [pg], ["text"], pick_pdf_font(rng))
    return record(name, "other", "not_certificate", None, False, "clean", "letter", [])


def gen_zip(out, name, rng):
    tmp = out / (".zipbuild_" + name)
    tmp.mkdir(exist_ok=True)
    members = []
    r1 = gen_cert_file(tmp, "a.jpg", rng, "centred", "jpeg", "clean", dpi=150, quality=75)
    r2 = gen_cert_file(tmp, "b.pdf", rng, "table", "pdf_text", "text_layer")
    r3 = gen_cert_file(tmp, "c.jpg", rng, "bilingual", "jpeg", "clean", dpi=150, quality=75)
    gbk_name = "资质文件/认证证书扫描件.jpg"
    entries = [("certs/cert_20000.jpg", tmp / "a.jpg", r1, "ascii"),
               ("certs/信息安全管理体系认证证书.pdf", tmp / "b.pdf", r2, "utf8"),  # zipfile sets flag 0x800
               (gbk_name, tmp / "c.jpg", r3, "gbk")]
    placeholders = {}
    zpath = out / name
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for mname, src, rec, enc in entries:
            arc = mname
            if enc == "gbk":
                raw = mname.encode("gbk")
                arc = "G" * len(raw)
                placeholders[arc.encode("ascii")] = raw
            zi = zipfile.ZipInfo(arc, date_time=(2025, 3, 1, 12, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, src.read_bytes())
            members.append({"name": mname, "name_encoding": enc, "expect_status": "certificate",
                            "expect_error_code": None, "kind": rec["kind"], "layout": rec["layout"],
                            "certificates": rec["certificates"]})
    data = zpath.read_bytes()
    for ph, raw in placeholders.items():
        assert data.count(ph) == 2, data.count(ph)
        data = data.replace(ph, raw)
    zpath.write_bytes(data)
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    return record(name, "zip", "certificate", None, False, "clean", None, [], members=members)
