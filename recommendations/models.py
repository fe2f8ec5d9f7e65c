"""Precomputed data of the database backend: one profile per live article and its nearest neighbours.

Reads then cost a constant handful of queries whatever the size of the catalogue: the neighbours
of an article are one indexed lookup, not a comparison with every other article. The tables are
kept by the indexing tasks (``recommendations.tasks``) and rebuilt by ``rebuild_recommendations``.
They are kept on every site, also when Elasticsearch serves reads, because they are the fallback.
"""

from django.db import models


class ArticleProfile(models.Model):
    """What the engine knows of one live, public article."""

    article = models.OneToOneField(
        "articles.ArticlePage", primary_key=True, on_delete=models.CASCADE, related_name="reco_profile"
    )
    section_id = models.IntegerField(null=True)
    author_ids = models.JSONField(default=list)
    topic_ids = models.JSONField(default=list, help_text="Topics the article is tagged with.")
    mentioned_topic_ids = models.JSONField(
        default=list, help_text="Other topics whose name or a synonym appears in the text."
    )
    approach_ids = models.JSONField(default=list, help_text="Approaches named in the text.")
    terms = models.JSONField(default=dict, help_text="Weighted stemmed terms, before IDF.")
    is_sensitive = models.BooleanField(default=False)
    advises_against_joint_sessions = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64, help_text="Hash of the inputs, to detect drift.")
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "article recommendation profile"

    def __str__(self):
        return f"Profile of article {self.article_id}"


class RelatedScore(models.Model):
    """A precomputed similarity of ``related`` to ``article`` (directional: topic rarity is measured
    from ``article``'s side)."""

    article = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    related = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    text_score = models.FloatField(default=0.0)
    topic_score = models.FloatField(default=0.0)
    same_section = models.BooleanField(default=False)
    shared_topic_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="unique_related_score"),
            models.CheckConstraint(
                condition=~models.Q(article=models.F("related")), name="related_score_not_self"
            ),
        ]
        indexes = [models.Index(fields=["article", "-score"], name="related_score_lookup_idx")]

    def __str__(self):
        return f"{self.related_id} for {self.article_id}: {self.score:.3f}"
