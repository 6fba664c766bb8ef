"""The incidents part of ``zz map`` (private to ingest): which column is the date, the time of day, the
id, the category, the area or address, the point and its coordinate system, the casualties (plain
or packed), the count of offences per row, and whether rows are parties of one incident.

Each decision is written into the draft with its evidence and how sure it is
(:mod:`zzanalytics.ingest.draft`).
"""

from __future__ import annotations

import re
from typing import Any

from zzanalytics.ingest.draft_records import _DEATH, _HURT, _first, _has, records_by
from zzanalytics.ingest.forms import address_area_sql, packed_sql, roc_sql
from zzanalytics.ingest.hanzi import cjk_count
from zzanalytics.ingest.labels import family, own_code, propose
from zzanalytics.ingest.roles import Profile, date_format_of, header_roles
from zzanalytics.sql import ident, literal

__all__ = ["draft_incidents"]

_DATE_FORMS = ("iso", "ymd", "dot", "cn", "mdy", "digits8", "roc")


def _zone(box: tuple[float, float, float, float]) -> str | None:
    from zzanalytics.ingest.detect import zone_at

    return zone_at(box)


def _date_form(p: Profile) -> tuple[str, float]:
    form = max(_DATE_FORMS, key=lambda k: p.share.get(k, 0.0))
    return form, p.share.get(form, 0.0)


def draft_incidents(
    con: Any,
    src: str,
    scans: list[Any],
    canon: list[str],
    P: dict[str, Profile],
    doc: dict[str, dict[str, Any]],
    notes: Any,
    near: tuple[float, float, float, float] | None = None,
) -> None:
    """Fill ``doc`` (the mapping being drafted) for an incidents export profiled in ``P``; ``near``
    is the box (degrees) of the district's polygons when known, which decides a projected system."""
    source = doc["source"]
    cols: dict[str, Any] = {}
    used: set[str] = set()
    roles = {h: header_roles(h) for h in canon}
    rows = max((p.rows for p in P.values()), default=0)
    chinese = sum(cjk_count(h) for h in canon) > 0
    # -- when --------------------------------------------------------------------------------------
    cands = []
    for h in canon:
        p = P[h]
        _, share = _date_form(p)
        if _has(roles[h], "occurred_at", 2) or _has(roles[h], "reported_at"):
            share = max(share, p.share["serial"])
        if share >= 0.5 and p.n:
            bonus = 1.0 if _has(roles[h], "occurred_at", 2) else -0.5 if _has(roles[h], "reported_at") else 0
            cands.append((share + bonus, h))
    occ = max(cands)[1] if cands else next((h for h in canon if _has(roles[h], "occurred_at")), None)
    if occ is not None:
        cols["occurred_at"] = occ
        used.add(occ)
        _dates(con, src, occ, P[occ], source, notes, rows)
        _times(con, src, occ, canon, P, roles, source, notes, used)
        rep = next(
            (h for _, h in sorted(cands, reverse=True) if h != occ and _has(roles[h], "reported_at")), None
        )
        if rep:
            cols["reported_at"] = rep
            used.add(rep)
            notes.add("columns", "reported_at", f"{rep!r}: dates, and its header says reported", "likely")
    else:
        notes.add("columns", "occurred_at", "no column of dates found: map it by hand", "guess")
    # -- id ----------------------------------------------------------------------------------------
    party_key = None
    for h in canon:
        p = P[h]
        if h in used or not p.n:
            continue
        if p.restarts:
            notes.add(
                "columns",
                "incident_id",
                f"{h!r} counts 1, 2, 3 … and restarts at 1 in each file: a row number, not an id (not "
                "mapped; records are told apart by what, when and where, and the rest of the row)",
                "sure",
            )
            used.add(h)
            continue
        if _has(roles[h], "incident_id") and "incident_id" not in cols:
            if p.distinct == p.n:
                cols["incident_id"] = h
                used.add(h)
                notes.add(
                    "columns",
                    "incident_id",
                    f"{h!r}: its header, and its {p.n:,} values are all distinct",
                    "sure",
                )
            elif p.distinct >= 0.2 * p.n:
                party_key = h
    # -- count per row ----------------------------------------------------------------------------
    for h in canon:
        p = P[h]
        if h in used or not _has(roles[h], "count", 2) or p.share["integer"] < 0.99 or (p.lo or 0) < 0:
            continue
        total = _first(con, f"SELECT sum(TRY_CAST({ident(h)} AS BIGINT)) FROM {src}")[0] or 0
        source["count_column"] = h
        used.add(h)
        notes.add(
            "source",
            "count_column",
            f"{h!r}: whole numbers {p.lo:g} to {p.hi:g} (median {p.mid:g}): each row stands for that many "
            f"records, {total:,} in all from {p.n:,} rows (ids get #2, #3 …)",
            "likely",
        )
        if "incident_id" not in cols:  # a table of counts: two equal rows are two entries, not a repeat
            source["repeats"] = "records"
            notes.add(
                "source",
                "repeats",
                "a table of counts per row without ids: a row equal to another in every column is "
                "another entry of the same day, type and place, counted too",
                "likely",
            )
        break
    _category(con, src, canon, P, roles, cols, used, doc, notes, scans)
    _place(con, src, canon, P, roles, cols, used, source, notes, chinese, near)
    _casualties(con, src, canon, P, roles, cols, used, notes)
    for role in ("loss_yuan", "cause", "premises", "description"):
        for h in canon:
            if h not in used and _has(roles[h], role) and role not in cols:
                if role == "loss_yuan" and P[h].share["number"] < 0.9:
                    continue
                cols[role] = h
                used.add(h)
                notes.add("columns", role, f"{h!r}: its header", "likely")
    records_by(con, src, canon, P, roles, cols, used, doc, notes, party_key)
    doc["columns"] = cols
    _personal(canon, used, doc, notes)
    taiwan = chinese and any(re.search("[臺縣區號]", h + "".join(t for t, _ in P[h].top[:50])) for h in canon)
    if taiwan and source.get("calendar") == "roc":
        source["timezone"] = "Asia/Taipei"
        notes.add("source", "timezone", "traditional characters and 民國 years: Taiwan's clock", "likely")
    elif near is not None and (zone := _zone(near)):
        source["timezone"] = zone
        notes.add("source", "timezone", f"the district's polygons (--areas) lie in {zone}", "likely")
    else:
        notes.add(
            "source",
            "timezone",
            "nothing in the files says which clock their times are on: the store's time zone applies "
            '(Asia/Shanghai unless set). Set it, e.g. timezone = "America/Chicago", or give --areas',
            "guess",
        )


def _dates(con: Any, src: str, occ: str, p: Profile, source: dict[str, Any], notes: Any, rows: int) -> None:
    """The date form of ``occ``, checked by reading the whole column as ingest will."""
    from zzanalytics.ingest.dates import naive_sql

    form, share = _date_form(p)
    x = f"NULLIF(trim({ident(occ)}), '')"
    example = next((t for t, _ in p.top), "")
    if form == "roc" and share >= 0.5:
        source["calendar"] = "roc"
        iso = _first(con, f"SELECT {roc_sql(literal(example))}")[0] if example else ""
        notes.add(
            "source",
            "calendar",
            f"{occ!r} writes 民國 years: {example!r} = {iso} ({share:.0%} of values)",
            "sure",
        )
    elif form == "mdy" and share >= 0.5:
        fmt, said, sure = date_format_of(p)
        source["date_format"] = fmt
        notes.add(
            "source", "date_format", f"{occ!r} e.g. {example!r}: {said}, decided on all {p.n:,} values", sure
        )
    ts = naive_sql(x, source.get("date_format", ""), source.get("calendar", "gregorian"))
    got, lo, hi = _first(con, f"SELECT count({ts}), min({ts}), max({ts}) FROM {src}")
    bad = p.n - got
    eg = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {x} FROM {src} WHERE {x} IS NOT NULL AND {ts} IS NULL LIMIT 3"
        ).fetchall()
    ]
    sure = "sure" if bad == 0 else "likely" if bad <= 0.01 * p.n else "guess"
    text = (
        f"{occ!r}: {got:,} of {p.n:,} dates read ({lo:%Y-%m-%d} to {hi:%Y-%m-%d})"
        if got
        else f"{occ!r}: no date read"
    )
    if bad:
        text += f"; {bad:,} unreadable, e.g. {eg} (they will be quarantined)"
    if p.n < rows:
        text += f"; {rows - p.n:,} rows have no date (quarantined as missing)"
    notes.add("columns", "occurred_at", text, sure)
    if not got:
        return
    years = con.execute(
        f"SELECT year({ts}) AS y, count(*) FROM {src} WHERE {ts} IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    top = max(n for _, n in years)
    # placeholders systems write for "no date" (Excel's day 0 and 1, the Unix epoch): stand-ins, not dates
    held = con.execute(
        f"SELECT CAST({ts} AS DATE) AS d, count(*) FROM {src} WHERE CAST({ts} AS DATE) IN "
        "('1899-12-30', '1899-12-31', '1900-01-01', '1970-01-01') GROUP BY 1 ORDER BY 1"
    ).fetchall()
    sentinel = {d.year: n for d, n in held if dict(years).get(d.year) == n and n < 0.05 * top}
    stray = [(y, n) for y, n in years if n < 0.05 * top]
    first = min((y for y, _ in years if y not in sentinel), default=min(y for y, _ in years))
    floor_year = max(1900, first)
    if first < 2000 or sentinel:
        source["date_floor"] = f"{floor_year}-01-01"
    if sentinel:
        shown = ", ".join(f"{d:%Y-%m-%d} ({n:,})" for d, n in held if d.year in sentinel)
        notes.add(
            "source",
            "date_floor",
            f"placeholder dates that systems write for 'no date': {shown}; quarantined (date_before_floor), "
            "each listed by ingest",
            "likely",
        )
    if stray:
        shown = ", ".join(f"{y} ({n:,})" for y, n in stray[:8] if y not in sentinel)
        notes.add(
            "source",
            "date_floor",
            f"stray years far from the rest: {shown}; kept from {floor_year}, after tomorrow "
            "quarantined (date_in_future)",
            "sure",
        )


def _times(
    con: Any,
    src: str,
    occ: str,
    canon: list[str],
    P: dict[str, Profile],
    roles: dict[str, list[str]],
    source: dict[str, Any],
    notes: Any,
    used: set[str],
) -> None:
    """A column with the time of day (or a slot) when the date column has none."""
    from zzanalytics.ingest.forms import clock_sql, slot_sql

    if P[occ].share["has_clock"] >= 0.5:
        notes.add("columns", "occurred_at", "dates with their time of day", "sure")
        return
    best = None
    for h in canon:
        p = P[h]
        if h in used or not p.n:
            continue
        timey = _has(roles[h], "time", 2) or _has(roles[h], "occurred_at", 2)
        if p.share["slot"] >= 0.6:
            score = p.share["slot"] + (1 if timey else 0)
        elif p.share["clock"] >= 0.8 and timey:
            score = p.share["clock"] + 0.5
        else:
            continue
        best = max(best or (0, ""), (score, h))
    if best is None:
        notes.add(
            "columns",
            "occurred_at",
            "dates without a time of day: each record is recorded as the window of its whole day",
            "sure",
        )
        return
    h = best[1]
    p = P[h]
    source["time_column"] = h
    used.add(h)
    eg = [t for t, _ in p.top[:4]]
    if p.share["slot"] >= 0.6:
        a = _first(con, f"SELECT {slot_sql(literal(eg[0]))}")[0] or (0, 0)
        notes.add(
            "source",
            "time_column",
            f"{h!r} holds time slots {eg}: each record is the window of its slot ({eg[0]!r} = "
            f"{a[0] // 3600:02d}:00 to {a[1] // 3600:02d}:00)",
            "sure",
        )
        return
    form = ""
    if p.share["integer"] > 0.99:  # whole numbers: their form is decided on the whole column
        longest = _first(con, f"SELECT max(length(trim({ident(h)}))) FROM {src}")[0] or 0
        form = "hhmmss" if longest >= 5 else "hhmm" if longest >= 3 else "hour"
        source["time_format"] = form
        said = {"hhmmss": "HHMMSS (7 = 00:00:07)", "hhmm": "HHMM (5 = 00:05)", "hour": "hours (5 = 05:00)"}
        notes.add(
            "source",
            "time_format",
            f"{h!r} writes times as whole numbers of up to {longest} digits: {said[form]}",
            "likely",
        )
    ok = _first(con, f"SELECT count({clock_sql(ident(h), form)}) FROM {src}")[0]
    kinds = []
    if any(re.fullmatch(r"\d{5}", t) for t in eg):
        kinds.append("HHMMSS without its leading zero (93000 = 09:30:00)")
    elif any(re.fullmatch(r"\d{3}", t) for t in eg):
        kinds.append("HHMM without its leading zero (930 = 09:30)")
    if any(t.startswith("24") for t, _ in p.top):
        kinds.append("24:00 = midnight at the day's end")
    notes.add(
        "source",
        "time_column",
        f"{h!r}: times of day, e.g. {eg}{'; ' + '; '.join(kinds) if kinds else ''}; {ok:,} of {p.n:,} read "
        "(a row without one keeps its whole day)",
        "sure" if ok == p.n else "likely",
    )


def _category(
    con: Any,
    src: str,
    canon: list[str],
    P: dict[str, Profile],
    roles: dict[str, list[str]],
    cols: dict[str, Any],
    used: set[str],
    doc: dict[str, dict[str, Any]],
    notes: Any,
    scans: list[Any],
) -> None:
    best = None
    for h in canon:
        p = P[h]
        if h in used or not p.n or p.share["number"] > 0.5 or p.distinct > 400 or p.share["address"] > 0.5:
            continue
        hits = sum(n for t, n in p.top if propose(t)[0]) / max(p.n, 1)
        score = hits + (1.5 if _has(roles[h], "category", 2) else 0)
        if score > 0.3:
            best = max(best or (0, ""), (score, h))
    if best is None:
        stem = " ".join(s.path.stem for s in scans)
        code = propose(stem)[0] or "other.unlisted"
        doc.setdefault("constants", {})["category"] = code
        notes.add(
            "constants",
            "category",
            f"no column of categories: every record is {code!r} (from the file name {scans[0].path.name!r}"
            + (", a word the dictionary knows)" if code != "other.unlisted" else ")"),
            "guess",
        )
        return
    h = best[1]
    cols["category"] = h
    used.add(h)
    labels = con.execute(
        f"SELECT trim({ident(h)}) AS x, count(*) FROM {src} WHERE NULLIF(trim({ident(h)}), '') IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    found = {lab: propose(lab) for lab, _ in labels}
    fam = family({c: n for lab, n in labels if (c := found[lab][0])})
    cats: dict[str, str] = {}
    for lab, n in labels:
        code, word = found[lab]
        if code:
            cats[lab] = code
            notes.add("categories", lab, f"{n:,} rows; the dictionary's word {word!r}", "likely")
        else:
            cats[lab] = own_code(lab, fam)
            notes.add(
                "categories",
                lab,
                f"{n:,} rows; not in the dictionary: a category of its own under {fam}",
                "guess",
            )
    cats["*"] = f"{fam}.unlisted"
    notes.add(
        "categories",
        "*",
        "any label not listed above (one only a later export has) is kept under this code, never "
        "quarantined: list the labels you want apart above it",
        "sure",
    )
    doc["categories"] = cats
    notes.add(
        "columns",
        "category",
        f"{h!r}: {len(labels)} labels, {sum(1 for c in found.values() if c[0])} known to the dictionary",
        "sure",
    )


def _place(
    con: Any,
    src: str,
    canon: list[str],
    P: dict[str, Profile],
    roles: dict[str, list[str]],
    cols: dict[str, Any],
    used: set[str],
    source: dict[str, Any],
    notes: Any,
    chinese: bool,
    near: tuple[float, float, float, float] | None = None,
) -> None:
    """Area column, point (and its coordinate system), or an address naming the area."""
    from zzanalytics.ingest.detect import crs_candidates, lands_in

    lon = lat = None
    for h in canon:
        if h in used or P[h].share["number"] < 0.9:
            continue
        if _has(roles[h], "lon") and lon is None:
            lon = h
        elif _has(roles[h], "lat") and lat is None:
            lat = h
    if lon and lat:
        pl, pa = P[lon], P[lat]
        if (pl.lo or 0) >= -180 and (pl.hi or 0) <= 180 and (pa.lo or 0) >= -90 and (pa.hi or 0) <= 90:
            if abs(pl.mid or 0) <= 90 < abs(pa.mid or 0):  # the two are swapped
                lon, lat, pl, pa = lat, lon, pa, pl
                notes.add(
                    "columns",
                    "lon",
                    "the longitude and latitude headers hold each other's values: swapped",
                    "likely",
                )
            cols["lon"], cols["lat"] = lon, lat
            notes.add(
                "columns",
                "lon",
                f"{lon!r} {pl.lo:g}..{pl.hi:g}, {lat!r} {pa.lo:g}..{pa.hi:g}: degrees, read as WGS-84 (GPS). "
                'If they come from a Chinese web map set crs = "gcj02" (AutoNavi, Tencent) or "bd09" (Baidu)',
                "likely",
            )
        else:
            xy = con.execute(
                f"SELECT TRY_CAST({ident(lon)} AS DOUBLE), TRY_CAST({ident(lat)} AS DOUBLE) FROM {src} "
                f"USING SAMPLE 20000 ROWS"
            ).fetchall()
            xs, ys = [r[0] for r in xy], [r[1] for r in xy]
            found = crs_candidates(xs, ys, chinese=chinese, near=near)
            cols["lon"], cols["lat"] = lon, lat
            if found:
                source["crs"] = found[0][0]
                others = "; ".join(f"{c} {n}" for c, n, _ in found[1:])
                inside = near is not None and lands_in(found[0][0], xs, ys, near)
                notes.add(
                    "source",
                    "crs",
                    f"{lon!r}/{lat!r} are projected x/y ({P[lon].lo:,.0f}..{P[lon].hi:,.0f}, "
                    f"{P[lat].lo:,.0f}..{P[lat].hi:,.0f}); they fall in the area of use of {found[0][0]} "
                    f"{found[0][1]} ({found[0][2]})"
                    + (", and read in it they lie on the district's polygons (--areas)" if inside else "")
                    + (f"; also possible: {others}" if others else "")
                    + ". Check one point you know"
                    + ("" if near is not None else ", or give the district's polygons: zz map --areas FILE"),
                    "likely" if inside or len(found) == 1 else "guess",
                )
            else:
                notes.add(
                    "columns", "lon", f"{lon!r}/{lat!r}: numbers in no known coordinate system", "guess"
                )
        used.update({lon, lat})
    area = None
    for h in canon:
        p = P[h]
        if h in used or not p.n or p.distinct > 2000 or (p.share["address"] > 0.5 and p.distinct > 0.3 * p.n):
            continue
        if _has(roles[h], "area_code", 2):
            area = h
            break
    if area:
        cols["area_code"] = area
        used.add(area)
        names = ", ".join(t for t, _ in P[area].top[:8])
        notes.add(
            "columns",
            "area_code",
            f"{area!r}: {P[area].distinct} areas ({names} …); names matched to the store's areas",
            "likely",
        )
        return
    addr = None
    for h in canon:
        p = P[h]
        if h in used or not p.n:
            continue
        if _has(roles[h], "address", 2) or p.share["address"] > 0.6:
            addr = h
            break
    if addr is None:
        return
    used.add(addr)
    x = ident(addr)
    named = con.execute(
        f"SELECT {address_area_sql(x)} AS a, count(*) FROM {src} GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    hit = sum(n for a, n in named if a)
    if "lon" in cols or hit < 0.5 * max(P[addr].n, 1):
        notes.add("columns", "area_code", f"{addr!r} holds addresses; areas come from the points", "likely")
        return
    cols["area_code"] = {"column": addr, "from": "address"}
    shown = ", ".join(f"{a} ({n:,})" for a, n in named if a)[:400]
    notes.add(
        "columns",
        "area_code",
        f"{addr!r} holds addresses that name the area in {hit:,} of {P[addr].n:,} rows: {shown}",
        "likely",
    )


def _casualties(
    con: Any,
    src: str,
    canon: list[str],
    P: dict[str, Profile],
    roles: dict[str, list[str]],
    cols: dict[str, Any],
    used: set[str],
    notes: Any,
) -> None:
    for h in canon:
        p = P[h]
        if h in used or not p.n:
            continue
        if p.share["packed"] >= 0.8 or (_has(roles[h], "casualties") and p.share["packed"] >= 0.5):
            words = re.findall(r"([^\d;,；，、/\s:：]+)\s*[:：]?\s*\d+", " ".join(t for t, _ in p.top[:50]))
            death = next((w for w in words if _DEATH.search(w)), None)
            hurt = next((w for w in words if _HURT.search(w)), None)
            if not (death or hurt):
                continue
            for role, word in (("deaths", death), ("injuries", hurt)):
                if word:
                    cols[role] = {"column": h, "after": word}
                    total = _first(
                        con, f"SELECT sum(TRY_CAST({packed_sql(ident(h), after=word)} AS BIGINT)) FROM {src}"
                    )[0]
                    notes.add(
                        "columns",
                        role,
                        f"{h!r} packs several counts in one cell ({p.top[0][0]!r}): the number "
                        f"after {word!r} ({total or 0:,} in all rows)",
                        "sure",
                    )
            used.add(h)
            break
    for role in ("deaths", "injuries"):
        if role in cols:
            continue
        for h in canon:
            if h not in used and _has(roles[h], role) and P[h].share["integer"] >= 0.95:
                cols[role] = h
                used.add(h)
                notes.add(
                    "columns", role, f"{h!r}: its header; whole numbers {P[h].lo:g}..{P[h].hi:g}", "likely"
                )
                break


def _personal(canon: list[str], used: set[str], doc: dict[str, dict[str, Any]], notes: Any) -> None:
    from zzanalytics.ingest.hanzi import simplified
    from zzanalytics.privacy import is_personal_header

    mapped = set()
    for v in doc["columns"].values():
        mapped |= {v} if isinstance(v, str) else {v["column"]} if isinstance(v, dict) else set(v)
    found = [h for h in canon if is_personal_header(simplified(h)) and h not in mapped]
    if found:
        doc["personal"] = {"columns": found}
        notes.add(
            "personal",
            "columns",
            f"{found}: their headers say they hold personal data; masked at ingest",
            "likely",
        )
