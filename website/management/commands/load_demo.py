"""``manage.py load_demo``: roles, the demo content package, generated images and demo accounts.

Safe to run any number of times: the package import is idempotent by slug, images are found by
title before one is drawn, accounts by username. Demo accounts are only created when the settings
allow it (``WELLNESS_DEMO_ACCOUNTS``, true in development and test settings only).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Site

from articles.content_package import ContentPackageError
from articles.models import ArticlePage, HomePage
from articles.roles import AUTHORS, EDITORS, REVIEWERS
from experts.models import Person
from website.demo import import_demo_content, read_demo_package
from website.demo_images import PORTRAIT_SIZE, demo_image

REVIEWER_PERSON = "ines-marwood"
AUTHOR_PERSON = "jonah-wexford"
SITE_NAME = "Clear Mind Journal"
FLAGSHIP = "after-the-breach-couples-therapy-and-rebuilding-trust"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    group: str | None = None
    superuser: bool = False
    person: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("Administrator", "admin", "demo-admin-pass", superuser=True),
    DemoAccount("Author", "author", "demo-author-pass", group=AUTHORS, person=AUTHOR_PERSON),
    DemoAccount("Expert reviewer", "reviewer", "demo-reviewer-pass", group=REVIEWERS, person=REVIEWER_PERSON),
    DemoAccount("Editor", "editor", "demo-editor-pass", group=EDITORS),
)


def add_demo_images(data: dict) -> None:
    """Points the package's articles and people at generated images (drawn once, found by title).

    The images travel through the import like any other field, so an article gets its hero image
    in the same revision as its content and a second run finds nothing to change.
    """
    for article in data.get("articles", []):
        if not article.get("hero_image"):
            title = f"Illustration: {article['title']}"
            demo_image(title, description=f"Abstract illustration for “{article['title']}”")
            article["hero_image"] = title
    for person in data.get("people", []):
        if not person.get("photo"):
            title = f"Portrait: {person['name']}"
            name = f"{person.get('honorific', '')} {person['name']}".strip()
            demo_image(
                title, description=f"Illustrated portrait of {name}", size=PORTRAIT_SIZE, portrait=True
            )
            person["photo"] = title


def feature_flagship() -> None:
    """Makes the flagship article the home page's lead story, unless an editor chose one."""
    home = HomePage.objects.first()
    flagship = ArticlePage.objects.filter(slug=FLAGSHIP).first()
    if home is None or flagship is None or home.lead_story_id is not None:
        return
    home.lead_story = flagship
    home.save_revision().publish()


def name_demo_site() -> None:
    """Gives the default site the magazine's name (Wagtail's first site is called "localhost")."""
    Site.objects.filter(is_default_site=True).exclude(site_name=SITE_NAME).update(site_name=SITE_NAME)


def ensure_demo_accounts() -> list[tuple[DemoAccount, bool]]:
    """Creates the demo logins that do not exist yet; existing ones (and their passwords) are kept."""
    User = get_user_model()
    result = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        created = user is None
        if created:
            email = f"{account.username}@example.org"
            if account.superuser:
                user = User.objects.create_superuser(account.username, email, account.password)
            else:
                user = User.objects.create_user(account.username, email, account.password)
        if account.group:
            user.groups.add(Group.objects.get(name=account.group))
        if account.person:
            person = Person.objects.get(slug=account.person)
            if person.user_id is None:
                person.user = user
                person.save(update_fields=["user"])
        result.append((account, created))
    return result


class Command(BaseCommand):
    help = "Load the demo content (idempotently), its generated images, and demo accounts in development."

    def handle(self, *args, **options):
        verbosity = options.get("verbosity", 1)
        quiet = {"stdout": self.stderr if verbosity > 1 else io.StringIO()}
        call_command("setup_roles", **quiet)
        try:
            data = read_demo_package()
            with transaction.atomic():
                add_demo_images(data)
                _, result = import_demo_content(data)
                feature_flagship()
                name_demo_site()
        except ContentPackageError as e:
            raise CommandError("The demo content package is invalid:\n  " + "\n  ".join(e.errors)) from e
        if verbosity:
            self.stdout.write(f"Demo content: {result.summary()}.")
        if not getattr(settings, "WELLNESS_DEMO_ACCOUNTS", False):
            return
        accounts = ensure_demo_accounts()
        # Again, so that the reviewer's new login is put on the expert review step.
        call_command("setup_roles", **quiet)
        if verbosity:
            self.stdout.write(self.format_accounts(accounts))

    @staticmethod
    def format_accounts(accounts: list[tuple[DemoAccount, bool]]) -> str:
        rows = [("Role", "Username", "Password", "")]
        for account, created in accounts:
            rows.append((account.role, account.username, account.password, "new" if created else "kept"))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["Demo accounts (development only; a kept account keeps the password it was given):"]
        for row in rows:
            lines.append(
                "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
        return "\n".join(lines)
