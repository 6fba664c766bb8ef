"""The briefing in a real browser (Debian chromium through Playwright), with the network cut off.

Every request other than the page itself is aborted and recorded; the page must attempt none,
log no console error, render every chart to SVG, and show no unfilled placeholder. Screenshots of
the page go to the session's temporary folder for a human to look at.
"""

from __future__ import annotations

import re

import pytest
from _briefing import district_briefing, shared_root

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def briefing(tmp_path_factory, worker_id):
    return district_briefing(shared_root(tmp_path_factory, worker_id))


def test_briefing_renders_offline_in_chromium(briefing, tmp_path):
    from playwright.sync_api import sync_playwright

    attempted: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})

            def route(r):
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    attempted.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: None)
            page.goto(briefing["html"].as_uri(), wait_until="load")
            n_divs = page.locator(".plotly-graph-div").count()
            page.wait_for_function(
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".every(d => d.querySelector('svg.main-svg') && d._fullLayout)",
                timeout=30_000,
            )
            rendered = page.evaluate(  # drawn traces with at least one non-empty path (or heat map image)
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".map(d => [...d.querySelectorAll('svg.main-svg g.trace path')]"
                ".filter(p => (p.getAttribute('d') || '').length > 2).length"
                " + d.querySelectorAll('svg.main-svg g.hm image').length)"
            )
            text = page.evaluate("() => document.body.innerText")
            fonts = page.evaluate("() => getComputedStyle(document.body).fontFamily")
            page.screenshot(path=str(tmp_path / "briefing-top.png"))
            page.screenshot(path=str(tmp_path / "briefing-full.png"), full_page=True)
        finally:
            browser.close()
    assert attempted == []
    assert errors == []
    assert n_divs >= 8
    assert all(n > 0 for n in rendered), rendered  # every chart drew marks, not an empty frame
    for bad in ("X起", "X%", "nan", "None", "inf", "NaN", "undefined"):
        assert not re.search(rf"(?<![A-Za-z]){re.escape(bad)}(?![A-Za-z])", text), bad
    assert "1–10月,全区发生各类刑事案件" in text
    assert "Noto Sans CJK SC" in fonts
    assert (tmp_path / "briefing-full.png").stat().st_size > 50_000
