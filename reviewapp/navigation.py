"""The workflow's stages as navigation groups, and the core's own pages (see registry).

The groups follow the order the work runs; each app puts its pages in one of them. A group no
page fills (Appraise, until an appraisal stage registers its pages) is not shown.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Role
from .registry import NavGroup, NavItem, registry

IDENTIFY = "identify"
SCREEN = "screen"
RESOLVE = "resolve"
FULL_TEXT = "fulltext"
APPRAISE = "appraise"
EXTRACT = "extract"
REPORT = "report"
TEAM = "team"

for group in (
    NavGroup(IDENTIFY, _("Identify"), order=10),
    NavGroup(SCREEN, _("Screen"), order=20),
    NavGroup(RESOLVE, _("Resolve"), order=30),
    NavGroup(FULL_TEXT, _("Full text"), order=40),
    NavGroup(APPRAISE, _("Appraise"), order=50),
    NavGroup(EXTRACT, _("Extract & code"), order=60),
    NavGroup(REPORT, _("Report"), order=70),
    NavGroup(TEAM, _("Team & settings"), order=80),
):
    registry.add_group(group)


LEAD = (Role.LEAD,)
registry.add_nav(NavItem(_("Overview"), "review_overview", order=0))
registry.add_nav(
    NavItem(_("Criteria"), "review_criteria", LEAD, order=80, group=TEAM, also=("reasons/",))
)
registry.add_nav(NavItem(_("Team"), "review_team", LEAD, order=85, group=TEAM))
registry.add_nav(NavItem(_("Audit trail"), "audit_log", LEAD, order=90, group=TEAM))
registry.add_nav(NavItem(_("Settings"), "review_settings", LEAD, order=95, group=TEAM))
