"""Included studies, a plan and appraisals for the appraisal tests."""

from __future__ import annotations

from screening.appraisal import service
from screening.appraisal.tools import BUILT_IN
from tests.coding.factories import included_study

CASP = BUILT_IN["casp-qualitative"]


def studies(team, n: int = 2, tool: str = "casp-qualitative"):
    found = [included_study(team.review, f"Study {i} 2020", i) for i in range(1, n + 1)]
    service.set_plan(team.review, team.lead, tool)
    return found


def answers(default: str = "yes", **overrides: str) -> dict:
    """CASP answers: every item `default`, items named q3="no" etc. overridden."""
    out = {i.number: {"answer": default, "comment": ""} for i in CASP.items}
    for key, value in overrides.items():
        out[key.removeprefix("q")] = {"answer": value, "comment": f"because {value}"}
    return out


def appraise(study, user, submit: bool = True, **kw):
    return service.save_appraisal(study, user, answers=answers(**kw), submit=submit)
