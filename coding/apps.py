from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Extraction and coding"

    def ready(self) -> None:
        # Tabs and the overview panel of this stage (see reviewapp.registry).
        from . import navigation  # noqa: F401
