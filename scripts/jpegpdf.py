"""PDFs of JPEG pages, for the benchmarks: a page rendered by pdftoppm (JPEG), and a PDF whose pages
are JPEGs embedded byte for byte (DCTDecode), each fitted into an A4 page: a scanned copy of a
document as a copier makes it. Used by scripts/bench and scripts/triage."""
from __future__ import annotations

import subprocess
from pathlib import Path

A4 = (595.0, 842.0)


def jpeg_pdf(path: Path, jpegs: list[bytes]):
    from PIL import Image
    import io

    objs = []  # bodies, object i+1

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")
    pages_id = add(b"")
    kids = []
    for data in jpegs:
        im = Image.open(io.BytesIO(data))
        w, h = im.size
        cs = {"L": b"/DeviceGray", "RGB": b"/DeviceRGB", "CMYK": b"/DeviceCMYK"}.get(im.mode)
        if cs is None:
            raise SystemExit(f"JPEG mode {im.mode} not handled")
        extra = b" /Decode [1 0 1 0 1 0 1 0]" if im.mode == "CMYK" and "adobe" in im.info else b""
        img = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8"
                  b" /Filter /DCTDecode%s /Length %d >>\nstream\n" % (w, h, cs, extra, len(data)) + data
                  + b"\nendstream")
        k = min(A4[0] / w, A4[1] / h)
        dw, dh = w * k, h * k
        ox, oy = (A4[0] - dw) / 2, (A4[1] - dh) / 2
        content = b"q %.3f 0 0 %.3f %.3f %.3f cm /Im0 Do Q" % (dw, dh, ox, oy)
        cid = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.0f %.0f] /Resources << /XObject"
                        b" << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (pages_id, A4[0], A4[1], img, cid)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                          + b"] /Count %d >>" % len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    path.write_bytes(bytes(out))


def render(pdf: Path, pages: list[int], dpi: int, tmp: Path) -> list[bytes]:
    out = []
    for p in pages:
        stem = tmp / f"r{p}"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(p), "-l", str(p), "-jpeg", "-jpegopt", "quality=80",
                        "-singlefile", str(pdf), str(stem)], check=True)
        out.append(Path(str(stem) + ".jpg").read_bytes())
    return out
