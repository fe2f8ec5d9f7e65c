"""Editorial roles and the default review workflow, declared once and applied idempotently.

``setup_roles()`` makes the database match this module: three groups with exactly the page,
collection and model permissions listed here, the site's ``HomePage`` (created as the default
site's root when missing), and the workflow "Expert review → Editor approval" assigned to the home
page so that every section and article goes through it.

It is safe to run again at any time: re-running re-applies the permission sets (removing extras a
previous version granted), refreshes the expert review step's reviewers from the people marked as
expert reviewers who have a login, and adds those logins to the "Expert reviewers" group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from website.freshness import content_changed

AUTHORS = "Authors"
REVIEWERS = "Expert reviewers"
EDITORS = "Editors"

WORKFLOW_NAME = "Expert review → Editor approval"
EXPERT_TASK_NAME = "Expert review"
EDITOR_TASK_NAME = "Editor approval"

# Snippets editors manage: (app_label, model_name).
DIRECTORY_MODELS = (
    ("experts", "listing"),
    ("experts", "person"),
    ("experts", "topic"),
    ("experts", "approach"),
    ("experts", "listingtype"),
    ("selfchecks", "selfcheck"),
    ("recommendations", "concept"),
)


@dataclass(frozen=True)
class Role:
    """What one group may do. Page permissions apply to the home page and everything under it."""

    name: str
    page_permissions: tuple[str, ...] = ()
    image_permissions: tuple[str, ...] = ()
    document_permissions: tuple[str, ...] = ()
    model_permissions: tuple[str, ...] = field(default=())  # "app_label.codename"


def _crud(app_label: str, model_name: str) -> tuple[str, ...]:
    return tuple(f"{app_label}.{action}_{model_name}" for action in ("add", "change", "delete", "view"))


ROLES = (
    Role(
        AUTHORS,
        page_permissions=("add", "change"),
        image_permissions=("add", "choose"),
        model_permissions=("wagtailadmin.access_admin",),
    ),
    Role(
        REVIEWERS,
        model_permissions=("wagtailadmin.access_admin",),
    ),
    Role(
        EDITORS,
        page_permissions=("add", "change", "publish", "bulk_delete", "lock", "unlock"),
        image_permissions=("add", "change", "delete", "choose"),
        document_permissions=("add", "change", "delete", "choose"),
        model_permissions=("wagtailadmin.access_admin",)
        + tuple(perm for app_label, model in DIRECTORY_MODELS for perm in _crud(app_label, model)),
    ),
)


@dataclass
class SetupReport:
    """What ``setup_roles`` found and did, for the command's output."""

    home_created: bool = False
    groups: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    workflow: str = ""


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(action: str) -> Permission:
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Page), codename=f"{action}_page"
    )


def _collection_permission(app_label: str, action: str, model_name: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model_name}")


def ensure_home_page():
    """Returns the site's HomePage, creating it (as the default site's root) when there is none.

    Wagtail's own placeholder "Welcome" page is removed when it is still the untouched default
    site root, so that the home page can take its ``home`` slug.
    """
    from .models import HomePage

    home = HomePage.objects.first()
    if home is not None:
        return home, False
    root = Page.get_first_root_node()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    placeholder = site.root_page if site else None
    slug = "home"
    if placeholder is not None and type(placeholder.specific) is Page and placeholder.is_leaf():
        placeholder_id = placeholder.pk
    else:
        placeholder_id = None
        if root.get_children().filter(slug=slug).exists():
            slug = "magazine-home"
    if placeholder_id is not None:
        # Free the slug first; the site is re-pointed just below.
        Page.objects.filter(pk=placeholder_id).update(slug=f"wagtail-welcome-{placeholder_id}")
        content_changed()
    home = root.add_child(instance=HomePage(title="Home", slug=slug))
    home.save_revision().publish()
    if site:
        site.root_page = home
        site.save()
    else:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    if placeholder_id is not None:
        Page.objects.get(pk=placeholder_id).delete()
    return home, True


def _apply_role(role: Role, home: Page) -> Group:
    group, _ = Group.objects.get_or_create(name=role.name)
    group.permissions.set([_permission(p) for p in role.model_permissions])

    wanted_pages = {_page_permission(action).pk for action in role.page_permissions}
    GroupPagePermission.objects.filter(group=group).exclude(
        page=home, permission_id__in=wanted_pages
    ).delete()
    for permission_id in wanted_pages:
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission_id=permission_id)

    root_collection = Collection.get_first_root_node()
    wanted_collection = {
        _collection_permission("wagtailimages", a, "image").pk for a in role.image_permissions
    }
    wanted_collection |= {
        _collection_permission("wagtaildocs", a, "document").pk for a in role.document_permissions
    }
    GroupCollectionPermission.objects.filter(group=group).exclude(
        collection=root_collection, permission_id__in=wanted_collection
    ).delete()
    for permission_id in wanted_collection:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root_collection, permission_id=permission_id
        )
    return group


def sync_reviewers(task=None) -> list[str]:
    """Makes every expert reviewer with a login a reviewer on the expert review step.

    Also adds those logins to the "Expert reviewers" group (membership is only added here, never
    removed: an administrator may have reasons to keep someone in the group).
    """
    from experts.models import Person

    from .models import ExpertReviewTask

    task = task or ExpertReviewTask.objects.filter(name=EXPERT_TASK_NAME).first()
    people = list(Person.objects.filter(is_reviewer=True, user__isnull=False).select_related("user"))
    if task is not None:
        task.reviewers.set(people)
    group = Group.objects.filter(name=REVIEWERS).first()
    if group is not None:
        group.user_set.add(*[p.user for p in people])
    return [p.display_name for p in people]


def ensure_default_workflow(home: Page, editors: Group) -> Workflow:
    """The two-step workflow, with its tasks in order, assigned to the home page."""
    from .models import EditorApprovalTask, ExpertReviewTask

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])

    expert_task = ExpertReviewTask.objects.filter(name=EXPERT_TASK_NAME).first()
    if expert_task is None:
        expert_task = ExpertReviewTask.objects.create(name=EXPERT_TASK_NAME)
    for older in GroupApprovalTask.objects.filter(name=EDITOR_TASK_NAME):
        # Made by a version without separation of duties: retired, and articles waiting on it go
        # back to their authors (deactivate cancels them) to pass the step that checks it.
        older.name = f"{EDITOR_TASK_NAME} (retired)"
        older.save(update_fields=["name"])
        older.deactivate()
    editor_task = EditorApprovalTask.objects.filter(name=EDITOR_TASK_NAME).first()
    if editor_task is None:
        editor_task = EditorApprovalTask.objects.create(name=EDITOR_TASK_NAME)
    editor_task.groups.set([editors])
    for task in (expert_task, editor_task):
        if not task.active:
            task.active = True
            task.save(update_fields=["active"])

    WorkflowTask.objects.filter(workflow=workflow).exclude(task__in=[expert_task, editor_task]).delete()
    for order, task in enumerate((expert_task, editor_task)):
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})

    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    sync_reviewers(expert_task)
    return workflow


@transaction.atomic
def setup_roles() -> SetupReport:
    """Creates or updates the groups, the home page and the default workflow. Idempotent."""
    report = SetupReport()
    home, report.home_created = ensure_home_page()
    groups = {role.name: _apply_role(role, home) for role in ROLES}
    report.groups = list(groups)
    workflow = ensure_default_workflow(home, groups[EDITORS])
    report.workflow = workflow.name
    report.reviewers = sync_reviewers()
    return report
