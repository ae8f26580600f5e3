from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .models import Criterion, ExclusionReason, Review, Role, Stage

# Django's label for a select's blank choice: its own zh_Hant catalogue lacks it, ours has it.
gettext_noop("- Select an option -")


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [
            "title",
            "slug",
            "question",
            "description",
            "required_decisions",
            "maybe_opens_conflict",
        ]
        labels = {
            "title": _("Title"),
            "slug": _("Slug"),
            "question": _("Review question"),
            "description": _("Description"),
            "required_decisions": _("Required decisions"),
            "maybe_opens_conflict": _("A Maybe opens a conflict"),
        }
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class NewReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=60,
        required=False,
        help_text=_("Short name used in links; made from the title if empty."),
    )
    question = forms.CharField(
        label=_("Review question"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["domain", "inclusion", "exclusion", "position"]
        labels = {
            "domain": _("Domain"),
            "inclusion": _("Inclusion criteria"),
            "exclusion": _("Exclusion criteria"),
            "position": _("Order"),
        }
        widgets = {
            "inclusion": forms.Textarea(attrs={"rows": 2}),
            "exclusion": forms.Textarea(attrs={"rows": 2}),
            "position": forms.NumberInput(attrs={"min": 0, "class": "order-input"}),
        }


CriterionFormSet = forms.inlineformset_factory(
    Review, Criterion, form=CriterionForm, extra=1, can_delete=True
)


class ReasonForm(forms.ModelForm):
    class Meta:
        model = ExclusionReason
        fields = ["label", "position", "active"]
        labels = {"label": _("Reason"), "position": _("Order"), "active": _("Active")}
        widgets = {"position": forms.NumberInput(attrs={"min": 0, "class": "order-input"})}


def reason_formset(review: Review, stage: str, data=None):
    FormSet = forms.inlineformset_factory(
        Review, ExclusionReason, form=ReasonForm, extra=1, can_delete=True
    )
    return FormSet(
        data,
        instance=review,
        queryset=review.exclusion_reasons.filter(stage=stage),
        prefix=f"reasons-{stage}",
    )


ROLE_CHOICES = Role.choices


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[Role.REVIEWER],
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


STAGES = Stage.choices


class SignupExtraForm(forms.Form):
    """What allauth's sign-up asks beyond email and password: the name colleagues see."""

    full_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        help_text=_("Shown to your review team instead of your email."),
    )

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser asks")), *settings.LANGUAGES],
        required=False,
    )
