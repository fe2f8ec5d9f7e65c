"""Receivers, tasks and the management commands on the database backend."""

import io

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import ArticleProfile, RelatedScore
from tests import factories

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_publishing_only_enqueues_until_commit(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = factories.article(
            catalogue["sections"]["relationships"], "Trust after lies", topics=[catalogue["topics"]["trust"]]
        )
    assert not ArticleProfile.objects.filter(pk=page.pk).exists()  # nothing indexed inside the request
    assert callbacks
    for callback in callbacks:
        callback()
    assert ArticleProfile.objects.filter(pk=page.pk).exists()
    assert RelatedScore.objects.filter(article_id=page.pk, related_id=catalogue["jealousy"].pk).exists()


def test_moving_and_deleting_update_the_tables(catalogue, django_capture_on_commit_callbacks):
    jealousy = catalogue["jealousy"]
    with django_capture_on_commit_callbacks(execute=True):
        jealousy.move(catalogue["sections"]["habits"], pos="last-child")
    assert ArticleProfile.objects.get(pk=jealousy.pk).section_id == catalogue["sections"]["habits"].pk
    with django_capture_on_commit_callbacks(execute=True):
        jealousy.delete()
    assert not RelatedScore.objects.filter(related_id=jealousy.pk).exists()
    assert not ArticleProfile.objects.filter(pk=jealousy.pk).exists()


def test_check_reports_drift_and_fix_repairs(catalogue):
    assert "No drift." in run("check_recommendations")
    ArticleProfile.objects.filter(pk=catalogue["flagship"].pk).delete()
    ArticleProfile.objects.filter(pk=catalogue["arguing"].pk).update(fingerprint="old")
    with pytest.raises(CommandError, match="Drift found"):
        run("check_recommendations")
    out = run("check_recommendations", "--fix")
    assert "1 missing" in out and "1 stale" in out and "repaired" in out
    assert "No drift." in run("check_recommendations")


def test_vocabulary_edit_is_seen_as_drift(catalogue):
    catalogue["topics"]["sleep"].synonyms = "affair"  # now named in the flagship's text
    catalogue["topics"]["sleep"].save()
    with pytest.raises(CommandError):
        run("check_recommendations")


def test_rebuild_command(catalogue):
    RelatedScore.objects.all().delete()
    out = run("rebuild_recommendations")
    assert "database: 4 article profiles" in out and "Recommendations rebuilt." in out
    assert RelatedScore.objects.filter(article_id=catalogue["flagship"].pk).exists()


def generation():
    from website.freshness import content_generation

    return content_generation()[0]


def test_index_updates_renew_the_content_generation(catalogue, django_capture_on_commit_callbacks):
    """Cached API responses embed suggestions: an index update must change their ETags."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.article(
            catalogue["sections"]["relationships"], "Trust after lies", topics=[catalogue["topics"]["trust"]]
        )
    published = generation()
    for callback in callbacks:
        callback()  # the indexing task, after the publish's own renewal
    assert generation() != published
    before = generation()
    run("rebuild_recommendations")
    assert generation() != before
    ArticleProfile.objects.filter(pk=catalogue["flagship"].pk).delete()  # no signal: token kept
    before = generation()
    run("check_recommendations", "--fix")
    assert generation() != before
    before = generation()
    run("check_recommendations", "--fix")  # nothing to repair
    assert generation() == before


@pytest.mark.django_db
def test_rebuilding_an_engine_that_is_not_configured_is_a_command_error(settings):
    settings.WELLNESS = {**settings.WELLNESS, "RECOMMENDATIONS_ES_URL": ""}
    with pytest.raises(CommandError, match="SEARCH_ENGINE_URL"):
        call_command("rebuild_recommendations", backend=["elasticsearch"], stdout=io.StringIO())
