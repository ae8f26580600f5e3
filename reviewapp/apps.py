from django.apps import AppConfig


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = "Reviews and teams"

    def ready(self) -> None:
        from .registry import NavItem, registry

        registry.add_nav(NavItem("Overview", "review_overview", order=0))
        registry.add_nav(NavItem("Criteria", "review_criteria", roles=("lead",), order=80))
        registry.add_nav(NavItem("Team", "review_team", roles=("lead",), order=85))
        registry.add_nav(NavItem("Audit trail", "audit_log", roles=("lead",), order=90))
        registry.add_nav(NavItem("Settings", "review_settings", roles=("lead",), order=95))
