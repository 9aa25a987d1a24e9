"""gencerts.layouts: layouts: each returns (pages, fields)."""
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

# --------------------------------------------------------------------------------------
# layouts: each returns (pages, fields)
# --------------------------------------------------------------------------------------
def title_zh(c, rng):
    return rng.choice([f"{c['zh_iso']}管理体系认证证书", f"{c['zh_iso']}管理体系认证证书", "管理体系认证证书",
                       f"{c['zh_iso']}管理体系\n认证证书"])


def layout_table(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK, INK_BLUE]))
    border(p, rng)
    body_header(p, c, rng, 26)
    t = title_zh(c, rng).replace("\n", "")
    p.text(A4_W / 2, 44, t, rng.choice([20, 22, 24]), "c", True)
    p.text(A4_W / 2, 52, f"CERTIFICATE OF {c['en_iso'].upper()} MANAGEMENT SYSTEM", 9.5, "c")
    lab_no = rng.choice(["证书编号", "证书号", "注册号", "证书编号"])
    x0, x1, x2 = 22, 62, A4_W - 22
    y = 62
    rows = [(lab_no, c["certno"]) if shown(c, "certno") else None,
            ("组织名称", c["org"]["name"]) if shown(c, "org") else None]
    if c["p_uscc"]:
        rows.append((rng.choice(["统一社会信用代码", "统一社会信用代码", "组织机构代码"]), c["org"]["uscc"]))
    if c["p_addr"]:
        rows.append((rng.choice(["注册地址", "地址", "注册/经营地址"]), c["org"]["addr"]))
    lab = rng.choice(["认证标准", "认证依据", "审核依据"])
    rows.append((lab, c["std_printed"]) if shown(c, "std") else None)
    if c["modules"]:
        rows.append(("补充模块", "、".join(c["modules"])))
    lab = rng.choice(["认证范围", "认证覆盖范围", "覆盖范围"])
    rows.append((lab, c["scope"]) if shown(c, "scope") else None)
    if c["p_initial"]:
        rows.append(("初次发证日期", fmt(c, c["initial"])))
    if c["p_decision"]:
        rows.append(("认证决定日期", fmt(c, c["decision"])))
    lab = rng.choice(["发证日期", "颁证日期", "本次发证日期"])
    rows.append((lab, fmt(c, c["issue"])) if shown(c, "issue") else None)
    lab = rng.choice(["有效期至", "证书有效期至", "有效期"])
    rows.append((lab, fmt(c, c["expiry"])) if shown(c, "expiry") else None)
    if c["p_auditor"]:
        rows.append(("审核组长", auditor_line(c, "    资格编号：")))
    rows = [r for r in rows if r]
    size = 11
    lh = size / MM_PT * 1.5
    ytop = y
    for lab, val in rows:
        lines = wrap(val, size, x2 - x1 - 4, fp)
        h = max(1, len(lines)) * lh + 3.5
        p.text(x0 + 2, y + 5.8, lab, size, "l", True)
        yy = y + 5.8
        for ln in lines:
            p.text(x1 + 2.5, yy, ln, size)
            yy += lh
        y += h
        p.line(x0, y, x2, y, 0.35)
    p.rect(x0, ytop, x2 - x0, y - ytop, 0.7)
    p.line(x1, ytop, x1, y, 0.35)
    y += 7
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, x0, y + 2, x2 - x0, en=rng.random() < 0.5)
        surv = (True, dates)
    if c["transition"]:
        p.text(x0, y + 2, c["transition_text"], 9.5, "l", False, RED)
        y += 7
    if shown(c, "clause"):
        y = p.para(x0, y + 2, SURV_CLAUSE.format(site=site_of(c)), 8.5, x2 - x0)
    ybot = max(y + 12, 236)
    cn, iaf = marks_block(p, c, x0, ybot)
    if c["p_qr"]:
        p.qr(x0 + 62, ybot - 2, 20, rng)
    seal_and_body(p, c, rng, 150, ybot + 6)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, c["scope"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf)
    return [p], fields


def layout_centred(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK_BROWN]))
    col = border(p, rng)
    body_header(p, c, rng, 27)
    t = title_zh(c, rng)
    y = 46
    for part in t.split("\n"):
        p.text(A4_W / 2, y, part, 24 if "\n" in t else rng.choice([22, 24]), "c", True, col if rng.random() < 0.3 else None)
        y += 11
    lab = rng.choice(["证书号：", "证书编号：", "证书号:", "注册号："])
    if shown(c, "certno"):
        p.text(A4_W / 2, y + 2, lab + c["certno"], 11.5, "c")
    y += 16
    p.text(A4_W / 2, y, rng.choice(["兹证明", "兹 证 明", "兹证明："]), 13, "c")
    y += 12
    size = rng.choice([17, 18, 19])
    if shown(c, "org"):
        y = p.para(25, y, c["org"]["name"], size, A4_W - 50, "c", bold=True)
    y += 1
    if c["p_addr"]:
        y = p.para(25, y, "注册地址：" + c["org"]["addr"], 10.5, A4_W - 50, "c")
    if c["p_prod_addr"]:
        y = p.para(25, y, "生产地址：" + c["org"]["addr"], 10.5, A4_W - 50, "c")
    if c["p_uscc"]:
        y = p.para(25, y, rng.choice(["组织机构代码证(或统一信用代码) 证号：", "统一社会信用代码：", "统一社会信用代码："])
                   + c["org"]["uscc"], 10.5, A4_W - 50, "c")
    y += 5
    p.text(A4_W / 2, y, f"{c['zh_iso']}管理体系符合", 12, "c")
    y += 8
    if shown(c, "std"):
        p.text(A4_W / 2, y, c["std_printed"], 14, "c", True)
    y += 8
    if c["modules"]:
        y = p.para(25, y, rng.choice(["补充模块：", "及补充模块："]) + "、".join(c["modules"]), 10.5, A4_W - 50, "c")
    y += 4
    p.text(A4_W / 2, y, f"{c['zh_iso']}管理体系认证覆盖的范围", 12, "c")
    y += 8
    if shown(c, "scope"):
        y = p.para(28, y, c["scope"], 12, A4_W - 56, "c")
    y += 4
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, 30, y + 3, A4_W - 60, en=False)
        surv = (True, dates)
    if c["transition"]:
        p.text(A4_W / 2, y + 2, c["transition_text"], 9.5, "c", False, RED)
        y += 7
    if shown(c, "clause"):
        y = p.para(25, y + 2, SURV_CLAUSE.format(site=site_of(c)), 8.5, A4_W - 50, leading=1.4)
    y = max(y + 8, 222)
    dl = []
    if c["p_initial"]:
        dl.append(("初次发证日期：", c["initial"]))
    if c["p_decision"]:
        dl.append(("认证决定日期：", c["decision"]))
    lab = rng.choice(["发证日期：", "发证日期：", "颁证日期："])
    if shown(c, "issue"):
        dl.append((lab, c["issue"]))
    lab = rng.choice(["有 效 期：", "有效期至：", "有效期："])
    if shown(c, "expiry"):
        dl.append((lab, c["expiry"]))
    ydates = y
    for lab, d in dl:
        p.text(28, y, lab + fmt(c, d), 11)
        y += 7
    if c["p_auditor"]:
        p.text(28, y, "审核组长：" + auditor_line(c, "  资格编号："), 9.5)
        y += 7
    yb = max(y + 6, 262)
    cn, iaf = marks_block(p, c, 24, yb)
    if c["p_qr"]:
        p.qr(A4_W / 2 - 9, yb - 4, 18, rng)
    seal_and_body(p, c, rng, 150, yb + 4, date_overlap=ydates + 4 if rng.random() < 0.4 else None)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] or c["p_prod_addr"] else None, c["scope"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf)
    return [p], fields


def layout_english_first(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK_BLUE]))
    border(p, rng)
    body_header(p, c, rng, 26)
    p.text(A4_W / 2, 45, f"{c['en_iso']} Management System Certificate", rng.choice([17, 18]), "c", True)
    p.text(A4_W / 2, 53, f"{c['zh_iso']}管理体系认证证书", 12, "c")
    lab = rng.choice(["Certificate number: ", "Certificate No.: ", "Registration No.: ", "Certificate number:"])
    p.text(A4_W / 2, 63, lab + c["certno"], 11.5, "c")
    y = 77
    p.text(A4_W / 2, y, "This is to certify that the", 12, "c")
    y += 11
    y = p.para(22, y, c["org"]["name_en"], 15, A4_W - 44, "c", bold=True)
    y = p.para(22, y, c["org"]["name"], 13, A4_W - 44, "c", bold=True)
    y += 2
    if c["p_addr"]:
        y = p.para(22, y, "Registration address: " + c["org"]["addr_en"], 10, A4_W - 44, "c")
        y = p.para(22, y, c["org"]["addr"], 10, A4_W - 44, "c")
    if c["p_uscc"]:
        y = p.para(22, y, rng.choice(["Organization Code Certificate/Credit Unicode Number: ",
                                      "Unified Social Credit Code: "]) + c["org"]["uscc"], 10, A4_W - 44, "c")
    y += 5
    p.text(A4_W / 2, y, "Which is in conformity with", 11.5, "c")
    y += 8
    p.text(A4_W / 2, y, c["std_printed"], 14, "c", True)
    y += 8
    mods = []
    if c["modules"] and rng.random() < 0.5:
        y = p.para(22, y, "Supplementary modules 补充模块：" + "、".join(c["modules"]), 10, A4_W - 44, "c")
        mods = list(c["modules"])
    y += 4
    p.text(A4_W / 2, y, f"This certificate covers the following scope of {c['en_iso'].lower()} management system", 10.5, "c")
    y += 8
    y = p.para(25, y, c["scope_en"], 11.5, A4_W - 50, "c")
    y += 4
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, 30, y + 3, A4_W - 60, en=True)
        surv = (True, dates)
    if c["transition"]:
        p.text(A4_W / 2, y + 2, c["transition_en"] if rng.random() < 0.6 else c["transition_text"], 9, "c", False, RED)
        y += 7
    y = p.para(25, y + 2, EN_CLAUSE, 8.5, A4_W - 50)
    y = max(y + 8, 226)
    if c["p_initial"]:
        p.text(28, y, "Initial Issue Date: " + fmt(c, c["initial"], True), 10.5)
        y += 6.5
    if c["p_decision"]:
        p.text(28, y, "Certification Decision Date: " + fmt(c, c["decision"], True), 10.5)
        y += 6.5
    p.text(28, y, rng.choice(["Issue Date: ", "Date of Issue: "]) + fmt(c, c["issue"], True), 10.5)
    y += 6.5
    p.text(28, y, rng.choice(["Validity: ", "Valid until: ", "Expiry Date: "]) + fmt(c, c["expiry"], True), 10.5)
    y += 6.5
    if c["p_auditor"]:
        p.text(28, y, f"Lead Auditor 审核组长: {c['auditor']}   Qualification No.: {c['auditor_no']}", 9)
        y += 6.5
    yb = max(y + 6, 262)
    cn, iaf = marks_block(p, c, 24, yb)
    if c["p_qr"]:
        p.qr(A4_W / 2 - 9, yb - 4, 18, rng)
    seal_and_body(p, c, rng, 152, yb + 4)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, c["scope_en"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf, modules=mods)
    return [p], fields


def layout_bilingual(c, rng, fp, allow_surv=True):
    p = Page(fp, ink=rng.choice([INK, INK_BLUE, INK_BROWN]))
    border(p, rng)
    body_header(p, c, rng, 25)
    p.text(A4_W / 2, 43, f"{c['zh_iso']}管理体系认证证书", 20, "c", True)
    p.text(A4_W / 2, 51, f"{c['en_iso']} Management System Certificate", 12, "c")
    x0, xv = 22, 82
    wv = A4_W - 22 - xv
    y = 66
    nol = rng.choice([("证书编号", "Certificate No."), ("注册号", "Registration No."), ("证书号", "Certificate number")])
    rows = [(nol, c["certno"]) if shown(c, "certno") else None,
            (("组织名称", "Organization"), c["org"]["name"] + "\n" + c["org"]["name_en"]) if shown(c, "org") else None]
    if c["p_uscc"]:
        rows.append((("统一社会信用代码", "USCC"), c["org"]["uscc"]))
    if c["p_addr"]:
        rows.append((("注册地址", "Address"), c["org"]["addr"] + "\n" + c["org"]["addr_en"]))
    rows.append((("认证依据", "Standard"), c["std_printed"]) if shown(c, "std") else None)
    if c["modules"]:
        rows.append((("补充模块", "Supplementary modules"), "、".join(c["modules"])))
    rows.append((("认证范围", "Scope"), c["scope"] + "\n" + c["scope_en"]) if shown(c, "scope") else None)
    if c["p_initial"]:
        rows.append((("初次发证日期", "Initial Issue Date"), fmt(c, c["initial"])))
    if c["p_decision"]:
        rows.append((("认证决定日期", "Decision Date"), fmt(c, c["decision"])))
    rows.append((("发证日期", "Issue Date"), fmt(c, c["issue"])) if shown(c, "issue") else None)
    rows.append((("有效期至", "Expiry Date"), fmt(c, c["expiry"])) if shown(c, "expiry") else None)
    if c["p_auditor"]:
        rows.append((("审核组长", "Lead Auditor"), auditor_line(c, "  资格编号 Qualification No.：")))
    rows = [r for r in rows if r]
    sep = rng.choice(["：", ":", " "])
    for (zl, el), val in rows:
        p.text(x0, y, f"{zl} {el}{sep}", 9.5, "l", True)
        yy = y
        for k, part in enumerate(val.split("\n")):
            yy = p.para(xv, yy, part, 10.5 if k == 0 else 9, wv, leading=1.4)
        y = max(yy, y + 6) + 3.5
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, x0, y + 3, A4_W - 44, en=True)
        surv = (True, dates)
    if c["transition"]:
        p.text(x0, y + 2, c["transition_text"], 9.5, "l", False, RED)
        y += 7
    if shown(c, "clause"):
        y = p.para(x0, y + 3, SURV_CLAUSE.format(site=site_of(c)), 8.5, A4_W - 44)
        y = p.para(x0, y, EN_CLAUSE, 8, A4_W - 44)
    yb = max(y + 14, 250)
    cn, iaf = marks_block(p, c, x0, yb)
    if c["p_qr"]:
        p.qr(x0 + 60, yb - 3, 19, rng)
    seal_and_body(p, c, rng, 152, yb + 3)
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, c["scope"],
                          c["body"]["name"], surv=surv, cnas=cn, iaf=iaf)
    return [p], fields


def layout_traditional(c, rng, fp, allow_surv=True):
    tw = c["org"]["region"] == "tw"
    p = Page(fp, ink=rng.choice([INK, INK_BLUE]))
    border(p, rng)
    body_name = s2t(c["body"]["name"])
    body_header(p, c, rng, 25, name=body_name)
    iso = s2t(c["zh_iso"], tw=tw)
    title = f"{iso}管理系統驗證證書" if tw else f"{iso}管理體系認證證書"
    p.text(A4_W / 2, 45, title, 21, "c", True)
    p.text(A4_W / 2, 53, f"{c['en_iso']} Management System Certificate", 11, "c")
    lab_no = rng.choice(["證書編號：", "證書號碼：", "證書編號 Certificate No.："])
    p.text(A4_W / 2, 64, lab_no + c["certno"], 11.5, "c")
    y = 78
    p.text(A4_W / 2, y, rng.choice(["茲證明", "茲 證 明"]), 13, "c")
    y += 12
    y = p.para(25, y, c["org"]["name"], 18, A4_W - 50, "c", bold=True)
    if tw:
        p.text(A4_W / 2, y, "統一編號：" + c["org"]["tw_id"], 10.5, "c")
        y += 6
    if c["p_addr"]:
        y = p.para(25, y, ("地址：" if tw else "註冊地址：") + c["org"]["addr"], 10.5, A4_W - 50, "c")
    y += 5
    p.text(A4_W / 2, y, f"之{iso}管理系統符合" if tw else f"{iso}管理體系符合", 12, "c")
    y += 8
    p.text(A4_W / 2, y, c["std_printed"], 14, "c", True)
    y += 8
    if c["modules"]:
        y = p.para(25, y, "補充模組：" + "、".join(s2t(m) for m in c["modules"]), 10.5, A4_W - 50, "c")
    y += 4
    p.text(A4_W / 2, y, "驗證範圍：" if tw else "認證覆蓋範圍：", 12, "c")
    y += 8
    scope_t = s2t(c["scope"], tw=tw)
    y = p.para(28, y, scope_t, 12, A4_W - 56, "c")
    y += 4
    surv = (False, [])
    if allow_surv and c["p_surv"]:
        y, dates = surveillance_table(p, c, 30, y + 3, A4_W - 60, trad=True, en=rng.random() < 0.5)
        surv = (True, dates)
    if c["transition"]:
        p.text(A4_W / 2, y + 2, s2t(c["transition_text"]), 9.5, "c", False, RED)
        y += 7
    clause = ("本證書之有效性須經年度追查稽核確認，證書有效狀態可於本公司網站查詢。" if tw else
              s2t(SURV_CLAUSE.format(site=site_of(c))))
    y = p.para(25, y + 2, clause, 8.5, A4_W - 50)
    y = max(y + 8, 222)
    if tw and rng.random() < 0.3:
        c["date_style"] = "roc"
    if c["p_initial"]:
        p.text(28, y, ("初次發證日期：" if not tw else "初次驗證日期：") + fmt(c, c["initial"]), 11)
        y += 7
    if c["p_decision"]:
        p.text(28, y, ("認證決定日期：" if not tw else "驗證決定日期：") + fmt(c, c["decision"]), 11)
        y += 7
    p.text(28, y, "發證日期：" + fmt(c, c["issue"]), 11)
    y += 7
    p.text(28, y, ("有效期限：" if tw else "有效期至：") + fmt(c, c["expiry"]), 11)
    y += 7
    if c["p_auditor"]:
        p.text(28, y, f"主導稽核員：{s2t(c['auditor'])}  資格編號：{c['auditor_no']}" if tw else
               f"審核組長：{s2t(c['auditor'])}  資格編號：{c['auditor_no']}", 9.5)
        y += 7
    yb = max(y + 6, 262)
    c["tw_taf"] = f"{rng.randint(1000, 3999)}"
    cn, iaf = marks_block(p, c, 24, yb, tw=tw)
    if c["p_qr"]:
        p.qr(A4_W / 2 - 9, yb - 4, 18, rng)
    cnca_printed = c["p_cnca"] and not tw
    seal_and_body(p, c, rng, 150, yb + 4, tw=tw, body_name=body_name, sub="驗證專用章" if tw else "認證專用章")
    fields = truth_fields(c, c["org"]["name"], c["org"]["addr"] if c["p_addr"] else None, scope_t, body_name,
                          surv=surv, cnas=cn, iaf=iaf, cnca=c["body"]["cnca"] if cnca_printed else None)
    if c["p_auditor"]:
        fields["auditor_name"] = s2t(c["auditor"])
    return [p], fields


def page_annex(c, rng, fp):
    p = Page(fp)
    border(p, rng, style=rng.choice([0, 2, 3]))
    p.text(A4_W / 2, 30, rng.choice(["证书附件", "证书附件 Annex to Certificate", "认证证书附件"]), 18, "c", True)
    p.text(24, 46, "证书编号：" + c["certno"], 11)
    p.text(24, 54, "组织名称：" + c["org"]["name"], 11)
    p.text(24, 66, "认证覆盖的范围及过程：", 11, "l", True)
    y = 75
    for i, pr in enumerate(c["procs"], 1):
        y = p.para(30, y, f"{i}. {pr}：{rng.choice(['依据服务目录', '按服务级别协议', '覆盖全部在运系统'])}实施的{pr}活动", 10.5, A4_W - 56)
        y += 1
    y += 4
    p.text(24, y, "认证覆盖的场所：", 11, "l", True)
    y += 8
    y = p.para(30, y, "1. " + c["org"]["addr"], 10.5, A4_W - 56)
    y += 6
    p.para(24, y, "本附件与证书同时使用有效。", 10, A4_W - 48)
    p.text(A4_W / 2, 280, "第2页 共2页", 9, "c")
    return p


def page_surveillance(c, rng, fp):
    p = Page(fp)
    border(p, rng, style=rng.choice([0, 2, 3]))
    p.text(A4_W / 2, 32, "年度监督审核记录", 18, "c", True)
    p.text(A4_W / 2, 40, "Surveillance Audit Record", 11, "c")
    p.text(24, 54, "证书编号：" + c["certno"], 11)
    p.text(24, 62, "组织名称：" + c["org"]["name"], 11)
    c2 = dict(c, p_surv="full")
    y, dates = surveillance_table(p, c2, 24, 74, A4_W - 48, en=False)
    p.para(24, y + 6, "监督审核结论：组织的管理体系持续有效，保持认证注册资格。", 10.5, A4_W - 48)
    p.seal(150, y + 34, 19, c["body"]["name"])
    p.text(150, y + 36, c["body"]["name"], 11, "c", True)
    p.text(A4_W / 2, 280, "第2页 共2页", 9, "c")
    return p, dates


def layout_two_page(c, rng, fp, base=None, second=None):
    base = base or rng.choice(["table", "centred", "bilingual"])
    second = second or rng.choice(["annex", "surveillance"])
    pages, fields = LAYOUTS[base](c, rng, fp, allow_surv=False)
    if second == "annex":
        p2 = page_annex(c, rng, fp)
    else:
        p2, dates = page_surveillance(c, rng, fp)
        fields["surveillance_section"] = True
        fields["surveillance_audits"] = [d.isoformat() for d in dates]
    return pages + [p2], fields, f"{base}+{second}"


LAYOUTS = {"table": layout_table, "centred": layout_centred, "english_first": layout_english_first,
           "bilingual": layout_bilingual, "traditional": layout_traditional}
LAYOUT_NAMES = ["table", "centred", "english_first", "bilingual", "traditional_tw", "traditional_hk", "two_page"]


def build_certificate(rng, layout, fp, std=None, org=None, numstyle=None, second=None, tweak=None):
    """returns pages, fields, layout name, variant; tweak(c, rng) may edit the values before layout"""
    region = {"traditional_tw": "tw", "traditional_hk": "hk"}.get(layout, "cn")
    c = make_cert(rng, std=std, org=org, region=region, numstyle=numstyle)
    if tweak:
        tweak(c, rng)
    variant = None
    if layout == "two_page":
        pages, fields, variant = layout_two_page(c, rng, fp, second=second)
    elif layout.startswith("traditional"):
        pages, fields = layout_traditional(c, rng, fp)
        variant = region
        layout = "traditional"
    else:
        pages, fields = LAYOUTS[layout](c, rng, fp)
    return pages, fields, layout, variant, c
