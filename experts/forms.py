"""Admin forms for the directory: checks that span a person and their credentials.

Model ``clean()`` methods see one row at a time. Whether a board member may keep the
"Verified Expert Board Member" badge depends on the person *and* the credentials being edited in
the same form, so that rule lives here, on the form Wagtail builds for the person's edit view.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm


class PersonAdminForm(WagtailAdminModelForm):
    """Refuses to save an expert board member without a verified, unexpired credential."""

    def _submitted_credentials(self) -> list[dict]:
        formset = self.formsets.get("credentials")
        if formset is None or not formset.is_valid():
            # The formset shows its own errors; judging half-valid rows would mislead.
            return []
        rows = []
        for form in formset.forms:
            if formset.can_delete and formset._should_delete_form(form):
                continue
            if not form.has_changed() and form.instance.pk is None:
                continue
            rows.append(form.cleaned_data)
        return rows

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_board_member"):
            return cleaned
        formset = self.formsets.get("credentials")
        if formset is not None and not formset.is_valid():
            return cleaned
        today = timezone.localdate()
        rows = self._submitted_credentials()
        if any(_is_current(row, today) for row in rows):
            return cleaned
        expired = [row for row in rows if row.get("expires_on") and row["expires_on"] < today]
        unverified = [row for row in rows if not row.get("verified_on")]
        if expired:
            detail = "; ".join(
                f"“{row.get('title')}” expired on {row['expires_on']:%Y-%m-%d}" for row in expired
            )
            message = f"An expert board member needs a verified credential that has not expired ({detail})."
        elif unverified:
            message = "An expert board member needs a verified credential: add the date it was verified."
        else:
            message = "An expert board member needs at least one verified, unexpired credential."
        self.add_error("is_board_member", message)
        return cleaned


def _is_current(row: dict, today: datetime.date) -> bool:
    verified, expires = row.get("verified_on"), row.get("expires_on")
    return verified is not None and verified <= today and (expires is None or expires >= today)


class ListingAdminForm(WagtailAdminModelForm):
    """An editor who ticks "verified" without a date is verifying today: the date is recorded.

    Only here, where someone is verifying: the model leaves a missing date missing, so an import
    or a shell save never invents a verification nobody recorded.
    """

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verified") and not cleaned.get("verified_on") and "verified_on" not in self.errors:
            cleaned["verified_on"] = timezone.localdate()
            self.instance.verified_on = cleaned["verified_on"]
        return cleaned
