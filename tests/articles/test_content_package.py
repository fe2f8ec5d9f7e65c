"""Content packages: validation with path-named errors, idempotent import, lossless export."""

from __future__ import annotations

import copy
import datetime
import io
import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.models import Page, Site

from articles.content_package import export_package, import_package, schema_errors, validate_package
from articles.models import ArticlePage, ExpertReview, HomePage, PublishOverride, SectionPage
from experts.models import Approach, Listing, ListingType, Person, Topic
from tests import factories

pytestmark = pytest.mark.django_db

# Recent enough that the imported review is current whenever the suite runs.
REVIEWED_AT = (timezone.now() - datetime.timedelta(days=3)).replace(microsecond=0)
REVIEWED_AT_JSON = REVIEWED_AT.isoformat().replace("+00:00", "Z")

PACKAGE = {
    "format": "wellness-content-package",
    "version": 1,
    "listing_types": [
        {"slug": "couples-therapist", "name": "Couples therapist", "offers_joint_sessions": True}
    ],
    "approaches": [{"slug": "eft", "name": "Emotionally Focused Therapy", "synonyms": ["EFT"]}],
    "topics": [
        {"slug": "trust", "name": "Trust", "synonyms": ["betrayal", "infidelity"]},
        {"slug": "abuse", "name": "Abuse", "is_sensitive": True},
    ],
    # Import mechanics are tested with the publishing gate off; TestPublishingGate turns it on.
    "sections": [
        {
            "slug": "trends-signals",
            "title": "Trends & Signals",
            "review_interval_months": 6,
            "expert_review_required": False,
        }
    ],
    "people": [
        {
            "slug": "mara-velde",
            "name": "Mara Velde",
            "honorific": "Dr.",
            "headline": "Psychologist",
            "roles": ["author", "reviewer"],
            "board_member": True,
            "expertise": ["trust"],
            "links": {"linkedin": "https://example.org/in/mara", "website": ""},
            "contact_email": "mara@example.org",
            "credentials": [
                {
                    "title": "PhD, Psychology",
                    "kind": "degree",
                    "country": "DE",
                    "verified_on": "2025-01-01",
                    "expires_on": "2035-01-01",
                    "licence_number": "X-1",
                }
            ],
        },
        {"slug": "zoe-brandt", "name": "Zoe Brandt", "roles": ["author"]},
    ],
    "listings": [
        {
            "slug": "anna-k",
            "name": "Anna K",
            "listing_type": "couples-therapist",
            "modalities": ["in_person", "online"],
            "country": "DE",
            "city": "Berlin",
            "languages": ["de", "en"],
            "specialties": ["trust"],
            "approaches": ["eft"],
            "summary": "Couples work in Berlin.",
            "verified": True,
            "verified_on": "2025-02-02",
            "latitude": 52.52,
            "longitude": 13.405,
            "commercial_relationship": "sponsored",
        },
    ],
    "articles": [
        {
            "slug": "rebuilding-trust",
            "section": "trends-signals",
            "title": "Rebuilding trust",
            "standfirst": "How couples repair.",
            "topics": ["trust"],
            "authors": ["zoe-brandt"],
            "published_at": "2026-01-27T09:00:00Z",
            "editorial_picks": ["second-article"],
            "body": [
                {"type": "heading", "value": {"text": "Where to start"}},
                {"type": "paragraph", "value": "<p>Trust grows back slowly.</p>"},
                {"type": "faq", "value": {"items": [{"question": "How long?", "answer": "<p>Months.</p>"}]}},
                {"type": "find_support", "value": {"listings": ["anna-k"]}},
                {"type": "find_support", "value": {"mode": "automatic", "listing_type": "couples-therapist"}},
                {
                    "type": "citation",
                    "value": {"title": "A study", "year": 2020, "url": "https://example.org/s"},
                },
                {
                    "type": "safety_note",
                    "value": {
                        "text": "<p>Not where there is abuse.</p>",
                        "advises_against_joint_sessions": True,
                    },
                },
                {"type": "quote", "value": {"text": "Small steps.", "speaker": "Jo", "credential": "LMFT"}},
            ],
            "reviews": [{"reviewer": "mara-velde", "reviewed_at": REVIEWED_AT_JSON, "summary": "Sound."}],
        },
        {
            "slug": "second-article",
            "section": "trends-signals",
            "title": "Second article",
            "standfirst": "More.",
            "authors": ["mara-velde"],
            "published_at": "2025-05-01",
            "editorial_picks": ["rebuilding-trust"],
            "is_sensitive": True,
            "topics": ["abuse"],
            "body": [{"type": "paragraph", "value": "<p>More words.</p>"}],
        },
    ],
}


def package() -> dict:
    return copy.deepcopy(PACKAGE)


def write(tmp_path, data, name="package.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def content_counts() -> dict[str, int]:
    return {
        "topics": Topic.objects.count(),
        "types": ListingType.objects.count(),
        "approaches": Approach.objects.count(),
        "people": Person.objects.count(),
        "listings": Listing.objects.count(),
        "sections": SectionPage.objects.count(),
        "articles": ArticlePage.objects.count(),
        "reviews": ExpertReview.objects.count(),
    }


def import_errors(tmp_path, data) -> str:
    """Runs the command on a bad package; returns its error after checking nothing was written."""
    before = content_counts()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_content", write(tmp_path, data), stderr=io.StringIO())
    assert content_counts() == before
    return str(excinfo.value)


class TestBadInput:
    def test_malformed_json_names_line_and_column(self, tmp_path):
        message = import_errors(tmp_path, '{\n  "topics": [\n    {"slug": "a",}\n  ]\n}')
        assert "invalid JSON at line 3, column" in message
        assert "nothing was imported" in message

    def test_unknown_block_type(self, tmp_path):
        data = package()
        data["articles"][0]["body"][1] = {"type": "video", "value": {"url": "x"}}
        message = import_errors(tmp_path, data)
        assert "articles[0].body[1].type: unknown block type 'video'" in message

    def test_missing_required_field_inside_a_block(self, tmp_path):
        data = package()
        del data["articles"][0]["body"][2]["value"]["items"][0]["question"]
        assert "articles[0].body[2].value.items[0].question: required" in import_errors(tmp_path, data)

    def test_unknown_author(self, tmp_path):
        data = package()
        data["articles"][1]["authors"] = ["nobody-at-all"]
        message = import_errors(tmp_path, data)
        assert "articles[1].authors[0]: unknown author 'nobody-at-all'" in message

    def test_reference_to_an_existing_database_row_is_accepted(self):
        factories.person("Ada Stone", slug="ada-stone")
        data = package()
        data["articles"][1]["authors"] = ["ada-stone"]
        assert validate_package(data) == []

    def test_invalid_country_and_language_codes(self, tmp_path):
        data = package()
        data["listings"][0]["country"] = "XX"
        data["listings"][0]["languages"] = ["de", "zz"]
        data["people"][0]["credentials"][0]["country"] = "de"
        message = import_errors(tmp_path, data)
        assert "listings[0].country: 'XX' is not an ISO 3166 alpha-2 country code" in message
        assert "listings[0].languages[1]: 'zz' is not an ISO 639-1 language code" in message
        assert "people[0].credentials[0].country: 'de' is not an ISO 3166" in message

    def test_bad_dates(self, tmp_path):
        data = package()
        data["articles"][0]["published_at"] = "2026-13-40"
        data["listings"][0]["verified_on"] = "yesterday"
        message = import_errors(tmp_path, data)
        assert "articles[0].published_at: '2026-13-40' is not a valid ISO 8601 date-time" in message
        assert "listings[0].verified_on: 'yesterday' is not a valid date" in message

    def test_inactive_listing_in_a_manual_group(self, tmp_path):
        data = package()
        data["listings"][0]["active"] = False
        message = import_errors(tmp_path, data)
        assert "articles[0].body[3].value.listings[0]: listing 'anna-k' is not active" in message

    def test_inactive_listing_from_the_database(self, tmp_path):
        factories.listing("Old Practice", slug="old-practice", is_active=False)
        data = package()
        data["articles"][0]["body"][3]["value"]["listings"] = ["old-practice"]
        assert "articles[0].body[3].value.listings[0]: listing 'old-practice' is not active" in import_errors(
            tmp_path, data
        )

    def test_duplicate_slugs(self, tmp_path):
        data = package()
        data["topics"].append({"slug": "trust", "name": "Trust again"})
        assert "topics[2].slug: duplicate slug 'trust' (also topics[0])" in import_errors(tmp_path, data)

    def test_every_error_is_reported_at_once(self, tmp_path):
        data = package()
        data["articles"][0]["body"][1] = {"type": "video", "value": {}}
        data["articles"][1]["authors"] = ["ghost"]
        data["listings"][0]["country"] = "ZZ"
        data["people"][0]["unexpected"] = 1
        message = import_errors(tmp_path, data)
        assert "4 problem(s)" in message
        for expected in (
            "articles[0].body[1].type",
            "articles[1].authors[0]",
            "listings[0].country",
            "people[0].unexpected: unknown field",
        ):
            assert expected in message

    def test_failure_while_writing_rolls_everything_back(self, tmp_path):
        data = package()
        data["people"][0]["contact_email"] = "not-an-email"
        message = import_errors(tmp_path, data)
        assert "people[0].contact_email: Enter a valid email address." in message
        assert not ListingType.objects.exists()

    def test_synonyms_are_list_items_without_commas(self):
        data = package()
        data["topics"][0]["synonyms"] = ["betrayal, infidelity"]
        assert schema_errors(data) == [
            "topics[0].synonyms[0]: a synonym cannot contain a comma (give each one as its own list item)"
        ]

    def test_schema_file_validates_the_shape(self):
        data = package()
        data["articles"][0]["body"][5]["value"]["doi"] = "doi:1234"
        assert schema_errors(data) == ['articles[0].body[5].value.doi: a DOI starts with "10."']


class TestImport:
    def test_places_and_publishes_the_content(self):
        import_package(package())
        home = HomePage.objects.get()
        assert Site.objects.get(is_default_site=True).root_page_id == home.pk
        assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()
        section = SectionPage.objects.get(slug="trends-signals")
        assert section.get_parent().pk == home.pk and section.live and section.review_interval_months == 6
        article = ArticlePage.objects.get(slug="rebuilding-trust")
        assert article.get_parent().pk == section.pk and article.live
        assert article.first_published_at.isoformat() == "2026-01-27T09:00:00+00:00"
        assert [b.block_type for b in article.body][:4] == ["heading", "paragraph", "faq", "find_support"]
        assert [listing.slug for listing in article.body[3].value["listings"]] == ["anna-k"]
        assert [p.picked.slug for p in article.editorial_picks.all()] == ["second-article"]
        assert [a.slug for a in article.authors] == ["zoe-brandt"]
        review = article.expert_reviews.get()
        assert review.source == ExpertReview.Source.IMPORTED and review.reviewer.slug == "mara-velde"
        assert article.review_status == "reviewed"
        listing = Listing.objects.get(slug="anna-k")
        assert listing.modalities == ["in_person", "online"] and str(listing.latitude) == "52.520000"
        assert Topic.objects.get(slug="abuse").is_sensitive
        assert Person.objects.get(slug="mara-velde").shows_board_badge

    def test_reimport_changes_nothing(self):
        import_package(package())
        revisions = {p.slug: p.revisions.count() for p in ArticlePage.objects.all()}
        before = content_counts()
        result = import_package(package())
        assert content_counts() == before
        assert {p.slug: p.revisions.count() for p in ArticlePage.objects.all()} == revisions
        assert all(c["created"] == 0 and c["updated"] == 0 for c in result.counts.values())

    def test_changed_article_gets_a_new_published_revision(self):
        import_package(package())
        data = package()
        data["articles"][0]["title"] = "Rebuilding trust, revised"
        data["listings"][0]["city"] = "Potsdam"
        result = import_package(data)
        assert result.counts["articles"] == {"created": 0, "updated": 1, "unchanged": 1}
        assert result.counts["listings"] == {"created": 0, "updated": 1, "unchanged": 0}
        article = ArticlePage.objects.get(slug="rebuilding-trust")
        assert article.title == "Rebuilding trust, revised" and article.revisions.count() == 2
        assert article.first_published_at.isoformat() == "2026-01-27T09:00:00+00:00"
        assert ArticlePage.objects.count() == 2 and Listing.objects.get().city == "Potsdam"
        # The imported review vouched for the earlier content.
        assert article.review_status == "changed_since_review"

    def test_progress_is_reported(self, tmp_path):
        stderr = io.StringIO()
        call_command("import_content", write(tmp_path, package()), "--progress-every", "1", stderr=stderr)
        lines = stderr.getvalue().splitlines()
        assert "articles: 1/2" in lines and "articles: 2/2" in lines and "listings: 1/1" in lines
        assert "articles: 2 created" in lines[-1]

    def test_reads_standard_input(self, monkeypatch):
        monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(package())))
        call_command("import_content", "-", stderr=io.StringIO())
        assert ArticlePage.objects.count() == 2


def wipe_content() -> None:
    for section in SectionPage.objects.all():
        section.delete()
    for model in (Person, Listing, Topic, Approach, ListingType):
        model.objects.all().delete()


class TestExport:
    def test_export_import_export_is_lossless(self, tmp_path):
        import_package(package())
        out = io.StringIO()
        call_command("export_content", "-", stdout=out)
        first = out.getvalue()
        assert validate_package(json.loads(first)) == []

        wipe_content()
        assert not ArticlePage.objects.exists()
        call_command("import_content", write(tmp_path, first), stderr=io.StringIO())
        out = io.StringIO()
        call_command("export_content", "-", stdout=out)
        assert out.getvalue() == first

    def test_export_carries_everything_imported(self):
        import_package(package())
        exported = export_package()
        article = next(a for a in exported["articles"] if a["slug"] == "rebuilding-trust")
        assert article["published_at"] == "2026-01-27T09:00:00Z"
        assert article["reviews"] == [
            {
                "reviewer": "mara-velde",
                "reviewed_at": REVIEWED_AT_JSON,
                "summary": "Sound.",
                "conflict_of_interest": "",
            }
        ]
        assert article["body"][3]["value"]["listings"] == ["anna-k"]
        assert article["body"][4]["value"]["listing_type"] == "couples-therapist"
        person = exported["people"][0]
        # Private fields travel too: export is an administrator's tool.
        assert person["contact_email"] == "mara@example.org"
        assert person["credentials"][0]["licence_number"] == "X-1"
        assert exported["topics"][1]["synonyms"] == ["betrayal", "infidelity"]

    def test_export_to_a_file(self, tmp_path):
        import_package(package())
        path = tmp_path / "out.json"
        call_command("export_content", str(path), stderr=io.StringIO())
        assert json.loads(path.read_text())["articles"][0]["slug"] == "rebuilding-trust"


class TestFormatName:
    """The file is a "content package"; files named by the format's earlier name still import."""

    def test_exports_write_the_package_format(self):
        import_package(package())
        assert export_package()["format"] == "wellness-content-package"

    def test_a_file_with_the_earlier_bundle_format_name_still_imports(self, tmp_path):
        data = {**package(), "format": "wellness-content-bundle"}
        assert validate_package(data) == []
        call_command("import_content", write(tmp_path, data), stdout=io.StringIO(), stderr=io.StringIO())
        assert ArticlePage.objects.live().filter(slug="rebuilding-trust").exists()

    def test_any_other_format_name_is_refused_naming_the_field(self, tmp_path):
        assert "format" in import_errors(tmp_path, {**package(), "format": "wellness-content"})


class TestListingCredentials:
    def test_credentials_round_trip_and_an_unchanged_file_changes_nothing(self):
        data = package()
        data["listings"][0]["credentials"] = "Registered psychologist, MSc Clinical Psychology"
        import_package(data)
        assert Listing.objects.get(slug="anna-k").credentials == data["listings"][0]["credentials"]
        exported = next(x for x in export_package()["listings"] if x["slug"] == "anna-k")
        assert exported["credentials"] == "Registered psychologist, MSc Clinical Psychology"
        assert import_package(data).counts["listings"]["updated"] == 0

    def test_overlong_credentials_are_an_error_naming_the_path(self, tmp_path):
        data = package()
        data["listings"][0]["credentials"] = "x" * 256
        assert "listings[0].credentials" in import_errors(tmp_path, data)


class TestIssue12Packages:
    """Findings of issue 12 on packages: hostile files, self-review, idempotence, carried dates."""

    def test_review_by_an_author_of_the_article_is_refused_with_its_path(self, tmp_path):
        data = package()
        data["articles"][0]["authors"] = ["zoe-brandt", "mara-velde"]
        message = import_errors(tmp_path, data)
        assert "articles[0].reviews[0].reviewer: 'mara-velde' is an author of this article" in message
        assert not ArticlePage.objects.exists() and not Person.objects.exists()

    def test_deeply_nested_json_is_a_clear_error(self, tmp_path):
        path = tmp_path / "deep.json"
        path.write_text(
            '{"format": "wellness-content-package", "version": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
        )
        with pytest.raises(CommandError) as e:
            call_command("import_content", str(path), stderr=io.StringIO())
        assert "nested" in str(e.value) and "nothing was imported" in str(e.value)

    def test_moderately_deep_json_is_refused_before_validation(self, tmp_path):
        data = package()
        data["articles"][0]["body"][0]["value"]["text"] = json.loads("[" * 60 + "]" * 60)
        message = import_errors(tmp_path, data)
        assert "nested more than 32 levels deep" in message
        assert "articles[0].body[0].value.text" in message

    def test_invalid_utf8_names_the_byte_offset(self, tmp_path):
        path = tmp_path / "latin1.json"
        raw = json.dumps(package(), ensure_ascii=False).encode("utf-8")
        offset = raw.index(b"Velde")
        path.write_bytes(raw[:offset] + b"\xe9" + raw[offset + 1 :])
        with pytest.raises(CommandError) as e:
            call_command("import_content", str(path), stderr=io.StringIO())
        assert f"not valid UTF-8 at byte offset {offset} (byte 0xe9)" in str(e.value)
        assert not Person.objects.exists()

    def test_size_limit_is_configurable_and_refuses_before_parsing(self, tmp_path, settings):
        path = write(tmp_path, package())
        size = len(open(path, "rb").read())
        settings.WELLNESS = {**settings.WELLNESS, "CONTENT_PACKAGE_MAX_BYTES": size - 1}
        with pytest.raises(CommandError) as e:
            call_command("import_content", path, stderr=io.StringIO())
        assert f"the file is {size:,} bytes, over the limit of {size - 1:,}" in str(e.value)
        assert not ArticlePage.objects.exists()
        call_command("import_content", path, "--max-bytes", str(size), stderr=io.StringIO())
        assert ArticlePage.objects.count() == 2

    def test_verified_listing_without_a_date_stays_without_one(self):
        data = package()
        del data["listings"][0]["verified_on"]
        import_package(data)
        assert Listing.objects.get(slug="anna-k").verified_on is None
        result = import_package(data)
        assert result.counts["listings"] == {"created": 0, "updated": 0, "unchanged": 1}
        assert Listing.objects.get(slug="anna-k").verified_on is None
        exported = next(x for x in export_package()["listings"] if x["slug"] == "anna-k")
        assert exported.get("verified_on") is None

    def test_updated_at_is_carried_into_json_ld_and_round_trips(self):
        from articles.jsonld import article_jsonld

        data = package()
        data["articles"][0]["updated_at"] = "2026-02-14T10:30:00Z"
        import_package(data)
        article = ArticlePage.objects.get(slug="rebuilding-trust")
        assert article.last_published_at.isoformat() == "2026-02-14T10:30:00+00:00"
        medical = next(
            d for d in article_jsonld(article, base_url="https://x.example/") if "dateModified" in d
        )
        assert medical["dateModified"] == "2026-02-14T10:30:00+00:00"
        assert medical["datePublished"] == "2026-01-27T09:00:00+00:00"
        # Without updated_at, a migrated article was last modified when first published, not at import.
        second = ArticlePage.objects.get(slug="second-article")
        assert second.last_published_at == second.first_published_at
        exported = {a["slug"]: a for a in export_package()["articles"]}
        assert exported["rebuilding-trust"]["updated_at"] == "2026-02-14T10:30:00Z"
        assert "updated_at" not in exported["second-article"]
        assert import_package(data).counts["articles"]["updated"] == 0

    def test_updated_before_published_is_refused(self, tmp_path):
        data = package()
        data["articles"][0]["updated_at"] = "2020-01-01T00:00:00Z"
        assert "articles[0].updated_at: an article cannot be updated before it was first published" in (
            import_errors(tmp_path, data)
        )


class TestPublishingGate:
    """Issue 12, finding 6: a section that requires review takes only reviewed (or overridden) text."""

    def gated(self) -> dict:
        data = package()
        data["sections"][0]["expert_review_required"] = True
        return data

    def test_article_without_review_is_refused_naming_its_path(self, tmp_path):
        message = import_errors(tmp_path, self.gated())
        assert "articles[1].reviews: section 'trends-signals' requires an expert review" in message
        assert not ArticlePage.objects.exists() and not ExpertReview.objects.exists()

    def test_reviewed_articles_and_overrides_are_published(self):
        data = self.gated()
        data["articles"][1]["publish_without_review"] = {"reason": "Carried over: published before review."}
        import_package(data)
        reviewed, overridden = (
            ArticlePage.objects.get(slug=s) for s in ("rebuilding-trust", "second-article")
        )
        assert reviewed.live and reviewed.review_status == "reviewed"
        assert overridden.live and overridden.last_review is None
        override = PublishOverride.objects.get()
        assert (override.article, override.recorded_by, override.reason) == (
            overridden,
            None,
            "Carried over: published before review.",
        )
        assert override.revision_id == overridden.live_revision_id
        assert SectionPage.objects.get(slug="trends-signals").expert_review_required

    def test_setting_and_override_round_trip_and_reimport_changes_nothing(self):
        data = self.gated()
        data["articles"][1]["publish_without_review"] = {"reason": "Published before review."}
        import_package(data)
        exported = export_package()
        assert exported["sections"][0]["expert_review_required"] is True
        second = next(a for a in exported["articles"] if a["slug"] == "second-article")
        assert second["publish_without_review"] == {"reason": "Published before review."}
        first = next(a for a in exported["articles"] if a["slug"] == "rebuilding-trust")
        assert "publish_without_review" not in first
        result = import_package(exported)
        assert all(c["created"] == 0 and c["updated"] == 0 for c in result.counts.values())
        assert PublishOverride.objects.count() == 1

    def test_changed_text_with_only_the_old_review_is_refused(self, tmp_path):
        data = self.gated()
        data["articles"][1]["publish_without_review"] = {"reason": "Published before review."}
        import_package(data)
        data["articles"][0]["title"] = "Rebuilding trust, rewritten"
        message = import_errors(tmp_path, data)
        assert "articles[0].reviews: section 'trends-signals' requires an expert review" in message
        assert ArticlePage.objects.get(slug="rebuilding-trust").title == "Rebuilding trust"
