"""``manage.py setup_roles``: the editorial groups, the home page and the default review workflow."""

from django.core.management.base import BaseCommand

from articles.roles import setup_roles


class Command(BaseCommand):
    help = (
        "Creates or updates the Authors, Expert reviewers and Editors groups, the home page and the "
        "workflow 'Expert review → Editor approval'. Safe to run again; picks up new reviewer logins."
    )

    def handle(self, *args, **options):
        report = setup_roles()
        if report.home_created:
            self.stdout.write("Created the home page as the default site's root.")
        self.stdout.write(f"Groups: {', '.join(report.groups)}.")
        reviewers = (
            ", ".join(report.reviewers) or "none yet (link a user to a person marked as expert reviewer)"
        )
        self.stdout.write(f"Workflow '{report.workflow}' on the home page; expert reviewers: {reviewers}.")
        self.stdout.write(self.style.SUCCESS("Roles are set up."))
