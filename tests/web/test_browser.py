"""Browser tests in a real headless Chromium (Debian's package) driven by Playwright.

Set SOURCING_SCREENSHOTS=docs to save the screenshots the README shows.
"""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(scored, web_config):
    import uvicorn

    from sourcing.web.app import create_app

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(scored, web_config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
        pg = context.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield pg
        browser.close()
        assert not [e for e in errors if "Content Security Policy" in e or "alert" in e], errors


def _shots() -> Path | None:
    where = os.environ.get("SOURCING_SCREENSHOTS")
    return Path(where) if where else None


def test_shortlist_from_the_list_then_read_the_person_and_download(server, page, scored, tmp_path):
    from sourcing.review import get_review

    page.goto(f"{server}/lists/airflow-people")
    rows = page.locator("tr[data-person]")
    assert rows.count() == 25
    # the hostile name is shown as text, not run
    assert page.locator("text=<script>alert").count() >= 1
    row = page.locator('tr[data-person="3"]')
    row.locator("button.act.shortlisted").click()
    # a selector wait, not wait_for_function: the page's CSP forbids the eval that one uses
    page.locator('tr[data-person="3"] td.status[data-status="shortlisted"]').wait_for(timeout=10000)
    assert get_review(scored, 3)["status"] == "shortlisted"
    if _shots():
        page.screenshot(path=str(_shots() / "lead-list.png"), full_page=False)

    row.locator("a").first.click()
    page.wait_for_url(f"{server}/people/3")
    assert page.locator("ul.evidence li").first.inner_text().endswith("merged PRs to apache/airflow")
    assert page.locator("svg.graph circle").count() >= 2
    assert page.locator("#status").inner_text() == "shortlisted"
    if _shots():
        page.screenshot(path=str(_shots() / "person.png"), full_page=True)

    page.goto(f"{server}/lists/airflow-people")
    with page.expect_download() as dl:
        page.click("#export-link")
    target = tmp_path / "list.csv"
    dl.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("full_name,") and len(text.splitlines()) == 26
