"""A person's API tokens: create one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.models import ApiToken
from reviewapp.services import ReviewError


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    secret = None
    if request.method == "POST":
        try:
            token, secret = tokens.create_token(request.user, request.POST.get("name", ""))
        except ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Token “%(name)s” created: copy it now, it is not shown again.")
                % {"name": token.name},
            )
    response = TemplateResponse(
        request,
        "api/tokens.html",
        {"tokens": request.user.api_tokens.all(), "secret": secret},
    )
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    tokens.revoke(token, request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
