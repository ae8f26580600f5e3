from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API (/api/v1/): per-user tokens, and the pages' own permissions and blinding."""

    name = "api"
    verbose_name = "API"
