"""The search-engine backend (Elasticsearch 8/9 or OpenSearch 2/3): documents, versioned indexes
behind aliases, queries, bulk loading.

Assembled from collaborators set as class attributes, so a subclass for another cluster version
overrides only what changed:

- ``client_factory``: an ``engine.EngineClient`` for the configured engine (elasticsearch-py or
  opensearch-py, chosen by ``RECOMMENDATIONS_ENGINE`` or detected from the cluster), with short
  timeouts and no client retries (the circuit breaker in ``recommendations.interface`` decides what
  happens on failure);
- ``index_class`` (``AliasedIndex``): create a versioned index, bulk-load with 429 retries,
  swap the alias in one ``_aliases`` request, drop the old index, single-document writes;
- ``document_builder_class`` (``DocumentBuilder``): article and listing documents from the models;
- ``queries`` module: the request bodies (``recommendations.queries``).

Reads ask Elasticsearch for candidates only; ranking, reasons, rotation and safety rules are the
shared ones (``recommendations.scoring``), applied to rows re-read from the database, so a stale
index can never show an unpublished article or an inactive listing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict

from django.utils import timezone

from articles.readmodel import read_model
from articles.text import block_words
from website.freshness import content_generation

from .. import queries
from ..concepts import concept_graph
from ..conf import reco_setting
from ..documents import index_body
from ..engine import EngineClient, EngineError, EngineNotFound, connect
from ..formats import about_joint_format, advises_against_joint_format, load_joint_format_topics
from ..scoring import Step, SupportQuery, concept_related_topics, pair_score, topic_idf, type_affinity
from ..text import BLOCK_WEIGHTS, WARNING_BLOCKS, warning_split
from .base import BaseBackend
from .database import NeighbourStore, eligible_articles

logger = logging.getLogger(__name__)

KINDS = ("articles", "listings")


class BackendUnavailable(Exception):
    """The engine could not answer (connection refused, timeout, 5xx, 429)."""


def client_factory() -> EngineClient:
    url = reco_setting("RECOMMENDATIONS_ES_URL")
    if not url:
        raise BackendUnavailable(
            'no search engine is configured: set SEARCH_ENGINE_URL (WELLNESS["RECOMMENDATIONS_ES_URL"])'
        )
    timeout = float(reco_setting("RECOMMENDATIONS_ES_TIMEOUT"))
    try:
        return connect(
            url,
            kind=reco_setting("RECOMMENDATIONS_ENGINE"),
            timeout=timeout,
            write_timeout=float(reco_setting("RECOMMENDATIONS_ES_WRITE_TIMEOUT")),
        )
    except EngineError as e:
        raise BackendUnavailable(str(e)) from e


def _fingerprint(doc: dict) -> str:
    payload = {k: v for k, v in doc.items() if k != "fingerprint"}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class DocumentBuilder:
    """Documents for the indexes, from the database."""

    def article_documents(self, article_ids: list[int] | None = None) -> dict[int, dict]:
        from articles.reviews import annotate_review_status
        from experts.models import Topic

        facts = {f.article_id: f for f in NeighbourStore().facts_for_all()}
        qs = annotate_review_status(eligible_articles())
        if article_ids is not None:
            qs = qs.filter(pk__in=article_ids)
        names = dict(Topic.objects.values_list("pk", "name"))
        format_topics = load_joint_format_topics()
        docs = {}
        for article in qs:
            f = facts.get(article.pk)
            if f is None:
                continue
            body, boilerplate, headings = self._split_body(article.body)
            standfirst, standfirst_warns = warning_split(article.standfirst)
            doc = {
                "article_id": article.pk,
                "title": article.title,
                "standfirst": standfirst,
                "body": body,
                "boilerplate": " ".join(part for part in (standfirst_warns, boilerplate) if part),
                "headings": headings,
                "topic_names": [names.get(t, "") for t in f.topic_ids],
                "topic_ids": f.topic_ids,
                "mentioned_topic_ids": f.mentioned_topic_ids,
                "approach_ids": f.approach_ids,
                "section_id": f.section_id,
                "author_ids": f.author_ids,
                "first_published_at": article.first_published_at.isoformat()
                if article.first_published_at
                else None,
                "review_status": article.review_status_db,
                "is_sensitive": f.is_sensitive,
                "advises_against_joint_sessions": f.advises_against_joint_sessions,
                "about_joint_format": about_joint_format(f.topic_ids, format_topics),
            }
            doc["fingerprint"] = _fingerprint(doc)
            docs[article.pk] = doc
        return docs

    @staticmethod
    def _split_body(body) -> tuple[str, str, str]:
        """(running text, low-weight boilerplate, headings and FAQ): the fields similarity weighs
        as the database backend's field weights do. What warns (safety notes, sentences that warn
        or negate: ``text.subject_blocks``' rule) goes to the boilerplate, which similarity ignores."""
        main, low, salient = [], [], []
        for block in body or []:
            weight = BLOCK_WEIGHTS.get(block.block_type, 1.0)
            if weight <= 0:
                continue
            text = " ".join(block_words(block.value))
            if block.block_type in WARNING_BLOCKS:
                low.append(text)
                continue
            stated, warned = warning_split(text)
            part = salient if weight > 1 else main if weight == 1 else low
            part.append(stated)
            low.append(warned)
        return tuple(" ".join(p for p in parts if p) for parts in (main, low, salient))

    def listing_documents(self, listing_ids: list[int] | None = None) -> dict[int, dict]:
        from experts.models import Listing

        qs = Listing.objects.select_related("listing_type").prefetch_related(
            "languages", "specialties", "approaches"
        )
        if listing_ids is not None:
            qs = qs.filter(pk__in=listing_ids)
        docs = {}
        for listing in qs:
            lt = listing.listing_type
            location = None
            if listing.latitude is not None and listing.longitude is not None:
                location = {"lat": float(listing.latitude), "lon": float(listing.longitude)}
            doc = {
                "listing_id": listing.pk,
                "name": listing.name,
                "listing_type_id": lt.pk,
                "listing_type_name": lt.name,
                "summary": listing.summary,
                "specialty_names": sorted(t.name for t in listing.specialties.all()),
                "approach_names": sorted(a.name for a in listing.approaches.all()),
                "is_clinical": lt.is_clinical,
                "is_crisis_resource": lt.is_crisis_resource,
                "offers_joint_sessions": lt.offers_joint_sessions,
                "offers_in_person": listing.offers_in_person,
                "offers_online": listing.offers_online,
                "country": listing.country,
                "languages": sorted(lang.code for lang in listing.languages.all()),
                "specialty_ids": sorted(t.pk for t in listing.specialties.all()),
                "approach_ids": sorted(a.pk for a in listing.approaches.all()),
                "location": location,
                "accepting_clients": listing.accepting_clients,
                "is_active": listing.is_active,
                "verified": listing.verified,
                "sponsored": listing.is_sponsored,
            }
            doc["fingerprint"] = _fingerprint(doc)
            docs[listing.pk] = doc
        return docs

    def documents(self, kind: str, ids: list[int] | None = None) -> dict[int, dict]:
        return self.article_documents(ids) if kind == "articles" else self.listing_documents(ids)


class AliasedIndex:
    """One kind of document in versioned indexes behind an alias."""

    def __init__(self, client: EngineClient, kind: str):
        self.client = client
        self.kind = kind
        self.alias = f"{reco_setting('RECOMMENDATIONS_ES_INDEX_PREFIX')}_{kind}"

    def new_name(self) -> str:
        return f"{self.alias}_{timezone.now():%Y%m%d%H%M%S%f}"

    def create(self, name: str) -> None:
        body = index_body(self.kind)
        self.client.create_index(name, settings=body["settings"], mappings=body["mappings"])

    def bulk(self, index: str, docs: dict[int, dict]) -> tuple[int, list[tuple[int, str]]]:
        """Indexes ``docs``, retrying documents refused with 429 (with backoff). Returns (indexed, failed)."""
        chunk = int(reco_setting("RECOMMENDATIONS_ES_BULK_CHUNK"))
        retries = int(reco_setting("RECOMMENDATIONS_ES_BULK_RETRIES"))
        backoff = float(reco_setting("RECOMMENDATIONS_ES_BULK_BACKOFF"))
        items = sorted(docs.items())
        indexed, failed = 0, []
        for start in range(0, len(items), chunk):
            pending = items[start : start + chunk]
            for attempt in range(retries + 1):
                retry = []
                operations = []
                for pk, doc in pending:
                    operations += [{"index": {"_index": index, "_id": str(pk)}}, doc]
                try:
                    response = self.client.bulk(operations)
                except EngineError as e:
                    if e.status == 429:
                        retry = pending
                    else:
                        raise
                else:
                    for (pk, _doc), item in zip(pending, response["items"], strict=False):
                        result = next(iter(item.values()))
                        status = result.get("status", 500)
                        if status == 429:
                            retry.append((pk, _doc))
                        elif status >= 300:
                            error = result.get("error") or {}
                            failed.append(
                                (pk, f"{status} {error.get('type', '')}: {error.get('reason', '')}".strip())
                            )
                        else:
                            indexed += 1
                pending = retry
                if not pending:
                    break
                if attempt < retries:
                    time.sleep(backoff * 2**attempt)
            failed += [
                (pk, f"429 too many requests, still refused after {retries} retries") for pk, _ in pending
            ]
        return indexed, failed

    def current_indexes(self) -> list[str]:
        return self.client.alias_targets(self.alias)

    def ensure(self) -> bool:
        """Creates an empty index behind the alias when there is none (a fresh or wiped node), so
        a first write never lets the engine invent an index named like the alias with guessed
        mappings. Returns True if it created one."""
        if self.current_indexes():
            return False
        name = self.new_name()
        self.create(name)
        try:
            self.client.update_aliases([{"add": {"index": name, "alias": self.alias}}])
        except EngineError:
            self.client.delete_index(name)  # another process won the race; keep its index
            if not self.current_indexes():
                raise
            return False
        return True

    def swap(self, new: str) -> list[str]:
        """Points the alias at ``new`` and away from every old index in one atomic request."""
        old = self.current_indexes()
        actions = [{"add": {"index": new, "alias": self.alias}}]
        actions += [{"remove": {"index": name, "alias": self.alias}} for name in old if name != new]
        self.client.update_aliases(actions)
        return [name for name in old if name != new]

    def put(self, pk: int, doc: dict) -> None:
        self.client.put(self.alias, str(pk), doc)

    def delete(self, pk: int) -> None:
        self.client.delete_document(self.alias, str(pk))

    def fingerprints(self) -> dict[int, str]:
        """Every document's fingerprint (one request; fine up to 10,000 documents of a kind); none
        when the alias does not exist yet."""
        try:
            response = self.client.search(
                self.alias, {"query": {"match_all": {}}, "_source": ["fingerprint"], "size": 10000}
            )
        except EngineNotFound:
            return {}
        return {
            int(hit["_id"]): (hit.get("_source") or {}).get("fingerprint", "")
            for hit in response["hits"]["hits"]
        }


class ElasticsearchBackend(BaseBackend):
    name = "elasticsearch"
    client_factory = staticmethod(client_factory)
    index_class = AliasedIndex
    document_builder_class = DocumentBuilder
    queries = queries
    candidate_size = 50

    def __init__(self):
        self._client = None
        self.documents = self.document_builder_class()

    @property
    def client(self):
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    def index(self, kind: str) -> AliasedIndex:
        return self.index_class(self.client, kind)

    def _search(self, kind: str, body: dict) -> list[dict]:
        try:
            response = self.client.search(self.index(kind).alias, body)
        except Exception as e:
            raise BackendUnavailable(f"{kind} search failed: {e!r}") from e
        return response["hits"]["hits"]

    # --- reads -------------------------------------------------------------------------------------

    def related_candidates(self, article, facts, exclude: set[int], size: int, generation: str | None = None):
        """The neighbour table's rows, as on the database backend (precomputed at write time with
        the whole corpus in view); the engine's ``more_like_this`` for an article the table does not
        hold yet, or on every request with ``RECOMMENDATIONS_RELATED_FROM_ENGINE``."""
        if not reco_setting("RECOMMENDATIONS_RELATED_FROM_ENGINE"):
            stored = self.stored_neighbours(article, exclude, size)
            if stored is not None:
                return stored
        return self.engine_related_candidates(article, facts, exclude, size, generation)

    def engine_related_candidates(self, article, facts, exclude: set[int], size: int, generation=None):
        # The graph of this generation, remembered per process (one query for the token when the
        # caller has not read it, rather than the graph's four).
        graph = concept_graph(generation or content_generation()[0])
        linked = concept_related_topics(graph, facts.topic_ids)
        body = self.queries.related_query(
            self.index("articles").alias,
            article.pk,
            topic_ids=facts.topic_ids,
            linked_topic_ids=sorted(linked),
            exclude_ids=sorted(exclude),
            size=size,
            exclude_joint_formats=advises_against_joint_format(facts),
        )
        hits = self._search("articles", body)
        # The engine finds candidates and scores them by text likeness; their score is then the
        # shared formula of the database backend (scoring.pair_score: text, topics and linked
        # topics, same section), with the text part scaled by the article's own score (the most
        # any hit can reach) and the topics weighted by their IDF over the visible articles.
        own = next((hit.get("_score") or 0.0 for hit in hits if int(hit["_id"]) == article.pk), 0.0)
        top = own or max((hit.get("_score") or 0.0 for hit in hits), default=0.0) or 1.0
        idf = self.topic_idf(generation)
        out = []
        for hit in hits:
            if int(hit["_id"]) == article.pk:
                continue
            source = hit.get("_source") or {}
            text = min(1.0, (hit.get("_score") or 0.0) / top)
            score, _, shared = pair_score(
                facts.topic_ids,
                source.get("topic_ids") or [],
                text,
                facts.section_id is not None and source.get("section_id") == facts.section_id,
                idf,
                linked,
            )
            out.append(
                (int(hit["_id"]), {"score": score, "text_score": round(text, 6), "shared_topic_ids": shared})
            )
        out.sort(key=lambda item: (-item[1]["score"], item[0]))
        return out

    @staticmethod
    def topic_idf(generation: str | None) -> dict[int, float]:
        """Topics' IDF over the generation's visible articles (as the neighbour table weighs them),
        kept on its read model; no weights when the read model holds no rows (above its limit)."""
        model = read_model(generation or content_generation()[0])

        def build() -> dict[int, float]:
            if model.articles is None:
                return {}
            df: dict[int, int] = defaultdict(int)
            for row in model.articles.values():
                for t in row.topic_ids:
                    df[t] += 1
            return topic_idf(df, len(model.articles))

        return model.derive("recommendations.topic-idf", build)

    def support_candidates(self, q: SupportQuery, step: Step, exclude: set[int]) -> list[int]:
        from experts.models import ListingType

        affine = [
            pk
            for pk, name in ListingType.objects.values_list("pk", "name")
            if pk in q.suited_types or type_affinity(name, q.terms)
        ]
        body = self.queries.support_query(
            q,
            step,
            affine_type_ids=affine if q.has_signals else [],
            exclude_ids=sorted(exclude),
            size=self.candidate_size,
        )
        return [int(hit["_id"]) for hit in self._search("listings", body)]

    # --- writes ------------------------------------------------------------------------------------

    @staticmethod
    def _kind(app_label: str, model_name: str) -> str | None:
        return {("articles", "articlepage"): "articles", ("experts", "listing"): "listings"}.get(
            (app_label, model_name)
        )

    def index_object(self, app_label: str, model_name: str, pk: int) -> str:
        kind = self._kind(app_label, model_name)
        if kind is None:
            return "not indexed"
        docs = self.documents.documents(kind, [pk])
        index = self.index(kind)
        if pk in docs:
            if index.ensure():
                logger.warning(
                    "%s: created %s on first use; run check_recommendations --fix", self.name, index.alias
                )
            index.put(pk, docs[pk])
            return "indexed"
        index.delete(pk)
        return "removed"

    def remove_object(self, app_label: str, model_name: str, pk: int) -> str:
        kind = self._kind(app_label, model_name)
        if kind is None:
            return "not indexed"
        self.index(kind).delete(pk)
        return "removed"

    def rebuild(self, log=print) -> dict:
        report: dict = {"failed": []}
        for kind in KINDS:
            index = self.index(kind)
            docs = self.documents.documents(kind)
            name = index.new_name()
            index.create(name)
            indexed, failed = index.bulk(name, docs)
            report["failed"] += [(f"{kind}/{pk}", reason) for pk, reason in failed]
            if docs and not indexed:
                self.client.delete_index(name)
                raise BackendUnavailable(f"no {kind} document could be indexed; the alias was left as it was")
            self.client.refresh(name)
            old = index.swap(name)
            for old_name in old:
                self.client.delete_index(old_name)
            report[kind] = indexed
            log(
                f"{self.client.kind}: {indexed} {kind} in {name}, alias {index.alias} swapped, "
                f"{len(old)} old index(es) removed, {len(failed)} failed"
            )
        return report

    def check(self, *, fix: bool = False, log=print) -> dict:
        drift: dict[str, list] = defaultdict(list)
        for kind in KINDS:
            index = self.index(kind)
            docs = self.documents.documents(kind)
            if fix and index.ensure():
                log(f"{self.client.kind}: {index.alias} did not exist: created it with its mappings")
            stored = index.fingerprints()
            missing = sorted(set(docs) - set(stored))
            stale = sorted(pk for pk in set(docs) & set(stored) if docs[pk]["fingerprint"] != stored[pk])
            extra = sorted(set(stored) - set(docs))
            drift[f"{kind} missing"], drift[f"{kind} stale"], drift[f"{kind} extra"] = missing, stale, extra
            for label, ids in (("missing", missing), ("stale", stale), ("extra", extra)):
                if ids:
                    log(f"{self.client.kind}: {len(ids)} {kind} {label}: {ids[:20]}")
            if fix:
                repair = {pk: docs[pk] for pk in missing + stale}
                if repair:
                    _, failed = index.bulk(index.alias, repair)
                    for pk, reason in failed:
                        log(f"{self.client.kind}: could not repair {kind}/{pk}: {reason}")
                for pk in extra:
                    index.delete(pk)
        return dict(drift)
