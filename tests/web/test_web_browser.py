"""The desk in a real browser: Debian's headless Chromium driven by Selenium against a real server.

Nothing is downloaded: the browser and its driver come from the `chromium` and `chromium-driver`
packages (`.ci/run` installs them). Set DESK_SCREENSHOTS=DIR to keep the queue and article
screenshots (the ones in docs/ were made this way).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fixtures import PASSWORDS, SLUG, DeskSetup, build_hostile_desk

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
    pytest.skip(
        "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CLAIM_DRUG = "2b59730e7486c55d"
CLAIM_DOSE = "100a4f7a9fd2123e"
CLAIM_STOP = "d09299ef4e93e689"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DeskSetup, str]]:
    """The hostile draft's desk served by uvicorn on a free loopback port, for the whole module."""
    import uvicorn

    from flows.web.app import create_app

    os.environ.pop("PREFECT_API_URL", None)
    setup = build_hostile_desk(tmp_path_factory.mktemp("browser"))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(setup.config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.05)
    yield setup, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Headless Chromium with a throw-away profile (no network services, no downloads)."""
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a driver
    profile = tempfile.mkdtemp(prefix="desk-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def navigating(driver: WebDriver, action: WebElement, keys: str | None = None) -> None:
    """Click `action` (or type `keys` into it) and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    if keys is None:
        action.click()
    else:
        action.send_keys(keys)

    def replaced(_: WebDriver) -> bool:
        # Chromium answers "node does not belong to the document" instead of a stale element while
        # the old page is torn down: both mean the next page has replaced it.
        try:
            return bool(expected_conditions.staleness_of(page)(driver))
        except WebDriverException:
            return True

    WebDriverWait(driver, 15).until(replaced)


def log_in(driver: WebDriver, base: str, person: str, password: str | None = None) -> None:
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "account").send_keys(person)
    driver.find_element(By.ID, "password").send_keys(password or PASSWORDS[person])
    navigating(driver, driver.find_element(By.ID, "login"))


def screenshot(driver: WebDriver, name: str) -> None:
    target = os.environ.get("DESK_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        driver.execute_script("window.scrollTo(0, 0);")
        driver.save_screenshot(str(Path(target) / name))


def test_log_in_queue_approve_and_log_out(served: tuple[DeskSetup, str], browser: WebDriver) -> None:
    _, base = served
    browser.get(f"{base}/queue")
    assert browser.current_url.startswith(f"{base}/login?next=")  # not logged in: sent to the login page
    log_in(browser, base, "doc-physician")
    assert browser.current_url == f"{base}/queue"
    link = browser.find_element(By.CSS_SELECTOR, "#queue a.queue-link")
    assert link.text == "Pain <script>alert(1)</script>"  # the title's markup is shown as text
    screenshot(browser, "desk-queue.png")
    navigating(browser, link)
    card = browser.find_element(By.ID, f"c-{CLAIM_DRUG}")
    navigating(browser, card.find_element(By.CSS_SELECTOR, "button.approve"))
    flash = browser.find_element(By.CSS_SELECTOR, ".flash-ok").text
    assert flash.startswith("Saved: approve claim 2b59730e")
    card = browser.find_element(By.ID, f"c-{CLAIM_DRUG}")
    assert card.find_element(By.CSS_SELECTOR, ".status").text == "approved"
    assert card.find_element(By.CSS_SELECTOR, "button.undo").text == "Undo my approve"
    screenshot(browser, "desk-article.png")
    navigating(browser, browser.find_element(By.ID, "logout"))
    assert browser.current_url == f"{base}/login"
    browser.get(f"{base}/drafts/{SLUG}")
    assert browser.current_url.startswith(f"{base}/login?next=")


def test_keyboard_approves_the_focused_claim(served: tuple[DeskSetup, str], browser: WebDriver) -> None:
    _, base = served
    log_in(browser, base, "pat-pharmacist")
    browser.get(f"{base}/drafts/{SLUG}")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("j")  # first claim
    body.send_keys("j")  # second: the dosage
    assert "focused" in browser.find_element(By.ID, f"c-{CLAIM_DOSE}").get_attribute("class")  # type: ignore[operator]
    navigating(browser, body, "a")
    flash = browser.find_element(By.CSS_SELECTOR, ".flash-ok").text
    assert flash.startswith("Saved: approve claim 100a4f7a")


def test_wrong_password_then_locked_out(served: tuple[DeskSetup, str], browser: WebDriver) -> None:
    _, base = served
    log_in(browser, base, "nina-nurse", "wrong-password-1")
    assert browser.find_element(By.ID, "login-error").text == "Wrong account or password."
    for attempt in range(4):
        log_in(browser, base, "nina-nurse", f"wrong-password-{attempt + 2}")
    assert "locked" in browser.find_element(By.ID, "login-error").text
    log_in(browser, base, "nina-nurse")  # the right password, too late
    assert "locked" in browser.find_element(By.ID, "login-error").text
    assert browser.current_url.startswith(f"{base}/login")


def test_reject_without_a_note_is_refused_on_the_page(
    served: tuple[DeskSetup, str], browser: WebDriver
) -> None:
    _, base = served
    log_in(browser, base, "doc-physician")
    browser.get(f"{base}/drafts/{SLUG}")
    card = browser.find_element(By.ID, f"c-{CLAIM_DOSE}")
    navigating(browser, card.find_element(By.CSS_SELECTOR, "button.reject"))
    refusal = browser.find_element(By.ID, "refusal").text
    assert refusal.startswith("Not recorded: PO06 rejection-needs-note")


def test_writer_sees_own_draft_read_only_and_no_clinician_pages(
    served: tuple[DeskSetup, str], browser: WebDriver
) -> None:
    _, base = served
    log_in(browser, base, "wendy-writer")
    assert browser.current_url == f"{base}/mine"
    browser.get(f"{base}/queue")
    assert "not a clinician" in browser.find_element(By.ID, "error-message").text
    browser.get(f"{base}/drafts/{SLUG}")
    assert browser.find_element(By.ID, "read-only").text == "You wrote this draft: it is shown read-only."
    browser.implicitly_wait(0)
    assert browser.find_elements(By.CSS_SELECTOR, "button.approve") == []


def test_a_post_without_the_csrf_token_is_refused(served: tuple[DeskSetup, str], browser: WebDriver) -> None:
    _, base = served
    log_in(browser, base, "doc-physician")
    browser.get(f"{base}/drafts/{SLUG}")
    browser.execute_script(
        "var f = document.createElement('form'); f.method = 'post';"
        f"f.action = '/drafts/{SLUG}/decide';"
        "var i = document.createElement('input'); i.name = 'claim'; i.value = arguments[0]; f.appendChild(i);"
        "var v = document.createElement('input'); v.name = 'verdict'; v.value = 'approve'; f.appendChild(v);"
        "document.body.appendChild(f); f.submit();",
        CLAIM_DOSE,
    )
    WebDriverWait(browser, 15).until(lambda driver: "403 Forbidden" in driver.page_source)
    assert "403 Forbidden" in browser.find_element(By.TAG_NAME, "body").text


def test_script_in_article_note_comment_and_name_is_shown_as_text(
    served: tuple[DeskSetup, str], browser: WebDriver
) -> None:
    _, base = served
    log_in(browser, base, "doc-physician")
    browser.get(f"{base}/drafts/{SLUG}")
    sentence = browser.find_element(By.CSS_SELECTOR, ".sentence")  # the hostile sentence: not a claim
    sentence.click()
    assert "<script>" in (browser.find_element(By.ID, "comment-sentence").get_attribute("value") or "")
    browser.find_element(By.ID, "comment-text").send_keys("<script>document.title='pwned'</script> note")
    navigating(browser, browser.find_element(By.ID, "comment-submit"))
    assert browser.find_element(By.CSS_SELECTOR, ".flash-ok").text == "Comment saved."
    assert browser.title != "pwned"
    body = browser.find_element(By.ID, "article-body").text
    assert "<script>document.title='pwned'</script> is text." in body
    comment = browser.find_element(By.CSS_SELECTOR, ".all-comments .comment-text").text
    assert comment == "<script>document.title='pwned'</script> note"
    assert 'Doc "O\'Brien" & Co (doc-physician)' in browser.find_element(By.ID, "comments").text
    assert browser.find_element(By.ID, "article-title").text == "Pain <script>alert(1)</script>"
    card = browser.find_element(By.ID, f"c-{CLAIM_STOP}")
    card.find_element(By.CSS_SELECTOR, ".note-input").send_keys("<script>document.title='pwned'</script>")
    navigating(browser, card.find_element(By.CSS_SELECTOR, "button.reject"))
    note = browser.find_element(By.CSS_SELECTOR, f"#c-{CLAIM_STOP} .note").text
    assert note == "<script>document.title='pwned'</script>"
    assert browser.title != "pwned"
