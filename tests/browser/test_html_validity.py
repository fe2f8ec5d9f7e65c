"""The reader's pages are valid HTML, by the current Nu HTML Checker (``vnu-jar`` from npm).

The markup checked is what the server sends (the Django test client's response body), for the
demo's flagship article (every kind of body block), its section, the home page and its expert
reviewer's page. Needs Java and ``npm ci``; no browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import ArticlePage
from selfchecks.models import SelfCheck

from .conftest import FLAGSHIP_SLUG

# Reader search with results, with none, with no words yet, and with words it cannot search (400).
SEARCH_PAGES = {
    "search-results": "/search/?q=trust",
    "search-filtered": "/search/?q=trust&topic=trust",
    "search-none": "/search/?q=zebra+xylophone",
    "search-prompt": "/search/",
    "search-error": "/search/?q=%2A%2A%2A",
}
SEARCH_STATUS = {"search-error": 400}
# The practitioner directory (all, filtered, with a bad filter: 400) and self-checks (issue 16).
DIRECTORY_PAGES = {
    "directory": "/find-support/",
    "directory-filtered": "/find-support/?country=DE&concern=trust-and-betrayal",
    "directory-error": "/find-support/?country=XX",
    "listing": "/find-support/helene-brandauer/",
    "self-checks": "/self-checks/",
    "self-check": "/self-checks/how-is-trust-feeling-lately/",
}
DIRECTORY_STATUS = {"directory-error": 400}
# The branded error page a reader meets most (issue 16).
ERROR_PAGES = {"not-found": "/no-such-page/"}
ERROR_STATUS = {"not-found": 404}
VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.django_db
def test_reader_pages_are_valid_html(client, tmp_path, artifacts):
    java = shutil.which("java")
    tools = (("node_modules/vnu-jar (npm ci)", VNU_JAR.exists()), ("java", java))
    missing = [what for what, ok in tools if not ok]
    if missing and not os.environ.get("CI"):
        # Outside CI the tools are optional, as the browser is; CI installs them and must run this.
        pytest.skip(f"HTML validation not run: missing {', '.join(missing)} (make browser-deps)")
    assert not missing, f"HTML validation needs {', '.join(missing)}: run `make browser-deps`"
    call_command("load_demo", verbosity=0)
    article = ArticlePage.objects.live().select_related("last_review__reviewer").get(slug=FLAGSHIP_SLUG)
    pages = {
        "article": article.url,
        "section": article.get_parent().url,
        "home": "/",
        "expert": article.last_review.reviewer.get_absolute_url(),
        **SEARCH_PAGES,
        **DIRECTORY_PAGES,
        **ERROR_PAGES,
    }
    files = {}
    for name, path in pages.items():
        response = client.get(path)
        expected = {**SEARCH_STATUS, **DIRECTORY_STATUS, **ERROR_STATUS}.get(name, 200)
        assert response.status_code == expected, f"{name} page {path} answered {response.status_code}"
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
        (artifacts / f"html-{name}.html").write_bytes(response.content)
    # A self-check's result (the page its form posts to), with the crisis rule fired.
    check = SelfCheck.objects.get(slug="how-is-trust-feeling-lately")
    answers = {f"answer-{q.id}": q.options[-1].id for q in check.definition.questions}
    pages["self-check-result"] = check.get_absolute_url()
    response = client.post(check.get_absolute_url(), answers, HTTP_CF_IPCOUNTRY="DE")
    assert response.status_code == 200 and "Support right now" in response.content.decode()
    files["self-check-result"] = tmp_path / "self-check-result.html"
    files["self-check-result"].write_bytes(response.content)
    (artifacts / "html-self-check-result.html").write_bytes(response.content)

    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = (result.stdout + result.stderr).strip()
    for name, file in files.items():
        report = report.replace(file.as_uri(), f"{name} page {pages[name]}").replace(str(file), pages[name])
    assert result.returncode == 0 and not report, f"Nu HTML Checker errors:\n{report}"
