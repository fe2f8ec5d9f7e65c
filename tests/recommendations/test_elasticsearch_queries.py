"""Elasticsearch mappings and queries, tested as the data we send."""

import datetime

from recommendations.documents import index_body
from recommendations.queries import related_query, support_query
from recommendations.scoring import Step, SupportQuery


def find(obj, key):
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.append(v)
            out += find(v, key)
    elif isinstance(obj, list):
        for v in obj:
            out += find(v, key)
    return out


def q(**kw):
    base = dict(
        article_id=7,
        topic_weights={3: 1.0, 9: 0.5},
        approach_ids=frozenset({4}),
        terms=frozenset({"coupl"}),
        day=datetime.date(2026, 1, 1),
    )
    return SupportQuery(**{**base, **kw})


class TestMappings:
    def test_article_mapping_fields(self):
        body = index_body("articles")
        props = body["mappings"]["properties"]
        assert props["title"] == {"type": "text", "analyzer": "reco_text", "term_vector": "yes"}
        for field in ("topic_ids", "section_id", "author_ids", "approach_ids"):
            assert props[field]["type"] == "integer"
        assert props["review_status"]["type"] == "keyword"
        assert props["first_published_at"]["type"] == "date"
        assert "term_vector" not in props["boilerplate"]  # kept out of more_like_this
        assert props["headings"] == {"type": "text", "analyzer": "reco_text", "term_vector": "yes"}
        assert props["about_joint_format"]["type"] == "boolean"
        assert "reco_text" in body["settings"]["analysis"]["analyzer"]

    def test_listing_mapping_fields(self):
        props = index_body("listings")["mappings"]["properties"]
        assert props["country"]["type"] == "keyword" and props["languages"]["type"] == "keyword"
        assert props["location"]["type"] == "geo_point"
        for field in (
            "offers_in_person",
            "offers_online",
            "is_active",
            "verified",
            "is_clinical",
            "is_crisis_resource",
            "offers_joint_sessions",
        ):
            assert props[field]["type"] == "boolean"


class TestRelatedQuery:
    body = related_query("mag_reco_articles", 7, topic_ids=[3, 9], exclude_ids=[11, 12], size=20)

    def test_more_like_this_works_on_a_small_corpus(self):
        (mlt,) = find(self.body, "more_like_this")
        assert mlt["min_term_freq"] == 1 and mlt["min_doc_freq"] == 1
        assert mlt["like"] == [{"_index": "mag_reco_articles", "_id": "7"}]
        assert set(mlt["fields"]) == {"title^3", "standfirst^2", "headings^2", "body", "topic_names^2"}

    def test_the_article_itself_comes_back_to_scale_the_text_scores(self):
        (mlt,) = find(self.body, "more_like_this")
        assert mlt["include"] is True
        assert "7" not in find(self.body, "ids")[0]["values"]
        assert self.body["size"] == 21  # the article and 20 candidates

    def test_shared_and_linked_topics_find_candidates_without_scoring_them(self):
        body = related_query(
            "mag_reco_articles", 7, topic_ids=[3], linked_topic_ids=[5, 4], exclude_ids=[], size=20
        )
        should = find(body, "should")[0]
        assert {"bool": {"filter": [{"terms": {"topic_ids": [3, 4, 5]}}]}} in should
        assert not find(body, "function_score")  # the score is the text likeness alone

    def test_articles_about_a_joint_format_are_excluded_when_the_article_advises_against_it(self):
        assert not find(self.body, "about_joint_format")
        body = related_query(
            "mag_reco_articles", 7, topic_ids=[3], exclude_ids=[11], size=20, exclude_joint_formats=True
        )
        (must_not,) = find(body, "must_not")
        assert {"term": {"about_joint_format": True}} in must_not
        assert {"ids": {"values": ["11"]}} in must_not

    def test_excludes_picks(self):
        (ids,) = find(self.body, "ids")
        assert ids["values"] == ["11", "12"]


class TestSupportQuery:
    def test_in_person_germany_filters(self):
        body = support_query(
            q(country="DE", modality="in_person"),
            Step("local", country="DE"),
            affine_type_ids=[],
            exclude_ids=[],
            size=50,
        )
        filters = body["query"]["bool"]["filter"]
        for clause in (
            {"term": {"is_active": True}},
            {"term": {"verified": True}},
            {"term": {"is_clinical": True}},
            {"term": {"offers_in_person": True}},
            {"term": {"country": "DE"}},
        ):
            assert clause in filters

    def test_online_language_step(self):
        body = support_query(
            q(country="DE", language="de", modality="online"),
            Step("online_in_language", online=True, language="de"),
            affine_type_ids=[2],
            exclude_ids=[5],
            size=50,
        )
        bool_ = body["query"]["bool"]
        assert {"term": {"offers_online": True}} in bool_["filter"]
        assert {"term": {"languages": "de"}} in bool_["filter"]
        assert {"ids": {"values": ["5"]}} in bool_["must_not"]
        assert {"terms": {"listing_type_id": [2], "boost": 0.3}} in bool_["should"]
        assert bool_["minimum_should_match"] == 1

    def test_relevance_from_topics_and_approaches(self):
        should = support_query(q(), Step("everywhere"), affine_type_ids=[], exclude_ids=[], size=50)["query"][
            "bool"
        ]["should"]
        assert {"term": {"specialty_ids": {"value": 3, "boost": 1.0}}} in should
        assert {"term": {"specialty_ids": {"value": 9, "boost": 0.5}}} in should
        assert {"terms": {"approach_ids": [4], "boost": 0.5}} in should

    def test_products_and_joint_sessions(self):
        body = support_query(
            q(include_products=True, advises_against_joint_sessions=True),
            Step("everywhere"),
            affine_type_ids=[],
            exclude_ids=[],
            size=50,
        )
        assert {"term": {"is_clinical": True}} not in body["query"]["bool"]["filter"]
        assert {"term": {"offers_joint_sessions": True}} in body["query"]["bool"]["must_not"]

    def test_crisis_services_stay_out_of_other_articles(self):
        crisis = {"term": {"is_crisis_resource": True}}
        body = support_query(q(), Step("everywhere"), affine_type_ids=[], exclude_ids=[], size=50)
        assert crisis in body["query"]["bool"]["must_not"]
        body = support_query(
            q(is_sensitive=True), Step("everywhere"), affine_type_ids=[], exclude_ids=[], size=50
        )
        assert crisis not in body["query"]["bool"].get("must_not", [])

    def test_sensitive_boosts_crisis_and_keeps_it_local(self):
        body = support_query(
            q(is_sensitive=True, country="GB"),
            Step("local", country="GB"),
            affine_type_ids=[],
            exclude_ids=[],
            size=50,
        )
        assert {"term": {"is_crisis_resource": {"value": True, "boost": 2.0}}} in body["query"]["bool"][
            "should"
        ]
        assert {
            "bool": {
                "filter": [{"term": {"is_crisis_resource": True}}],
                "must_not": [{"term": {"country": "GB"}}],
            }
        } in body["query"]["bool"]["must_not"]


class TestArticleDocumentFields:
    def test_headings_and_faq_apart_from_running_text_and_boilerplate(self):
        from recommendations.backends.elasticsearch import DocumentBuilder

        class Child:
            def __init__(self, block_type, value):
                self.block_type, self.value = block_type, value

        body, boilerplate, headings = DocumentBuilder._split_body(
            [
                Child("heading", {"text": "Naming what happened", "level": "h2"}),
                Child("paragraph", "<p>Running text.</p>"),
                Child("safety_note", {"text": "<p>Call for help.</p>"}),
                Child("citation", {"title": "A review"}),
            ]
        )
        assert "Naming what happened" in headings and "Running text" not in headings
        assert "Running text" in body and "Naming" not in body
        assert "Call for help" in boilerplate and "A review" not in body + boilerplate + headings

    def test_sentences_that_warn_are_boilerplate_not_subject(self):
        from recommendations.backends.elasticsearch import DocumentBuilder

        class Child:
            def __init__(self, block_type, value):
                self.block_type, self.value = block_type, value

        body, boilerplate, headings = DocumentBuilder._split_body(
            [
                Child("heading", {"text": "Why couples therapy is not the answer", "level": "h2"}),
                Child("paragraph", "<p>Control isolates. Joint sessions are never safe here.</p>"),
            ]
        )
        assert "couples" not in (body + headings).lower() and "Joint" not in body
        assert "Control isolates." in body
        assert "Why couples therapy" in boilerplate and "Joint sessions" in boilerplate


class TestSupportTextRelevance:
    def test_need_terms_score_the_profile_fields_without_admitting_candidates(self):
        query = q(need_terms={"trust": 2.1, "betrayal": 1.0})
        bool_ = support_query(query, Step("everywhere"), affine_type_ids=[], exclude_ids=[], size=50)[
            "query"
        ]["bool"]
        text = {
            "bool": {
                "should": [
                    {
                        "multi_match": {
                            "query": "trust betrayal",
                            "fields": [
                                "specialty_names^2.0",
                                "approach_names^1.5",
                                "listing_type_name^1.5",
                                "summary^1.0",
                            ],
                            "type": "most_fields",
                            "boost": 0.2,
                        }
                    },
                    {"match_all": {"boost": 0.0}},
                ],
                "minimum_should_match": 1,
            }
        }
        assert bool_["must"] == [text]
        # Relevance still gates: a specialty, an approach or a fitting type must match.
        assert bool_["minimum_should_match"] == 1
        assert not any("multi_match" in clause for clause in bool_["should"])

    def test_no_need_terms_no_text_clause(self):
        bool_ = support_query(q(), Step("everywhere"), affine_type_ids=[], exclude_ids=[], size=50)["query"][
            "bool"
        ]
        assert "must" not in bool_ or bool_["must"] == []
