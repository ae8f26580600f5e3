from django.apps import AppConfig


class SynthesisConfig(AppConfig):
    name = "synthesis"
    verbose_name = "Synthesis"

    def ready(self) -> None:
        # The "Synthesis" tab (see reviewapp.registry).
        from django.utils.translation import gettext_lazy as _

        from reviewapp.models import Role
        from reviewapp.navigation import REPORT
        from reviewapp.registry import NavItem, registry

        staff = (Role.LEAD, Role.REVIEWER)
        registry.add_nav(NavItem(_("Synthesis"), "synthesis_matrix", staff, order=80, group=REPORT))
