"""gencerts.spec: spec mode: certificates described one by one (rule tests)."""
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
from .items import *  # noqa: F401,F403
from .presets import *  # noqa: F401,F403

# --------------------------------------------------------------------------------------
# spec mode: certificates described one by one (rule tests)
# --------------------------------------------------------------------------------------
SPEC_DOC = """\
--spec SPEC.json: a JSON list of certificates to render, each an object
  file       output name, may hold sub-folders ("m/a.pdf")          (required)
  kind       pdf_text (default: text layer, embedded TrueType font), png, jpeg, webp, bmp, tiff,
             pdf_scan, pdf_mixed
  layout     table (default), centred, bilingual, english_first, traditional_tw, traditional_hk, two_page
  fields     overrides of truth fields; null = not printed:
             certificate_number, organization_name, unified_social_credit_code, address, standard
             (normalised, e.g. "ISO/IEC 20000-1:2011"), standard_printed, supplementary_modules (list),
             scope, certification_body_name, cnca_approval_number, cnas_code, cnas_mark (bool),
             iaf_mark (bool), auditor_name, auditor_qualification_number, initial_issue_date,
             decision_date, issue_date, expiry_date (YYYY-MM-DD), surveillance_section (bool),
             surveillance_audits (list of dates, printed as given), transition_notice (bool or text)
             Dates not given follow the given ones (decision = issue, expiry = issue + 3 years - 1 day,
             surveillance audits a little before each anniversary of the decision date).
  number_style  seed (17 characters, 6-character body code) or real (00125IT15304R1M): the style of a
             generated number (ignored when certificate_number is given)
  body_code  the certification body, by its 3-digit code in the CNCA snapshot (a code not in it makes
             a fictional body "某某认证有限公司", CNCA-R-2099-<code>)
  print      {date_style: cn|cn0|iso|dot|slash|cnnum|en_mdy|..., seal, qr, logo (the body's logo),
             clause (the surveillance clause), decision, initial} (booleans switch printed elements)
  tag        items with the same tag (and the same fields) are the same certificate (default: file)
  dpi, font  raster kinds: resolution (default 300), font file (default the first CJK font)
  pdf_font   text PDFs: a TrueType key (wqy-zenhei, wqy-microhei, uming, ukai) or a CID font name
  degrade    raster kinds: null (clean, default), "random" (the accuracy preset's scan degradations) or
             {blur: px, noise: sigma, contrast: 0..1 (1 = unchanged), scale: 0..1 (downsample, upsample),
             tint: [r, g, b] multipliers (a coloured paper or scanner cast, e.g. [0.97, 0.9, 0.8]),
             skew: degrees counter-clockwise, rotate: 90|180|270 (counter-clockwise)}
  as_of      generated (not given) surveillance audits later than this date are not recorded
             (default 2025-11-15)
Everything not given is the generator's usual random valid value, seeded by --seed and tag.
"""

REAL_NUMBER_RE = __import__("re").compile(r"^\d{3}\d{2}[A-Z]{1,4}\d{3,6}R\d[SML](/\d{4})?(-\d+)?$")
SPEC_KEYS = {"file", "kind", "layout", "fields", "number_style", "body_code", "print", "tag", "dpi", "font",
             "pdf_font", "degrade", "as_of", "note"}
SPEC_FIELD_KEYS = {"certificate_number", "organization_name", "unified_social_credit_code", "address", "standard",
                   "standard_printed", "supplementary_modules", "scope", "certification_body_name",
                   "cnca_approval_number", "cnas_code", "cnas_mark", "iaf_mark", "auditor_name",
                   "auditor_qualification_number", "initial_issue_date", "decision_date", "issue_date",
                   "expiry_date", "surveillance_section", "surveillance_audits", "transition_notice"}
SPEC_PRINT_KEYS = {"date_style", "seal", "qr", "logo", "clause", "decision", "initial"}
# elements every layout prints; only these layouts can leave them out
FLAG_LAYOUTS = {"table", "centred", "bilingual", "two_page"}
ALWAYS_PRINTED = {"certificate_number": "certno", "organization_name": "org", "scope": "scope",
                  "standard": "std", "standard_printed": "std", "issue_date": "issue", "expiry_date": "expiry",
                  "certification_body_name": "body"}


def infer_std(printed):
    t = printed.replace("：", ":").replace(" ", "").upper()
    for k in STD:
        if k.replace(" ", "").upper() in t:
            return k
    return None


def spec_date(v, what):
    try:
        return dt.date.fromisoformat(v)
    except (TypeError, ValueError):
        raise SystemExit(f"gen_certs: --spec: {what}: expected a date YYYY-MM-DD, found {v!r}")


def spec_degrade(opts):
    """a degrade_fn for gen_cert_file from the spec's degrade options"""
    if opts in (None, False, "none"):
        return None
    if opts == "random":
        return lambda img, rng: degrade(img, rng, allow_rot90=False)

    def fn(img, rng):
        applied = []
        nrng = np.random.default_rng(rng.randrange(2 ** 32))
        sc = float(opts.get("scale", 1.0))
        if sc < 1.0:
            w, h = img.size
            img = img.resize((max(1, int(w * sc)), max(1, int(h * sc))), Image.BILINEAR).resize((w, h), Image.BILINEAR)
            applied.append("downsample")
        a = np.asarray(img.convert("RGB"), dtype=np.float32)
        k = float(opts.get("contrast", 1.0))
        if k != 1.0:
            a = 255.0 - (255.0 - a) * k
            applied.append("low_contrast")
        tint = opts.get("tint")
        if tint:
            a *= np.array([float(v) for v in tint], dtype=np.float32)
            applied.append("paper_tint")
        sigma = float(opts.get("noise", 0))
        if sigma > 0:
            a += nrng.normal(0, sigma, size=a.shape[:2] + (1,)).astype(np.float32)
            applied.append("noise")
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        r = float(opts.get("blur", 0))
        if r > 0:
            img = img.filter(ImageFilter.GaussianBlur(r))
            applied.append("blur")
        sk = float(opts.get("skew", 0))
        if sk:
            bgc = tuple(int(v) for v in np.asarray(img)[5, 5])
            img = img.rotate(sk, resample=Image.BICUBIC, expand=True, fillcolor=bgc)
            applied.append(f"skew{sk:+.1f}")
        rot = int(opts.get("rotate", 0))
        if rot in (90, 180, 270):
            img = img.rotate(rot, expand=True)
            applied.append(f"rot{rot}")
        return img, applied
    return fn


def spec_item(out: Path, seed, item, idx):
    bad = set(item) - SPEC_KEYS
    if bad or "file" not in item:
        raise SystemExit(f"gen_certs: --spec item {idx}: unknown keys {sorted(bad)} or no 'file'")
    f = dict(item.get("fields") or {})
    pr = dict(item.get("print") or {})
    bad = (set(f) - SPEC_FIELD_KEYS) | {"print." + k for k in set(pr) - SPEC_PRINT_KEYS}
    if bad:
        raise SystemExit(f"gen_certs: --spec item {idx} ({item['file']}): unknown fields {sorted(bad)}")
    name, kind = item["file"], item.get("kind", "pdf_text")
    layout = item.get("layout", "table")
    for k, flag in ALWAYS_PRINTED.items():
        if k in f and f[k] is None and layout not in FLAG_LAYOUTS:
            raise SystemExit(f"gen_certs: --spec item {idx} ({name}): layout {layout} cannot leave {k} out "
                             f"(use one of {sorted(FLAG_LAYOUTS)})")
    if pr.get("clause") is False and layout not in FLAG_LAYOUTS:
        raise SystemExit(f"gen_certs: --spec item {idx} ({name}): layout {layout} always prints the clause")
    std = f.get("standard")
    if std is None and f.get("standard_printed"):
        std = infer_std(f["standard_printed"])
    if std is not None and std not in STD:
        raise SystemExit(f"gen_certs: --spec item {idx} ({name}): standard must be one of {sorted(STD)}")
    numstyle = item.get("number_style")
    as_of = spec_date(item["as_of"], "as_of") if item.get("as_of") else None

    def tweak(c, rng):
        c["body"] = dict(c["body"])
        c["org"] = dict(c["org"])
        code = item.get("body_code")
        if code:
            b = next((b for b in BODIES if b["code"] == code), None)
            if b is None:
                b = {"code": code, "name": "某某认证有限公司", "cnca": f"CNCA-R-2099-{code[-3:]}", "cnas": ""}
            c["body"] = dict(b)
            c["cnas"] = b["cnas"] or f"CNAS C{b['code']}-M"
        # dates: given ones, and the others following them
        issue_given = bool(f.get("issue_date"))
        if issue_given:
            c["issue"] = spec_date(f["issue_date"], "issue_date")
        if "issue_date" in f and f["issue_date"] is None:
            c["p_issue"] = False
        if "decision_date" in f:
            if f["decision_date"] is None:
                c["p_decision"] = False
            else:
                c["decision"] = spec_date(f["decision_date"], "decision_date")
                c["p_decision"] = True
                if not issue_given:
                    c["issue"] = c["decision"]
        elif issue_given:
            c["decision"] = c["issue"]
        if "expiry_date" in f:
            if f["expiry_date"] is None:
                c["p_expiry"] = False
            else:
                c["expiry"] = spec_date(f["expiry_date"], "expiry_date")
        else:
            c["expiry"] = add_years(c["issue"], 3) - dt.timedelta(days=1)
        if "initial_issue_date" in f:
            if f["initial_issue_date"] is None:
                c["p_initial"] = False
            else:
                c["initial"] = spec_date(f["initial_issue_date"], "initial_issue_date")
                c["p_initial"] = True
        else:
            c["initial"] = add_years(c["issue"], -3)
        c["surv_dates"] = [add_years(c["decision"], 1) - dt.timedelta(days=rng.randint(5, 60)),
                           add_years(c["decision"], 2) - dt.timedelta(days=rng.randint(5, 60))]
        if as_of:
            c["surv_limit"] = as_of
        if "surveillance_audits" in f:
            c["surv_dates"] = [spec_date(d, "surveillance_audits") for d in f["surveillance_audits"]]
            c["surv_limit"] = dt.date.max
            c["p_surv"] = "full" if c["surv_dates"] else "empty"
        if "surveillance_section" in f:
            if not f["surveillance_section"]:
                c["p_surv"] = None
            elif not c["p_surv"]:
                c["p_surv"] = "full"
        # the number (after the body and the issue year)
        if "certificate_number" in f:
            if f["certificate_number"] is None:
                c["p_certno"] = False
            else:
                n = f["certificate_number"]
                c["certno"] = n
                real = bool(REAL_NUMBER_RE.match(n))
                c["body_field"] = n[:3] if real else n[:6]
                c["numstyle"] = "real" if real else "seed" if len(n) == 17 else "other"
        else:
            if numstyle:
                c["numstyle"] = numstyle
            c["certno"], c["body_field"] = make_certno(rng, c["body"]["code"], c["std"], c["issue"].year,
                                                       c["numstyle"])
        if "organization_name" in f:
            if f["organization_name"] is None:
                c["p_org"] = False
            else:
                c["org"]["name"] = f["organization_name"]
        if "unified_social_credit_code" in f:
            c["org"]["uscc"] = f["unified_social_credit_code"]
            c["p_uscc"] = f["unified_social_credit_code"] is not None
        if "address" in f:
            c["org"]["addr"] = f["address"] or c["org"]["addr"]
            c["p_addr"] = f["address"] is not None
            c["p_prod_addr"] = False
        if "standard" in f and f["standard"] is None or "standard_printed" in f and f["standard_printed"] is None:
            c["p_std"] = False
        elif f.get("standard_printed"):
            c["std_printed"] = f["standard_printed"]
        if "supplementary_modules" in f:
            c["modules"] = list(f["supplementary_modules"] or [])
        if "scope" in f:
            if f["scope"] is None:
                c["p_scope"] = False
            else:
                c["scope"] = f["scope"]
                c["scope_en"] = f["scope"] if layout == "english_first" else ""
                c["procs"] = [p for p, _ in PROCESSES if p in f["scope"]]
        if "certification_body_name" in f:
            if f["certification_body_name"] is None:
                c["p_body"] = False
            else:
                c["body"]["name"] = f["certification_body_name"]
        if "cnca_approval_number" in f:
            c["p_cnca"] = f["cnca_approval_number"] is not None
            c["body"]["cnca"] = f["cnca_approval_number"] or c["body"]["cnca"]
        if "cnas_code" in f:
            c["p_cnas"] = f["cnas_code"] is not None
            c["cnas"] = f["cnas_code"] or c["cnas"]
        if "cnas_mark" in f:
            c["p_cnas"] = bool(f["cnas_mark"])
        if "iaf_mark" in f:
            c["p_iaf"] = bool(f["iaf_mark"])
        if "auditor_name" in f or "auditor_qualification_number" in f:
            c["auditor"] = f.get("auditor_name", c["auditor"])
            c["auditor_no"] = f.get("auditor_qualification_number", c["auditor_no"])
            c["p_auditor"] = bool(c["auditor"] or c["auditor_no"])
        if "transition_notice" in f:
            t = f["transition_notice"]
            c["transition"] = bool(t)
            if isinstance(t, str):
                c["transition_text"] = c["transition_en"] = t
            elif t and not c["transition_text"]:
                c["transition_text"] = {"ISO/IEC 27001:2013": "本证书须于2025年10月31日前完成向ISO/IEC 27001:2022的标准转换",
                                        "ISO/IEC 20000-1:2011": "本证书须于2021年9月30日前完成向ISO/IEC 20000-1:2018的标准转换"}\
                    .get(c["std"], "本证书须于2025年12月31日前完成标准转换")
                c["transition_en"] = c["transition_text"]
        if "date_style" in pr:
            c["date_style"] = c["date_style_en"] = pr["date_style"]
        for k, flag in (("seal", "p_seal"), ("qr", "p_qr"), ("logo", "p_logo"), ("clause", "p_clause"),
                        ("decision", "p_decision"),
                        ("initial", "p_initial")):
            if k in pr:
                c[flag] = bool(pr[k])

    def post(fields, c):
        fields = dict(fields)
        if not c.get("p_certno", True):
            fields["certificate_number"] = fields["body_code"] = None
        if not c.get("p_org", True):
            fields["organization_name"] = None
        if not c.get("p_scope", True):
            fields["scope"], fields["scope_processes"] = None, []
        if not c.get("p_std", True):
            fields["standard_printed"] = None
        if not c.get("p_issue", True):
            fields["issue_date"] = None
        if not c.get("p_expiry", True):
            fields["expiry_date"] = None
        if not c.get("p_body", True):
            fields["certification_body_name"] = None
        fields["surveillance_clause"] = c.get("p_clause", True)
        return fields

    raster = kind not in ("pdf_text", "encrypted_empty_pw")
    pdf_fontname = item.get("pdf_font") or (
        "wqy-zenhei" if "wqy-zenhei" in PDF_TTF else next(iter(PDF_TTF), "STSong-Light"))
    font_path = item.get("font") or FONTS[0]
    rng = sub_rng(seed, "spec-" + str(item.get("tag", name)))
    (out / name).parent.mkdir(parents=True, exist_ok=True)
    degr = spec_degrade(item.get("degrade")) if raster else None
    tier = "text_layer" if not raster else "degraded" if degr else "clean"
    rec = gen_cert_file(out, name, rng, layout, kind, tier,
                        font_path=None if kind in ("pdf_text", "pdf_mixed", "encrypted_empty_pw") else font_path,
                        pdf_fontname=pdf_fontname, numstyle=numstyle, dpi=int(item.get("dpi", 300)),
                        std=std, tweak=tweak, post=post, degrade_fn=degr)
    rec["spec"] = item
    return rec


def preset_spec(out, seed, spec_path):
    try:
        items = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SystemExit(f"gen_certs: --spec {spec_path}: {e}")
    if not isinstance(items, list):
        raise SystemExit(f"gen_certs: --spec {spec_path}: expected a JSON list of certificates")
    return [spec_item(out, seed, it, i) for i, it in enumerate(items)]
