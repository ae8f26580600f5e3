from django.apps import AppConfig


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = "Reviews and teams"

    def ready(self) -> None:
        # The workflow's stage groups and the core's own pages (see registry).
        from . import navigation  # noqa: F401
