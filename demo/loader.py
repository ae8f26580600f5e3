"""The demo review: the seed narrative review (Chen, Liao & Yau, BMC Med Educ 2025;25:302)
worked end to end, so that every page has something real to show.

Reconstructed from the paper: the title, question, Table 1 eligibility criteria, the four databases
and two search phases, the eight included studies and their characteristics (Table 2), the
facilitator and barrier themes at the three ecological levels with the studies citing each.
Illustrative: the other records, the individual reviewers' decisions, discussion and quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from reviewapp import services
from reviewapp.models import Review, User

DEMO_SLUG = "engagement-meded-research"
DEMO_PASSWORD = "demo-review-2025"

TITLE = (
    "From hesitation to participation: facilitators and barriers for healthcare professionals' "
    "engagement in medical education research"
)
QUESTION = (
    "What facilitates and what hinders healthcare professionals' engagement in medical education "
    "research, at the individual, interpersonal and environmental levels?"
)
DESCRIPTION = (
    "A worked demo of the narrative review by Chen, Liao and Yau (BMC Medical Education 2025;25:302). "
    "Reconstructed from the paper: the review question, the eligibility criteria (Table 1), the four "
    "databases (Web of Science, MEDLINE, Scopus, Airiti Library) searched in two phases (2022 and an "
    "update in 2025), the eight included studies and their characteristics (Table 2), and the "
    "facilitators and barriers at the three levels of the ecological model with the studies citing each. "
    "Illustrative, not from the paper: the other records, the two reviewers' individual decisions, "
    "the discussion of conflicts, and the wording of excerpts."
)

# Table 1 of the seed review.
CRITERIA = [
    (
        "Population",
        "Studies focusing on healthcare professionals, including clinical staff, educators, and "
        "administrators, involved in medical education research.",
        "Studies focusing exclusively on students, patients, or non-healthcare professionals.",
    ),
    (
        "Focus",
        "Studies examining factors influencing healthcare professionals' engagement in medical "
        "education research, including facilitators and barriers.",
        "Articles that do not explicitly address factors influencing engagement in medical education "
        "research (e.g., studies solely on curriculum design or pedagogy without considering research "
        "engagement).",
    ),
    (
        "Publication type",
        "Peer-reviewed articles published in academic journals.",
        "Conference proceedings, editorials, commentaries, opinion pieces, or unpublished manuscripts.",
    ),
    (
        "Language",
        "Articles written in English or Chinese.",
        "Articles published in languages other than English or Chinese.",
    ),
    (
        "Study design",
        "Empirical studies, including qualitative, quantitative, or mixed-methods research, that "
        "report findings relevant to the research objectives.",
        "Theoretical or methodological studies without empirical data.",
    ),
    (
        "Timeframe",
        "Studies published between 2002 and 2024.",
        "Studies published before 2002 or after 2024.",
    ),
    (
        "Scope",
        "Studies that discuss research engagement.",
        "Studies that concentrate solely on organizational teaching and learning strategies without "
        "discussing research engagement.",
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    roles: tuple[str, ...]


PEOPLE = [
    DemoPerson("lead@demo.example", "Sze-Yuen Yau (lead)", ("lead", "reviewer")),
    DemoPerson("reviewer1@demo.example", "Reviewer SYY", ("reviewer",)),
    DemoPerson("reviewer2@demo.example", "Reviewer YSC", ("reviewer",)),
    DemoPerson("adjudicator@demo.example", "Third-party expert", ("adjudicator",)),
]


def _person(p: DemoPerson) -> User:
    user = User.objects.filter(email=p.email).first()
    if user is None:
        user = User.objects.create_user(email=p.email, password=DEMO_PASSWORD, full_name=p.name)
    return user


def _delete(review: Review) -> None:
    """Delete the demo review. Rows that PROTECT what the review owns (codings → codes and
    versions; decisions, statuses and conflicts → exclusion reasons) go first, or the cascade
    from the review refuses."""
    from coding.models import Coding
    from screening.models import Conflict, Decision, RecordStatus

    review.audit_events.all()._raw_delete(review.audit_events.db)
    for model in (Coding, Conflict, Decision, RecordStatus):
        model.objects.filter(review=review).delete()
    review.delete()


def load_demo(*, reset: bool = False) -> Review:
    """Create the demo review (or return it when it exists and reset is False).

    The demo people get no email: the notifications the steps trigger (conflicts, escalation)
    would only flood the console of `make run`.
    """
    from django.test.utils import override_settings

    quiet = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    with override_settings(MAILERS=quiet), transaction.atomic():
        return _load(reset=reset)


def _load(*, reset: bool) -> Review:
    existing = Review.objects.filter(slug=DEMO_SLUG).first()
    if existing and not reset:
        return existing
    if existing:
        _delete(existing)
    users = {p.email: _person(p) for p in PEOPLE}
    lead = users[PEOPLE[0].email]
    review = services.create_review(
        TITLE, lead, slug=DEMO_SLUG, question=QUESTION, description=DESCRIPTION, criteria=CRITERIA
    )
    for p in PEOPLE[1:]:
        services.add_member(review, p.email, p.roles, by=lead)
    for step in DEMO_STEPS:
        step(review, users)
    return review


# The steps that fill the demo (searches and records, screening, full text, extraction, coding);
# each takes (review, {email: user}). See demo/steps.py.
DEMO_STEPS: list = []


def _register_steps() -> None:
    from demo.steps import STEPS

    if not DEMO_STEPS:  # once, however often the module is imported
        DEMO_STEPS.extend(STEPS)


_register_steps()
