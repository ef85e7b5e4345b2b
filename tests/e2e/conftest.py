"""Browser tests: real headless Chromium (Debian's package) driven by Playwright.

Without Chromium these tests are skipped with a message saying how to enable them; with
E2E_REQUIRED=1 (set by .ci/run) a missing browser is an error instead.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRED = os.environ.get("E2E_REQUIRED", "") == "1"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/kap-e2e-screenshots"))
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or bool(shutil.which(CHROMIUM))


def pytest_collection_modifyitems(config, items):
    if chromium_available():
        return
    message = (
        f"Browser tests skipped: Chromium not found at {CHROMIUM}. Install Debian's "
        "`chromium` package (or set CHROMIUM_PATH), then run `make test` again."
    )
    for item in items:
        if "e2e" in item.keywords:
            if REQUIRED:
                item.add_marker(pytest.mark.usefixtures("_browser_required"))
            else:
                item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture
def _browser_required():
    pytest.fail(f"E2E_REQUIRED=1 but Chromium is not installed at {CHROMIUM}.")


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread for the whole session, and
    Django refuses ORM calls next to one (the tests' own set-up and flush included). Allowed
    for the browser tests only, and removed again when they are done."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings, tmp_path, mailoutbox):
    """The shipped curriculum and demo accounts behind a live server."""
    from tests.conftest import ensure_site_baseline

    ensure_site_baseline()
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ASSESSMENTS_OB3_SIGNING_KEY = ""
    settings.ASSESSMENTS_OB3_SIGNING_KEY_FILE = str(tmp_path / "ob3.pem")
    settings.COURSES_PAYMENT_BACKEND = "courses.payments.testmode.TestModeBackend"
    call_command("load_curriculum", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    call_command("generate_issuer_key", verbosity=0)
    return live_server


@pytest.fixture
def new_page(browser, site):
    contexts = []

    def make():
        context = browser.new_context(base_url=site.url, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def check_accessibility(page, name: str) -> None:
    """Run axe-core on the current page; fail on serious or critical violations."""
    # Evaluated through the browser's DevTools protocol, which the site's Content Security
    # Policy rightly does not cover; an injected <script> element would be refused.
    page.evaluate("() => {\n" + AXE_SOURCE + "\n}")
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(
            node["target"][0] if node["target"] else "?" for node in v["nodes"][:3]
        )
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"Accessibility violations on {name}:\n" + "\n".join(serious)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()
