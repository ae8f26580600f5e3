from django.apps import AppConfig


class SynthesisConfig(AppConfig):
    name = "synthesis"
    verbose_name = "Synthesis"

    def ready(self) -> None:
        # The "Synthesis" tab (see reviewapp.registry).
        from reviewapp.models import Role
        from reviewapp.registry import NavItem, registry

        registry.add_nav(
            NavItem("Synthesis", "synthesis_matrix", (Role.LEAD, Role.REVIEWER), order=80)
        )
