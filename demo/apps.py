from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The worked demo review: the reference paper's own words and the steps that load them."""

    name = "demo"
    verbose_name = "Demo review"
