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

from .test_html_validity import DIRECTORY_PAGES, DIRECTORY_STATUS, SEARCH_PAGES, SEARCH_STATUS

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
    }
    page = new_page(bypass_csp=True)
    blocking = {}
    for name, path in pages.items():
        response = page.goto(f"{demo_site.url}{path}")
        expected = {**SEARCH_STATUS, **DIRECTORY_STATUS}.get(name, 200)
        assert response.status == expected, f"{name} page {path} answered {response.status}"
        page.screenshot(path=str(artifacts / f"accessibility-{name}.png"), full_page=True)
        found = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        if found:
            blocking[f"{name} ({path})"] = describe(found)
    # A reader takes the demo self-check through its form: the last option of every question.
    page.goto(f"{demo_site.url}{DIRECTORY_PAGES['self-check']}")
    for fieldset in page.locator("fieldset.self-check-question").all():
        fieldset.locator("input[type=radio]").last.check()
    with page.expect_navigation():
        page.get_by_role("button", name="See my result").click()
    assert page.get_by_role("heading", name="Support right now").is_visible()
    page.screenshot(path=str(artifacts / "accessibility-self-check-result.png"), full_page=True)
    found = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    if found:
        blocking["self-check result"] = describe(found)
    assert blocking == {}, "serious or critical axe violations:\n" + "\n".join(
        f"{where}: {what}" for where, what in blocking.items()
    )
