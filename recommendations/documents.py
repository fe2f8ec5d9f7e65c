"""Elasticsearch mappings of the recommendation indexes. Mappings only: building documents lives
in ``backends.elasticsearch``, queries in ``queries``, index names and settings come from Django
settings (``recommendations.conf``). There is no automatic sync; our receivers enqueue tasks.
"""

from __future__ import annotations

from elasticsearch.dsl import Boolean, Date, Document, GeoPoint, Integer, Keyword, Text

# A small corpus needs no sharding; replicas are the cluster operator's call.
INDEX_SETTINGS = {
    "number_of_shards": 1,
    "analysis": {
        "analyzer": {
            "reco_text": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "english_stop", "english_stemmer"],
            },
        },
        "filter": {
            "english_stop": {"type": "stop", "stopwords": "_english_"},
            "english_stemmer": {"type": "stemmer", "language": "light_english"},
        },
    },
}


class ArticleDocument(Document):
    """One live, public article."""

    article_id = Integer()
    title = Text(analyzer="reco_text", term_vector="yes")
    standfirst = Text(analyzer="reco_text", term_vector="yes")
    body = Text(analyzer="reco_text", term_vector="yes")
    # Safety notes, sentences that warn or negate, quotes, captions: searchable but kept out of
    # similarity (what an article warns against is not its subject).
    boilerplate = Text(analyzer="reco_text")
    # Headings and FAQ: weighed above the running text, as the database backend weighs them.
    headings = Text(analyzer="reco_text", term_vector="yes")
    topic_names = Text(analyzer="reco_text", term_vector="yes")
    topic_ids = Integer()
    mentioned_topic_ids = Integer()
    approach_ids = Integer()
    section_id = Integer()
    author_ids = Integer()
    first_published_at = Date()
    review_status = Keyword()
    is_sensitive = Boolean()
    advises_against_joint_sessions = Boolean()
    # Tagged with a topic that names a joint format (``formats``): never suggested under a sensitive
    # article that advises against joint sessions.
    about_joint_format = Boolean()
    fingerprint = Keyword()


class ListingDocument(Document):
    """One listing, with every field find-support filters on."""

    listing_id = Integer()
    name = Text(analyzer="reco_text")
    listing_type_id = Integer()
    # The profile find support's text relevance reads (BM25 over these, boosted per field).
    listing_type_name = Text(analyzer="reco_text")
    summary = Text(analyzer="reco_text")
    specialty_names = Text(analyzer="reco_text")
    approach_names = Text(analyzer="reco_text")
    is_clinical = Boolean()
    is_crisis_resource = Boolean()
    offers_joint_sessions = Boolean()
    offers_in_person = Boolean()
    offers_online = Boolean()
    country = Keyword()
    languages = Keyword()
    specialty_ids = Integer()
    approach_ids = Integer()
    location = GeoPoint()
    accepting_clients = Boolean()
    is_active = Boolean()
    verified = Boolean()
    sponsored = Boolean()
    fingerprint = Keyword()


DOCUMENTS = {"articles": ArticleDocument, "listings": ListingDocument}


def index_body(kind: str) -> dict:
    """``settings`` and ``mappings`` for a new index of ``kind`` ("articles" or "listings")."""
    return {"settings": INDEX_SETTINGS, "mappings": DOCUMENTS[kind]._doc_type.mapping.to_dict()}
