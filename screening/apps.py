from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Identification and screening"

    def ready(self) -> None:
        # Each part of the workflow registers its navigation tabs and overview panels.
        from . import navigation  # noqa: F401
