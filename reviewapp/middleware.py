"""The interface language: the person's own choice, else the browser's (LocaleMiddleware)."""

from __future__ import annotations

from django.utils import translation


class UserLanguageMiddleware:
    """After authentication: a signed-in person's saved language wins over Accept-Language."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = (
            getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        )
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
