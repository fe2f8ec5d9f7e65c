"""Admin panels of the directory that show rather than edit.

``LoginLinkPanel`` sits on a person's edit form in place of an editable "user" field: which login
acts as a person is an administrator's decision, taken through its own audited action
(``articles.reviewer_logins``), so editors see the login and its history but cannot change it here.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from wagtail.admin.panels import Panel

LOGIN_CHANGE_URL_NAME = "experts_person_login"


class LoginLinkPanel(Panel):
    """The linked login, when it was linked, every past change, and (for administrators) a link to
    change it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "experts/admin/login_link_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            person = self.instance
            saved = person is not None and person.pk is not None
            change_url = ""
            if saved and self.request is not None and self.request.user.is_superuser:
                try:
                    change_url = reverse(LOGIN_CHANGE_URL_NAME, args=(person.pk,))
                except NoReverseMatch:
                    change_url = ""
            context.update(
                person=person,
                saved=saved,
                login=person.user.get_username() if saved and person.user_id else "",
                changes=list(person.login_changes.all()[:20]) if saved else [],
                change_url=change_url,
            )
            return context
