"""Previewing a draft on the front end with a signed, short-lived token.

Flow: in the Wagtail admin an editor picks "Preview on front end" on an article; the admin view
``preview_redirect`` checks that they may edit the page, mints a token for the page's latest
revision and redirects to ``WELLNESS["FRONTEND_PREVIEW_URL"]?token=…`` (by default the API's own
``/api/v1/preview/``). The front end calls ``GET /api/v1/preview/?token=…`` and gets the bundle of
that exact revision.

A token is ``django.core.signing`` output over ``{"page": id, "revision": id}`` with a salt of its
own, so it cannot be forged, moved to another page or revision, or reused from another signed value;
it expires after ``WELLNESS["PREVIEW_TOKEN_TTL"]`` seconds (15 minutes by default).
"""

from __future__ import annotations

import re
import time

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import urlencode
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import Page

from website.api.errors import NotFound, PreviewTokenInvalid
from website.api.params import ParamError
from website.conf import wellness_settings

# Named after the module's first home; a new salt would void every token already handed out.
SALT = "articles.preview.token"
ADMIN_URL_NAME = "articles_frontend_preview"
# Seconds a token may be dated ahead of this server's clock (another server's clock running fast).
PREVIEW_CLOCK_SKEW = 30
PREVIEW_TOKEN_MAX_LENGTH = 1000
# What ``signing.dumps`` produces: base64url payload (``.``-prefixed when compressed), base62
# timestamp, base64url signature.
PREVIEW_TOKEN_PATTERN = re.compile(r"^\.?[A-Za-z0-9_-]+:[A-Za-z0-9]+:[A-Za-z0-9_-]+$")


def parse_preview_token(value: str) -> str:
    """The ``token`` query parameter: a malformed value is a 400 naming it, before any signature check."""
    if not value:
        raise ParamError("must not be empty")
    if len(value) > PREVIEW_TOKEN_MAX_LENGTH:
        raise ParamError(f"must be at most {PREVIEW_TOKEN_MAX_LENGTH} characters")
    if not PREVIEW_TOKEN_PATTERN.match(value):
        raise ParamError("is not a preview token (expected the value the admin's preview link carries)")
    return value


def mint_preview_token(page_id: int, revision_id: int) -> str:
    """A token that opens revision ``revision_id`` of page ``page_id`` for ``PREVIEW_TOKEN_TTL`` seconds."""
    return signing.dumps({"page": int(page_id), "revision": int(revision_id)}, salt=SALT)


def read_preview_token(token: str) -> tuple[int, int]:
    """``(page_id, revision_id)`` of a valid token; ``PreviewTokenInvalid`` otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=wellness_settings.PREVIEW_TOKEN_TTL)
    except signing.SignatureExpired as e:
        raise PreviewTokenInvalid(
            "This preview token has expired; open the preview from the admin again."
        ) from e
    except signing.BadSignature as e:
        raise PreviewTokenInvalid("This preview token is not valid.") from e
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(k), int) for k in ("page", "revision")
    ):
        raise PreviewTokenInvalid("This preview token is not valid.")
    # ``max_age`` bounds only the past: a token dated in the future would live longer than its TTL.
    # The signature has been checked, so the timestamp is the one it was signed with.
    minted_at = signing.b62_decode(token.rsplit(":", 2)[-2])
    if minted_at > time.time() + PREVIEW_CLOCK_SKEW:
        raise PreviewTokenInvalid(
            "This preview token is dated in the future; open the preview from the admin again."
        )
    return payload["page"], payload["revision"]


def revision_for_token(token: str):
    """The ``ArticlePage`` object of the token's revision (not saved anywhere)."""
    from articles.models import ArticlePage

    page_id, revision_id = read_preview_token(token)
    page = ArticlePage.objects.filter(pk=page_id).first()
    revision = page.revisions.filter(pk=revision_id).first() if page is not None else None
    if revision is None:
        raise NotFound("The page or revision of this preview token no longer exists.")
    return revision.as_object()


def preview_url_for(request, page) -> str:
    revision = page.latest_revision
    if revision is None:
        raise Http404("This page has no saved revision to preview.")
    token = mint_preview_token(page.pk, revision.pk)
    base = wellness_settings.FRONTEND_PREVIEW_URL or request.build_absolute_uri(reverse("api_v1:preview"))
    return base + ("&" if "?" in base else "?") + urlencode({"token": token})


def preview_redirect(request, page_id: int):
    """Admin view: mint a token for the page's latest revision and open the front-end preview."""
    from articles.models import ArticlePage

    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, ArticlePage):
        raise Http404("Only articles have a front-end preview.")
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return HttpResponseRedirect(preview_url_for(request, page))


class FrontEndPreviewMenuItem(PageMenuItem):
    label = "Preview on front end"
    icon_name = "view"
    url_name = ADMIN_URL_NAME
    priority = 5
    link_rel = "noreferrer"

    def is_shown(self, user):
        return self.page.permissions_for_user(user).can_edit()


def admin_urls():
    return [path("articles/<int:page_id>/frontend-preview/", preview_redirect, name=ADMIN_URL_NAME)]


def page_buttons(page, user, *args, **kwargs):
    from articles.models import ArticlePage

    if isinstance(page.specific_deferred, ArticlePage) and page.latest_revision_id:
        yield FrontEndPreviewMenuItem(page=page)
