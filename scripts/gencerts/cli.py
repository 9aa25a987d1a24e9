"""gencerts.cli: f main(argv=None):."""
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
from .spec import *  # noqa: F401,F403


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--preset", choices=["samples", "mixed", "accuracy", "bad", "bench", "newlayouts"], default="samples")
    ap.add_argument("--count", type=int, default=None,
                    help="accuracy preset: number of certificates (200); newlayouts: (72); bench: number of bid "
                         "packages (10)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (accuracy, bench)")
    ap.add_argument("--pages", default="50-150", metavar="LO-HI",
                    help="bench preset: pages per bid package (default 50-150; smaller for smoke tests)")
    ap.add_argument("--spec", metavar="SPEC.json",
                    help="render the certificates SPEC.json describes instead of a preset (see --help-spec)")
    ap.add_argument("--help-spec", action="store_true", help="describe the --spec format and exit")
    if argv is None and "--help-spec" in sys.argv[1:] or argv and "--help-spec" in argv:
        print(SPEC_DOC)
        return
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if a.spec:
        recs = preset_spec(out, a.seed, a.spec)
    elif a.preset == "samples":
        recs = preset_samples(out, a.seed)
    elif a.preset == "mixed":
        recs = preset_mixed(out, a.seed)
    elif a.preset == "bad":
        recs = preset_bad(out, a.seed)
    elif a.preset == "bench":
        try:
            lo, hi = (int(v) for v in a.pages.split("-"))
            assert 8 <= lo <= hi
        except (ValueError, AssertionError):
            raise SystemExit(f"gen_certs: --pages {a.pages!r}: expected LO-HI with 8 <= LO <= HI")
        recs = preset_bench(out, a.seed, 10 if a.count is None else a.count, a.jobs, (lo, hi))
    elif a.preset == "newlayouts":  # layouts and wordings the extractor was not tuned on
        from . import newlayouts
        recs = newlayouts.preset(out, a.seed, 72 if a.count is None else a.count, a.jobs)
    else:
        recs = preset_accuracy(out, a.seed, 200 if a.count is None else a.count, a.jobs)
    with open(out / "truth.jsonl", "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")
    total = sum((out / r["file"]).stat().st_size for r in recs)
    print(f"gen_certs: {len(recs)} files, {total / 1e6:.2f} MB in {out} ({time.time() - t0:.1f}s)", file=sys.stderr)
