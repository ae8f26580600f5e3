"""The PRISMA 2020 flow diagram: live from the data, downloadable, with the lead's few entries."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from reviewapp.access import get_review_for, review_roles
from reviewapp.models import Membership, Review, Role
from screening.models import PrismaOverride
from screening.prisma import counts as prisma
from screening.prisma import flow as prisma_flow
from screening.prisma.text import FontMissing

VIEWERS = (Role.LEAD, Role.REVIEWER)

MANUAL_HELP = {
    "excluded_automatic": (
        gettext_lazy(
            "Imported records an automation tool marked ineligible outside this app, so nobody "
            "screened them here. Subtracted from the records screened."
        )
    ),
    "excluded_other": (
        gettext_lazy(
            "Imported records removed for other reasons before screening (e.g. retracted, outside "
            "the date range). Subtracted from the records screened."
        )
    ),
}


def diagram_context(review: Review, membership: Membership) -> dict[str, Any]:
    """What the diagram page and the overview panel show (also the overview's context)."""
    flow = prisma.flow_for(review)
    data = prisma_flow.to_json(flow.counts)
    version = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return {
        "flow": flow,
        "counts": flow.counts,
        "problems": flow.problems,
        "svg_url": f"{reverse('prisma_svg', args=[review.slug])}?v={version}",
        "is_lead": membership.is_lead,
        "manual_mark": prisma_flow.MANUAL_MARK,
        "manual_labels": [
            prisma.default_wording(flow.counts)[name] for name in sorted(flow.counts.manual)
        ],
    }


def _not_get(request: HttpRequest) -> HttpResponse | None:
    # Checked after get_review_for, so outsiders get 404 whatever the method.
    if request.method in ("GET", "HEAD"):
        return None
    return HttpResponseNotAllowed(["GET", "HEAD"])


@review_roles(*VIEWERS)
def prisma_page(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *VIEWERS)
    if refused := _not_get(request):
        return refused
    context = {"review": review, **diagram_context(review, membership)}
    template = "screening/prisma/diagram.html"
    if request.htmx:
        template += "#panel"
    return TemplateResponse(request, template, context)


@review_roles(*VIEWERS)
def prisma_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *VIEWERS)
    if refused := _not_get(request):
        return refused
    language = request.GET.get("language") or None
    if language not in dict(settings.LANGUAGES):
        language = None  # the page's own language
    try:
        body = prisma.render(prisma.counts_for(review), fmt, language)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=prisma.FORMATS[fmt][0])
    # The SVG is also the live picture on the pages (an <img>): inline unless downloading.
    attachment = fmt != "svg" or "download" in request.GET
    response["Content-Disposition"] = content_disposition_header(
        attachment, prisma.filename(review, fmt)
    )
    response["Cache-Control"] = "private, no-cache"
    return response


class PrismaEntriesForm(forms.Form):
    """The counts the data cannot know and the wording of every box line."""

    def __init__(self, *args: Any, wording: dict[str, str], current: dict, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.wording_keys = list(wording)
        for name in prisma.MANUAL_FIELDS:
            entry = current.get(name)
            self.fields[f"value_{name}"] = forms.IntegerField(
                label=wording[name],
                min_value=0,
                required=False,
                initial=entry.value if entry else None,
                help_text=gettext("%(help)s Leave blank when none.") % {"help": MANUAL_HELP[name]},
            )
        for key, default in wording.items():
            entry = current.get(key)
            self.fields[f"text_{key}"] = forms.CharField(
                label=_where(key, default),
                max_length=300,
                required=False,
                initial=entry.box_text if entry else "",
                widget=forms.TextInput(attrs={"placeholder": default}),
            )

    def manual_fields(self) -> list[forms.BoundField]:
        return [self[f"value_{name}"] for name in prisma.MANUAL_FIELDS]

    def wording_fields(self) -> list[forms.BoundField]:
        return [self[f"text_{key}"] for key in self.wording_keys]

    def values(self) -> dict[str, int | None]:
        return {name: self.cleaned_data[f"value_{name}"] for name in prisma.MANUAL_FIELDS}

    def texts(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"text_{key}"] for key in self.wording_keys}


_OTHER_METHOD_KEYS = {"othstud", "box11", "website_results", "organisation_results"}


def _where(key: str, default: str) -> str:
    # Both columns say "Reports sought for retrieval": the label says which one is edited.
    if key.startswith("other_") or key in _OTHER_METHOD_KEYS or key == "citations_results":
        return gettext("%(box)s (other methods)") % {"box": default}
    if key in ("identification", "screening", "included"):
        return gettext("%(box)s (side bar)") % {"box": default}
    return default


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def prisma_edit(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, Role.LEAD)
    wording = prisma.default_wording(prisma.counts_for(review))
    current = {o.data: o for o in PrismaOverride.objects.filter(review=review)}
    form = PrismaEntriesForm(request.POST or None, wording=wording, current=current)
    if request.method == "POST" and form.is_valid():
        prisma.save_entries(review, request.user, values=form.values(), texts=form.texts())
        messages.success(request, gettext("Diagram entries saved."))
        return redirect("prisma", review.slug)
    return TemplateResponse(request, "screening/prisma/edit.html", {"review": review, "form": form})


urlpatterns = [
    path("prisma/", prisma_page, name="prisma"),
    path("prisma/edit/", prisma_edit, name="prisma_edit"),
    *(
        path(f"prisma/{prisma.FORMATS[fmt][1]}", prisma_export, {"fmt": fmt}, name=f"prisma_{fmt}")
        for fmt in prisma.FORMATS
    ),
]
