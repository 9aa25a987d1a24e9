#!/usr/bin/env python3
"""Seed corpora for the fuzz targets (scripts/fuzz), generated at run time
from samples/ and models/ (nothing large is committed): the samples whole and
made small, PDFs written here to reach the text-layer code (CJK fonts with
ToUnicode, predefined CMaps, simple fonts with Differences, CCITT / JBIG2 /
JPEG / Flate images), the CMaps found in the sample PDFs, ZIP and .docx
packages of them, the CSV/TOML files a user hands certscan, and
scripts/mutate-style damaged copies of each (bit flips, truncations, splices,
zeroed and repeated runs).

  scripts/fuzz_seeds.py OUT_DIR
"""
import io, random, re, struct, sys, zipfile, zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def mutate(rng, data, others):
    """scripts/mutate's mutations."""
    kind = rng.choice(["flip", "flip", "truncate", "splice", "zero", "dup"])
    b = bytearray(data)
    if not b:
        return bytes(b)
    if kind == "flip":
        for _ in range(rng.choice([1, 2, 8, 64])):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        b = b[: rng.randrange(1, len(b))] if len(b) > 1 else b
    elif kind == "splice":
        o = rng.choice(others)
        i, j = rng.randrange(len(b)), rng.randrange(max(1, len(o)))
        b = b[:i] + o[j:]
    elif kind == "zero":
        i = rng.randrange(len(b))
        n = rng.randrange(1, 4096)
        b[i : i + n] = bytes(min(n, len(b) - i))
    elif kind == "dup":
        i = rng.randrange(len(b))
        n = rng.randrange(1, 512)
        b = b[:i] + b[i : i + n] * rng.randrange(2, 8) + b[i:]
    return bytes(b)


def pdf(objs, header=b"%PDF-1.4\n"):
    out = bytearray(header)
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return bytes(out)


def stream(data, extra=b"", flate=False):
    if flate:
        data = zlib.compress(data)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


TOUNICODE = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar <0003> <0020> <0011> <8BC1> <0012> <4E66D835DC00> endbfchar
2 beginbfrange <0020> <0030> <0041> <0040> <0042> [<4E2D> <6587> <0031003200330034>] endbfrange
1 begincidrange <8140> <817F> 633 endcidrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def text_pdf(font, text, extra_objs=(), content_extra=b""):
    """A one-page PDF showing `text` (a PDF string, with its delimiters) in font F1."""
    content = b"BT /F1 24 Tf 72 720 Td " + text + b" Tj 0 -30 Td [" + text + b" -250 " + text + b"] TJ ET" + content_extra
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        stream(content, flate=True),
        font,
    ] + list(extra_objs)
    return pdf(objs)


def image_pdf(filt, data, w, h, bpc, parms=b"", cs=b"/DeviceGray"):
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        stream(content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent %d /Filter /%s %s /Length %d >>\nstream\n"
        % (w, h, cs, bpc, filt, parms, len(data)) + data + b"\nendstream",
    ]
    return pdf(objs)


def pdf_seeds(rng, small_jpeg, ccitt):
    out = {}
    type0 = lambda enc, extra=b"": (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /" + enc + extra
        + b" /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /SimSun"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
        b" /DW 1000 /W [1 [500 600] 100 200 700] /FontDescriptor << /Type /FontDescriptor /FontName /SimSun /Flags 4 >> >>] >>"
    )
    out["identity_tounicode.pdf"] = text_pdf(type0(b"Identity-H", b" /ToUnicode 6 0 R"), b"<0011001200200021>", [stream(TOUNICODE, flate=True)])
    out["unigb_ucs2.pdf"] = text_pdf(type0(b"UniGB-UCS2-H"), b"<8BC1 4E66 7F16 53F7>".replace(b" ", b""))
    out["gbk_euc.pdf"] = text_pdf(type0(b"GBK-EUC-H"), "证书编号 ISO".encode("gbk").join([b"(", b")"]).replace(b"\\", b"\\\\"))
    out["b5pc.pdf"] = text_pdf(
        type0(b"B5pc-H").replace(b"GB1", b"CNS1"), b"<" + "證書編號".encode("big5").hex().encode() + b">"
    )
    out["unijis.pdf"] = text_pdf(type0(b"UniJIS-UCS2-H").replace(b"GB1", b"Japan1"), b"<8A3C66F8>")
    out["embedded_cmap.pdf"] = text_pdf(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding 6 0 R /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>] >>",
        b"<81408141>",
        [stream(TOUNICODE.replace(b"/CMapType 2", b"/CMapType 1 /UseCMap /Identity-H"))],
    )
    out["simple_differences.pdf"] = text_pdf(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 126 /Widths [250 300 400] "
        b"/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [65 /uni8BC1 /g123 /afii10017 /Euro /fi] >> >>",
        b"(ABCDE Certificate No. 00216Q10097R1S)",
    )
    out["truetype_tounicode.pdf"] = text_pdf(
        b"<< /Type /Font /Subtype /TrueType /BaseFont /ABCDEF+SimSun /ToUnicode 6 0 R /FontDescriptor << /Type /FontDescriptor /FontName /ABCDEF+SimSun /Flags 32 /MissingWidth 500 >> >>",
        b"<0311121314>",
        [stream(TOUNICODE.replace(b"<0000> <FFFF>", b"<00> <FF>").replace(b"<0003>", b"<03>").replace(b"<0011>", b"<11>").replace(b"<0012>", b"<12>"))],
    )
    out["type3.pdf"] = text_pdf(
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << >> /Encoding << /Differences [0 /a /b] >> /FirstChar 0 /LastChar 1 /Widths [500 500] >>",
        b"<000100>",
    )
    out["rotated_text.pdf"] = text_pdf(
        type0(b"UniGB-UCS2-H"), b"<8BC14E66>", content_extra=b" BT /F1 12 Tf 0 1 -1 0 300 300 Tm 2 Tr 5 Tc 3 Tw 80 Tz 4 Ts <8BC1> Tj T* <4E66> ' 1 2 <7F16> \" ET"
    )
    out["jpeg.pdf"] = image_pdf(b"DCTDecode", small_jpeg, 64, 64, 8, cs=b"/DeviceRGB")
    out["jpeg_cut.pdf"] = image_pdf(b"DCTDecode", small_jpeg[: len(small_jpeg) // 3], 64, 64, 8, cs=b"/DeviceRGB")
    out["flate.pdf"] = image_pdf(b"FlateDecode", zlib.compress(bytes(range(256)) * 16), 64, 64, 8)
    out["flate_1bit_indexed.pdf"] = image_pdf(
        b"FlateDecode", zlib.compress(bytes(rng.randrange(256) for _ in range(512))), 64, 64, 1, cs=b"[/Indexed /DeviceRGB 1 <FF0000 00FF00>]"
    )
    parms = b"/DecodeParms << /K -1 /Columns 1240 /Rows 1754 /BlackIs1 true >>"
    out["ccitt_g4.pdf"] = image_pdf(b"CCITTFaxDecode", ccitt, 1240, 1754, 1, parms)
    out["ccitt_cut.pdf"] = image_pdf(b"CCITTFaxDecode", ccitt[: len(ccitt) // 4], 1240, 1754, 1, parms)
    out["ccitt_g3.pdf"] = image_pdf(b"CCITTFaxDecode", bytes(rng.randrange(256) for _ in range(300)), 64, 64, 1, b"/DecodeParms [<< /K 0 /Columns 64 /EncodedByteAlign true /EndOfLine true >>]")
    out["jbig2.pdf"] = image_pdf(b"JBIG2Decode", bytes(rng.randrange(256) for _ in range(300)), 64, 64, 1)
    out["jpx.pdf"] = image_pdf(b"JPXDecode", b"\0\0\0\x0cjP  \r\n\x87\n" + bytes(rng.randrange(256) for _ in range(300)), 64, 64, 8)
    out["a85_dct.pdf"] = image_pdf(b"ASCII85Decode /DCTDecode".replace(b" /", b" /"), b"", 64, 64, 8)
    # Junk before the header, a missing %%EOF, deep nesting.
    base = out["identity_tounicode.pdf"]
    out["junk_before.pdf"] = b"X-Gateway: scanned\r\n" * 20 + base
    out["no_eof.pdf"] = base[: base.rindex(b"%%EOF")]
    out["nested.pdf"] = base.replace(b"/Type /Catalog", b"/Type /Catalog /Deep " + b"[" * 300 + b"]" * 300)
    return out


def cmaps_in(pdf_bytes):
    """The CMap programs (ToUnicode, embedded) in a PDF's Flate streams."""
    found = []
    for m in re.finditer(rb"stream\r?\n", pdf_bytes):
        start = m.end()
        end = pdf_bytes.find(b"endstream", start)
        if end < 0:
            continue
        raw = pdf_bytes[start:end]
        for data in (raw,):
            try:
                data = zlib.decompressobj().decompress(raw)
            except zlib.error:
                pass
            if b"begincmap" in data or b"beginbfchar" in data or b"beginbfrange" in data:
                found.append(data)
    return found


def small_images(PIL_Image):
    out = {}
    for src in ["sample_centred.jpg", "sample_table.png", "sample_english_first.webp"]:
        im = PIL_Image.open(ROOT / "samples/inputs" / src).convert("RGB")
        im.thumbnail((96, 96))
        for fmt, ext, kw in [
            ("JPEG", "jpg", {"quality": 60}),
            ("PNG", "png", {}),
            ("BMP", "bmp", {}),
            ("WEBP", "webp", {"quality": 50}),
            ("TIFF", "tif", {"compression": "tiff_deflate"}),
        ]:
            b = io.BytesIO()
            im.save(b, fmt, **kw)
            out[f"{Path(src).stem}.{ext}"] = b.getvalue()
        g = im.convert("1")
        b = io.BytesIO()
        g.save(b, "TIFF", compression="group4")
        out[f"{Path(src).stem}_g4.tif"] = b.getvalue()
        b = io.BytesIO()
        im.save(b, "TIFF", save_all=True, append_images=[im.rotate(90, expand=True), g], compression="packbits")
        out[f"{Path(src).stem}_pages.tif"] = b.getvalue()
        b = io.BytesIO()
        ex = PIL_Image.Exif()
        ex[0x0112] = 6
        im.save(b, "JPEG", exif=ex.tobytes())
        out[f"{Path(src).stem}_exif6.jpg"] = b.getvalue()
        b = io.BytesIO()
        im.convert("P").save(b, "PNG")
        out[f"{Path(src).stem}_palette.png"] = b.getvalue()
    return out


def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in members:
            if isinstance(name, bytes):
                zi = zipfile.ZipInfo(name.decode("latin-1"))
                zi.compress_type = method
                z.writestr(zi, data)
            else:
                z.writestr(name, data)
    return b.getvalue()


def docx_bytes(text, images):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
          '<Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    root = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    body = f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r><w:r><w:tab/><w:t>证书编号：</w:t></w:r></w:p>'
    body += '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>有效期至</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2027年1月1日</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
    rels = ""
    parts = []
    for i, (ext, img) in enumerate(images, 1):
        body += (f'<w:p><w:r><w:drawing><wp:inline><wp:extent cx="5274310" cy="7458710"/><wp:docPr id="{i}" name="Picture"/><a:graphic>'
                 f'<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill><a:blip r:embed="rId{i + 10}"/>'
                 '</pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
        body += f'<w:p><w:r><w:pict><v:shape><v:imagedata r:id="rId{i + 10}"/></v:shape></w:pict></w:r></w:p>'
        rels += f'<Relationship Id="rId{i + 10}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{i}.{ext}"/>'
        parts.append((f"word/media/image{i}.{ext}", img))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           f'xmlns:v="urn:schemas-microsoft-com:vml"><w:body>{body}<w:sectPr/></w:body></w:document>')
    drels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             + rels + "</Relationships>")
    return zip_bytes([("[Content_Types].xml", ct), ("_rels/.rels", root), ("word/document.xml", doc),
                      ("word/_rels/document.xml.rels", drels)] + parts)


def main():
    out = Path(sys.argv[1])
    rng = random.Random(19)
    from PIL import Image

    samples = {p.name: p.read_bytes() for p in sorted((ROOT / "samples/inputs").iterdir()) if p.is_file()}
    ccitt = (ROOT / "tests/fixtures/cert_g4.ccitt").read_bytes()
    imgs = small_images(Image)
    small_jpeg = imgs["sample_centred.jpg"]
    seeds = {t: {} for t in ["pdf_text", "cmap", "font", "image", "zip", "docx", "loaders"]}

    # PDFs: the sample PDFs and the ones written here.
    for n, b in samples.items():
        if n.endswith(".pdf"):
            seeds["pdf_text"][n] = b
    seeds["pdf_text"].update(pdf_seeds(rng, small_jpeg, ccitt))

    # CMaps: those in the PDFs, and the one written here; a NUL, then codes.
    cm = [TOUNICODE]
    for b in seeds["pdf_text"].values():
        cm += cmaps_in(b)
    codes = b"\x00\x11\x00\x12\x00\x20\x81\x40\xff\xff\x00\x03A"
    for i, c in enumerate(cm[:40]):
        seeds["cmap"][f"cmap{i}"] = c + b"\0" + codes

    # Fonts: selector bytes, then a program (a CMap), then text.
    for i in range(48):
        prog = rng.choice(cm[:40])[:4000] if i % 3 else b"/uni8BC1 /A /g12 /afii10017"
        sel = bytes([i % 5, rng.randrange(256), i % 16 + 16 * rng.randrange(6), rng.randrange(256), len(prog) & 0xFF, len(prog) >> 8])
        text = bytes.fromhex("0011001200208140") + "证书".encode("gbk") + "ISO".encode()
        seeds["font"][f"font{i}"] = sel + prog + text

    # Images: small copies in every format (and EXIF, palettes, pages, G4).
    seeds["image"].update(imgs)

    # ZIP packages: documents, names of one name, GBK names, folders only,
    # stored and deflated, a .docx inside, a ZIP inside.
    docx = docx_bytes("兹证明 ISO/IEC 20000-1:2018 证书编号 00216Q10097R1S", [("png", imgs["sample_table.png"]), ("jpeg", small_jpeg)])
    small_pdf = seeds["pdf_text"]["identity_tounicode.pdf"]
    seeds["zip"]["docs.zip"] = zip_bytes([("a/cert.pdf", small_pdf), ("a/scan.jpg", small_jpeg), ("b/", b""), ("note.txt", b"hello")])
    seeds["zip"]["stored.zip"] = zip_bytes([("x.png", imgs["sample_table.png"]), ("y.pdf", small_pdf)], zipfile.ZIP_STORED)
    seeds["zip"]["gbk.zip"] = zip_bytes([("证书/认证证书.pdf".encode("gbk"), small_pdf), ("证书/认证证书.pdf".encode("gbk"), small_jpeg)])
    seeds["zip"]["folders.zip"] = zip_bytes([("x/", b""), ("x/y/", b"")])
    seeds["zip"]["empty.zip"] = zip_bytes([])
    seeds["zip"]["nested.zip"] = zip_bytes([("bid.docx", docx), ("inner.zip", seeds["zip"]["docs.zip"])])

    # .docx: text and images, as Word writes them.
    seeds["docx"]["cert.docx"] = docx
    seeds["docx"]["text_only.docx"] = docx_bytes("Certificate No. 00114E22766R2L/3502 valid until 2027-01-01", [])
    seeds["docx"]["tiff.docx"] = docx_bytes("scan", [("tif", imgs["sample_centred_g4.tif"]), ("bmp", imgs["sample_table.bmp"])])

    # Loaders: first byte picks registry, bodies, rulebook, manifest, labels.
    models = ROOT / "models"
    for which, name in [(0, "registry.csv"), (1, "bodies.csv"), (2, "rules.toml"), (4, "labels.toml")]:
        seeds["loaders"][name] = bytes([which]) + (models / name).read_bytes()
    seeds["loaders"]["manifest.csv"] = b"\x03path_prefix,organization_name\npkg/a/,\xe5\x8d\x97\xe4\xba\xac\xe4\xb8\x9c\xe6\x96\xb9\nb.pdf,ACME Ltd\n"
    seeds["loaders"]["bidders.csv"] = b"\x03path_prefix,bidder,organization_name\nbids/1/,B1,\xe6\x9f\x90\xe5\x85\xac\xe5\x8f\xb8\nbids/2/,B2,Other Co\n"
    seeds["loaders"]["registry_small.csv"] = b"\x00body_code,name_zh,name_en,cnca_approval_number,cnas_code,status\n002162,\xe4\xb8\xad\xe5\x9b\xbd,CQC,CNCA-R-2002-001,CNAS C001-M,active\n"

    # scripts/mutate-style damaged copies of each.
    for t, d in seeds.items():
        others = list(d.values())
        for n, b in list(d.items()):
            for k in range(3 if len(b) < 200_000 else 1):
                d[f"mut{k}_{n}"] = mutate(rng, b, others)

    total = 0
    for t, d in seeds.items():
        p = out / t
        p.mkdir(parents=True, exist_ok=True)
        for n, b in d.items():
            (p / n).write_bytes(b)
            total += len(b)
        print(f"{t}: {len(d)} seeds, {sum(len(b) for b in d.values())} bytes")


if __name__ == "__main__":
    main()
