from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from reviewapp.models import Review, Role
from screening.models import Study

from .. import services

LEAD = Role.LEAD
CODERS = (Role.LEAD, Role.REVIEWER)


def included_study(review: Review, study_id: int) -> Study:
    return get_object_or_404(services.studies_for(review), pk=study_id)


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def refuse(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))
