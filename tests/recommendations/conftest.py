import pytest

from recommendations.backends import get_backend, reset_backends
from recommendations.breaker import breaker


@pytest.fixture(autouse=True)
def _fresh_backends():
    reset_backends()
    breaker.reset()
    yield
    reset_backends()
    breaker.reset()


@pytest.fixture
def eval_set(db):
    """The labelled evaluation set, loaded and indexed in the database backend."""
    from recommendations.evaluation import load_evaluation_set

    data = load_evaluation_set()
    get_backend("database").rebuild(log=lambda *a: None)
    return data


def make_listing(name, **fields):
    """``factories.listing`` then a save, which writes the parental many-to-many relations."""
    from tests import factories

    obj = factories.listing(name, **fields)
    obj.save()
    return obj


def paragraph_body(*texts):
    return [("paragraph", f"<p>{t}</p>") for t in texts]


@pytest.fixture
def catalogue(db, settings):
    """A small magazine: couples articles, a sleep article, listings in DE/GB, a crisis line, a brand.

    Built without Wagtail's own search and reference indexing, which these tests do not use and
    which cost most of the setup time."""
    from wagtail.signal_handlers import disable_reference_index_auto_update

    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
    }
    with disable_reference_index_auto_update():
        return _build_catalogue()


def _build_catalogue():
    from tests import factories

    couples, trust, sleep = (
        factories.topic("Couples therapy", synonyms="marriage counselling"),
        factories.topic("Trust", synonyms="infidelity, affair"),
        factories.topic("Sleep"),
    )
    abuse = factories.topic("Domestic abuse", is_sensitive=True)
    eft = factories.approach("Emotionally Focused Therapy", synonyms="EFT")
    factories.listing_type("Couples therapist", offers_joint_sessions=True)
    factories.listing_type("Psychologist")
    factories.listing_type("Crisis line", is_crisis_resource=True)
    factories.listing_type("Wellness brand", is_clinical=False)
    relationships = factories.section("Relationships")
    habits = factories.section("Habits")
    mara, jonas = factories.person("Mara Test"), factories.person("Jonas Test")
    flagship = factories.article(
        relationships,
        "Rebuilding trust after an affair",
        topics=[couples, trust],
        authors=(mara,),
        standfirst="Couples therapy after infidelity.",
        body=paragraph_body(
            "Partners rebuild trust slowly. EFT therapists help couples name hurt after an affair."
        ),
    )
    jealousy = factories.article(
        relationships,
        "Jealousy and trust",
        topics=[trust, couples],
        authors=(jonas,),
        body=paragraph_body("Jealousy erodes trust between partners; couples therapy helps them rebuild it."),
    )
    arguing = factories.article(
        relationships,
        "Arguing well as a couple",
        topics=[couples],
        authors=(mara,),
        body=paragraph_body("Couples who argue kindly repair faster and keep trust."),
    )
    insomnia = factories.article(
        habits,
        "Insomnia basics",
        topics=[sleep],
        authors=(jonas,),
        body=paragraph_body("Insomnia keeps people awake; sleep routines and light help the body clock."),
    )
    listings = {
        "berlin": make_listing(
            "Berlin Couples",
            country="DE",
            city="Berlin",
            languages=("de", "en"),
            specialties=(couples, trust),
            approaches=(eft,),
            offers_online=True,
        ),
        "hamburg": make_listing(
            "Hamburg Couples",
            country="DE",
            city="Hamburg",
            languages=("de",),
            specialties=(couples,),
            offers_online=False,
        ),
        "london": make_listing(
            "London Couples",
            country="GB",
            city="London",
            languages=("en",),
            specialties=(couples, trust),
            offers_online=True,
            commercial_relationship="sponsored",
        ),
        "leeds_in_person": make_listing(
            "Leeds Couples", country="GB", languages=("en",), specialties=(couples,), offers_online=False
        ),
        "online_only_gb": make_listing(
            "Online Couples GB",
            country="GB",
            languages=("en", "de"),
            specialties=(couples,),
            offers_online=True,
            offers_in_person=False,
        ),
        "sleep_de": make_listing(
            "Sleep Psychologist",
            type_name="Psychologist",
            country="DE",
            languages=("de",),
            specialties=(sleep,),
        ),
        "crisis_de": make_listing(
            "Crisis Line DE",
            type_name="Crisis line",
            country="DE",
            languages=("de",),
            specialties=(abuse,),
            offers_online=True,
            offers_in_person=False,
        ),
        "brand": make_listing(
            "Sleepy Brand",
            type_name="Wellness brand",
            country="DE",
            specialties=(sleep, couples),
            offers_online=True,
        ),
        "unverified": make_listing(
            "Unverified Couples", country="DE", specialties=(couples, trust), verified=False
        ),
        "inactive": make_listing(
            "Inactive Couples", country="DE", specialties=(couples, trust), is_active=False
        ),
    }
    get_backend("database").rebuild(log=lambda *a: None)
    return {
        "flagship": flagship,
        "jealousy": jealousy,
        "arguing": arguing,
        "insomnia": insomnia,
        "topics": {"couples": couples, "trust": trust, "sleep": sleep, "abuse": abuse},
        "sections": {"relationships": relationships, "habits": habits},
        "listings": listings,
        "people": {"mara": mara, "jonas": jonas},
    }
