"""How full each page of a PDF is: rendered by poppler at low resolution in grey, the body's rows
with ink counted from the top margin down to the last one (the footer's page number left out)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

DPI = 30
TOP_MM, BOTTOM_MM = 15, 16
"""The print CSS's ``@page`` margins: the body lies between them, the page number below it."""


def _pgm(path: Path) -> np.ndarray:
    data = path.read_bytes()
    parts, pos = [], 0
    while len(parts) < 4:  # P5, width, height, maxval (no comments in poppler's output)
        while data[pos : pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    width, height = int(parts[1]), int(parts[2])
    return np.frombuffer(data[pos + 1 : pos + 1 + width * height], dtype=np.uint8).reshape(height, width)


def page_fill(pdf: str | Path, dpi: int = DPI) -> list[float]:
    """Per page, the share of the body's height down to its last inked row (0 empty, 1 full).

    Examples
    --------
    >>> page_fill("reports/briefing.pdf")  # doctest: +SKIP
    [0.97, 0.93, 0.88, 0.41]
    """
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/p"], check=True)
        pages = sorted(Path(tmp).glob("p*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
        fills = []
        for page in pages:
            img = _pgm(page)
            top = round(TOP_MM / 25.4 * dpi)
            bottom = img.shape[0] - round(BOTTOM_MM / 25.4 * dpi)
            body = img[top:bottom]
            inked = np.flatnonzero((body < 235).any(axis=1))
            fills.append(0.0 if len(inked) == 0 else round((inked[-1] + 1) / body.shape[0], 3))
        return fills
