"""Admin view of the directory that is not a snippet form: changing the login linked to a person."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .logins import LoginChangeRefused, change_login
from .models import Person


class PersonLoginForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="No login",
        help_text="The account that acts as this person on expert review tasks.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Why the login changes (kept in the person's login history).",
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by(User.USERNAME_FIELD)
        self.fields["user"].initial = person.user_id


class PersonLoginView(WagtailAdminTemplateMixin, FormView):
    """Administrators only: link, relink or unlink a person's login, with a reason."""

    template_name = "experts/admin/person_login.html"
    form_class = PersonLoginForm
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        self.person = get_object_or_404(Person.objects.select_related("user"), pk=kwargs["person_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Login of {self.person.display_name}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.person}

    def edit_url(self) -> str:
        return reverse("wagtailsnippets_experts_person:edit", args=(self.person.pk,))

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, edit_url=self.edit_url(), **kwargs)

    def form_valid(self, form):
        try:
            change_login(
                self.person,
                form.cleaned_data["user"],
                by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except LoginChangeRefused as e:
            form.add_error(None, str(e))
            return self.form_invalid(form)
        messages.success(self.request, f"The login of {self.person.display_name} was changed.")
        return redirect(self.edit_url())
