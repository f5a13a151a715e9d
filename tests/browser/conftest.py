"""Real-browser fixtures: one `precedent serve` process and one Debian Chromium per session.

Playwright drives the system Chromium (`playwright install` cannot download here). Every page
records console errors, uncaught exceptions and CSP violations, and the test fails at teardown
if any occurred, so each test also checks that its pages run cleanly under the app's CSP.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from ..test_server import serving

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# An init script runs before the page's own and is not subject to its CSP; console.error
# carries the violation to the same listener as every other error.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", e =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));"""


@pytest.fixture(scope="session")
def server(settings, built, tmp_path_factory):
    """Base URL of a real server over the session's index of corpus/."""
    with serving(settings.index_dir, tmp_path_factory.mktemp("browser") / "serve.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; missing, it skips the browser tests locally and fails them in CI."""
    executable = shutil.which("chromium")
    if executable is None:
        reason = "chromium is not installed (apt-get install chromium fonts-liberation)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, server):
    """A fresh desktop-sized page on the server; fails the test if the page logged an error."""
    yield from watched(browser, server)


def watched(browser, base: str, failed_loads: bool = True):
    """Yields a fresh desktop-sized page on ``base``, then fails the test if the page logged a console error
    (a failed load too, unless ``failed_loads`` is False), threw, violated the CSP, or opened an alert, confirm or
    prompt (dismissed: nothing the app does opens one, so one is a script that should not have run)."""
    context = browser.new_context(base_url=base, viewport=DESKTOP)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    problems = []

    def on_console(message):
        if message.type == "error" and (failed_loads or "Failed to load resource" not in message.text):
            problems.append(f"console error on {page.url}: {message.text}")

    def on_dialog(dialog):
        problems.append(f"a {dialog.type} opened on {page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught exception on {page.url}: {error}"))
    page.on("dialog", on_dialog)
    yield page
    context.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def axe(page) -> list[dict]:
    """The page's serious and critical axe-core violations: rule id, impact, help and elements.

    Injected with evaluate, not a script tag, so the app's CSP stays on for the page under test.
    """
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "elements": [node["target"] for node in v["nodes"]]}
            for v in violations if v["impact"] in ("serious", "critical")]


def shot(page, name: str) -> None:
    """Full-page screenshots at desktop and phone widths into tests/browser/artifacts/, for review."""
    ARTIFACTS.mkdir(exist_ok=True)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png", full_page=True)
    page.set_viewport_size(DESKTOP)
