"""Forms the expert reviewer fills in when acting on an ExpertReviewTask."""

from django import forms


class ExpertApprovalForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text='Shown to readers in the article\'s "about this article" box.',
    )
    conflict_of_interest = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="Declare any conflict of interest; leave empty if there is none.",
    )
    confirm_no_undeclared_conflict = forms.BooleanField(
        label="I have declared every conflict of interest I have with this article.",
    )

    def clean(self):
        data = super().clean()
        data.pop("confirm_no_undeclared_conflict", None)
        return data


class ExpertRejectionForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What must change before you can approve.",
    )
