"""The engine's search index: mapping and analysis settings only.

Building documents lives in ``backends.engine``, the query in ``queries``, the index name in
``WELLNESS["SEARCH_INDEX"]``. There is no automatic sync; ``search.signals`` enqueue tasks.

Text is indexed with ``search_text`` (lower case, accents folded, English stop words, light English
stemmer). Queries are analysed with ``search_synonyms``: the same chain plus a ``synonym_graph``
filter built from the topics' names and synonyms when the index is created (a topic change
enqueues a rebuild). Every text field is also copied into ``content``, so "every word must match"
holds across fields (``title`` one word, ``body`` another).
"""

from __future__ import annotations

import re

from elasticsearch.dsl import Date, Document, Keyword, Text


def _term(text: str) -> str:
    """A synonym term as words only: commas and ``=>`` are the rule syntax."""
    return " ".join(re.findall(r"\w+", text.lower()))


def synonym_rules(topics) -> list[str]:
    """One equivalence rule per topic with synonyms: ``"couples therapy, marriage counselling"``."""
    rules = []
    for topic in topics:
        terms = list(dict.fromkeys(t for t in (_term(topic.name), *map(_term, topic.synonym_list)) if t))
        if len(terms) > 1:
            rules.append(", ".join(terms))
    return sorted(rules)


def index_settings(rules: list[str]) -> dict:
    base = ["lowercase", "asciifolding", "search_stop"]
    return {
        "number_of_shards": 1,
        "analysis": {
            "analyzer": {
                "search_text": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": [*base, "search_stemmer"],
                },
                "search_synonyms": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": [*base, *(["topic_synonyms"] if rules else []), "search_stemmer"],
                },
            },
            "filter": {
                "search_stop": {"type": "stop", "stopwords": "_english_"},
                "search_stemmer": {"type": "stemmer", "language": "light_english"},
                # lenient: a rule the analyzer empties (only stop words) is skipped, not an error.
                "topic_synonyms": {"type": "synonym_graph", "synonyms": rules, "lenient": True},
            },
        },
    }


def _text(**kwargs) -> Text:
    return Text(analyzer="search_text", search_analyzer="search_synonyms", **kwargs)


class SearchArticleDocument(Document):
    """One article a reader may see, with the text search matches and the facets' keys."""

    title = _text(copy_to="content")
    standfirst = _text(copy_to="content")
    body = _text(copy_to="content")  # paragraphs, headings, quotes, safety notes, captions
    faq = _text(copy_to="content")  # questions and answers
    topics = _text(copy_to="content")  # topic names
    authors = _text(copy_to="content")  # author names
    content = _text()
    section = Keyword()  # section slug
    topic_slugs = Keyword()
    first_published_at = Date()
    fingerprint = Keyword()


def index_body(rules: list[str]) -> dict:
    """``settings`` and ``mappings`` of a new search index, with these synonym rules."""
    return {"settings": index_settings(rules), "mappings": SearchArticleDocument._doc_type.mapping.to_dict()}
