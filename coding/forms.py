"""Forms of the coding stage; the extraction form is built from the lead's field definitions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Code, CodeProposal, ExtractionField, ExtractionSection, FieldKind, SourceType

# Offered as suggestions (a datalist): regions such as "Europe" or "Multinational" are allowed.
COUNTRY_LIST = [
    "Argentina",
    "Australia",
    "Austria",
    "Bangladesh",
    "Belgium",
    "Brazil",
    "Canada",
    "Chile",
    "China",
    "Colombia",
    "Denmark",
    "Egypt",
    "Ethiopia",
    "Finland",
    "France",
    "Germany",
    "Ghana",
    "Greece",
    "Hong Kong",
    "India",
    "Indonesia",
    "Iran",
    "Ireland",
    "Israel",
    "Italy",
    "Japan",
    "Jordan",
    "Kenya",
    "Lebanon",
    "Malaysia",
    "Mexico",
    "Netherlands",
    "New Zealand",
    "Nigeria",
    "Norway",
    "Pakistan",
    "Philippines",
    "Poland",
    "Portugal",
    "Qatar",
    "Saudi Arabia",
    "Singapore",
    "South Africa",
    "South Korea",
    "Spain",
    "Sweden",
    "Switzerland",
    "Taiwan",
    "Thailand",
    "Turkey",
    "Uganda",
    "United Arab Emirates",
    "United Kingdom",
    "United States",
    "Vietnam",
]
YEAR_MIN = 1800


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = [
            "parent",
            "name",
            "definition",
            "inclusion",
            "exclusion",
            "example",
            "level",
            "polarity",
            "color",
            "position",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "inclusion": forms.Textarea(attrs={"rows": 2}),
            "exclusion": forms.Textarea(attrs={"rows": 2}),
            "example": forms.Textarea(attrs={"rows": 2}),
            "color": forms.TextInput(attrs={"type": "color"}),
        }
        labels = {
            "parent": _("Parent"),
            "name": _("Name"),
            "definition": _("Definition"),
            "inclusion": _("Inclusion criteria"),
            "exclusion": _("Exclusion criteria"),
            "example": _("Example"),
            "level": _("Level"),
            "polarity": _("Polarity"),
            "color": _("Colour"),
            "position": _("Order"),
        }

    def __init__(self, *args, codebook, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = codebook.codes.draft()
        if self.instance.pk:
            queryset = queryset.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = queryset
        self.fields["parent"].required = False
        self.fields["position"].required = False

    def clean_color(self):
        color = self.cleaned_data.get("color") or ""
        return "" if color.lower() == "#000000" and not self.instance.color else color


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("Change note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changed and why, e.g. 'Merged funding themes after team consultation'"),
    )


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Code.objects.none(), label=_("Merge into"))

    def __init__(self, *args, codebook, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = codebook.codes.draft().exclude(pk=source.pk)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A codebook CSV (as exported here) or a REFI-QDA .qdc file")
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paste the study's text"),
    )


def code_choices(tree) -> list[tuple[int, str]]:
    return [(n.code_id, ("· " * n.depth) + n.name) for n in tree]


class CodingForm(forms.Form):
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, label=_("From character"))
    end = forms.IntegerField(required=False, min_value=0, label=_("To character"))
    excerpt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Select a passage in the text, or paste it here"),
    )
    codes = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple)
    source_type = forms.ChoiceField(choices=SourceType.choices, label=_("Source"))
    section = forms.CharField(
        required=False,
        max_length=200,
        label=_("Section"),
        help_text=_("Where the passage stands in its source, e.g. Results"),
    )
    note = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = code_choices(tree)


class RecodeForm(forms.Form):
    codes = forms.TypedMultipleChoiceField(
        label=_("Codes"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None: the passage fits no code any more"),
    )

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = code_choices(tree)


class ProposalForm(forms.ModelForm):
    class Meta:
        model = CodeProposal
        fields = ["name", "definition", "parent", "study", "excerpt"]
        labels = {
            "name": _("Name"),
            "definition": _("Definition"),
            "parent": _("Parent"),
            "study": _("Study"),
            "excerpt": _("Excerpt"),
        }
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "excerpt": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, codebook, studies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = codebook.codes.draft()
        self.fields["study"].queryset = studies


class CommentForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment"))


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("accept", _("Accept into the draft")),
            ("merge", _("Merge into an existing code")),
            ("decline", _("Decline")),
        ],
        widget=forms.RadioSelect,
    )
    target = forms.ModelChoiceField(
        queryset=Code.objects.none(), required=False, label=_("Existing code")
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, codebook, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = codebook.codes.draft()

    def clean(self):
        data = super().clean()
        if data.get("action") == "merge" and not data.get("target"):
            self.add_error("target", _("Choose the code it merges into."))
        if data.get("action") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the proposal is declined."))
        return data


# Extraction.


class SectionForm(forms.ModelForm):
    class Meta:
        model = ExtractionSection
        fields = ["title", "position"]
        labels = {"title": _("Title"), "position": _("Order")}


class FieldForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice fields: one option per line"),
    )

    class Meta:
        model = ExtractionField
        fields = [
            "section",
            "label",
            "kind",
            "required",
            "help_text",
            "min_value",
            "max_value",
            "position",
        ]
        labels = {
            "section": _("Section"),
            "label": _("Label"),
            "kind": _("Kind"),
            "required": _("Required"),
            "help_text": _("Help text"),
            "min_value": _("Minimum"),
            "max_value": _("Maximum"),
            "position": _("Order"),
        }

    def __init__(self, *args, form, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = form.sections.all()
        self.fields["position"].required = False
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(self.instance.choices)

    def clean(self):
        data = super().clean()
        options = [o.strip() for o in (data.get("choices_text") or "").splitlines() if o.strip()]
        if data.get("kind") in (FieldKind.SINGLE, FieldKind.MULTIPLE) and not options:
            self.add_error("choices_text", _("A choice field needs at least one option."))
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The maximum is below the minimum."))
        self.instance.choices = options
        if data.get("position") is None:
            data["position"] = 0
        return data


class RangeWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        super().__init__(
            [
                forms.NumberInput(attrs={"placeholder": _("from")}),
                forms.NumberInput(attrs={"placeholder": _("to")}),
            ],
            attrs,
        )

    def decompress(self, value):
        return list(value) if value else [None, None]


class IntRangeField(forms.MultiValueField):
    widget = RangeWidget

    def __init__(self, *, min_value=None, max_value=None, **kwargs):
        fields = (
            forms.IntegerField(min_value=min_value, max_value=max_value),
            forms.IntegerField(min_value=min_value, max_value=max_value),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or all(v is None for v in data_list):
            return None
        low, high = data_list
        low = high if low is None else low
        high = low if high is None else high
        if low > high:
            raise forms.ValidationError(_("The range runs backwards: 'from' is above 'to'."))
        return [low, high]


def _int(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def answer_field(spec: ExtractionField) -> forms.Field:
    """The form field for one extraction field, with its type's validation."""
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
    kind = spec.kind
    if kind == FieldKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, **common)
    if kind == FieldKind.NUMBER:
        return forms.DecimalField(
            min_value=spec.min_value, max_value=spec.max_value, max_digits=14, **common
        )
    if kind == FieldKind.INT_RANGE:
        return IntRangeField(
            min_value=_int(spec.min_value), max_value=_int(spec.max_value), **common
        )
    if kind == FieldKind.SINGLE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in spec.choices]], **common)
    if kind == FieldKind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in spec.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldKind.YEAR:
        last = datetime.date.today().year + 1
        return forms.IntegerField(
            min_value=YEAR_MIN,
            max_value=last,
            **common,
            error_messages={
                "min_value": _("Enter a year between %(min)s and %(max)s.")
                % {"min": YEAR_MIN, "max": last},
                "max_value": _("Enter a year between %(min)s and %(max)s.")
                % {"min": YEAR_MIN, "max": last},
                "invalid": _("Enter a year as four digits, e.g. 2014."),
            },
        )
    if kind == FieldKind.COUNTRY:
        return forms.CharField(
            max_length=100, widget=forms.TextInput(attrs={"list": "countries"}), **common
        )
    return forms.CharField(max_length=1000, **common)


class ExtractionAnswersForm(forms.Form):
    """One extractor's answers; field names are the extraction fields' keys."""

    completed = forms.BooleanField(required=False, label=_("Extraction complete"))

    def __init__(self, *args, fields: list[ExtractionField], **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = fields
        for spec in fields:
            self.fields[spec.key] = answer_field(spec)

    def values(self) -> dict:
        """Cleaned answers as JSON-friendly values (numbers as numbers, empty left out)."""
        out = {}
        for spec in self.specs:
            value = self.cleaned_data.get(spec.key)
            if value in (None, "", []):
                continue
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            out[spec.key] = value
        return out

    def sections(self):
        """Bound fields grouped by section, for the template."""
        groups: dict = {}
        for spec in self.specs:
            groups.setdefault(spec.section, []).append(self[spec.key])
        return list(groups.items())
