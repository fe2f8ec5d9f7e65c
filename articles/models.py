"""Pages of the magazine: home, sections, articles; and the expert review of articles.

An article's "Expert-Reviewed by" line comes only from ``ExpertReview`` records, which are
created when a reviewer approves the ``ExpertReviewTask`` in a workflow (or, for migrated
content, by an import). The article keeps a pointer to its latest review and a fingerprint of its
live content so that the review status can be filtered in the database; see ``articles.reviews``.
"""

from __future__ import annotations

import math

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import ItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, Task, TaskState
from wagtail.models.workflows import AbstractGroupApprovalTask
from wagtail.search import index

from experts.models import Person, Topic

from .blocks import ArticleBodyBlock, stored_value_errors
from .forms import ArticlePageForm
from .text import body_plain_text
from .visibility import visible

WORDS_PER_MINUTE = 220


class HomePage(Page):
    """The front page: the lead story, the newest articles, the review promise and section rails."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    lead_story = models.ForeignKey(
        "articles.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The article shown largest at the top; the newest article when empty or not live.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        PageChooserPanel("lead_story", "articles.ArticlePage"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["articles.SectionPage"]
    max_count = 1

    # How many of the newest articles are read for the "Latest" list and the section rails.
    RECENT_POOL = 60
    LATEST_COUNT = 4
    RAIL_LENGTH = 3

    def get_context(self, request, *args, **kwargs):
        """The lead story, the newest articles and the section rails: cards of the read model's
        rows (``articles.cards``), in a constant number of queries whatever the number of articles."""
        from website.freshness import content_generation

        from .cards import html_cards, newest_article_ids
        from .images import HTML_RENDITIONS
        from .readmodel import read_model

        context = super().get_context(request, *args, **kwargs)
        token = content_generation()[0]
        model = read_model(token)
        sections = list(visible(SectionPage.objects.child_of(self)).order_by("path"))
        recent = newest_article_ids(token, self.path)[: self.RECENT_POOL]
        lead_id = self.lead_story_id if self.lead_story_id and model.rows([self.lead_story_id]) else None
        if lead_id is None and recent:
            lead_id = recent[0]
        others = [pk for pk in recent if pk != lead_id]
        rows = model.rows(others)
        rails = []
        for section in sections:
            ids = [pk for pk in others if pk in rows and rows[pk].section_id == section.pk]
            rails.append((section, ids[: self.RAIL_LENGTH]))
        latest = others[: self.LATEST_COUNT]
        cards = {
            card["id"]: card for card in html_cards([*latest, *(i for _, ids in rails for i in ids)], token)
        }
        # The lead's card shows the larger rendition in the place of the card's.
        lead = (
            html_cards([lead_id], token, {**HTML_RENDITIONS, "card": HTML_RENDITIONS["lead"]})
            if lead_id
            else []
        )
        context.update(
            sections=sections,
            lead_story=lead[0] if lead else None,
            latest_articles=[cards[pk] for pk in latest if pk in cards],
            section_rails=[
                (section, [cards[pk] for pk in ids if pk in cards]) for section, ids in rails if ids
            ],
        )
        return context


class SectionPage(Page):
    """A section of the magazine ("Trends & Signals", "Altered Healing"), holding its articles."""

    intro = models.TextField(blank=True)
    review_interval_months = models.PositiveSmallIntegerField(
        default=12, help_text="How long an expert review stays current for articles in this section."
    )
    expert_review_required = models.BooleanField(
        "expert review required to publish",
        default=True,
        help_text=(
            "When ticked, an article in this section can be published only if an expert review "
            "covers exactly the text being published (title, standfirst and body), or an "
            "administrator recorded an override for that text. Untick only for sections that give "
            "no health advice."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("review_interval_months"),
        FieldPanel("expert_review_required"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["articles.HomePage"]
    subpage_types = ["articles.ArticlePage"]

    PER_PAGE = 12

    def get_context(self, request, *args, **kwargs):
        """A page of the section's articles, newest first: cards of the read model's rows."""
        from website.freshness import content_generation

        from .cards import html_cards, newest_article_ids, page_of

        context = super().get_context(request, *args, **kwargs)
        token = content_generation()[0]
        page_obj = page_of(request, newest_article_ids(token, self.path), self.PER_PAGE)
        context.update(page_obj=page_obj, articles=html_cards(list(page_obj.object_list), token))
        return context


class ArticleTopic(ItemBase):
    """Tags an article with a term of the shared topic vocabulary."""

    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = ParentalKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="tagged_topics"
    )


class ArticlePage(Page):
    """An expert-reviewed article."""

    standfirst = models.TextField(max_length=400, help_text="One or two sentences under the title.")
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_alt = models.CharField(
        max_length=250,
        blank=True,
        help_text="Alt text for the hero image; the image's description otherwise.",
    )
    topics = ClusterTaggableManager(through=ArticleTopic, blank=True)
    body = StreamField(ArticleBodyBlock(), blank=True)
    is_sensitive = models.BooleanField(
        default=False,
        help_text="Abuse, violence, self-harm or crisis: crisis resources come first in suggestions.",
    )
    reading_time = models.PositiveSmallIntegerField(default=1, editable=False, help_text="Minutes.")
    # Kept by articles.reviews; never typed by an editor.
    last_review = models.ForeignKey(
        "articles.ExpertReview",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    live_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    review_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Authors before the hero image: its chooser was easy to mistake for the author's.
    content_panels = Page.content_panels + [
        FieldPanel("standfirst"),
        InlinePanel("article_authors", heading="Written by", label="Author", min_num=1),
        FieldPanel("topics", heading="Topics", help_text="Terms from the shared topic vocabulary."),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="Hero image"),
        FieldPanel("body"),
        InlinePanel("editorial_picks", heading="Editorial picks", label="Pick", max_num=12),
        FieldPanel("is_sensitive"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.RelatedFields("article_authors", [index.RelatedFields("person", [index.SearchField("name")])]),
        index.FilterField("is_sensitive"),
    ]

    parent_page_types = ["articles.SectionPage"]
    subpage_types: list[str] = []
    base_form_class = ArticlePageForm
    exclude_fields_in_copy = ["last_review", "live_fingerprint", "review_due_at"]
    # Fields the review bookkeeping owns: a revision made before a review must not roll them back.
    review_state_fields = ("last_review_id", "live_fingerprint", "review_due_at")

    class Meta:
        verbose_name = "article"

    def clean(self):
        super().clean()
        errors = stored_value_errors(self.body)
        if errors:
            raise ValidationError({"body": errors})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            words = len(body_plain_text(self.body).split()) + len((self.standfirst or "").split())
            self.reading_time = max(1, math.ceil(words / WORDS_PER_MINUTE))
        self._check_new_live_revision()
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .page_context import article_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(article_page_context(self, request))
        return context

    def publish(self, revision, *args, **kwargs):
        from .publishing import ensure_publishable

        ensure_publishable(self, revision)
        return super().publish(revision, *args, **kwargs)

    def _check_new_live_revision(self) -> None:
        """Refuses a save that makes a new revision live without a review or override covering it."""
        if not (self.pk and self.live and self.live_revision_id):
            return
        stored = ArticlePage.objects.filter(pk=self.pk).values_list("live_revision_id", flat=True).first()
        if stored == self.live_revision_id:
            return
        from .publishing import ensure_publishable

        ensure_publishable(self, self.live_revision)

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for field in self.review_state_fields:
            setattr(obj, field, getattr(self, field))
        return obj

    @property
    def section(self) -> SectionPage | None:
        parent = self.get_parent()
        return parent.specific if parent else None

    @property
    def authors(self) -> list[Person]:
        return [rel.person for rel in self.article_authors.all()]

    @property
    def review_status(self) -> str:
        from .reviews import review_status

        return review_status(self)

    @property
    def hero_alt_text(self) -> str:
        if self.hero_alt:
            return self.hero_alt
        return self.hero_image.default_alt_text if self.hero_image else ""


class ArticleAuthor(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="article_authors")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="authored")

    panels = [FieldPanel("person")]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["page", "person"], name="unique_article_author")]


class EditorialPick(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="editorial_picks")
    picked = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("picked", "articles.ArticlePage")]


class ExpertReview(models.Model):
    """An expert's approval of one exact revision of an article."""

    class Source(models.TextChoices):
        WORKFLOW = "workflow", "Workflow approval"
        IMPORTED = "imported", "Imported"

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="expert_reviews")
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reviews")
    reviewed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField()
    conflict_of_interest = models.TextField(
        blank=True, help_text="Declared by the reviewer; empty means none."
    )
    content_fingerprint = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WORKFLOW)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        get_latest_by = "reviewed_at"

    def __str__(self):
        return f"{self.reviewer} reviewed “{self.article.title}” on {self.reviewed_at:%Y-%m-%d}"


class PublishOverride(models.Model):
    """An administrator's decision that one text of an article may be published without expert review.

    Pinned, like an ``ExpertReview``, to a revision and the fingerprint of its title, standfirst
    and body (``articles.publishing``): it covers that text only, so any later edit of the text
    needs a review or a new override. Rows are an audit trail: nothing edits or deletes them, and
    an override never puts "Expert-Reviewed by" on the page.
    """

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="publish_overrides")
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_fingerprint = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for an override carried in by a content package.",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        default_permissions = ("view",)
        permissions = [("record_publishoverride", "Can publish an article without expert review")]

    def __str__(self):
        return f"Override for “{self.article.title}” on {self.recorded_at:%Y-%m-%d}"


class ExpertReviewTask(Task):
    """Workflow step in which an expert reviewer approves (with a summary) or sends back an article.

    Only the chosen reviewers act on it, through the user account linked to their ``Person``.
    Approving records an ``ExpertReview`` pinned to the revision under review (``record_review``);
    requesting changes needs a comment and sends the article back to its author.
    """

    reviewers = models.ManyToManyField(
        Person,
        limit_choices_to={"is_reviewer": True},
        related_name="review_tasks",
        help_text="Expert reviewers who may act on this step (each needs a linked user account).",
    )

    admin_form_fields = Task.admin_form_fields + ["reviewers"]
    admin_form_widgets = {"reviewers": forms.CheckboxSelectMultiple}

    class Meta:
        verbose_name = "expert review task"

    def _is_reviewer(self, user) -> bool:
        if not (user and user.is_authenticated and user.is_active):
            return False
        # Cached per user object and task: the editor asks several times per request.
        checks = user.__dict__.setdefault("_expert_review_task_checks", {})
        if self.pk not in checks:
            checks[self.pk] = self.reviewers.filter(user=user, is_reviewer=True).exists()
        return checks[self.pk]

    def user_can_access_editor(self, obj, user):
        return self._is_reviewer(user)

    def locked_for_user(self, obj, user):
        return not (user.is_superuser or self._is_reviewer(user))

    def approval_refusal(self, obj, user) -> str | None:
        """Why ``user`` may not approve ``obj``'s review now (``articles.reviews.approval_refusal``)."""
        from .reviews import approval_refusal

        task_state = obj.current_workflow_task_state
        if task_state is None:
            return "This article is not waiting for an expert review."
        checks = user.__dict__.setdefault("_expert_review_refusals", {})
        if task_state.pk not in checks:
            checks[task_state.pk] = approval_refusal(task_state, user)
        return checks[task_state.pk]

    def get_actions(self, obj, user):
        if not self._is_reviewer(user):
            return []
        actions = [("reject", "Request changes", True)]
        if self.approval_refusal(obj, user) is None:
            actions.append(("approve", "Approve as expert reviewer", True))
        return actions

    def get_form_for_action(self, action):
        from .workflow import ExpertApprovalForm, ExpertRejectionForm

        return ExpertApprovalForm if action == "approve" else ExpertRejectionForm

    def on_action(self, task_state, user, action_name, **kwargs):
        from .reviews import ReviewError, record_review

        # Wagtail passes the action form's cleaned data as keyword arguments; TaskState.approve()
        # takes only ``comment``, so our own fields are taken out here.
        if action_name == "approve":
            summary = kwargs.pop("summary", "")
            conflict = kwargs.pop("conflict_of_interest", "")
            with transaction.atomic():
                try:
                    record_review(task_state, user, summary=summary, conflict_of_interest=conflict)
                except ReviewError as e:
                    raise PermissionDenied(str(e)) from e
                kwargs.setdefault("comment", summary)
                return super().on_action(task_state, user, action_name, **kwargs)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if self._is_reviewer(user):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return "Chosen expert reviewers approve the article with a summary, or request changes."


class EditorApprovalTask(AbstractGroupApprovalTask):
    """The editors' step after the expert review: approve (which publishes) or request changes.

    A group approval step with one more rule (separation of duties): an account that approved an
    earlier step of the same workflow run, the expert review above all, cannot approve this one,
    superusers included. One account doing both would make "Expert-Reviewed by" a single person's
    say-so.
    """

    class Meta:
        verbose_name = "editor approval task"

    def approval_refusal(self, obj, user) -> str | None:
        workflow_state = obj.current_workflow_state
        if workflow_state is None or user is None or not user.is_authenticated:
            return None
        approved_earlier = workflow_state.task_states.filter(
            status=TaskState.STATUS_APPROVED, finished_by=user
        ).exclude(task_id=self.pk)
        if approved_earlier.exists():
            return (
                "You approved an earlier step of this article's review, so another editor must "
                "approve this one."
            )
        return self.publish_refusal(obj, workflow_state)

    def publish_refusal(self, obj, workflow_state) -> str | None:
        """As the workflow's last step, approving publishes the latest revision: the publishing
        gate (``articles.publishing``) is asked first, so that a skipped expert step or a text
        edited after the review is refused before anything is recorded."""
        from .publishing import publish_refusal

        last_task = (
            Task.objects.filter(workflow_tasks__workflow_id=workflow_state.workflow_id, active=True)
            .order_by("-workflow_tasks__sort_order")
            .first()
        )
        if last_task is None or last_task.pk != self.pk:
            return None
        article = obj.specific
        if not isinstance(article, ArticlePage):
            return None
        return publish_refusal(article, article.get_latest_revision())

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if actions and self.approval_refusal(obj, user):
            return [action for action in actions if action[0] != "approve"]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            refusal = self.approval_refusal(task_state.workflow_state.content_object, user)
            if refusal:
                raise PermissionDenied(refusal)
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "Editors approve and publish; whoever approved an earlier step cannot approve this one."
