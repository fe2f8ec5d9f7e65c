"""The dependency direction: webhooks imports the content apps, never the other way round."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENT_APPS = ("articles", "experts", "recommendations", "search", "website")
IMPORT = re.compile(r"^\s*(from\s+webhooks[\s.]|import\s+webhooks\b)", re.MULTILINE)


def test_content_apps_do_not_import_webhooks():
    offenders = [
        str(path.relative_to(ROOT))
        for app in CONTENT_APPS
        for path in (ROOT / app).rglob("*.py")
        if IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_pattern_finds_an_import():
    assert IMPORT.search("from webhooks.events import emit\n")
    assert IMPORT.search("import webhooks\n")
    assert not IMPORT.search("from website.webhooks_helpers import x\n")
