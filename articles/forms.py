"""The article's admin form: a new article starts with its author filled in.

An author who has a Person record (linked to their login) would otherwise have to find themselves
in a chooser. The first author row of a new, unsubmitted form is filled with that Person; the
author can still change or remove it. Only unbound forms are touched: a posted form is read as
posted.
"""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminPageForm

from experts.models import Person


class ArticlePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound or self.instance.pk or "article_authors" not in self.formsets:
            return
        user = getattr(self, "for_user", None)
        if user is None or not user.is_authenticated:
            return
        person = Person.objects.filter(user=user).only("pk").first()
        if person is not None:
            self.formsets["article_authors"].initial_extra = [{"person": person.pk}]
