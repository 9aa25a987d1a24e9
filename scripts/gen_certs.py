#!/usr/bin/env python3
"""Synthetic corpus generator for certscan: the command line of the package
`gencerts` beside this file (its usage, presets and modules: gencerts/__init__.py,
and `--help`).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gencerts.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
