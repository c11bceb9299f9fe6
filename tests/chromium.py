"""Headless Chromium from Debian's package, as the UI tests drive it."""

import shutil


def headless_chromium(*options: str) -> list[str]:
    """The command line of a headless Chromium, with each test's own `options` after it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is missing: scripts/chromium.sh installs it from Debian"
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        *options,
    ]
