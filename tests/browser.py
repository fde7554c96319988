"""Open an HTML page in headless Chromium (Debian package ``chromium``) and report what a reader would get.

Used by tests/test_run_all.py on the run report. Chromium is a system package, so it is not in the ``dev``
extra: ``.ci/run`` installs it and sets ``SERLIB_REQUIRE_BROWSER=1``, which turns a missing browser into a
failure instead of a skip."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRE_BROWSER_ENV = "SERLIB_REQUIRE_BROWSER"


def chromium_or_skip() -> str:
    """Path of a Chromium executable; skip the test (fail where CI requires it) when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    reason = "headless Chromium not found (Debian: apt-get install chromium)"
    if os.environ.get(REQUIRE_BROWSER_ENV, "").strip() in ("1", "true", "yes"):
        pytest.fail(reason + f"; {REQUIRE_BROWSER_ENV} is set, so the browser test must run")
    pytest.skip(reason)


@dataclass
class PageVisit:
    """What loading a page did: every request it made, its images, its in-page links."""

    requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    broken_anchors: list[str] = field(default_factory=list)
    title: str = ""

    @property
    def remote_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:", "blob:"))]

    @property
    def rendered_images(self) -> list[dict]:
        return [i for i in self.images if i["complete"] and i["width"] > 0]


def visit(page_path: Path, screenshot: Path, *, width: int = 1280, height: int = 900) -> PageVisit:
    """Load ``page_path`` offline in headless Chromium, block (and record) every request that is not local,
    save a screenshot of the first screen, and list images and ``href="#..."`` links without a target."""
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    out = PageVisit()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})

            def route(r):
                out.requests.append(r.request.url)
                if r.request.url.startswith(("file:", "data:", "about:", "blob:")):
                    r.continue_()
                else:
                    r.abort()

            page.route("**/*", route)
            page.goto(Path(page_path).resolve().as_uri(), wait_until="load")
            out.title = page.title()
            out.images = page.evaluate(
                "Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth,"
                " src: i.src.slice(0, 40)}))")
            out.broken_anchors = page.evaluate(
                "Array.from(document.querySelectorAll('a[href^=\"#\"]')).map(a => a.getAttribute('href').slice(1))"
                ".filter(id => id && !document.getElementById(id) && !document.getElementById(decodeURIComponent(id))"
                " && !document.getElementsByName(id).length)")
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    return out
