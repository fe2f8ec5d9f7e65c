"""Which login acts as a person: linked and unlinked by administrators only, every change audited.

The login linked to a ``Person`` is what lets an account approve an expert review in that person's
name, so it is not a field an editor can type into. ``change_login`` is the one way the admin
changes it; it refuses

- anyone but an active superuser,
- a change without a reason,
- a change while the person sits on an expert review step that has an article in review (the
  review would otherwise be approved by whoever was linked half-way through it),
- a login that already acts as another person,

and writes a ``PersonLoginChange`` (who, when, old → new, why) that the person's admin page shows.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from wagtail.models import TaskState

from .models import Person, PersonLoginChange


class LoginChangeRefused(Exception):
    """A login change that may not be made; the message says why, for the administrator."""


def open_review_count(person: Person) -> int:
    """Articles waiting on an expert review step on which ``person`` is a reviewer."""
    return TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS, task__in=person.review_tasks.values("pk")
    ).count()


def change_login(person: Person, new_user: AbstractBaseUser | None, *, by, reason: str) -> PersonLoginChange:
    """Links ``new_user`` (or no login, for ``None``) to ``person`` on behalf of administrator ``by``.

    Raises:
        LoginChangeRefused: with a message naming the rule that was broken.
    """
    if not (by is not None and by.is_authenticated and by.is_active and by.is_superuser):
        raise LoginChangeRefused("Only an administrator can change which login acts as a person.")
    reason = (reason or "").strip()
    if not reason:
        raise LoginChangeRefused("Give a reason for the change; it is kept in the person's login history.")
    with transaction.atomic():
        # Locks the person row only: PostgreSQL cannot lock the nullable side of a join to the user.
        person = Person.objects.select_for_update().get(pk=person.pk)
        new_id = new_user.pk if new_user is not None else None
        if person.user_id == new_id:
            raise LoginChangeRefused("That login is already the one linked to this person.")
        waiting = open_review_count(person)
        if waiting:
            raise LoginChangeRefused(
                f"{person.display_name} is a reviewer on an expert review step with {waiting} article(s) "
                "in review; the login can change once those reviews are finished or cancelled."
            )
        if new_user is not None:
            other = Person.objects.filter(user=new_user).exclude(pk=person.pk).first()
            if other is not None:
                raise LoginChangeRefused(
                    f"The login {new_user.get_username()!r} already acts as {other.display_name}."
                )
        old_username = person.user.get_username() if person.user_id else ""
        person.user = new_user
        person.save(update_fields=["user"])
        return PersonLoginChange.objects.create(
            person=person,
            changed_by=by,
            changed_by_username=by.get_username(),
            old_username=old_username,
            new_username=new_user.get_username() if new_user is not None else "",
            reason=reason,
        )
