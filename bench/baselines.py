"""What the Wagtail API baselines expose in the benchmark, so they return the same article content.

Without ``api_fields`` Wagtail's API v2/v3 would answer ``?fields=*`` on an article with a title and
meta only, which flatters them. The benchmark declares the fields a front end needs (standfirst,
body, topics, authors, picks, the review, reading time) before either API builds its serialisers.
This is benchmark configuration, imported only by ``bench.urls``; the site itself exposes no v2/v3.
"""

from __future__ import annotations

from wagtail.api import APIField

from articles.models import ArticleAuthor, ArticlePage, EditorialPick

ARTICLE_API_FIELDS = [
    APIField("standfirst"),
    APIField("body"),
    APIField("topics"),
    APIField("article_authors"),
    APIField("editorial_picks"),
    APIField("is_sensitive"),
    APIField("reading_time"),
    APIField("last_review"),
    APIField("review_due_at"),
    APIField("last_published_at"),
]


def declare_api_fields() -> None:
    if not getattr(ArticlePage, "api_fields", None):
        ArticlePage.api_fields = ARTICLE_API_FIELDS
        ArticleAuthor.api_fields = [APIField("person")]
        EditorialPick.api_fields = [APIField("picked")]
