"""The evaluation on a real Elasticsearch cluster. Skipped unless ELASTICSEARCH_URL is set.

Run: ``ELASTICSEARCH_URL=http://localhost:9200 pytest -m elasticsearch_live tests/recommendations``.
It writes indexes with the prefix ``test_live_reco`` and deletes them afterwards.
"""

import os

import pytest

from recommendations.backends import get_backend, reset_backends
from recommendations.evaluation import evaluate

pytestmark = [
    pytest.mark.elasticsearch_live,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("ELASTICSEARCH_URL"), reason="needs a real cluster at ELASTICSEARCH_URL"
    ),
]


@pytest.fixture
def live_es(settings):
    settings.WELLNESS = {
        **settings.WELLNESS,
        "RECOMMENDATIONS_BACKEND": "elasticsearch",
        "RECOMMENDATIONS_ES_URL": os.environ.get("ELASTICSEARCH_URL", ""),
        "RECOMMENDATIONS_ES_INDEX_PREFIX": "test_live_reco",
        "RECOMMENDATIONS_ES_TIMEOUT": 10,
    }
    reset_backends()
    backend = get_backend("elasticsearch")
    yield backend
    backend.client.indices.delete(index="test_live_reco_*", ignore_unavailable=True)


def test_evaluation_on_a_real_cluster(live_es, eval_set):
    report = live_es.rebuild(log=print)
    assert report["failed"] == []
    result = evaluate(eval_set, live_es)
    print("\n".join(result.lines()))
    assert result.hard_filter_violations == 0
    assert result.related_ndcg >= 0.75 and result.support_ndcg >= 0.85
    assert result.support_precision >= 0.85 and result.coverage >= 0.9
