"""The text encoding of a CSV file, decided from the whole file with evidence (private to ingest).

Real exports are UTF-8 (with or without a BOM), GB18030/GBK, Big5 (traditional Chinese), UTF-16
(with or without a BOM), or a Western code page (Windows-1252); some are a concatenation of two of
them (rows appended by another program). :func:`decide_encoding` reads the whole file:

* UTF-16: a BOM, or (without one) NUL bytes in every other position of the text;
* Big5 or GB18030: short Chinese samples fool every detector, so the choice is made on every
  non-UTF-8 line of the file: both readings are tried and the one whose Chinese characters are
  mostly common ones (:mod:`zzanalytics.ingest.hanzi`) wins — Big5 bytes read as GB18030 give rare
  characters, and the reverse too; Big5 is then read whole (Windows code page 950, or HKSCS);
* every line valid UTF-8: the file is UTF-8 and DuckDB reads it as it is (no copy);
* every line that is not UTF-8 is GB18030 and no line has non-ASCII UTF-8: GB18030;
* lines of both: decoded **row by row** (each line in the encoding it is valid in), and the
  report says how many rows were read in each, with the first of each;
* non-UTF-8 lines that decode as GB18030 only into rare characters between Latin letters
  (``Montr閍l``): Windows-1252, never GB18030 mojibake;
* a line valid in none of them: the file is refused, naming the line and byte;
* a UTF-8 file whose last character is cut (a truncated download): refused as such.

A declared ``[source] encoding`` is strict: the first line that is not in it is refused with its
line and byte. Anything but UTF-8 is written to a UTF-8 copy in the ingest's private temporary
folder (beside the store, mode 0600).

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
>>> _ = p.write_bytes("id,kind\\n1,盗窃\\n".encode() + "2,诈骗\\n".encode("gb18030"))
>>> d = decide_encoding(p)
>>> d.encoding, d.rows_by_encoding
('mixed', {'utf-8': 1, 'gb18030': 1})
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from zzanalytics.errors import SourceError

__all__ = ["Decision", "classify_line", "decide_encoding", "open_bytes"]

_CHUNK = 8 << 20
ALIASES = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "utf8": "utf-8",
    "utf-8-bom": "utf-8-sig",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-1": "cp1252",
    "windows-1252": "cp1252",
}
# a GB18030 double-byte character: lead 81-FE, trail 40-7E or 80-FE; GB2312 text (what Chinese
# systems write) stays in A1-FE for both bytes, Latin-1 text read as GB18030 does not
_GB_PAIR = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")
_GB_CORE = re.compile(rb"[\xa1-\xfe][\xa1-\xfe]")


@dataclass
class Decision:
    """How a file is decoded: ``encoding`` (``utf-8``, ``utf-8-sig``, ``gb18030``, ``cp1252``,
    ``utf-16`` ... or ``mixed``), whether DuckDB can read the file directly, rows per encoding
    and a human note."""

    encoding: str
    direct: bool
    rows_by_encoding: dict[str, int] = field(default_factory=dict)
    first_line: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # why, for `zz map` (the report shows notes)


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (by suffix or magic number)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _lines(fh: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Chunks of whole lines (last one may lack its newline), with a flag: the final piece."""
    rest = b""
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            if rest:
                yield rest, True
            return
        data = rest + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield data[: cut + 1], False


def _byte_hex(raw: bytes, start: int) -> str:
    return " ".join(f"{b:02x}" for b in raw[start : start + 4])


def _refuse(path: Path, line: int, offset: int, raw: bytes, pos: int, what: str, fix: str) -> SourceError:
    shown = raw[: min(len(raw), 60)].decode("utf-8", "replace").rstrip("\r\n")
    return SourceError(
        f"{path}: line {line} (byte {offset + pos} of the file, bytes {_byte_hex(raw, pos)}) {what}: "
        f"{shown!r}; {fix}"
    )


def _truncated_utf8(piece: bytes) -> int | None:
    """Position of a UTF-8 sequence cut by the end of ``piece`` (else None); the rest must be valid."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(piece, final=True)
        return None
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(piece):
            try:
                piece[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                return None
            return exc.start
        return None


def decide_encoding(path: Path, declared: str = "auto", out: Path | None = None) -> Decision:
    """Decide the encoding of CSV ``path`` from all of its lines; write a UTF-8 copy to ``out`` if needed.

    Parameters
    ----------
    path : Path
        The CSV (may be gzip-compressed).
    declared : str
        ``auto`` or the mapping's ``[source] encoding``.
    out : Path, optional
        Where to write the UTF-8 copy when the file is not UTF-8 (None: decide only).

    Returns
    -------
    Decision

    Raises
    ------
    SourceError
        A line valid in no candidate encoding, a UTF-8 file cut mid-character, or a line that is not
        in the declared encoding, each with its line number, byte offset and the fix.
    """
    enc = ALIASES.get(declared.strip().lower(), declared.strip().lower()) if declared else "auto"
    if enc != "auto":
        try:
            enc = codecs.lookup(enc).name
        except LookupError:
            raise SourceError(
                f"{path}: [source] encoding = {declared!r} is unknown; use auto, utf-8, gb18030, cp1252, "
                "big5, utf-16 ..."
            ) from None
    with open_bytes(path) as fh:
        head = fh.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and enc in ("auto", "utf-16"):
        d = _whole(path, "utf-16", out)
        d.evidence.append("the file starts with a UTF-16 byte-order mark")
        return d
    bom = head.startswith(codecs.BOM_UTF8)
    if enc == "auto":
        bare = _utf16_without_bom(head)
        if bare:
            d = _whole(path, bare, out)
            d.evidence.append(f"no byte-order mark, but every other byte of the text is 0 ({bare})")
            return d
        return _auto(path, bom, out)
    if enc in ("utf-8", "utf-8-sig"):
        return _strict_utf8(path, "utf-8-sig" if bom else "utf-8")
    return _whole(path, enc, out)


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when the file's first bytes are UTF-16 text without a BOM (Latin text
    and digits leave a NUL in every other byte), else None."""
    n = len(head) - len(head) % 2
    if n < 4:
        return None
    even, odd = head[0:n:2], head[1:n:2]
    if odd.count(0) >= 0.3 * len(odd) and even.count(0) < 0.02 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.3 * len(even) and odd.count(0) < 0.02 * len(odd):
        return "utf-16-be"
    return None


BIG5_CODECS = ("cp950", "big5hkscs")
"""How a Big5 file is read: Windows code page 950 (Taiwan's Big5 with its extensions), else HKSCS."""


def cjk_family(path: Path) -> tuple[str, list[str]]:
    """``big5`` or ``gb18030`` for the non-UTF-8 Chinese text of ``path``, with the evidence.

    Every line that is not UTF-8 is read both ways (errors replaced); the reading whose Chinese
    characters are mostly common ones (:func:`zzanalytics.ingest.hanzi.common_share`) wins. Big5 wins
    only when it is clearly better (its common share at least 0.3 and 0.15 above GB18030's) and decodes
    with fewer errors; otherwise GB18030 (and the line-by-line rules of :func:`decide_encoding`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("編號,案類\\n1,住宅竊盜\\n".encode("big5"))
    >>> cjk_family(p)[0]
    'big5'
    """
    from zzanalytics.ingest.hanzi import cjk_count, common_share

    texts: dict[str, list[str]] = {"gb18030": [], "big5": []}
    bad = {"gb18030": 0, "big5": 0}
    size = 0
    with open_bytes(path) as fh:
        for piece, _ in _lines(fh):
            try:
                piece.decode("utf-8")
                continue
            except UnicodeDecodeError:
                pass
            lines = [ln for ln in piece.splitlines() if not ln.isascii() and not _plain_utf8(ln)]
            raw = b"\n".join(lines)
            for name, codec in (("gb18030", "gb18030"), ("big5", BIG5_CODECS[0])):
                text = raw.decode(codec, "replace")
                bad[name] += text.count("\ufffd")
                if size < (2 << 20):  # the shares are stable long before: bound the time and memory
                    texts[name].append(text)
            size += len(raw)
    gb, b5 = "".join(texts["gb18030"]), "".join(texts["big5"])
    share = {"gb18030": common_share(gb), "big5": common_share(b5)}
    n = {"gb18030": cjk_count(gb), "big5": cjk_count(b5)}
    evidence = [
        f"the non-UTF-8 lines read as {k}: {share[k]:.0%} of {n[k]:,} Chinese characters are common ones"
        + (f", {bad[k]:,} byte sequences invalid" if bad[k] else "")
        for k in ("big5", "gb18030")
    ]
    if share["big5"] >= 0.3 and share["big5"] >= share["gb18030"] + 0.15 and bad["big5"] <= bad["gb18030"]:
        return "big5", evidence
    return "gb18030", evidence


def _strict_utf8(path: Path, name: str) -> Decision:
    line, offset = 1, 0
    with open_bytes(path) as fh:
        for piece, final in _lines(fh):
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError:
                for raw in piece.splitlines(keepends=True):
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        if final and raw is not None and _truncated_utf8(raw) is not None:
                            raise _cut(path, line, offset, raw, exc.start) from None
                        raise _refuse(
                            path,
                            line,
                            offset,
                            raw,
                            exc.start,
                            f"is not UTF-8 ({exc.reason})",
                            'the file is not entirely UTF-8: set [source] encoding = "auto" in the mapping '
                            "to decode it row by row, or to the file's real encoding",
                        ) from None
                    line += 1
                    offset += len(raw)
                continue
            line += piece.count(b"\n")
            offset += len(piece)
    return Decision(name, True, {name: line - 1})


def _cut(path: Path, line: int, offset: int, raw: bytes, pos: int) -> SourceError:
    return SourceError(
        f"{path}: ends in the middle of a UTF-8 character (line {line}, byte {offset + pos}, "
        f"bytes {_byte_hex(raw, pos)}): the file is cut short (an interrupted download or copy?); "
        "get the complete export and ingest it again"
    )


def _whole(path: Path, enc: str, out: Path | None) -> Decision:
    """Decode the whole file strictly in ``enc`` into ``out`` (UTF-8)."""
    decoder = codecs.getincrementaldecoder(enc)(errors="strict")
    line, offset = 1, 0
    target = open_private(out) if out is not None else None
    try:
        with open_bytes(path) as fh:
            for piece, final in _lines(fh):
                try:
                    text = decoder.decode(piece, final=final)
                except UnicodeDecodeError:
                    if enc.startswith("utf-16"):
                        raise SourceError(
                            f"{path}: is not valid UTF-16 near byte {offset}; set [source] encoding "
                            "to the file's real encoding"
                        ) from None
                    for raw in piece.splitlines(keepends=True):
                        try:
                            raw.decode(enc)
                        except UnicodeDecodeError as exc:
                            raise _refuse(
                                path,
                                line,
                                offset,
                                raw,
                                exc.start,
                                f"is not {enc} ({exc.reason})",
                                'set [source] encoding = "auto" in the mapping, or the real encoding',
                            ) from None
                        line += 1
                        offset += len(raw)
                    raise  # pragma: no cover - a chunk fails only through one of its lines
                if target is not None and text:
                    target.write(text.encode("utf-8"))
                line += piece.count(b"\n")
                offset += len(piece)
            if target is not None:
                tail = decoder.decode(b"", final=True)
                if tail:
                    target.write(tail.encode("utf-8"))
    finally:
        if target is not None:
            target.close()
    return Decision(enc, False, {enc: line - 1}, notes=[f"read as {enc}"])


def open_private(path: Path) -> IO[bytes]:
    """Open ``path`` for writing, readable only by its owner (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "wb")


# characters that a GB18030 line read as UTF-8 gives (C1 controls, Latin Extended-B, IPA, Greek,
# Cyrillic, Armenian, Hebrew, Arabic ...: two-byte UTF-8 beyond Latin-1 and Latin Extended-A)
_ODD = re.compile("[\u0080-\u009f\u0180-\u07ff]")
_NOT_LEAD2 = bytes(b for b in range(256) if not 0xC2 <= b <= 0xDF)
_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _plain_utf8(piece: bytes) -> bool:
    """True when ``piece`` is valid UTF-8 without the characters of :data:`_ODD` (bytes-level:
    the lead bytes of two-byte sequences, C6-DF, or C2 followed by 80-9F)."""
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError:
        return False
    leads = piece.translate(None, _NOT_LEAD2)
    if not leads:
        return True
    return max(leads) < 0xC6 and not (b"\xc2" in leads and _C1.search(piece))


def _gb_core(raw: bytes) -> bool:
    """True when the line's double-byte characters are (mostly) GB2312 hanzi and symbols."""
    pairs = len(_GB_PAIR.findall(raw))
    return pairs > 0 and len(_GB_CORE.findall(raw)) >= 0.8 * pairs


_WORD = re.compile(r"[^\W\d_]+")


def _one_script_words(text: str) -> bool:
    """True when every word of ``text`` is written in one script: Greek, Cyrillic or pinyin with
    tone marks read as UTF-8 are words; GB18030 Chinese read as UTF-8 mixes scripts within a word
    (``诈骗`` → ``թƭ``: Armenian then Latin Extended-B).

    Examples
    --------
    >>> _one_script_words("Μαρία ακαδημία"), _one_script_words("Lǚ Xiǎo"), _one_script_words("թƭ")
    (True, True, False)
    """
    import unicodedata

    for word in _WORD.findall(text):
        scripts = {unicodedata.name(ch, "?").split(" ")[0] for ch in word if not ch.isascii()}
        scripts |= {"LATIN"} if any(ch.isascii() for ch in word) and scripts else set()
        if len(scripts) > 1:
            return False
    return True


def classify_line(raw: bytes) -> tuple[str, str]:
    """(``ascii`` | ``utf-8`` | ``gb18030`` | ``cp1252`` | ``bad``, decoded text) of one line.

    A line valid as UTF-8 is UTF-8 unless its UTF-8 reading is implausible (characters of
    :data:`_ODD` mixing scripts within a word) while it is GB2312 text in GB18030 (``诈骗`` in
    GB18030 is valid UTF-8: ``թƭ``; ``ακαδημία`` is Greek, not GB18030).
    A line that is not UTF-8 is GB18030 when its double bytes are GB2312 hanzi, else Windows-1252.

    Examples
    --------
    >>> classify_line("诈骗".encode("gb18030")), classify_line("Montréal".encode())
    (('gb18030', '诈骗'), ('utf-8', 'Montréal'))
    >>> classify_line("Montréal".encode("cp1252"))[0], classify_line(b"\\xff\\xfe\\x81")[0]
    ('cp1252', 'bad')
    """
    if raw.isascii():
        return "ascii", raw.decode("ascii")
    try:
        u: str | None = raw.decode("utf-8")
    except UnicodeDecodeError:
        u = None
    if u is not None and (not _ODD.search(u) or _one_script_words(u)):
        return "utf-8", u
    try:
        g: str | None = raw.decode("gb18030")
    except UnicodeDecodeError:
        g = None
    if g is not None and _gb_core(raw):
        return "gb18030", g
    if u is not None:
        return "utf-8", u
    try:
        return "cp1252", raw.decode("cp1252")
    except UnicodeDecodeError:
        return "bad", ""


_NON_ASCII_LINE = re.compile(rb"^[^\n]*[\x80-\xff]", re.M)


def _count_non_ascii(piece: bytes, line: int, counts: dict[str, int], first: dict[str, int]) -> None:
    """Count the UTF-8 lines of ``piece`` (starting at ``line``) that hold non-ASCII bytes."""
    hits = _NON_ASCII_LINE.finditer(piece)
    m = next(hits, None)
    if m is None:
        return
    first["utf-8"] = min(
        first.get("utf-8", line + piece.count(b"\n", 0, m.start())), line + piece.count(b"\n", 0, m.start())
    )
    counts["utf-8"] = counts.get("utf-8", 0) + 1 + sum(1 for _ in hits)


def _big5(path: Path, out: Path | None, evidence: list[str]) -> Decision:
    """Read ``path`` whole as Big5 (code page 950; HKSCS when only it reads every line)."""
    try:
        d = _whole(path, BIG5_CODECS[0], out)
    except SourceError:
        d = _whole(path, BIG5_CODECS[1], out)
    d.evidence = evidence
    d.notes = [f"read as Big5 ({d.encoding})"]
    return d


def _auto(path: Path, bom: bool, out: Path | None) -> Decision:
    """One pass: chunks valid and plausible as UTF-8 are taken whole; others line by line."""
    line, offset = 1, 0
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    pending: list[bytes] = []  # UTF-8 chunks not yet written (a copy is made only when needed)
    target: IO[bytes] | None = None
    lined = False
    plain: list[tuple[int, int, int]] = []  # (offset, size, first line) of UTF-8 chunks with non-ASCII
    fam_evidence: list[str] = []
    with open_bytes(path) as fh:
        try:
            for piece, final in _lines(fh):
                if _plain_utf8(piece):
                    if not piece.isascii():
                        if lined:  # rows of another encoding seen: count these UTF-8 rows now
                            _count_non_ascii(piece, line, counts, first)
                        else:  # counted only if the file turns out mixed (see below)
                            plain.append((offset, len(piece), line))
                    if target is not None:
                        target.write(piece)
                    elif out is not None:
                        pending.append(piece)
                    line += piece.count(b"\n")
                    offset += len(piece)
                    continue
                if not lined:  # the first chunk that is not plain UTF-8: Big5 is decided on the whole file
                    family, fam_evidence = cjk_family(path)
                    if family == "big5":
                        return _big5(path, out, fam_evidence)
                lined = True
                if target is None and out is not None:
                    target = open_private(out)
                    for p in pending:
                        target.write(p)
                    pending = []
                pieces = piece.splitlines(keepends=True)
                for k, raw in enumerate(pieces):
                    kind, text = classify_line(raw)
                    if kind in ("bad", "cp1252") and final and k == len(pieces) - 1:
                        pos = _truncated_utf8(raw)
                        if pos is not None and (counts.get("utf-8") or not raw[:pos].isascii()):
                            raise _cut(path, line, offset, raw, pos)
                    if kind == "bad":
                        try:
                            raw.decode("utf-8")
                        except UnicodeDecodeError as exc:
                            pos = exc.start
                        raise _refuse(
                            path,
                            line,
                            offset,
                            raw,
                            pos,
                            "is neither UTF-8, GB18030 nor Windows-1252",
                            "set [source] encoding in the mapping to the file's real encoding "
                            "(e.g. big5, shift_jis, utf-16)",
                        )
                    if kind != "ascii":
                        counts[kind] = counts.get(kind, 0) + 1
                        first.setdefault(kind, line)
                    if target is not None:
                        target.write(text.encode("utf-8"))
                    line += 1
                    offset += len(raw)
        finally:
            if target is not None:
                target.close()
    if lined and plain:  # the file is not all UTF-8: count the UTF-8 rows of the chunks read whole
        with open_bytes(path) as fh:
            for off, size, first_line in plain:
                fh.seek(off)
                _count_non_ascii(fh.read(size), first_line, counts, first)
    found = [k for k in ("utf-8", "gb18030", "cp1252") if counts.get(k)]
    if not lined or not (set(found) - {"utf-8"}):  # every line plain UTF-8 (or ASCII)
        if out is not None:
            out.unlink(missing_ok=True)
        name = "utf-8-sig" if bom else "utf-8"
        said = f"all {line - 1:,} lines are valid UTF-8" + (" after a UTF-8 byte-order mark" if bom else "")
        return Decision(name, True, {name: line - 1}, evidence=[said])
    if "gb18030" in found and "cp1252" in found:
        if out is not None:
            out.unlink(missing_ok=True)
        raise SourceError(
            f"{path}: has Chinese GB18030 rows (first: line {first['gb18030']}) and Western Windows-1252 "
            f"rows (first: line {first['cp1252']}), which cannot be told apart safely; set [source] encoding "
            "in the mapping to the encoding of the file, or re-export it in UTF-8"
        )
    said = [f"{counts[k]:,} line(s) read as {k}, the first at line {first[k]}" for k in found]
    if len(found) == 1:
        enc = found[0]
        return Decision(
            enc, False, {enc: counts[enc]}, {enc: first[enc]}, [f"read as {enc}"], said + fam_evidence
        )
    shown = ", ".join(f"{counts[k]:,} line(s) {k} (first: line {first[k]})" for k in found)
    note = f"rows in two encodings, each line decoded in its own: {shown}"
    return Decision(
        "mixed",
        False,
        {k: counts[k] for k in found},
        {k: first[k] for k in found},
        [note],
        said + fam_evidence,
    )
