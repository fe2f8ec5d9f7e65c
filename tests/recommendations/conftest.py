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
