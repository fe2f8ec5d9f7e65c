"""``load_demo``: the demo site is complete, our own words, and loading it twice changes nothing."""

from __future__ import annotations

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
from wagtail.models import Page, Revision

from articles.bundle import schema_errors
from articles.models import ArticlePage, ExpertReview, SectionPage
from experts.models import Listing, ListingType, Person, Topic

DEMO = Path(settings.BASE_DIR) / "website" / "fixtures" / "demo-content.json"
REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference" / "seed-article-page.txt"
FLAGSHIP = "after-the-breach-couples-therapy-and-rebuilding-trust"

# Used when the shared reference page is not beside the checkout: sentences and names from it
# that the demo must never contain.
REFERENCE_PHRASES = [
    "Love After the Rupture",
    "Love is complicated. When trust is broken many people do not want to walk away",
    "Couples therapists or marriage counselors are experts at helping to repair and rebuild trust",
    "Research shows that 70 to 80% of couples who take part in couples counseling",
    "Trust in a relationship is foundational to emotional safety and intimacy",
    "being harmed by the intentional actions or omissions of a trusted person",
    "It's rebuilt in hundreds of small moments where someone shows up differently than before",
    "you can't heal from something you won't name",
    "Forgiveness as a Process, Not a Demand",
    "Conclusion: Trust Can Be Rebuilt — With Support",
    "There is no timeline for rebuilding trust. Each couple and individual is unique",
]
REFERENCE_NAMES = [
    "Reichelt",
    "Nagler",
    "Julianna Markus",
    "Sciandra",
    "Gemma Autumn",
    "Boekhout",
    "Pedlingham",
    "Kayla Crane",
    "Stephanie Price",
    "Steinzeig",
    "Angermeier",
    "Snuffer",
]


def demo_data() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def words(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text.lower().replace("’", "'"))
    return re.findall(r"[a-z0-9']+", text)


def runs(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


class TestDemoBundleFile:
    def test_matches_the_schema(self):
        assert schema_errors(demo_data()) == []

    def test_does_not_copy_the_reference_page(self):
        demo_text = json.dumps(demo_data(), ensure_ascii=False)
        demo_runs = runs(words(demo_text), 10)
        if REFERENCE.exists():
            copied = demo_runs & runs(words(REFERENCE.read_text(encoding="utf-8")), 10)
            assert not copied, [" ".join(run) for run in sorted(copied)[:5]]
        else:
            for phrase in REFERENCE_PHRASES:
                phrase_words = words(phrase)
                assert not runs(phrase_words, min(10, len(phrase_words))) & runs(
                    words(demo_text), min(10, len(phrase_words))
                ), phrase
        for name in REFERENCE_NAMES:
            assert name.lower() not in demo_text.lower(), name

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
        from articles.management.commands import load_demo

        settings.WELLNESS_DEMO_ACCOUNTS = False
        # The content part is covered above; here only the accounts matter.
        monkeypatch.setattr(
            load_demo, "import_bundle", lambda data: SimpleNamespace(summary=lambda: "skipped")
        )
        monkeypatch.setattr(load_demo, "add_demo_images", lambda data: None)
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        assert "Demo content: skipped" in out.getvalue()
        assert not get_user_model().objects.exists()
        assert "Demo accounts" not in out.getvalue()
