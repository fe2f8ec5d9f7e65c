"""Which models readers see, as each app declares them, and the receivers that watch their writes.

An app lists the models whose rows appear in a public response (an HTML page or the API) in its
``AppConfig.ready()``::

    declare_shown(Person, Credential, Listing, Topic)

Saving or deleting a row of a declared model (or of a subclass: every page type is a ``Page``), a
change of one of its many-to-many relations, and Wagtail's publish, unpublish and move signals then
call ``content_changed()`` inside the writer's transaction. Nothing is inferred from app labels:
a model nobody declared never renews the generation, and ``tests/freshness`` fails for a model a
public response shows that is neither declared nor listed there as not shown.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from .generation import content_changed

_shown: set[type] = set()
_verdicts: dict[type, bool] = {}


def declare_shown(*models: type) -> None:
    """Declares ``models`` (and the automatic through tables of their many-to-many fields) as shown."""
    for model in models:
        _shown.add(model)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            if through is not None and through._meta.auto_created:
                _shown.add(through)
    _verdicts.clear()


def shown_models() -> frozenset[type]:
    """The declared models (without their subclasses)."""
    return frozenset(_shown)


def is_shown(sender) -> bool:
    """Whether a write to ``sender``'s rows can change a public response (remembered per class)."""
    verdict = _verdicts.get(sender)
    if verdict is None:
        # Historical models of data migrations (module "__fake__") are never declared classes.
        verdict = isinstance(sender, type) and bool(_shown) and issubclass(sender, tuple(_shown))
        _verdicts[sender] = verdict
    return verdict


def _on_write(sender, **kwargs) -> None:
    if is_shown(sender):
        content_changed()


def _on_relation_change(sender, action: str, **kwargs) -> None:
    if action.startswith("post_") and is_shown(sender):
        content_changed()


def connect_receivers() -> None:
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_on_write, dispatch_uid="freshness_post_save")
    post_delete.connect(_on_write, dispatch_uid="freshness_post_delete")
    m2m_changed.connect(_on_relation_change, dispatch_uid="freshness_m2m_changed")
    # Publishing saves the page as well; these make the page events explicit, whatever they write.
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(content_changed, dispatch_uid=f"freshness_{id(signal)}")
