"""Accessibility of the reader's pages, checked by axe-core inside a real browser.

axe-core comes from npm (``npm ci`` at the repository root) and is injected into each page; the
pages send a strict Content-Security-Policy, so the browser context bypasses it for the
injection. The rules are WCAG 2.0/2.1 A and AA; a violation of impact "serious" or "critical" on
the home page, a section, an article, an expert's page or a search page (with results, filtered, with
none, with no words yet, with an error) fails the test, named by its rule id.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from .test_html_validity import (
    DIRECTORY_PAGES,
    DIRECTORY_STATUS,
    ERROR_PAGES,
    ERROR_STATUS,
    SEARCH_PAGES,
    SEARCH_STATUS,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    """Runs axe-core on the loaded page; returns its violations of the WCAG A and AA rules."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }));
        }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'])}" for v in violations
    )


# Desktop and a common phone width (issue 16): every page is checked at both.
WIDTHS = (1280, 390)

# Page width beyond the viewport, and the header's section menu wrapping to more than one row.
LAYOUT_PROBE = """() => {
    const items = [...document.querySelectorAll('.site-nav li')].map(li => li.offsetTop);
    return {
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        navRows: new Set(items).size,
    };
}"""


def take_self_check(page: Page, url: str) -> None:
    """Answers the demo self-check through its form (the last option of every question)."""
    page.goto(url)
    for fieldset in page.locator("fieldset.self-check-question").all():
        fieldset.locator("input[type=radio]").last.check()
    with page.expect_navigation():
        page.get_by_role("button", name="See my result").click()
    assert page.get_by_role("heading", name="Support right now").is_visible()


def test_reader_pages_have_no_serious_accessibility_violations(demo_site, new_page, artifacts):
    if not AXE_SCRIPT.exists() and not os.environ.get("CI"):
        pytest.skip("accessibility check not run: no node_modules/axe-core (make browser-deps)")
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: run `npm ci` at the repository root"
    pages = {
        "home": "/",
        "section": demo_site.section.url,
        "article": demo_site.article.url,
        "expert": demo_site.reviewer.get_absolute_url(),
        **SEARCH_PAGES,
        **DIRECTORY_PAGES,
        **ERROR_PAGES,
    }
    statuses = {**SEARCH_STATUS, **DIRECTORY_STATUS, **ERROR_STATUS}
    blocking, layout = {}, {}
    for width in WIDTHS:
        page = new_page(bypass_csp=True, viewport={"width": width, "height": 900})
        for name, path in pages.items():
            response = page.goto(f"{demo_site.url}{path}")
            expected = statuses.get(name, 200)
            assert response.status == expected, f"{name} page {path} answered {response.status}"
            page.wait_for_load_state("load")  # images decoded: their size counts for overflow
            page.screenshot(path=str(artifacts / f"{width}-{name}.png"), full_page=True)
            probe = page.evaluate(LAYOUT_PROBE)
            if probe["overflow"] > 0:
                layout[f"{name} at {width} px"] = f"{probe['overflow']} px wider than the window"
            if probe["navRows"] > 1:
                layout[f"{name} at {width} px"] = f"section menu on {probe['navRows']} rows"
            found = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
            if found:
                blocking[f"{name} ({path}) at {width} px"] = describe(found)
        take_self_check(page, f"{demo_site.url}{DIRECTORY_PAGES['self-check']}")
        page.screenshot(path=str(artifacts / f"{width}-self-check-result.png"), full_page=True)
        if page.evaluate(LAYOUT_PROBE)["overflow"] > 0:
            layout[f"self-check result at {width} px"] = "wider than the window"
        found = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        if found:
            blocking[f"self-check result at {width} px"] = describe(found)
    assert layout == {}, "layout problems:\n" + "\n".join(f"{k}: {v}" for k, v in layout.items())
    assert blocking == {}, "serious or critical axe violations:\n" + "\n".join(
        f"{where}: {what}" for where, what in blocking.items()
    )


def test_self_check_works_without_javascript(demo_site, new_page, artifacts):
    page = new_page(java_script_enabled=False, viewport={"width": 390, "height": 900})
    take_self_check(page, f"{demo_site.url}{DIRECTORY_PAGES['self-check']}")
    assert page.get_by_text("not a diagnosis", exact=False).first.is_visible()
    page.screenshot(path=str(artifacts / "390-self-check-result-no-js.png"), full_page=True)
