"""Writing for people, safely: file names built from data stay inside the output folder, tables
are masked (:mod:`zzanalytics.privacy`) and CSV cells cannot run as spreadsheet formulas,
temporary files never outlive a killed run, and text for a terminal is masked and printable.

* :func:`safe_component` turns any text from data (an area code such as ``x/../../../NAME``)
  into one harmless file-name part; :func:`inside` joins it to the output folder and refuses
  any result outside it.
* :func:`write_table` writes CSV (UTF-8) or Parquet through :func:`for_people`: personal data
  masked in every text cell and header, and in CSV every text cell that starts with ``=``, ``+``,
  ``-``, ``@``, a tab, CR or LF (also after spaces, or in full-width form) prefixed with ``'``
  (OWASP "CSV injection"); numbers, also negative ones, stay numbers.
* :func:`atomic_path` writes through a temporary file named after the writing host and process,
  so :func:`sweep_temps` can remove the leftovers of a killed run without touching the files of
  a run still in progress.

Examples
--------
>>> safe_component("x/../../../NAME")
'x_NAME-699bf819'
>>> neutralise("=cmd|' /C calc'!A0"), neutralise("-3"), neutralise("醉驾")
("'=cmd|' /C calc'!A0", '-3', '醉驾')
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics.errors import OutputError
from zzanalytics.privacy import PERSON_COLUMNS, mask_frame, mask_text

__all__ = [
    "atomic_path",
    "for_people",
    "inside",
    "neutralise",
    "printable",
    "safe_component",
    "sweep_temps",
    "write_atomic",
    "write_table",
]

# ------------------------------------------------------------------ file names

_UNSAFE = re.compile(r"[^\w.\-]+")
_DOTS = re.compile(r"\.{2,}")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
MAX_COMPONENT = 60
"""Longest file-name part taken from data (the rest of the name is ours)."""


def safe_component(text: Any, *, max_len: int = MAX_COMPONENT) -> str:
    """One file-name part from any text: letters and digits of any script, ``_``, ``-`` and
    single dots, no separators, no leading dot or dash, at most ``max_len`` characters.

    When anything had to change, a short hash of the original is appended, so two different
    codes never share a file name (``a/b`` and ``a_b`` stay apart).

    Examples
    --------
    >>> safe_component("620102001"), safe_component("东关街道")
    ('620102001', '东关街道')
    >>> safe_component("../etc/passwd"), safe_component("a/b") != safe_component("a_b")
    ('etc_passwd-c50b3572', True)
    >>> safe_component(""), safe_component(".."), safe_component("NUL")
    ('x-d41d8cd9', 'x-58b9e70b', '_NUL-890f5fe6')
    """
    raw = "" if text is None else str(text)
    name = unicodedata.normalize("NFC", raw)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # controls, bidi, format
    name = "_".join(p for p in re.split(r"[/\\]+", name) if p.strip(". "))  # no ".", ".." parts
    name = _UNSAFE.sub("_", name)
    name = _DOTS.sub(".", name)
    name = re.sub(r"_{2,}", "_", name)
    name = name.strip("._- ")
    if _RESERVED.match(name):
        name = "_" + name
    name = name[:max_len].rstrip("._- ") or "x"
    if name != raw:
        name += "-" + hashlib.md5(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return name


def inside(root: str | Path, name: str) -> Path:
    """``root / name``, refused with :class:`~zzanalytics.errors.OutputError` unless it is a plain
    file name whose path stays inside ``root`` (after resolving ``..`` and symbolic links of
    ``root``).

    Examples
    --------
    >>> inside("/tmp/out", "briefing-620102001.html")
    PosixPath('/tmp/out/briefing-620102001.html')
    >>> inside("/tmp/out", "../x.html")
    Traceback (most recent call last):
    ...
    zzanalytics.errors.OutputError: refusing to write '../x.html': ...
    """
    base = Path(root).resolve()
    target = (base / name).resolve()
    plain = name not in ("", ".", "..") and "/" not in name and "\\" not in name and "\x00" not in name
    if not plain or target.parent != base:
        raise OutputError(
            f"refusing to write {name!r}: the file would land outside the output folder {base}; "
            "file names from data go through zzanalytics.outputs.safe_component"
        )
    return target


# ------------------------------------------------------------------ tables for people

TRIGGERS = "=+-@\t\r\n＝＋－＠"
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: ``'`` before a text that would start a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab, CR or LF (also after spaces, or the
    full-width ``＝＋－＠``) gets a leading ``'``; plain numbers written as text (``-3``,
    ``+1.5``) and non-text values are returned unchanged.

    Examples
    --------
    >>> neutralise("@SUM(1+1)*cmd|' /C calc'!A0"), neutralise(" =1+1"), neutralise("\\t=1")
    ("'@SUM(1+1)*cmd|' /C calc'!A0", "' =1+1", "'\\t=1")
    >>> neutralise("-1+2"), neutralise("-1.5e3"), neutralise(-3), neutralise(None)
    ("'-1+2", '-1.5e3', -3, None)
    """
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    lead = value.lstrip(" \u3000\u00a0")
    if first in TRIGGERS or (lead and lead[0] in TRIGGERS):
        if _NUMBER.match(value.strip()):
            return value
        return "'" + value
    return value


def for_people(frame: pd.DataFrame, *, csv: bool = True, personal: Any = PERSON_COLUMNS) -> pd.DataFrame:
    """A copy of ``frame`` fit to be written for people: personal data masked in every text cell
    and header (:func:`zzanalytics.privacy.mask_frame`), and with ``csv`` every text cell and
    header passed through :func:`neutralise`. Numeric columns are left as they are.

    Examples
    --------
    >>> df = pd.DataFrame({"cause": ["=HYPERLINK(\\"http://x\\")", "电话13812345678"], "n": [-3, 4]})
    >>> for_people(df).to_dict("list")
    {'cause': ['\\'=HYPERLINK("http://x")', '电话138******78'], 'n': [-3, 4]}
    """
    out = mask_frame(frame, personal)
    if csv:
        for col in out.columns:
            values = out[col]
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                out[col] = values.map(neutralise)
            elif isinstance(values.dtype, pd.CategoricalDtype):
                out[col] = values.cat.rename_categories(neutralise)
        out.columns = [neutralise(c) for c in out.columns]
    return out


def write_table(frame: pd.DataFrame, out: str | Path, *, personal: Any = PERSON_COLUMNS) -> Path:
    """Write a table for people: ``.parquet`` as Parquet, anything else as UTF-8 CSV (RFC 4180:
    CRLF rows, cells holding CR or LF quoted), both through :func:`for_people` and
    :func:`atomic_path` (never a half-written file).

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> p = write_table(pd.DataFrame({"k": ["+86 13812345678", "a"], "v": [-1, 2]}), d / "t.csv")
    >>> p.read_text(encoding="utf-8").splitlines()
    ['k,v', "'+86 138******78,-1", 'a,2']
    """
    out = Path(out)
    parquet = out.suffix.lower() == ".parquet"
    safe = for_people(frame, csv=not parquet, personal=personal)
    with atomic_path(out) as tmp:
        if parquet:
            safe.to_parquet(tmp, index=False)
        else:
            # CRLF rows (RFC 4180): a CR or LF inside a cell is then always quoted, never a new row
            safe.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\r\n")
    return out


# ------------------------------------------------------------------ text for a terminal

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: Any, *, one_line: bool = False) -> str:
    """Text from data fit for a terminal or a log: masked (:func:`zzanalytics.privacy.mask_text`),
    control, escape and bidi characters replaced by ``?``; with ``one_line`` all whitespace runs
    (newlines too) become one space.

    Examples
    --------
    >>> printable("bad row\\x1b[2J 13812345678\\nsecond line", one_line=True)
    'bad row?[2J 138******78 second line'
    """
    s = mask_text(text)
    if one_line:
        s = " ".join(s.split())
    return _CONTROL.sub("?", s)


# ------------------------------------------------------------------ temporary files

TEMP_TAG = ".zztmp-"
"""Every temporary file of :func:`atomic_path` starts with this, then host and process id."""
_HOST = re.sub(r"[^\w.-]", "_", socket.gethostname()) or "host"
STALE_SECONDS = 24 * 3600
"""A temporary file of another host is removed only when older than this."""


def process_alive(pid: int) -> bool:
    """Whether a process of this host with this id is running (one we may not signal counts).

    Examples
    --------
    >>> process_alive(os.getpid())
    True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_temps(folder: str | Path) -> list[Path]:
    """Remove the temporary files of :func:`atomic_path` left in ``folder`` by runs that died
    (their process is gone on this host, or, from another host, older than a day).

    Returns the files removed. Files of runs still in progress are left alone.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for p in folder.glob(TEMP_TAG + "*"):
        parts = p.name[len(TEMP_TAG) :].split("-", 2)
        if len(parts) < 3:
            continue
        host, pid = parts[0], parts[1]
        try:
            dead = (not process_alive(int(pid))) if host == _HOST else now - p.stat().st_mtime > STALE_SECONDS
        except (ValueError, OSError):
            continue
        if dead:
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


@contextlib.contextmanager
def atomic_path(target: str | Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success move it over ``target`` atomically.

    On error the temporary file is removed and ``target`` is left as it was; the temporary name
    (``.zztmp-<host>-<pid>-…``) lets :func:`sweep_temps` clear what a killed run left. The file
    gets ``mode`` (default: what the umask gives a new file).

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("x")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_temps(target.parent)
    fd, name = tempfile.mkstemp(
        prefix=f"{TEMP_TAG}{_HOST}-{os.getpid()}-", suffix=f"-{target.name[-40:]}.tmp", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a report is for sharing
        else:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(target: str | Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``target`` through :func:`atomic_path`."""
    with atomic_path(target) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
    return Path(target)
