import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_article_reading_time_counts_body_words():
    words = " ".join(["word"] * 660)
    page = factories.article(body=[("paragraph", f"<p>{words}</p>")])
    assert page.reading_time == 4  # 660 body words + standfirst at 220 words per minute


def test_new_article_has_no_review():
    page = factories.article()
    assert page.review_status == "not_reviewed"
