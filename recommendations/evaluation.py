"""Measuring the engine on judged examples: nDCG@5, precision@5, the off-topic rate, hard-filter
violations, catalogue coverage and exposure spread, and a plain TF-IDF baseline for related articles.

Two sets ship (``SETS``):

- ``demo`` (``recommendations/judgments/demo.json``): judgments over the demo content that
  ``load_demo`` writes, by the rubric in docs/recommendations.md ("The judged set"): article → article
  grades and article + reader context → practitioner grades (2: should come first; 1: reasonable;
  0: not relevant, written out where a candidate is a trap);
- ``fictional`` (``tests/fixtures/recommendations_eval.json``): its own fictional articles and
  listings with the judgments, written into the database by ``load_evaluation_set``.

``load_judged_set`` writes either into the database; ``evaluate`` runs a backend over it. The
hard-filter check and the TF-IDF baseline here are written independently of the ranking code on
purpose, so that a bug in one is not hidden by the same bug in the other.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

DEFAULT_SET = Path(settings.BASE_DIR) / "tests" / "fixtures" / "recommendations_eval.json"
DEMO_SET = Path(__file__).resolve().parent / "judgments" / "demo.json"
SETS = {"demo": DEMO_SET, "fictional": DEFAULT_SET}
K = 5
GRID_COUNTRIES = (None, "DE", "GB", "FR", "US")
GRID_MODALITIES = (None, "in_person", "online")
GRID_LANGUAGES = (None, "de", "en")
# A smaller grid for quick runs: every modality, fewer countries and languages, one week of rotation.
QUICK_GRID = ((None, "DE", "GB"), GRID_MODALITIES, (None, "de"))


def ndcg_at_k(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** grades.get(slug, 0) - 1) / math.log2(i + 2) for i, slug in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision_at_k(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """Relevant results in the top ``k``, out of ``min(k, number of relevant items)``: an
    article with two relevant listings can score 1.0 when both come first."""
    relevant = [s for s, g in grades.items() if g > 0]
    if not relevant:
        return 0.0
    return sum(1 for slug in ranked[:k] if grades.get(slug, 0) > 0) / min(k, len(relevant))


def violation(listing, context, *, advises_against_joint: bool, include_products: bool = False) -> str | None:
    """Independent statement of the hard filters, on a listing's stored fields (a ``Listing`` or
    the ``ListingCard`` row a suggestion carries: both read as the model's columns, not as the
    ranking's ``ListingView``)."""
    lt = listing.listing_type
    if not listing.is_active or not listing.verified:
        return "inactive or unverified"
    if not lt.is_clinical and not include_products:
        return "product"
    if advises_against_joint and lt.offers_joint_sessions:
        return "joint sessions"
    country, modality = getattr(context, "country", None), getattr(context, "modality", None)
    if modality == "online" and not listing.offers_online:
        return "not online"
    if modality == "in_person" and (not listing.offers_in_person or (country and listing.country != country)):
        return "not in person in the reader's country"
    if country and listing.country != country and not listing.offers_online:
        return "unreachable: in person abroad"
    return None


# --- loading -------------------------------------------------------------------------------------


def set_path(name_or_path: str | Path) -> Path:
    """The file of a shipped set by name (``SETS``), or the path given."""
    return SETS.get(str(name_or_path), Path(name_or_path))


def load_judged_set(name_or_path: str | Path = "demo", *, demo_loader=None) -> dict:
    """Writes a judged set's content into the database and returns the parsed set, with
    ``articles`` and ``listings`` (the slugs it is about) filled in for ``evaluate``.

    A set whose ``content`` is ``"demo"`` is judged over the demo content, which ``demo_loader``
    writes and returns as its content package (``website.demo.import_demo_content``: the demo touches apps
    above this one, so the caller passes it in); any other set carries its own articles and
    listings (``load_evaluation_set``)."""
    path = set_path(name_or_path)
    data = json.loads(path.read_text())
    if data.get("content") != "demo":
        return load_evaluation_set(path)
    if demo_loader is None:
        raise ValueError(f"{path.name} is judged over the demo content: pass demo_loader")
    package, _ = demo_loader()
    data["articles"] = [{"slug": a["slug"]} for a in package["articles"]]
    data["listings"] = [{"slug": item["slug"]} for item in package["listings"]]
    return data


def load_evaluation_set(path: Path | str = DEFAULT_SET) -> dict:
    """Creates the set's vocabulary, listings and published articles; returns the parsed set."""
    from wagtail.models import Page, Site

    from articles.models import ArticleAuthor, ArticlePage, HomePage, SectionPage
    from experts.models import Approach, Language, Listing, ListingType, Person, Topic

    from .concepts import ensure_default_vocabulary

    data = json.loads(Path(path).read_text())
    topics = {}
    for t in data["topics"]:
        topics[t["name"]], _ = Topic.objects.get_or_create(
            name=t["name"],
            defaults={
                "slug": slugify(t["name"]),
                "synonyms": t.get("synonyms", ""),
                "is_sensitive": t.get("is_sensitive", False),
            },
        )
    approaches = {}
    for a in data["approaches"]:
        approaches[a["name"]], _ = Approach.objects.get_or_create(
            name=a["name"], defaults={"slug": slugify(a["name"]), "synonyms": a.get("synonyms", "")}
        )
    types = {}
    for lt in data["listing_types"]:
        fields = {k: v for k, v in lt.items() if k != "name"}
        types[lt["name"]], _ = ListingType.objects.get_or_create(
            name=lt["name"], defaults={"slug": slugify(lt["name"]), **fields}
        )
    # The shipped concepts, linked to the set's topics and listing types by slug.
    ensure_default_vocabulary()
    for item in data["listings"]:
        listing = Listing.objects.create(
            name=item["name"],
            slug=item["slug"],
            listing_type=types[item["type"]],
            country=item["country"],
            city=item.get("city", ""),
            offers_in_person=item["in_person"],
            offers_online=item["online"],
            latitude=item.get("lat"),
            longitude=item.get("lon"),
            summary=f"{item['name']}: {item['type'].lower()}.",
            verified=item.get("verified", True),
            verified_on=datetime.date(2026, 1, 5),
            is_active=item.get("active", True),
            commercial_relationship=item.get("commercial", "none"),
        )
        listing.languages.set(Language.objects.filter(code__in=item["languages"]))
        listing.specialties.set([topics[n] for n in item["specialties"]])
        listing.approaches.set([approaches[n] for n in item["approaches"]])
        listing.save()  # parental many-to-many relations are written on save

    home = HomePage.objects.first()
    if home is None:
        home = Page.get_first_root_node().add_child(instance=HomePage(title="Home", slug="eval-home"))
        if not Site.objects.exists():
            Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    sections = {}
    for title in data["sections"]:
        # A measuring corpus, published directly: no expert review gate (articles.publishing).
        section = SectionPage(title=title, slug=slugify(title), expert_review_required=False)
        home.add_child(instance=section)
        section.save_revision().publish()
        sections[title] = section
    people = {}
    stream = ArticlePage._meta.get_field("body").stream_block
    for a in data["articles"]:
        if a["author"] not in people:
            people[a["author"]], _ = Person.objects.get_or_create(
                slug=f"eval-{slugify(a['author'])}", defaults={"name": a["author"], "is_author": True}
            )
        raw = [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in a["paragraphs"]]
        if a.get("safety_note"):
            note = a["safety_note"]
            raw.append(
                {
                    "type": "safety_note",
                    "value": {
                        "title": "When to seek other help first",
                        "text": f"<p>{note['text']}</p>",
                        "advises_against_joint_sessions": note["advises_against_joint_sessions"],
                        "resource_label": "Find crisis support",
                        "resource_url": "",
                    },
                }
            )
        raw.append(
            {
                "type": "faq",
                "value": {
                    "title": "FAQ",
                    "items": [
                        {
                            "question": "Is this article medical advice?",
                            "answer": f"<p>{data['faq_boilerplate']}</p>",
                        }
                    ],
                },
            }
        )
        page = ArticlePage(
            title=a["title"],
            slug=a["slug"],
            standfirst=a["standfirst"],
            is_sensitive=a.get("is_sensitive", False),
            body=stream.to_python(raw),
        )
        sections[a["section"]].add_child(instance=page)
        ArticleAuthor.objects.create(page=page, person=people[a["author"]], sort_order=0)
        for name in a["topics"]:
            page.topics.add(topics[name])
        page.save()
        page.save_revision().publish()
    return data


# --- evaluating ----------------------------------------------------------------------------------


@dataclass
class Report:
    backend: str
    judged_set: str = ""
    related_ndcg: float = 0.0
    related_precision: float = 0.0
    related_ndcg_with_picks: float = 0.0
    related_baseline_ndcg: float = 0.0
    support_ndcg: float = 0.0
    support_precision: float = 0.0
    off_topic_rate: float = 0.0
    cards_shown: int = 0
    hard_filter_violations: int = 0
    requests_checked: int = 0
    coverage: float = 0.0
    exposure_spread: float = 1.0
    per_article: dict = field(default_factory=dict)
    off_topic: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            k: round(v, 3) if isinstance(v, float) else v
            for k, v in self.__dict__.items()
            if k not in ("per_article", "off_topic")
        }

    def lines(self) -> list[str]:
        return [
            f"backend: {self.backend}  set: {self.judged_set}",
            f"related articles  nDCG@5 {self.related_ndcg:.3f}  precision@5 {self.related_precision:.3f}"
            f"  (TF-IDF cosine baseline nDCG@5 {self.related_baseline_ndcg:.3f};"
            f" with editorial picks {self.related_ndcg_with_picks:.3f})",
            f"find support      nDCG@5 {self.support_ndcg:.3f}  precision@5 {self.support_precision:.3f}",
            f"off-topic rate: {self.off_topic_rate:.3f} ({round(self.off_topic_rate * self.cards_shown)}"
            f" of {self.cards_shown} cards shown judged not relevant)",
            f"hard-filter violations: {self.hard_filter_violations} in {self.requests_checked} requests",
            f"catalogue coverage: {self.coverage:.3f} of eligible listings suggested at least once",
            f"exposure spread: {self.exposure_spread:.3f} (share of tied listings rotated in)",
        ]


def _context(d: dict):
    from .interface import ReaderContext

    return ReaderContext(
        country=d.get("country"),
        language=d.get("language"),
        modality=d.get("modality"),
        near=tuple(d["near"]) if d.get("near") else None,
    )


def support_grades(case: dict) -> dict[str, int]:
    """A case's grades: ``grades`` (explicit zeros included) or, in the older format, ``relevant``."""
    return case.get("grades", case.get("relevant", {}))


def off_topic_cards(ranked: list[str], grades: dict[str, int]) -> list[str]:
    """Cards shown that the judges graded 0 or did not grade: every shown card must be judged
    relevant to count as on topic."""
    return [slug for slug in ranked if grades.get(slug, 0) <= 0]


def advises_against_joint(article, sensitive_topic_ids: set[int]) -> bool:
    """Whether the joint-format exclusion applies: a sensitive article (flagged, or tagged with a
    sensitive topic) whose safety note advises against joint sessions. Restated from the rule in
    docs/recommendations.md, not imported from the ranking code."""
    sensitive = article.is_sensitive or bool(
        sensitive_topic_ids & set(article.topics.values_list("pk", flat=True))
    )
    return sensitive and any(
        block.block_type == "safety_note" and block.value.get("advises_against_joint_sessions")
        for block in article.body or []
    )


def evaluate(data: dict, backend, *, day: datetime.date | None = None, quick: bool = False) -> Report:
    """Runs ``backend`` over the judged requests and the context grid of ``data``."""
    from articles.models import ArticlePage
    from experts.models import Listing, ListingType, Topic

    from .interface import ReaderContext

    day = day or datetime.date(2026, 11, 26)
    report = Report(backend=backend.name, judged_set=data.get("name", "fictional"))
    articles = {a.slug: a for a in ArticlePage.objects.filter(slug__in=[a["slug"] for a in data["articles"]])}

    ndcgs, precisions, with_picks = [], [], []
    for slug, grades in data["related_judgments"].items():
        ranked = [r.article.slug for r in backend.related_articles(articles[slug], limit=K, with_picks=False)]
        ndcgs.append(ndcg_at_k(ranked, grades))
        precisions.append(precision_at_k(ranked, grades))
        shown = [r.article.slug for r in backend.related_articles(articles[slug], limit=K)]
        with_picks.append(ndcg_at_k(shown, grades))
        report.per_article[f"related {slug}"] = ranked
    report.related_ndcg = sum(ndcgs) / len(ndcgs)
    report.related_precision = sum(precisions) / len(precisions)
    report.related_ndcg_with_picks = sum(with_picks) / len(with_picks)
    baseline = TfidfBaseline(list(articles.values()))
    report.related_baseline_ndcg = sum(
        ndcg_at_k(baseline.ranked(slug, K), grades) for slug, grades in data["related_judgments"].items()
    ) / len(data["related_judgments"])

    ndcgs, precisions = [], []
    types = dict(ListingType.objects.values_list("slug", "pk"))
    for case in data["support_judgments"]:
        grades = support_grades(case)
        result = backend.find_support(
            articles[case["article"]],
            context=_context(case["context"]),
            listing_type=types[case["listing_type"]] if case.get("listing_type") else None,
            count=K,
            day=day,
        )
        ranked = [s.listing.slug for s in result.suggestions]
        ndcgs.append(ndcg_at_k(ranked, grades))
        precisions.append(precision_at_k(ranked, grades))
        report.cards_shown += len(ranked)
        label = f"support {case['article']} {case['context']}" + (
            f" {case['listing_type']}" if case.get("listing_type") else ""
        )
        report.off_topic += [f"{label}: {slug}" for slug in off_topic_cards(ranked, grades)]
        report.per_article[label] = ranked
    report.support_ndcg = sum(ndcgs) / len(ndcgs)
    report.support_precision = sum(precisions) / len(precisions)
    report.off_topic_rate = len(report.off_topic) / report.cards_shown if report.cards_shown else 0.0

    sensitive_topics = set(Topic.objects.filter(is_sensitive=True).values_list("pk", flat=True))
    advising = {slug for slug, page in articles.items() if advises_against_joint(page, sensitive_topics)}
    served: set[int] = set()
    if quick:
        countries, modalities, languages = QUICK_GRID
    else:
        countries = tuple(data.get("grid_countries", GRID_COUNTRIES))
        languages = tuple(data.get("grid_languages", GRID_LANGUAGES))
        modalities = GRID_MODALITIES
    for slug, article in articles.items():
        for country in countries:
            for modality in modalities:
                for language in languages:
                    context = ReaderContext(country=country, language=language, modality=modality)
                    result = backend.find_support(article, context=context, count=3, day=day)
                    report.requests_checked += 1
                    for s in result.suggestions:
                        served.add(s.listing.pk)
                        if violation(s.listing, context, advises_against_joint=slug in advising):
                            report.hard_filter_violations += 1
    eligible = Listing.objects.filter(
        is_active=True,
        verified=True,
        listing_type__is_clinical=True,
        slug__in=[item["slug"] for item in data["listings"]],
    )
    eligible_ids = set(eligible.values_list("pk", flat=True))
    report.coverage = len(served & eligible_ids) / len(eligible_ids) if eligible_ids else 0.0
    report.exposure_spread = exposure_spread(
        backend, list(articles.values()), day=day, days=7 if quick else 28
    )
    return report


# --- the baseline ---------------------------------------------------------------------------------

_BASELINE_WORD = re.compile(r"[a-z]{3,}")
_BASELINE_STOP = frozenset(
    """the and for are but not you your with that this from they them their have has had was were
    will would can could what when where which who how about into than then there these those
    been being its our out all any more most some such only also very just over""".split()
)


class TfidfBaseline:
    """Plain TF-IDF cosine over each article's whole text (title, standfirst, body), no field
    weights, no stemming, no topics, no sections: the yardstick a related-articles model must beat.
    Written here, apart from the ranking code, so that it stays the plain method."""

    def __init__(self, articles):
        from articles.text import body_plain_text

        counts = {
            a.slug: Counter(
                w
                for w in _BASELINE_WORD.findall(
                    " ".join([a.title, a.standfirst or "", body_plain_text(a.body)]).lower()
                )
                if w not in _BASELINE_STOP
            )
            for a in articles
        }
        df: Counter[str] = Counter()
        for words in counts.values():
            df.update(words.keys())
        n = len(counts)
        self.vectors = {}
        for slug, words in counts.items():
            vector = {w: c * math.log(n / df[w]) for w, c in words.items() if df[w] < n}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            self.vectors[slug] = {w: v / norm for w, v in vector.items()}

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        return sum(v * vb.get(w, 0.0) for w, v in va.items())

    def ranked(self, slug: str, k: int = K) -> list[str]:
        others = [o for o in self.vectors if o != slug]
        others.sort(key=lambda o: (-self.similarity(slug, o), o))
        return others[:k]


def exposure_spread(backend, articles, *, day: datetime.date, days: int = 28, count: int = 2) -> float:
    """Of the listings tied at the last shown slot, the share that got shown at least once over ``days``
    (1.0: everyone who ties gets a turn). Requests without a tie at the cut are not counted."""
    shares = []
    for article in articles:
        full = backend.find_support(article, context=None, count=50, day=day).suggestions
        if len(full) <= count:
            continue
        cut = round(full[count - 1].score, 2)
        tied = {s.listing.pk for s in full if round(s.score, 2) == cut}
        above = sum(1 for s in full if round(s.score, 2) > cut)
        if len(tied) <= count - above:
            continue
        shown: Counter[int] = Counter()
        for offset in range(days):
            result = backend.find_support(
                article, context=None, count=count, day=day + datetime.timedelta(days=offset)
            )
            shown.update(s.listing.pk for s in result.suggestions if s.listing.pk in tied)
        shares.append(len(shown) / len(tied))
    return sum(shares) / len(shares) if shares else 1.0
