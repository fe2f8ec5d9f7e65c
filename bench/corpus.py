"""A synthetic but realistic magazine, generated fast and deterministically for a seed.

The benchmark (``bench/``), the reliability runs and anyone who wants a big site to click through
use this through ``manage.py generate_corpus``, a command of the ``bench`` app, which only the bench
and reliability settings install: the generator and its word lists are no part of the production
apps. Everything comes from one ``random.Random(seed)``: the same seed and anchor date give the same
sections, topics, people, listings, articles, bodies and reviews.

Speed: ``Page.add_child`` plus ``save_revision().publish()`` costs dozens of queries per page. Here the
few sections go through the normal Wagtail path, but articles are written in batches: treebeard paths
are computed here (each section's children get consecutive steps after its current last child), base
``Page`` rows are bulk-inserted, the ``ArticlePage`` table rows are inserted without re-saving the
parents, and one published ``Revision`` per article is bulk-created and pointed at by
``latest_revision``/``live_revision``. Signals are not sent for those rows (nothing is indexed
inline); run ``rebuild_recommendations`` and ``update_index`` afterwards where they matter. The
content generation is renewed once, in the same transaction (``content_changed``).
"""

from __future__ import annotations

import datetime
import math
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page, Revision, Site

from articles.models import (
    WORDS_PER_MINUTE,
    ArticleAuthor,
    ArticlePage,
    ArticleTopic,
    EditorialPick,
    ExpertReview,
    HomePage,
    SectionPage,
)
from articles.reviews import add_months, content_fingerprint
from articles.text import body_plain_text
from experts.models import Approach, Credential, Language, Listing, ListingType, Person, Topic
from website.freshness import content_changed

ProgressCallback = Callable[[str, int, int], None]


class CorpusError(ValueError):
    """Arguments the generator cannot work with; the message names the argument."""


# --- Vocabulary -------------------------------------------------------------------------------------
# (name, sensitive, words that articles on the topic keep coming back to). The order is the topic's
# popularity rank: the first topics are tagged on many articles, the last on a handful (Zipf-like).
TOPICS: list[tuple[str, bool, str]] = [
    ("Anxiety", False, "worry nervousness calm breathing panic racing-thoughts grounding reassurance"),
    ("Sleep", False, "rest insomnia bedtime circadian-rhythm night dreams fatigue naps"),
    ("Couples therapy", False, "partner trust repair conflict intimacy communication relationship"),
    ("Stress", False, "pressure cortisol workload tension overwhelm recovery deadlines"),
    ("Depression", False, "mood low-energy hopelessness motivation withdrawal sadness"),
    ("Mindfulness", False, "attention present-moment awareness meditation breath noticing"),
    ("Relationships", False, "partner friendship closeness trust attachment conversation"),
    ("Psychedelic research", False, "psilocybin trial dose integration session clinical-setting"),
    ("Burnout", False, "exhaustion cynicism workplace recovery boundaries overwork"),
    ("Nutrition and mood", False, "diet omega-3 blood-sugar breakfast fibre mood food"),
    ("Exercise", False, "movement walking strength endorphins running routine"),
    ("Grief", False, "loss mourning bereavement memory sorrow remembrance"),
    ("Trauma", True, "safety flashbacks nervous-system healing triggers memory"),
    ("Parenting", False, "children toddlers teenagers routines patience family"),
    ("Loneliness", False, "isolation connection belonging community friendship"),
    ("Self-compassion", False, "kindness inner-critic acceptance warmth forgiveness"),
    ("Breathwork", False, "exhale diaphragm pace vagus-nerve breath practice"),
    ("Gut health", False, "microbiome digestion fermented-food fibre inflammation"),
    ("Resilience", False, "coping adversity flexibility recovery strengths"),
    ("Attachment", False, "secure-base caregivers closeness avoidance reassurance"),
    ("Work-life balance", False, "workload evenings boundaries commuting rest schedule"),
    ("ADHD", False, "focus distraction planning hyperfocus diagnosis medication"),
    ("Chronic pain", False, "pain flare-ups fatigue pacing nervous-system coping"),
    ("Emotional regulation", False, "feelings anger naming soothing impulses reactions"),
    ("Ketamine therapy", False, "infusion dose clinic integration rapid-relief protocol"),
    ("Microdosing", False, "sub-perceptual dose protocol expectancy placebo routine"),
    ("Social media", False, "scrolling comparison notifications screen-time feeds"),
    ("Menopause", False, "hormones hot-flushes sleep mood midlife"),
    ("Boundaries", False, "saying-no limits respect expectations guilt"),
    ("Infidelity", False, "affair betrayal trust disclosure repair forgiveness"),
    ("Addiction", False, "cravings relapse recovery habit substance support"),
    ("Postpartum mental health", False, "newborn postnatal mood sleep-loss support"),
    ("Perfectionism", False, "standards self-criticism procrastination fear-of-failure"),
    ("Nature therapy", False, "forest outdoors green-space walking sunlight"),
    ("Journaling", False, "writing reflection gratitude prompts notebook"),
    ("Ageing well", False, "later-life memory purpose mobility curiosity"),
    ("Domestic abuse", True, "coercive-control safety abuse leaving advocacy protection"),
    ("Self-harm", True, "urges safety support wounds crisis recovery"),
    ("Eating disorders", True, "restriction bingeing body-image recovery meals"),
    ("Suicide prevention", True, "crisis helpline warning-signs safety-plan hope"),
]

GENERAL_WORDS = (
    "wellbeing habits routine daily-life research evidence clinicians patients readers studies brain body "
    "support practice change balance energy focus health emotions thoughts feelings growth healing care "
    "therapy sessions symptoms progress patterns questions choices values environment"
).split()

VERBS = (
    "shapes",
    "supports",
    "affects",
    "eases",
    "predicts",
    "strengthens",
    "disrupts",
    "softens",
    "changes",
    "protects",
)
ADJECTIVES = (
    "small",
    "steady",
    "gentle",
    "surprising",
    "lasting",
    "everyday",
    "early",
    "quiet",
    "practical",
    "measurable",
    "common",
    "subtle",
)
SENTENCES = (
    "{Adj} changes in {a} often {verb} {b} more than people expect.",
    "Researchers who followed {n} adults found that {a} {verb} {b} over several months.",
    "For many readers, {a} is the first sign that {b} needs attention.",
    "Clinicians describe {a} and {b} as two sides of the same pattern.",
    "A {adj} routine around {a} can make {b} easier to manage.",
    "There is no single fix for {a}, but {adj} steps with {b} add up.",
    "When {a} improves, {b} tends to follow, according to several studies.",
    "It helps to notice how {a} shows up before trying to change {b}.",
    "The evidence on {a} is still young, yet its link with {b} keeps appearing.",
    "Talking openly about {a} makes it easier to ask for help with {b}.",
    "Most people underestimate how much {a} {verb} their {b}.",
    "Small experiments with {a} show whether {b} is really the issue.",
)
TITLES = (
    "How {a} {verb} {b}",
    "The quiet link between {a} and {b}",
    "What experts want you to know about {t}",
    "Why {a} matters more than you think",
    "{n} ways to work with {a}",
    "{T}: what the research says about {a}",
    "A practical guide to {a} and {b}",
    "When {a} gets in the way of {b}",
    "Rethinking {a} in {t}",
    "{T} and {b}: a closer look",
)
HEADINGS = (
    "What the research says",
    "How {a} shows up",
    "Where {b} fits in",
    "Small steps to start with",
    "When to talk to a professional",
    "{A} in everyday life",
    "Common myths about {a}",
    "What to try this week",
    "How {a} and {b} connect",
    "Questions to ask yourself",
)
QUESTIONS = (
    "Is {a} the same as {b}?",
    "How long does it take for {a} to improve?",
    "Can {a} affect {b}?",
    "Should I see a professional about {a}?",
    "What is the first step with {a}?",
    "Does {t} change with age?",
)
CREDENTIALS = (
    "Licensed Marriage and Family Therapist (LMFT)",
    "Clinical psychologist",
    "Psychiatrist, MD",
    "Registered dietitian",
    "Sleep researcher, PhD",
    "Neuroscientist, PhD",
    "Certified yoga therapist",
    "Counselling psychologist",
    "Professor of public health",
)
JOURNALS = (
    "Journal of Everyday Wellbeing",
    "Clinical Mind Reports",
    "Review of Behavioural Health",
    "Sleep and Mood Quarterly",
    "Annals of Integrative Care",
    "Relationships Research Letters",
)
STUDY_TYPES = ("randomised trial", "cohort study", "systematic review", "pilot study", "meta-analysis")
FIRST_NAMES = (
    "Amara",
    "Lena",
    "Jonas",
    "Priya",
    "Mateo",
    "Sofia",
    "Kenji",
    "Noor",
    "Elias",
    "Hana",
    "Tomasz",
    "Ines",
    "Oskar",
    "Leila",
    "Rafael",
    "Mei",
    "Aidan",
    "Freya",
    "Samuel",
    "Yara",
    "Nikolai",
    "Chloe",
    "Dario",
    "Astrid",
    "Kwame",
    "Maren",
    "Felix",
    "Zainab",
    "Luca",
    "Ingrid",
)
SURNAMES = (
    "Okafor",
    "Brandt",
    "Lindqvist",
    "Raman",
    "Delgado",
    "Moreau",
    "Tanaka",
    "Haddad",
    "Novak",
    "Kowalski",
    "Ferreira",
    "Berg",
    "Nakamura",
    "Osei",
    "Castillo",
    "Lehmann",
    "Quinn",
    "Varga",
    "Sato",
    "Adeyemi",
    "Holm",
    "Rossi",
    "Fischer",
    "Mendes",
    "Eriksen",
    "Bianchi",
    "Larsen",
    "Petrov",
    "Walsh",
    "Duarte",
)
HONORIFICS = ("", "", "Dr.", "Dr.", "Prof.")
HEADLINES = (
    "Clinical psychologist and writer on {t}",
    "Researcher in {t} and {u}",
    "Journalist covering {t}",
    "Psychiatrist with a focus on {t}",
    "Therapist working with {t} and {u}",
)
SECTIONS = (
    ("Trends & Signals", 12, "New findings and what they mean for everyday life."),
    ("Altered Healing", 6, "Psychedelic research, clinics and integration, read critically."),
    ("Love & Relationships", 12, "Couples, families and friendships."),
    ("Mind", 12, "Moods, thoughts and the habits around them."),
    ("Body", 18, "Sleep, movement, food and the nervous system."),
    ("Life Stages", 24, "Parenting, midlife and ageing."),
    ("Support & Safety", 6, "When to get help, and where."),
    ("Practice", 18, "Exercises and routines to try."),
)
APPROACHES = (
    ("Emotionally Focused Therapy", "EFT"),
    ("Gottman Method", "Gottman"),
    ("Integrative Behavioral Couple Therapy", "IBCT"),
    ("Acceptance and Commitment Therapy", "ACT"),
    ("Cognitive Behavioural Therapy", "CBT"),
    ("Dialectical Behaviour Therapy", "DBT"),
    ("EMDR", "Eye Movement Desensitisation and Reprocessing"),
    ("Schema Therapy", ""),
    ("Psychodynamic Therapy", ""),
    ("Mindfulness-Based Cognitive Therapy", "MBCT"),
    ("Somatic Experiencing", "SE"),
    ("Internal Family Systems", "IFS"),
    ("Compassion-Focused Therapy", "CFT"),
    ("Narrative Therapy", ""),
)
# (name, kind, clinical, crisis resource, joint sessions, weight)
LISTING_TYPES = (
    ("Psychologist", "individual", True, False, False, 18),
    ("Psychotherapist", "individual", True, False, False, 16),
    ("Couples therapist", "individual", True, False, True, 12),
    ("Family therapist", "individual", True, False, True, 5),
    ("Counsellor", "individual", True, False, False, 12),
    ("Psychiatrist", "individual", True, False, False, 6),
    ("Integration coach", "individual", False, False, False, 6),
    ("Clinic", "organisation", True, False, False, 8),
    ("Retreat", "organisation", False, False, False, 4),
    ("Support group", "organisation", True, False, False, 4),
    ("Crisis helpline", "organisation", True, True, False, 3),
    ("Product brand", "organisation", False, False, False, 6),
)
# (ISO 3166 code, weight, cities, ISO 639-1 languages spoken there)
COUNTRIES = (
    ("DE", 14, ("Berlin", "Munich", "Hamburg", "Cologne"), ("de",)),
    ("US", 14, ("New York", "Austin", "Portland", "Chicago"), ("en", "es")),
    ("GB", 12, ("London", "Manchester", "Bristol", "Edinburgh"), ("en",)),
    ("NL", 6, ("Amsterdam", "Utrecht", "Rotterdam"), ("nl",)),
    ("FR", 6, ("Paris", "Lyon", "Bordeaux"), ("fr",)),
    ("ES", 5, ("Madrid", "Barcelona", "Valencia"), ("es", "ca")),
    ("IT", 5, ("Milan", "Rome", "Bologna"), ("it",)),
    ("CA", 5, ("Toronto", "Montreal", "Vancouver"), ("en", "fr")),
    ("AU", 5, ("Sydney", "Melbourne", "Brisbane"), ("en",)),
    ("BR", 3, ("São Paulo", "Rio de Janeiro"), ("pt",)),
    ("SE", 3, ("Stockholm", "Gothenburg"), ("sv",)),
    ("CH", 3, ("Zurich", "Geneva", "Basel"), ("de", "fr", "it")),
    ("AT", 3, ("Vienna", "Graz"), ("de",)),
    ("IE", 3, ("Dublin", "Cork"), ("en", "ga")),
    ("PT", 2, ("Lisbon", "Porto"), ("pt",)),
    ("PL", 2, ("Warsaw", "Kraków"), ("pl",)),
    ("DK", 2, ("Copenhagen", "Aarhus"), ("da",)),
    ("NO", 2, ("Oslo", "Bergen"), ("no",)),
    ("FI", 2, ("Helsinki", "Tampere"), ("fi",)),
    ("BE", 2, ("Brussels", "Ghent"), ("nl", "fr")),
    ("MX", 2, ("Mexico City", "Guadalajara"), ("es",)),
    ("IN", 2, ("Bengaluru", "Mumbai"), ("en", "hi")),
    ("JP", 2, ("Tokyo", "Osaka"), ("ja",)),
    ("NZ", 2, ("Auckland", "Wellington"), ("en",)),
    ("ZA", 2, ("Cape Town", "Johannesburg"), ("en", "af")),
    ("CZ", 1, ("Prague", "Brno"), ("cs",)),
    ("GR", 1, ("Athens", "Thessaloniki"), ("el",)),
    ("AR", 1, ("Buenos Aires", "Córdoba"), ("es",)),
    ("SG", 1, ("Singapore",), ("en", "zh")),
    ("IL", 1, ("Tel Aviv", "Haifa"), ("he",)),
)
ORG_WORDS = (
    "Harbour",
    "Lantern",
    "Meadow",
    "Compass",
    "Cedar",
    "Tidewater",
    "Northlight",
    "Willow",
    "Keystone",
    "Riverside",
    "Open Door",
    "Clearwater",
)
BRAND_WORDS = ("Calmly", "Restwell", "Sproutmind", "Evenkeel", "Lumora", "Softfocus", "Groundwork")


# --- Specification and report -----------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusSpec:
    """What to generate. ``anchor`` is the "today" all dates are relative to (default: today, UTC)."""

    articles: int
    listings: int
    seed: int = 1
    batch_size: int = 250
    anchor: datetime.date | None = None

    def validate(self) -> None:
        if not isinstance(self.articles, int) or self.articles < 0:
            raise CorpusError(f"articles must be a whole number >= 0, got {self.articles!r}.")
        if not isinstance(self.listings, int) or self.listings < 0:
            raise CorpusError(f"listings must be a whole number >= 0, got {self.listings!r}.")
        if not isinstance(self.batch_size, int) or not 1 <= self.batch_size <= 5000:
            raise CorpusError(f"batch_size must be between 1 and 5000, got {self.batch_size!r}.")
        if not isinstance(self.seed, int):
            raise CorpusError(f"seed must be a whole number, got {self.seed!r}.")


@dataclass
class CorpusReport:
    sections: int = 0
    topics: int = 0
    people: int = 0
    listings: int = 0
    articles: int = 0
    reviews: int = 0
    blocks: int = 0
    article_slugs: list[str] = field(default_factory=list)


# --- Text ---------------------------------------------------------------------------------------------


class _Writer:
    """Turns a topic's words and the general vocabulary into sentences, titles and questions."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    @staticmethod
    def words_of(topic_index: int) -> list[str]:
        return [w.replace("-", " ") for w in TOPICS[topic_index][2].split()]

    def _pick(self, pools: Sequence[list[str]]) -> str:
        # Two words in three come from the article's own topics: that is what gives similarity its signal.
        if self.rng.random() < 0.67:
            return self.rng.choice(self.rng.choice(pools))
        return self.rng.choice(GENERAL_WORDS).replace("-", " ")

    def _fill(self, template: str, pools: Sequence[list[str]], topic_name: str) -> str:
        a, b = self._pick(pools), self._pick(pools)
        while b == a:
            b = self._pick(pools)
        text = template.format(
            a=a,
            b=b,
            A=a.capitalize(),
            t=topic_name.lower(),
            T=topic_name,
            verb=self.rng.choice(VERBS),
            adj=self.rng.choice(ADJECTIVES),
            Adj=self.rng.choice(ADJECTIVES).capitalize(),
            n=self.rng.choice((3, 4, 5, 6, 7, 12, 40, 120, 800)),
        )
        return text[0].upper() + text[1:]

    def sentence(self, pools, topic_name) -> str:
        return self._fill(self.rng.choice(SENTENCES), pools, topic_name)

    def sentences(self, pools, topic_name, low: int, high: int) -> str:
        return " ".join(self.sentence(pools, topic_name) for _ in range(self.rng.randint(low, high)))

    def paragraph_html(self, pools, topic_name) -> str:
        text = self.sentences(pools, topic_name, 3, 6)
        if self.rng.random() < 0.2:
            first, _, rest = text.partition(". ")
            text = f"<b>{first}.</b> {rest}" if rest else f"<b>{first}</b>"
        return f"<p>{text}</p>"

    def title(self, pools, topic_name) -> str:
        return self._fill(self.rng.choice(TITLES), pools, topic_name)

    def heading(self, pools, topic_name) -> str:
        return self._fill(self.rng.choice(HEADINGS), pools, topic_name)

    def question(self, pools, topic_name) -> str:
        return self._fill(self.rng.choice(QUESTIONS), pools, topic_name)

    def name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"


def _zipf_weights(n: int, exponent: float = 1.1) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, n + 1)]


def _weighted_sample(rng: random.Random, population: Sequence, weights: Sequence[float], k: int) -> list:
    """k distinct items, each drawn with probability proportional to its weight (no replacement)."""
    chosen: list = []
    items, w = list(population), list(weights)
    for _ in range(min(k, len(items))):
        index = rng.choices(range(len(items)), weights=w)[0]
        chosen.append(items.pop(index))
        w.pop(index)
    return chosen


def _block_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _list_item(rng: random.Random, value) -> dict:
    # ListBlock's stored shape; giving the id here keeps bodies identical for a seed.
    return {"type": "item", "value": value, "id": _block_id(rng)}


def _unique_slug(base: str, taken: set[str], max_length: int = 80) -> str:
    base = slugify(base)[:max_length].strip("-") or "item"
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
        n += 1
    taken.add(slug)
    return slug


# --- The generator ------------------------------------------------------------------------------------


class CorpusGenerator:
    """Writes one corpus into the default database; see the module docstring for how."""

    def __init__(self, spec: CorpusSpec, progress: ProgressCallback | None = None):
        spec.validate()
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.writer = _Writer(self.rng)
        self.progress = progress or (lambda stage, done, total: None)
        today = spec.anchor or timezone.now().date()
        self.now = datetime.datetime.combine(today, datetime.time(12, 0), tzinfo=datetime.UTC)
        self.report = CorpusReport()

    def run(self) -> CorpusReport:
        with transaction.atomic():
            self.home = self._home()
            self.sections = self._sections()
            self.topics = self._topics()
            self.approaches = self._approaches()
            self.listing_types = self._listing_types()
            self.authors, self.reviewers = self._people()
            self.listings_by_topic, self.listing_pool = self._listings()
            self._articles()
            content_changed()  # bulk inserts and updates send no signals
        cache.clear()  # Wagtail caches site root paths; a new home page must be seen at once.
        return self.report

    # Structure and vocabularies go through the ordinary model paths: there are only a few of them.

    def _home(self) -> HomePage:
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            taken = set(root.get_children().values_list("slug", flat=True))
            home = root.add_child(
                instance=HomePage(title="Clear Mind Journal", slug=_unique_slug("journal", taken))
            )
            home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save()
        return home

    def _sections(self) -> list[SectionPage]:
        existing = {s.slug: s for s in SectionPage.objects.child_of(self.home)}
        sections = []
        for title, interval, intro in SECTIONS:
            slug = slugify(title)
            section = existing.get(slug)
            if section is None:
                # Synthetic content that `make soak` republishes as it edits: no publishing gate.
                section = SectionPage(
                    title=title,
                    slug=slug,
                    intro=intro,
                    review_interval_months=interval,
                    expert_review_required=False,
                )
                self.home.add_child(instance=section)
                section.save_revision().publish()
                self.home.refresh_from_db()
            sections.append(section)
        self.report.sections = len(sections)
        return sections

    def _topics(self) -> list[Topic]:
        topics = []
        for name, sensitive, words in TOPICS:
            topic = (
                Topic.objects.filter(slug=slugify(name)).first()
                or Topic.objects.filter(name__iexact=name).first()
            )
            if topic is None:
                synonyms = ", ".join(w.replace("-", " ") for w in words.split()[:2])
                topic = Topic.objects.create(
                    name=name, slug=slugify(name), synonyms=synonyms, is_sensitive=sensitive
                )
            topics.append(topic)
        self.report.topics = len(topics)
        return topics

    def _approaches(self) -> list[Approach]:
        out = []
        for name, synonyms in APPROACHES:
            obj, _ = Approach.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "synonyms": synonyms}
            )
            out.append(obj)
        return out

    def _listing_types(self) -> list[tuple[ListingType, int]]:
        out = []
        for name, kind, clinical, crisis, joint, weight in LISTING_TYPES:
            obj, _ = ListingType.objects.get_or_create(
                slug=slugify(name),
                defaults={
                    "name": name,
                    "default_kind": kind,
                    "is_clinical": clinical,
                    "is_crisis_resource": crisis,
                    "offers_joint_sessions": joint,
                },
            )
            out.append((obj, weight))
        return out

    def _people(self) -> tuple[list[Person], list[Person]]:
        n_authors = max(8, self.spec.articles // 25)
        n_reviewers = max(4, self.spec.articles // 60)
        taken = set(Person.objects.values_list("slug", flat=True))
        people: list[Person] = []
        for index in range(n_authors + n_reviewers):
            is_reviewer = index >= n_authors
            name = self.writer.name()
            slug = _unique_slug(name, taken, 120)
            t, u = (TOPICS[i][0].lower() for i in self.rng.sample(range(len(TOPICS)), 2))
            people.append(
                Person(
                    name=name,
                    slug=slug,
                    honorific=self.rng.choice(HONORIFICS[2:] if is_reviewer else HONORIFICS),
                    headline=self.rng.choice(HEADLINES).format(t=t, u=u),
                    bio=f"<p>{self.writer.sentences([self.writer.words_of(0)], t, 2, 3)}</p>",
                    is_author=not is_reviewer or self.rng.random() < 0.3,
                    is_reviewer=is_reviewer,
                    is_board_member=is_reviewer and self.rng.random() < 0.7,
                    contact_email=f"{slug}@example.org",
                )
            )
        Person.objects.bulk_create(people)
        credentials = []
        today = self.now.date()
        for person in people:
            if not person.is_reviewer:
                continue
            verified = today - datetime.timedelta(days=self.rng.randint(30, 2000))
            expires = (
                None
                if self.rng.random() < 0.5
                else today + datetime.timedelta(days=self.rng.randint(-60, 900))
            )
            credentials.append(
                Credential(
                    person_id=person.pk,
                    title=self.rng.choice(CREDENTIALS),
                    kind=self.rng.choice(Credential.Kind.values),
                    issuing_body="National Board of Examiners",
                    country=self.rng.choice(COUNTRIES)[0],
                    verified_on=verified,
                    expires_on=expires,
                    licence_number=f"LIC-{self.rng.randint(10000, 99999)}",
                    sort_order=0,
                )
            )
        Credential.objects.bulk_create(credentials)
        ordered = people[:]
        self.report.people = len(people)
        return [p for p in ordered if p.is_author], [p for p in ordered if p.is_reviewer]

    def _listings(self) -> tuple[dict[int, list[int]], list[int]]:
        spec, rng = self.spec, self.rng
        languages = set(Language.objects.values_list("code", flat=True))
        taken = set(Listing.objects.values_list("slug", flat=True))
        topic_weights = _zipf_weights(len(self.topics), 0.9)
        type_objs = [t for t, _ in self.listing_types]
        type_weights = [w for _, w in self.listing_types]
        country_weights = [c[1] for c in COUNTRIES]
        by_topic: dict[int, list[int]] = {}
        pool: list[int] = []
        for start in range(0, spec.listings, spec.batch_size):
            rows, relations = [], []
            for _ in range(start, min(start + spec.batch_size, spec.listings)):
                ltype = rng.choices(type_objs, weights=type_weights)[0]
                code, _, cities, spoken = rng.choices(COUNTRIES, weights=country_weights)[0]
                organisation = ltype.default_kind == ListingType.Kind.ORGANISATION
                if ltype.slug == "product-brand":
                    name = f"{rng.choice(BRAND_WORDS)} {rng.choice(('Labs', 'Wellness', 'Co.', 'Naturals'))}"
                elif organisation:
                    name = f"{rng.choice(ORG_WORDS)} {ltype.name} {rng.choice(cities)}"
                else:
                    name = f"{rng.choice(('', '', 'Dr. '))}{self.writer.name()}"
                in_person = rng.random() < 0.8
                online = not in_person or rng.random() < 0.55
                city = rng.choice(cities)
                specialties = _weighted_sample(rng, range(len(self.topics)), topic_weights, rng.randint(1, 5))
                langs = [c for c in spoken if c in languages][: rng.randint(1, 2)]
                if "en" in languages and "en" not in langs and rng.random() < 0.5:
                    langs.append("en")
                verified = rng.random() < 0.85
                has_geo = in_person and rng.random() < 0.6
                topic_names = ", ".join(self.topics[i].name.lower() for i in specialties[:2])
                pools = [self.writer.words_of(i) for i in specialties]
                listing = Listing(
                    name=name,
                    slug=_unique_slug(name, taken, 160),
                    listing_type=ltype,
                    kind=ltype.default_kind,
                    offers_in_person=in_person,
                    offers_online=online,
                    country=code,
                    city=city if in_person or rng.random() < 0.5 else "",
                    latitude=round(rng.uniform(-60, 65), 6) if has_geo else None,
                    longitude=round(rng.uniform(-150, 170), 6) if has_geo else None,
                    summary=f"Works with {topic_names}"[:270] + ("; online sessions." if online else "."),
                    bio=f"<p>{self.writer.sentences(pools, topic_names, 2, 4)}</p>",
                    website_url=f"https://example.org/{slugify(name)}",
                    booking_url=f"https://example.org/{slugify(name)}/book" if rng.random() < 0.5 else "",
                    verified=verified,
                    verified_on=(self.now.date() - datetime.timedelta(days=rng.randint(1, 900)))
                    if verified
                    else None,
                    accepting_clients=rng.random() < 0.8,
                    is_active=rng.random() < 0.93,
                    commercial_relationship=rng.choices(Listing.Commercial.values, weights=(90, 6, 4))[0],
                    contact_email="intake@example.org",
                )
                approaches = rng.sample(self.approaches, rng.randint(0, 3)) if not organisation else []
                rows.append(listing)
                relations.append((specialties, langs, approaches))
            Listing.objects.bulk_create(rows)
            spec_rows, lang_rows, appr_rows = [], [], []
            for listing, (specialties, langs, approaches) in zip(rows, relations, strict=True):
                spec_rows += [
                    Listing.specialties.through(listing_id=listing.pk, topic_id=self.topics[i].pk)
                    for i in specialties
                ]
                lang_rows += [Listing.languages.through(listing_id=listing.pk, language_id=c) for c in langs]
                appr_rows += [
                    Listing.approaches.through(listing_id=listing.pk, approach_id=a.pk) for a in approaches
                ]
                if listing.is_active and listing.verified:
                    pool.append(listing.pk)
                    for i in specialties:
                        by_topic.setdefault(i, []).append(listing.pk)
            Listing.specialties.through.objects.bulk_create(spec_rows)
            Listing.languages.through.objects.bulk_create(lang_rows)
            Listing.approaches.through.objects.bulk_create(appr_rows)
            self.report.listings += len(rows)
            self.progress("listings", self.report.listings, spec.listings)
        return by_topic, pool

    # Articles: bulk paths.

    def _body(self, topic_indexes: list[int], sensitive: bool) -> list[dict]:
        rng, writer = self.rng, self.writer
        pools = [writer.words_of(i) for i in topic_indexes]
        topic_name = TOPICS[topic_indexes[0]][0]
        target = rng.randint(10, 60)
        blocks: list[dict] = []

        def add(block_type: str, value) -> None:
            blocks.append({"type": block_type, "value": value, "id": _block_id(rng)})

        if sensitive:
            add(
                "safety_note",
                {
                    "title": "When to seek other help first",
                    "text": f"<p>{writer.sentences(pools, topic_name, 1, 2)} If you are in danger, "
                    "contact local emergency services.</p>",
                    "advises_against_joint_sessions": rng.random() < 0.6,
                    "resource_label": "Find crisis support",
                    "resource_url": "https://example.org/crisis-support",
                },
            )
        faq_at = rng.randint(target * 2 // 3, target) if rng.random() < 0.7 else -1
        support_at = {rng.randint(4, max(4, target - 2)) for _ in range(rng.randint(0, 2))}
        while len(blocks) < target:
            position = len(blocks)
            roll = rng.random()
            if position == faq_at:
                items = [
                    _list_item(
                        rng,
                        {
                            "question": writer.question(pools, topic_name),
                            "answer": f"<p>{writer.sentences(pools, topic_name, 1, 3)}</p>",
                        },
                    )
                    for _ in range(rng.randint(2, 5))
                ]
                add("faq", {"title": "FAQ", "items": items})
            elif position in support_at:
                self._add_support(add, topic_indexes)
            elif position % 6 == 0 or roll < 0.12:
                add(
                    "heading",
                    {
                        "text": writer.heading(pools, topic_name)[:200],
                        "level": "h2" if rng.random() < 0.75 else "h3",
                        "anchor": "",
                    },
                )
            elif roll < 0.2:
                add(
                    "quote",
                    {
                        "text": writer.sentences(pools, topic_name, 1, 2),
                        "speaker": writer.name(),
                        "credential": rng.choice(CREDENTIALS),
                    },
                )
            elif roll < 0.32:
                add("citation", self._citation(pools))
            else:
                add("paragraph", writer.paragraph_html(pools, topic_name))
        return blocks

    def _citation(self, pools) -> dict:
        rng = self.rng
        a, b = rng.choice(rng.choice(pools)), rng.choice(rng.choice(pools))
        year = rng.randint(1995, self.now.year)
        return {
            "title": f"{a.capitalize()} and {b} in adults: a {rng.choice(STUDY_TYPES)}",
            "authors": ", ".join(
                f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)[0]}" for _ in range(rng.randint(1, 4))
            ),
            "journal": rng.choice(JOURNALS),
            "year": year,
            "doi": f"10.{rng.randint(1000, 99999)}/{slugify(a)[:12]}.{year}.{rng.randint(1, 999)}",
            "pmid": str(rng.randint(10_000_000, 39_999_999)) if rng.random() < 0.7 else "",
            "url": "",
        }

    def _add_support(self, add, topic_indexes: list[int]) -> None:
        rng = self.rng
        if rng.random() < 0.5 or not self.listing_pool:
            ltype = rng.choice(self.listing_types)[0] if rng.random() < 0.4 else None
            add(
                "find_support",
                {
                    "title": "Find Support For Your Needs",
                    "mode": "automatic",
                    "listings": [],
                    "listing_type": ltype.pk if ltype else None,
                    "count": rng.randint(2, 4),
                    "include_products": False,
                },
            )
            return
        candidates = self.listings_by_topic.get(topic_indexes[0]) or self.listing_pool
        chosen = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
        listings = [_list_item(rng, pk) for pk in chosen]
        add(
            "find_support",
            {
                "title": "Find Support For Your Needs",
                "mode": "manual",
                "listings": listings,
                "listing_type": None,
                "count": 2,
                "include_products": False,
            },
        )

    def _articles(self) -> None:
        spec = self.spec
        if spec.articles == 0:
            return
        article_ct = ContentType.objects.get_for_model(ArticlePage)
        page_ct = ContentType.objects.get_for_model(Page)
        taken = set(ArticlePage.objects.values_list("slug", flat=True))
        topic_weights = _zipf_weights(len(self.topics))
        author_weights = _zipf_weights(len(self.authors), 0.8)
        section_weights = [3, 2, 3, 3, 2, 1, 1, 1][: len(self.sections)]
        # Next free treebeard step under each section, and how many children each gets.
        next_step = {}
        for section in self.sections:
            last = section.get_last_child()
            next_step[section.pk] = (Page._str2int(last.path[-Page.steplen :]) + 1) if last else 1
        added = {section.pk: 0 for section in self.sections}
        created_pks: list[int] = []
        for start in range(0, spec.articles, spec.batch_size):
            count = min(spec.batch_size, spec.articles - start)
            plans = [
                self._plan_article(taken, topic_weights, author_weights, section_weights, next_step, added)
                for _ in range(count)
            ]
            self._write_batch(plans, article_ct, page_ct, created_pks)
            self.report.articles += count
            self.progress("articles", self.report.articles, spec.articles)
        for section in self.sections:
            if added[section.pk]:
                # Counted from paths: treebeard's get_children() trusts the stale in-memory numchild.
                children = Page.objects.filter(path__startswith=section.path, depth=section.depth + 1).count()
                Page.objects.filter(pk=section.pk).update(numchild=children)
                section.numchild = children

    def _plan_article(self, taken, topic_weights, author_weights, section_weights, next_step, added) -> dict:
        rng = self.rng
        topic_indexes = _weighted_sample(rng, range(len(self.topics)), topic_weights, rng.randint(2, 5))
        sensitive = any(TOPICS[i][1] for i in topic_indexes)
        pools = [self.writer.words_of(i) for i in topic_indexes]
        title = self.writer.title(pools, TOPICS[topic_indexes[0]][0])[:250]
        section = rng.choices(self.sections, weights=section_weights)[0]
        step = next_step[section.pk]
        next_step[section.pk] += 1
        added[section.pk] += 1
        first = self.now - datetime.timedelta(days=rng.randint(1, 1500), minutes=rng.randint(0, 1439))
        last = min(self.now, first + datetime.timedelta(days=rng.randint(0, 240)))
        return {
            "title": title,
            "slug": _unique_slug(title, taken),
            "section": section,
            "step": step,
            "topics": topic_indexes,
            "sensitive": sensitive,
            "standfirst": self.writer.sentences(pools, TOPICS[topic_indexes[0]][0], 1, 2)[:400],
            "body": self._body(topic_indexes, sensitive),
            "authors": _weighted_sample(
                rng, self.authors, author_weights, rng.choices((1, 2, 3), (6, 3, 1))[0]
            ),
            "first": first,
            "last": last,
            "translation_key": uuid.UUID(int=rng.getrandbits(128), version=4),
            "review": rng.random(),
            "review_days": rng.randint(0, 700),
            "reviewer": rng.choice(self.reviewers),
            "picks": rng.randint(0, 3),
        }

    def _write_batch(self, plans: list[dict], article_ct, page_ct, created_pks: list[int]) -> None:
        rng = self.rng
        pages = []
        for plan in plans:
            section = plan["section"]
            page = ArticlePage(
                title=plan["title"],
                draft_title=plan["title"],
                slug=plan["slug"],
                content_type=article_ct,
                path=section.path + Page._int2str(plan["step"]).rjust(Page.steplen, "0"),
                depth=section.depth + 1,
                numchild=0,
                url_path=f"{section.url_path}{plan['slug']}/",
                locale_id=section.locale_id,
                translation_key=plan["translation_key"],
                live=True,
                has_unpublished_changes=False,
                first_published_at=plan["first"],
                last_published_at=plan["last"],
                latest_revision_created_at=plan["last"],
                search_description=plan["standfirst"][:160],
                standfirst=plan["standfirst"],
                body=plan["body"],
                is_sensitive=plan["sensitive"],
            )
            words = len(body_plain_text(page.body).split()) + len(plan["standfirst"].split())
            page.reading_time = max(1, math.ceil(words / WORDS_PER_MINUTE))
            page.live_fingerprint = content_fingerprint(page)
            pages.append(page)
            self.report.blocks += len(plan["body"])
        base_rows = [
            Page(
                **{f.attname: getattr(p, f.attname) for f in Page._meta.concrete_fields if f.attname != "id"}
            )
            for p in pages
        ]
        Page.objects.bulk_create(base_rows)
        for page, base in zip(pages, base_rows, strict=True):
            page.id = page.page_ptr_id = base.pk
        ArticlePage._base_manager._insert(pages, fields=ArticlePage._meta.local_concrete_fields)

        authors, topics, picks = [], [], []
        for page, plan in zip(pages, plans, strict=True):
            authors.append(
                [
                    ArticleAuthor(page_id=page.pk, person_id=p.pk, sort_order=i)
                    for i, p in enumerate(plan["authors"])
                ]
            )
            topics.append(
                [ArticleTopic(content_object_id=page.pk, tag_id=self.topics[i].pk) for i in plan["topics"]]
            )
            choices = rng.sample(created_pks[-400:], min(plan["picks"], len(created_pks[-400:])))
            picks.append(
                [EditorialPick(page_id=page.pk, picked_id=pk, sort_order=i) for i, pk in enumerate(choices)]
            )
            created_pks.append(page.pk)
        ArticleAuthor.objects.bulk_create([a for group in authors for a in group])
        ArticleTopic.objects.bulk_create([t for group in topics for t in group])
        EditorialPick.objects.bulk_create([p for group in picks for p in group])

        revisions = []
        for page, plan, page_authors, page_topics, page_picks in zip(
            pages, plans, authors, topics, picks, strict=True
        ):
            # The revision carries the child relations exactly as an editor's save would.
            page.article_authors = page_authors
            page.tagged_topics = page_topics
            page.editorial_picks = page_picks
            revisions.append(
                Revision(
                    content_type=article_ct,
                    base_content_type=page_ct,
                    object_id=str(page.pk),
                    created_at=plan["last"],
                    object_str=page.title,
                    content=page.serializable_data(),
                )
            )
        Revision.objects.bulk_create(revisions)
        for base, revision in zip(base_rows, revisions, strict=True):
            base.latest_revision_id = base.live_revision_id = revision.pk
        Page.objects.bulk_update(base_rows, ["latest_revision", "live_revision"])

        reviews, reviewed_pages = [], []
        for page, plan, revision in zip(pages, plans, revisions, strict=True):
            if plan["review"] >= 0.9:
                continue  # not reviewed yet
            reviewed_at = max(plan["first"], self.now - datetime.timedelta(days=plan["review_days"]))
            fingerprint = page.live_fingerprint
            if plan["review"] < 0.05:
                fingerprint = content_fingerprint(_Edited(page))  # edited after the expert signed off
            reviews.append(
                ExpertReview(
                    article_id=page.pk,
                    revision_id=revision.pk,
                    reviewer_id=plan["reviewer"].pk,
                    reviewed_at=reviewed_at,
                    summary=self.writer.sentences(
                        [self.writer.words_of(plan["topics"][0])], page.title, 1, 2
                    ),
                    content_fingerprint=fingerprint,
                    source=ExpertReview.Source.IMPORTED,
                )
            )
            page.review_due_at = add_months(reviewed_at, plan["section"].review_interval_months)
            reviewed_pages.append(page)
        ExpertReview.objects.bulk_create(reviews)
        for page, review in zip(reviewed_pages, reviews, strict=True):
            page.last_review_id = review.pk
        ArticlePage._base_manager.bulk_update(reviewed_pages, ["last_review", "review_due_at"])
        self.report.reviews += len(reviews)
        self.report.article_slugs += [p.slug for p in pages]


class _Edited:
    """What an article looked like before a later edit: only what a fingerprint reads."""

    def __init__(self, page: ArticlePage):
        self.title = page.title + " (earlier draft)"
        self.standfirst = page.standfirst
        self.body = page.body


def generate_corpus(spec: CorpusSpec, progress: ProgressCallback | None = None) -> CorpusReport:
    """Generates the corpus ``spec`` describes, in one transaction.

    Args:
        spec: sizes, seed and batch size; validated first (``CorpusError`` names the bad argument).
        progress: called as ``progress(stage, done, total)`` after each batch.

    Returns:
        What was created.
    """
    return CorpusGenerator(spec, progress).run()
