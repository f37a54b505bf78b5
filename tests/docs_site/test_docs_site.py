"""The built documentation site in a real browser: Debian's chromium, headless, driven through its chromedriver.
It checks that the home page renders, the state diagram is drawn as an SVG, a search for ttlMs finds the wire
reference, the API page lists GetTaskResult and the benchmark chart loads.

`nox -s docs` builds the site into site/ and runs this module with DOCS_SITE set to it (elsewhere the module is
skipped: the test sessions have neither the site nor selenium). The site is served by a local http.server
(services.serving_directory); every request the browser makes must stay on that server, so the pages work offline.
Screenshots are saved under DOCS_ARTIFACTS (default .nox/docs-artifacts/).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

if not os.environ.get("DOCS_SITE"):
    pytest.skip(
        "the documentation site's browser test runs in `nox -s docs` (DOCS_SITE unset)", allow_module_level=True
    )

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from services import serving_directory

REPO = Path(__file__).resolve().parents[2]
SITE = (REPO / os.environ["DOCS_SITE"]).resolve()
ARTIFACTS = (REPO / os.environ.get("DOCS_ARTIFACTS", ".nox/docs-artifacts")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT_SECONDS = 30


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    assert (SITE / "index.html").is_file(), f"no built site in {SITE}"
    with serving_directory(SITE) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    for program in (CHROMIUM, CHROMEDRIVER):
        assert Path(program).is_file(), f"{program} is missing: apt-get install chromium chromium-driver"
    profile = tempfile.mkdtemp(prefix="docs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    os.environ["SE_OFFLINE"] = "true"  # selenium never looks for a driver or a browser to download
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(browser: WebDriver, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT_SECONDS).until(lambda b: b.execute_script("return document.readyState") == "complete")


def _screenshot(browser: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert browser.save_screenshot(str(path)), f"no screenshot {path}"
    print(f"screenshot: {path}")
    return path


def _requested_urls(browser: WebDriver) -> list[str]:
    """The URLs of the requests the browser sent since the last call (the performance log is read once)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _assert_local(browser: WebDriver, site_url: str) -> None:
    origin = urlsplit(site_url).netloc
    fetched = [urlsplit(u) for u in _requested_urls(browser)]
    foreign = [u.geturl() for u in fetched if u.scheme not in ("data", "blob", "chrome") and u.netloc != origin]
    assert not foreign, f"the page fetched from outside the site: {foreign}"


def _shadow_svgs(node: dict[str, Any], inside_mermaid: bool = False) -> int:
    """How many <svg> elements the DOM tree of CDP's DOM.getDocument holds inside a Mermaid diagram's host,
    closed shadow roots included (the theme draws the diagram into one)."""
    attributes = node.get("attributes", [])
    classes = dict(zip(attributes[::2], attributes[1::2], strict=False)).get("class", "").split()
    inside = inside_mermaid or (node.get("nodeName") == "DIV" and "mermaid" in classes)
    count = 1 if inside and node.get("nodeName", "").lower() == "svg" else 0
    for child in [*node.get("children", []), *node.get("shadowRoots", [])]:
        count += _shadow_svgs(child, inside)
    return count


def test_home_page_renders(browser: WebDriver, site_url: str) -> None:
    _requested_urls(browser)
    _open(browser, site_url)
    heading = browser.find_element(By.CSS_SELECTOR, "article h1")
    assert heading.text == "mcp-ext-tasks"
    assert "mcp-ext-tasks" in browser.title
    assert heading.size["height"] > 0 and heading.is_displayed()
    nav = browser.find_element(By.CSS_SELECTOR, "nav.md-nav--primary").text
    for entry in ("Guide", "Wire reference", "API reference", "Changelog"):
        assert entry in nav
    assert browser.find_elements(By.CSS_SELECTOR, "article pre code"), "the home page's example is missing"
    _screenshot(browser, "home")
    _assert_local(browser, site_url)


def test_state_diagram_is_an_svg(browser: WebDriver, site_url: str) -> None:
    _requested_urls(browser)
    _open(browser, site_url + "reference/v2026_07_28/")
    # The theme replaces the <pre class="mermaid"> source with a <div class="mermaid"> host once Mermaid drew it.
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda b: (
            b.find_elements(By.CSS_SELECTOR, "div.mermaid") and not b.find_elements(By.CSS_SELECTOR, "pre.mermaid")
        )
    )
    host = browser.find_element(By.CSS_SELECTOR, "div.mermaid")
    document = browser.execute_cdp_cmd("DOM.getDocument", {"depth": -1, "pierce": True})
    assert _shadow_svgs(document["root"]) >= 1, "the state diagram was not drawn as an SVG"
    assert host.size["height"] > 100 and host.size["width"] > 100, host.size
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", host)
    _screenshot(browser, "state-diagram")
    _assert_local(browser, site_url)


def test_search_finds_ttlms_in_the_reference(browser: WebDriver, site_url: str) -> None:
    _requested_urls(browser)
    _open(browser, site_url)
    field = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    if not field.is_displayed():  # a narrow window shows a search button instead of the field
        browser.find_element(By.CSS_SELECTOR, "label.md-header__button[for='__search']").click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda b: field.is_displayed())
    field.click()
    field.send_keys("ttlMs")
    results = WebDriverWait(browser, WAIT_SECONDS).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".md-search-result__item a.md-search-result__link")
    )
    hrefs = [result.get_attribute("href") or "" for result in results]
    assert any("/reference/" in href for href in hrefs), hrefs
    _screenshot(browser, "search-ttlMs")
    field.send_keys(Keys.ESCAPE)
    _assert_local(browser, site_url)


def test_api_page_lists_get_task_result(browser: WebDriver, site_url: str) -> None:
    _requested_urls(browser)
    _open(browser, site_url + "api/mcp_ext_tasks/")
    entry = browser.find_element(By.ID, "mcp_ext_tasks.GetTaskResult")
    assert "GetTaskResult" in entry.text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", entry)
    assert entry.is_displayed()
    toc = browser.find_element(By.CSS_SELECTOR, "nav.md-nav--secondary").get_attribute("textContent") or ""
    assert "GetTaskResult" in toc
    _screenshot(browser, "api-mcp_ext_tasks")
    _assert_local(browser, site_url)


def test_benchmark_chart_is_shown(browser: WebDriver, site_url: str) -> None:
    _requested_urls(browser)
    _open(browser, site_url + "benchmarks/")
    chart = browser.find_element(By.CSS_SELECTOR, "article img[src$='benchmarks.png']")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart) > 0
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", chart)
    _screenshot(browser, "benchmarks-chart")
    _assert_local(browser, site_url)
