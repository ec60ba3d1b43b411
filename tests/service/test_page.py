"""The agency page in Debian's headless Chromium (Selenium, /usr/bin/chromedriver: nothing is
downloaded): both languages, right-to-left layout, keyboard order, the documents' fonts, a bad
CIN's error beside its field, a good form's PDF downloaded. Screenshots go to docs/service/
for the README."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnops_legaldocs.bidi import strip_controls
from cnops_legaldocs.catalogs import translations
from pdfread import lines

from .conftest import ROOT, Server

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service as DriverService  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402

SHOTS = ROOT / "docs" / "service"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         "--window-size=1200,1400", "--force-device-scale-factor=1", "--lang=fr")  # fmt: skip


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[WebDriver]:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup-system)")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=DriverService("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    yield driver
    driver.quit()


def _downloaded(path: Path) -> bool:
    """Whether Chromium has finished `path`: it may name the file before it has written it
    (the bytes go to a ``.crdownload`` file first), so the whole file must be there."""
    if list(path.parent.glob("*.crdownload")) or not path.exists():
        return False
    return path.read_bytes().rstrip().endswith(b"%%EOF")


def rect(driver: WebDriver, css: str) -> dict[str, float]:
    return driver.execute_script(  # type: ignore[no-any-return]
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};",
        css,
    )


def text_rect(driver: WebDriver, css: str) -> dict[str, float]:
    """Where the text of an element is drawn (not its box, which spans the line)."""
    return driver.execute_script(  # type: ignore[no-any-return]
        "const range = document.createRange();"
        "range.selectNodeContents(document.querySelector(arguments[0]));"
        "const r = range.getBoundingClientRect(); return {left: r.left, right: r.right};",
        css,
    )


def settle(driver: WebDriver) -> list[str]:
    """Wait for the images and fonts; the families of the fonts loaded."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all([document.fonts.ready, ...[...document.images].map(i => i.decode())])"
        ".then(() => done(), () => done());"
    )
    return driver.execute_script(  # type: ignore[no-any-return]
        "return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )


def shoot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(SHOTS / name))


def test_french_page(server: Server, browser: WebDriver) -> None:
    browser.get(f"{server.url}/?lang=fr&kind=notice&edition=fr&branch=rabat")
    families = settle(browser)
    html = browser.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("fr", "ltr")
    assert browser.find_element(By.TAG_NAME, "h1").text == (
        "Documents sur la protection des données personnelles"
    )
    assert '"Noto Serif"' in families[0] or "Noto Serif" in families
    images = browser.find_elements(By.CSS_SELECTOR, ".pages img")
    assert len(images) >= 2
    # A4 at 60 dpi: ceil(595.28 pt × 60 / 72) pixels wide.
    assert [img.get_property("naturalWidth") for img in images] == [497] * len(images)
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".actions a")]
    assert links[0].endswith("/v1/documents/notice.pdf?lang=fr&paper=A4&branch=rabat")
    assert links[1].endswith("/v1/documents/notice.docx?lang=fr&paper=A4&branch=rabat")
    assert rect(browser, "label[for=kind]")["right"] <= rect(browser, "#kind")["left"]
    shoot(browser, "page-fr.png")
    # The keyboard reaches, in order: the skip link, the language switch, the choices.
    order = []
    for _ in range(7):  # from the top of the freshly loaded page
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        names = ("id", "hreflang", "class")
        order.append(next((v for n in names if (v := active.get_attribute(n))), active.tag_name))
    assert order == ["skip", "ar", "branch", "kind", "edition", "paper", "button"]


def test_arabic_page_lays_out_right_to_left(server: Server, browser: WebDriver) -> None:
    browser.get(f"{server.url}/?lang=ar&kind=poster&edition=ar&paper=A4")
    families = settle(browser)
    html = browser.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert "Amiri" in families
    ar = translations("ar").gettext
    assert browser.find_element(By.TAG_NAME, "h1").text == ar(
        "Documents sur la protection des données personnelles"
    )
    # Labels right of their fields; the title and the issuer start at the right edge; the
    # language switch sits at the left end of the header.
    for name in ("branch", "kind", "edition", "paper"):
        assert rect(browser, f"label[for={name}]")["left"] >= rect(browser, f"#{name}")["right"]
    main = rect(browser, "main")
    assert abs(text_rect(browser, "h1")["right"] - main["right"]) < 2
    assert text_rect(browser, "h1")["left"] > main["left"] + 100
    assert rect(browser, ".issuer")["right"] > rect(browser, ".languages")["right"]
    switch = browser.find_element(By.CSS_SELECTOR, ".languages a")
    assert (switch.text, switch.get_attribute("lang")) == ("Français", "fr")
    shoot(browser, "page-ar.png")


def test_counter_form_error_beside_field_then_pdf(
    server: Server, browser: WebDriver, downloads: Path
) -> None:
    browser.get(f"{server.url}/?lang=ar")
    values = {"nom": "بنسعيد", "prenom": "سعاد", "cin": "12AB", "immatriculation": "445566"}
    for name, value in values.items():
        browser.find_element(By.ID, f"f-{name}").send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "#fill button").click()
    error = browser.find_element(By.ID, "e-cin")
    ar = translations("ar").gettext
    message = ar("Numéro de CIN invalide : une ou deux lettres puis des chiffres (ex. AB123456).")
    assert strip_controls(error.text) == message
    field = browser.find_element(By.ID, "f-cin")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "e-cin"
    assert browser.switch_to.active_element == field  # focus on the first field to correct
    box, below = rect(browser, "#f-cin"), rect(browser, "#e-cin")
    assert 0 <= below["top"] - box["bottom"] < 20 and abs(below["right"] - box["right"]) < 2
    assert browser.find_elements(By.ID, "e-nom") == []
    assert browser.find_element(By.ID, "f-nom").get_attribute("value") == values["nom"]
    browser.execute_script("document.getElementById('e-cin').scrollIntoView({block: 'center'})")
    shoot(browser, "counter-error-ar.png")

    field.clear()
    field.send_keys("AB 123456")
    browser.find_element(By.CSS_SELECTOR, "#fill button").click()
    pdf = downloads / "rights-request-ar.pdf"
    deadline = time.monotonic() + 120
    while not _downloaded(pdf) and time.monotonic() < deadline:
        time.sleep(0.2)
    visual = [line.visual for line in lines(pdf.read_bytes())]
    for value in ("بنسعيد", "سعاد"):
        assert any(value[::-1] in line for line in visual), value
    assert any("AB123456" in line for line in visual)
    assert any("445566" in line for line in visual)
