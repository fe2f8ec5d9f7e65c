"""``load_demo``: the demo site is complete, our own words, and loading it twice changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from articles.content_package import schema_errors
from articles.models import ArticlePage, ExpertReview, HomePage, PublishOverride, SectionPage
from experts.models import Listing, ListingType, Person, Topic

DEMO = Path(settings.BASE_DIR) / "website" / "fixtures" / "demo-content.json"
REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference" / "seed-article-page.txt"
FLAGSHIP = "after-the-breach-couples-therapy-and-rebuilding-trust"

# Used when the shared reference page is not beside the checkout: fingerprints (SHA-256, first 16
# hex digits) of word runs from its sentences and names that the demo must never contain, keyed by
# run length. The text itself is not kept here: the project holds no copy of the reference page.
REFERENCE_FINGERPRINTS = {
    1: {
        "323067cfdd55302e",
        "35845136a48d03e8",
        "5fc63c9646a00f0b",
        "765e3f85baf93415",
        "9462d568a78d2c67",
        "a6471b237a1c2694",
        "c461228b8b4c6e3c",
        "ed66bfc293cbefa0",
    },
    2: {
        "0bc255a1646d1f5d",
        "128266a63b6658b1",
        "17439a3ff8b530f3",
        "ceaabbc43ef7fb68",
    },
    4: {
        "bfbd8467a8dbaf83",
    },
    7: {
        "a16ad19feb39596e",
        "c9a7ef488a9c3b95",
    },
    8: {
        "7057574f525363ba",
    },
    10: {
        "0191634be956e39e",
        "06332b28de48b20b",
        "0903ac68ac165e3e",
        "0d31b67d2d02c344",
        "13d0f25af004a380",
        "281cd09196192369",
        "3761888155292ffe",
        "37ca0b95dd9b3141",
        "390b713d921a8f8b",
        "4da94f93a236badf",
        "53ea408b5e491345",
        "5e22a804551fdfe1",
        "6210c1026954bbcf",
        "64cd0fe246620138",
        "657a4bd9614d7882",
        "6ae8634662b03e9c",
        "70b87e6d7963fd42",
        "747c1ba12c656391",
        "78767f8c7c354d53",
        "8a3cad4d11829243",
        "8df8bd754a8a27fc",
        "8e1c2ebee512f3dd",
        "a151703b940d2ac7",
        "a6bc4b7395514f75",
        "a736e0cab1e90d51",
        "b19d86174fb61edc",
        "b3deb1b2c3d17077",
        "bbc15891eb6c2331",
        "be54fd3e94e5579e",
        "f277d2427542116e",
    },
}


def demo_data() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def words(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text.lower().replace("’", "'"))
    return re.findall(r"[a-z0-9']+", text)


def fingerprint(run: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def runs(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


class TestDemoPackageFile:
    def test_matches_the_schema(self):
        assert schema_errors(demo_data()) == []

    def test_does_not_copy_the_reference_page(self):
        demo_text = json.dumps(demo_data(), ensure_ascii=False)
        demo_runs = runs(words(demo_text), 10)
        if REFERENCE.exists():
            copied = demo_runs & runs(words(REFERENCE.read_text(encoding="utf-8")), 10)
            assert not copied, [" ".join(run) for run in sorted(copied)[:5]]
        demo_words = words(demo_text)
        for n, fingerprints in REFERENCE_FINGERPRINTS.items():
            found = [" ".join(run) for run in runs(demo_words, n) if fingerprint(run) in fingerprints]
            assert not found, found[:5]

    def test_articles_write_paragraphs_as_an_editor_would(self):
        # One rich-text block per run of prose, not a block per paragraph (a 24,000 px edit form).
        for article in demo_data()["articles"]:
            types = [b["type"] for b in article["body"]]
            assert not [i for i in range(1, len(types)) if types[i] == types[i - 1] == "paragraph"], article[
                "slug"
            ]
        flagship = next(a for a in demo_data()["articles"] if a["slug"] == FLAGSHIP)
        paragraphs = [b["value"] for b in flagship["body"] if b["type"] == "paragraph"]
        assert max(p.count("<p>") for p in paragraphs) >= 3

    def test_flagship_has_the_reference_structure(self):
        data = demo_data()
        article = next(a for a in data["articles"] if a["slug"] == FLAGSHIP)
        listings = {item["slug"]: item for item in data["listings"]}
        types = {item["slug"]: item for item in data["listing_types"]}
        assert article["section"] == "trends-signals"
        blocks = [b["type"] for b in article["body"]]
        assert {"heading", "paragraph", "quote", "citation", "faq", "safety_note"} <= set(blocks)
        assert blocks.count("citation") >= 4
        groups = [b["value"] for b in article["body"] if b["type"] == "find_support"]
        assert [g.get("mode", "manual") for g in groups] == ["manual", "manual", "automatic"]
        assert {listings[s]["country"] for s in groups[0]["listings"]} == {"DE"}
        assert {listings[s]["country"] for s in groups[1]["listings"]} == {"GB"}
        for slug in groups[0]["listings"] + groups[1]["listings"]:
            assert listings[slug]["listing_type"] in ("couples-therapist", "psychologist")
        faq = next(b["value"] for b in article["body"] if b["type"] == "faq")
        assert len(faq["items"]) == 4
        safety = next(b["value"] for b in article["body"] if b["type"] == "safety_note")
        assert safety["advises_against_joint_sessions"] is True
        quote = next(b["value"] for b in article["body"] if b["type"] == "quote")
        assert "LMFT" in quote["credential"]
        for block in article["body"]:
            if block["type"] == "citation":
                assert not block["value"].get("doi") and block["value"]["url"].startswith(
                    "https://example.org/"
                )
        assert len(article["editorial_picks"]) >= 3 and article["reviews"]
        assert types["product-brand"]["is_clinical"] is False
        assert types["couples-therapist"]["offers_joint_sessions"] is True
        assert types["crisis-helpline"]["is_crisis_resource"] is True


@pytest.mark.django_db
class TestLoadDemo:
    def counts(self) -> dict[str, int]:
        return {
            "pages": Page.objects.count(),
            "revisions": Revision.objects.count(),
            "images": get_image_model().objects.count(),
            "people": Person.objects.count(),
            "listings": Listing.objects.count(),
            "users": get_user_model().objects.count(),
            "reviews": ExpertReview.objects.count(),
            "topics": Topic.objects.count(),
        }

    def test_loads_a_complete_demo_and_a_second_run_changes_nothing(self):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        first = self.counts()

        assert Site.objects.get(is_default_site=True).site_name == "Clear Mind Journal"
        titles = list(get_image_model().objects.values_list("title", flat=True))
        assert not [t for t in titles if t.lower().startswith("demo")]
        home = HomePage.objects.get()
        assert home.lead_story.slug == FLAGSHIP

        articles = ArticlePage.objects.live()
        assert articles.count() >= 21
        assert SectionPage.objects.live().count() >= 4
        assert Topic.objects.count() >= 12 and Topic.objects.filter(is_sensitive=True).count() >= 2
        assert articles.filter(is_sensitive=True).exists()
        assert Listing.objects.count() >= 30
        assert Listing.objects.values("country").distinct().count() >= 5
        assert ListingType.objects.filter(listings__isnull=False).distinct().count() >= 6
        assert (
            Listing.objects.filter(is_active=False).exists()
            and Listing.objects.filter(verified=False).exists()
        )
        assert Listing.objects.exclude(commercial_relationship="none").count() >= 2
        assert all(a.hero_image_id for a in articles)
        assert all(p.photo_id for p in Person.objects.all())

        flagship = ArticlePage.objects.get(slug=FLAGSHIP)
        assert flagship.last_review.reviewer.slug == "ines-marwood"
        assert flagship.last_review.reviewer.shows_board_badge
        assert flagship.last_review.summary
        statuses = [a.review_status for a in articles.select_related("last_review")]
        assert statuses.count("not_reviewed") == 2
        # The demo's sections require review; its two unreviewed articles went out under an
        # override the package carries (issue 12, finding 6), and the byline stays off them.
        assert not SectionPage.objects.filter(expert_review_required=False).exists()
        overridden = {o.article.slug for o in PublishOverride.objects.select_related("article")}
        assert overridden == {"therapy-apps-under-the-microscope", "breathwork-hype-and-evidence"}
        assert all(o.recorded_by is None and o.reason for o in PublishOverride.objects.all())
        assert "review_overdue" in statuses
        assert "changed_since_review" not in statuses
        assert Person.objects.filter(is_reviewer=True, is_board_member=True).count() >= 3
        assert not Person.objects.get(slug="beatrix-solheim").shows_board_badge
        assert Person.objects.filter(is_author=True).count() >= 4

        User = get_user_model()
        assert User.objects.get(username="admin").is_superuser
        assert User.objects.get(username="author").groups.filter(name="Authors").exists()
        assert User.objects.get(username="editor").groups.filter(name="Editors").exists()
        reviewer = User.objects.get(username="reviewer")
        assert reviewer.groups.filter(name="Expert reviewers").exists()
        assert reviewer.person.slug == "ines-marwood"
        assert reviewer.check_password("demo-reviewer-pass")
        table = out.getvalue()
        assert "reviewer" in table and "demo-reviewer-pass" in table and "demo-admin-pass" in table

        call_command("load_demo", stdout=io.StringIO())
        assert self.counts() == first

    def test_no_demo_accounts_unless_the_settings_allow_them(self, settings, monkeypatch):
        from website.management.commands import load_demo

        settings.WELLNESS_DEMO_ACCOUNTS = False
        # The content part is covered above; here only the accounts matter.
        monkeypatch.setattr(
            load_demo,
            "import_demo_content",
            lambda data: (data, SimpleNamespace(summary=lambda: "skipped")),
        )
        monkeypatch.setattr(load_demo, "add_demo_images", lambda data: None)
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        assert "Demo content: skipped" in out.getvalue()
        assert not get_user_model().objects.exists()
        assert "Demo accounts" not in out.getvalue()
