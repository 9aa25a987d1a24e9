"""Synthetic corpus generator for certscan.

Renders ISO/IEC 20000-1 / ISO/IEC 27001 management-system certificates (simplified
and traditional Chinese, English), bid packages, non-certificates and deliberately
broken inputs, and writes DIR/truth.jsonl describing what each file should yield.

    python3 scripts/gen_certs.py --out DIR [--seed 1] [--preset samples|mixed|accuracy|bad|bench|newlayouts] [--count N]
                                 [--jobs 2]      (bench: --count bid packages of 50-150 pages, default 10,
                                                  + --count scanned certificates + 2 x --count text PDFs)
    python3 scripts/gen_certs.py --out DIR [--seed 1] --spec SPEC.json     (certificates described one by one;
                                                                          --help-spec for the format)

Deterministic for a given --seed (file bytes included: reportlab runs in invariant
mode, zip timestamps are fixed).  Requires Pillow, reportlab, numpy.

The package: data (constants, resources), script (simplified to traditional),
values (organisations, numbers, dates, certificates), page (the page model),
layouts (certificate layouts), bidpages (the other pages of a bid package),
raster and pdf (the two backends), degrade (scan damage), writers, broken
(bad inputs), items (one file of each kind), presets, spec (certificates
described one by one), cli; newlayouts (layouts the extractor was not tuned
on). Its label wordings are its own, kept apart from the extractor's lexicon
(models/labels.toml): a generator that shared them would test nothing.
"""
