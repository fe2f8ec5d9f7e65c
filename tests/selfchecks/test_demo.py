"""The demo's self-check: our own words, labelled as reflective, embedded in the flagship article."""

import io

import pytest
from django.core.management import call_command

from articles.models import ArticlePage
from selfchecks.demo import TRUST_CHECK
from selfchecks.models import SelfCheck

FLAGSHIP = "after-the-breach-couples-therapy-and-rebuilding-trust"


@pytest.mark.django_db
def test_load_demo_writes_the_trust_check_once_and_the_flagship_embeds_it(client):
    call_command("load_demo", stdout=io.StringIO())
    check = SelfCheck.objects.get(slug=TRUST_CHECK)
    assert check.kind == SelfCheck.Kind.REFLECTIVE and check.live
    data = check.definition
    assert data.score_range == (0, 18)
    assert any(o.is_crisis_answer for q in data.questions for o in q.options)
    concerns = {t.slug for b in data.bands for t in b.concerns}
    assert {"trust-and-betrayal", "couples-therapy"} <= concerns  # topics came with the bundle
    stamp = check.updated_at

    call_command("load_demo", stdout=io.StringIO())
    assert SelfCheck.objects.get(slug=TRUST_CHECK).updated_at == stamp

    flagship = ArticlePage.objects.get(slug=FLAGSHIP)
    assert [b.value["self_check"].slug for b in flagship.body if b.block_type == "self_check"] == [
        TRUST_CHECK
    ]
    html = client.get(flagship.url).content.decode()
    assert "Check in with yourself" in html and "Reflective check, not a validated instrument" in html
    assert f'action="/self-checks/{TRUST_CHECK}/"' in html
