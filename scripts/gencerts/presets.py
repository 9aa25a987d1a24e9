"""gencerts.presets: presets."""
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

# --------------------------------------------------------------------------------------
# presets
# --------------------------------------------------------------------------------------
def sub_rng(seed, tag):
    return random.Random(f"certscan-gen:{seed}:{tag}")


def valid_pdf_factory(seed):
    def mk():
        rng = sub_rng(seed, "valid-pdf")
        fp = pdf_raster_path("STSong-Light")
        pages, fields, *_ = build_certificate(rng, "table", fp)
        return pdf_bytes(pages, ["text"], "STSong-Light")
    return mk


def preset_bad(out, seed, prefix="bad"):
    rng = sub_rng(seed, "bad")
    recs = gen_bad(out, rng, prefix, valid_pdf_factory(seed))
    # encrypted with a user password
    from reportlab.lib.pdfencrypt import StandardEncryption
    r = sub_rng(seed, "enc")
    fp = pdf_raster_path("STSong-Light")
    pages, *_ = build_certificate(r, "centred", fp)
    write_pdf(str(out / f"{prefix}_encrypted.pdf"), pages, ["text"], "STSong-Light",
              encrypt=StandardEncryption("s3cret", ownerPassword="owner", canPrint=0))
    recs.append(record(f"{prefix}_encrypted.pdf", "bad_encrypted", "error", "encrypted"))
    # encrypted with an empty user password: opens without a password
    recs.append(gen_cert_file(out, f"{prefix}_encrypted_empty_pw.pdf", sub_rng(seed, "encempty"), "table",
                              "encrypted_empty_pw", "text_layer"))
    # a JPEG wearing a .pdf name
    jr = gen_cert_file(out, f"{prefix}_jpeg_as_pdf.pdf", sub_rng(seed, "jpgpdf"), "centred", "jpeg", "clean",
                       dpi=150, quality=75)
    jr["kind"] = "jpeg_as_pdf"
    recs.append(jr)
    return recs


def preset_samples(out, seed):
    recs = []
    R = lambda t: sub_rng(seed, "samples-" + t)
    recs.append(gen_cert_file(out, "sample_table.png", R("table"), "table", "png", "clean", dpi=200, palette=48,
                              font_path=FONTS[0]))
    recs.append(gen_cert_file(out, "sample_centred.jpg", R("centred"), "centred", "jpeg", "clean", dpi=150,
                              quality=72))
    recs.append(gen_cert_file(out, "sample_english_first.webp", R("en"), "english_first", "webp", "clean", dpi=170,
                              quality=70))
    recs.append(gen_cert_file(out, "sample_traditional.jpg", R("trad"), "traditional_tw", "jpeg", "degraded",
                              dpi=170, quality=60))
    recs.append(gen_cert_file(out, "sample_text_embedded.pdf", R("pdfttf"), "bilingual", "pdf_text", "text_layer",
                              pdf_fontname="wqy-zenhei" if "wqy-zenhei" in PDF_TTF else None))
    recs.append(gen_cert_file(out, "sample_text_stsong.pdf", R("pdfcid"), "centred", "pdf_text", "text_layer",
                              pdf_fontname="STSong-Light"))
    recs.append(gen_cert_file(out, "sample_scan.pdf", R("scan"), "table", "pdf_scan", "degraded", dpi=150,
                              quality=55))
    recs.append(gen_cert_file(out, "sample_two_page.pdf", R("two"), "two_page", "pdf_mixed", "text_layer",
                              dpi=150, quality=55, second="surveillance"))
    recs.append(gen_other(out, "sample_not_certificate.png", R("other"), "png", dpi=120))
    return recs


def preset_mixed(out, seed):
    recs = []
    R = lambda t: sub_rng(seed, "mixed-" + t)
    recs.append(gen_cert_file(out, "mixed_table.png", R("png"), "table", "png", "clean", dpi=300))
    recs.append(gen_cert_file(out, "mixed_centred_degraded.jpg", R("jpeg"), "centred", "jpeg", "degraded", dpi=200))
    recs.append(gen_cert_file(out, "mixed_two_page.tif", R("tiff"), "two_page", "tiff", "clean", dpi=200, gray=False))
    recs.append(gen_cert_file(out, "mixed_bilingual.bmp", R("bmp"), "bilingual", "bmp", "clean", dpi=150))
    recs.append(gen_cert_file(out, "mixed_english_first.webp", R("webp"), "english_first", "webp", "clean", dpi=200))
    recs.append(gen_cert_file(out, "mixed_exif_rotated.jpg", R("exif"), "traditional_hk", "exif_jpeg", "clean",
                              dpi=200))
    recs.append(gen_cert_file(out, "mixed_text_ttf.pdf", R("pdfttf"), "bilingual", "pdf_text", "text_layer",
                              pdf_fontname=rng_choice_ttf(R("ttfpick"))))
    recs.append(gen_cert_file(out, "mixed_text_cid_trad.pdf", R("pdfcid"), "traditional_tw", "pdf_text",
                              "text_layer", pdf_fontname="MSung-Light"))
    recs.append(gen_cert_file(out, "mixed_scan.pdf", R("scan"), "english_first", "pdf_scan", "degraded", dpi=200))
    recs.append(gen_cert_file(out, "mixed_text_and_scan.pdf", R("mixedpdf"), "two_page", "pdf_mixed", "text_layer",
                              dpi=200, second="annex"))
    recs.append(gen_package(out, "mixed_bid_package.pdf", R("pkg")))
    recs.append(gen_zip(out, "mixed_certificates.zip", R("zip")))
    recs.append(gen_other(out, "mixed_letter.jpg", R("other"), "jpeg", dpi=200))
    recs.extend(preset_bad(out, seed, prefix="mixed_bad"))
    return recs


def rng_choice_ttf(rng):
    return rng.choice(list(PDF_TTF)) if PDF_TTF else "STSong-Light"


def accuracy_spec(seed, i):
    layouts = LAYOUT_NAMES
    tier = ["text_layer", "clean", "degraded", "degraded"][i % 4]
    layout = layouts[i % len(layouts)]
    rng = sub_rng(seed, f"acc-{i}")
    numstyle = "seed" if i % 5 in (0, 3) else "real"
    font_path = FONTS[(i // len(layouts)) % len(FONTS)]
    if tier == "text_layer":
        kind = "pdf_text"
    elif tier == "clean":
        kind = ["png", "jpeg", "pdf_scan", "png", "tiff" if layout == "two_page" else "webp"][(i // 4) % 5]
    else:
        kind = ["jpeg", "png", "pdf_scan", "jpeg", "exif_jpeg" if layout != "two_page" else "tiff"][(i // 4) % 5]
    if layout == "two_page" and kind in ("png", "jpeg", "webp", "exif_jpeg"):
        kind = "pdf_scan" if tier != "text_layer" else "pdf_text"
    dpi = 300 if tier != "degraded" else rng.choice([150, 170, 200, 200, 300])
    ext = {"png": "png", "jpeg": "jpg", "pdf_scan": "pdf", "pdf_text": "pdf", "tiff": "tif", "webp": "webp",
           "exif_jpeg": "jpg"}[kind]
    name = f"acc_{i:04d}_{layout}_{tier}.{ext}"
    pdf_fontname = None
    if kind == "pdf_text":
        opts = list(PDF_TTF) + ["CID"]
        pick = opts[(i // 4) % len(opts)]
        pdf_fontname = ("MSung-Light" if layout.startswith("traditional") else "STSong-Light") if pick == "CID" else pick
    return dict(name=name, layout=layout, kind=kind, tier=tier, font_path=font_path, numstyle=numstyle, dpi=dpi,
                pdf_fontname=pdf_fontname, i=i)


def _acc_worker(args):
    out, seed, i = args
    s = accuracy_spec(seed, i)
    rng = sub_rng(seed, f"acc-{i}-render")
    return gen_cert_file(Path(out), s["name"], rng, s["layout"], s["kind"], s["tier"], font_path=s["font_path"],
                         pdf_fontname=s["pdf_fontname"], numstyle=s["numstyle"], dpi=s["dpi"])


def preset_accuracy(out, seed, count, jobs):
    args = [(str(out), seed, i) for i in range(count)]
    if jobs > 1 and count > 4:
        with Pool(jobs) as pool:
            return list(pool.imap(_acc_worker, args, chunksize=2))
    return [_acc_worker(a) for a in args]


def _bench_worker(args):
    out, seed, kind, i, pages = args
    out = Path(out)
    if kind == "pkg":
        rng = sub_rng(seed, f"bench-pkg-{i}")
        n = rng.randint(*pages)
        return gen_package(out, f"packages/bid_{i:03d}.pdf", rng, n_pages=n, quality=80)
    if kind == "scan":
        rng = sub_rng(seed, f"bench-scan-{i}")
        layout = ["table", "centred", "bilingual", "english_first", "traditional_tw"][i % 5]
        tier = "clean" if i % 2 == 0 else "degraded"
        fmt = "jpeg" if i % 3 != 2 else "png"
        name = f"scans/scan_{i:03d}_{layout}_{tier}.{'jpg' if fmt == 'jpeg' else 'png'}"
        return gen_cert_file(out, name, rng, layout, fmt, tier, font_path=FONTS[i % len(FONTS)], dpi=300,
                             quality=85)
    rng = sub_rng(seed, f"bench-text-{i}")
    layout = ["table", "centred", "bilingual", "english_first", "traditional_tw", "two_page"][i % 6]
    return gen_cert_file(out, f"text/text_{i:03d}_{layout}.pdf", rng, layout, "pdf_text", "text_layer",
                         pdf_fontname=rng_choice_ttf(rng) if i % 4 else "STSong-Light")


def preset_bench(out, seed, count, jobs, pages=(50, 150)):
    """speed benchmark corpus (scripts/bench): `count` bid packages of 50-150 pages (`pages`) in packages/,
    `count` single scanned certificates (JPEG/PNG, 300 dpi) in scans/, 20 x `count` text-layer certificate PDFs
    in text/ (count defaults to 10; enough documents that their throughput, not process start-up, is
    measured)"""
    for d in ("packages", "scans", "text"):
        (out / d).mkdir(parents=True, exist_ok=True)
    args = [(str(out), seed, "pkg", i, pages) for i in range(count)] + \
           [(str(out), seed, "scan", i, pages) for i in range(count)] + \
           [(str(out), seed, "text", i, pages) for i in range(20 * count)]
    if jobs > 1:
        with Pool(jobs) as pool:
            return list(pool.imap(_bench_worker, args, chunksize=1))
    return [_bench_worker(a) for a in args]
