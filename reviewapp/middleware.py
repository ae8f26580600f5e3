"""Per-person middleware: the interface language (the person's own choice, else the browser's,
LocaleMiddleware), and responses no shared or disk cache keeps."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control


class UserLanguageMiddleware:
    """After authentication: a signed-in person's saved language wins over Accept-Language."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = (
            getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        )
        if not language:
            return self.get_response(request)
        previous = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            # The thread serves other requests (and, in tests, other code) next.
            translation.activate(previous) if previous else translation.deactivate()


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to an authenticated request.

    Pages, CSV/XLSX exports and full-text PDFs all carry a review's unpublished data; a proxy
    must not share them and a browser must not keep them on disk after sign-out. Static files
    are served before this middleware runs (WhiteNoise) and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
