"""The demo: the reference review (Chen, Liao & Yau, BMC Med Educ 2025;25:302) worked end to
end in the paper's own words, and a second review still being screened, so that every page has
something real to show and every demo login has work waiting.

What is the paper's and what is illustrative is said in each review's About box (description()
here, nudging.description) and in the modules: demo/paper.py and demo/codebook.py quote the
paper; demo/data.py makes up the records the paper does not list; demo/nudging.py reads a CC0
dataset excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from demo import data, paper
from reviewapp import services
from reviewapp.models import Review, User

DEMO_SLUG = "engagement-meded-research"
DEMO_PASSWORD = "demo-review-2025"


def description() -> str:
    """The reference review's About box: precisely what is the paper's and what is the demo's,
    with the demo's record counts as the steps build them."""
    from demo import steps

    initial = {s: steps.initial_keys(s) for s in data.INITIAL_COUNTS}
    update = {s: steps.update_keys(s) for s in data.UPDATE_COUNTS}
    n_initial = sum(len(keys) for keys in initial.values())
    of_studies = sum(k.startswith("ref-") for keys in initial.values() for k in keys)
    n_update = sum(len(keys) for keys in update.values())
    new_in_update = sum(k.startswith("up-") for keys in update.values() for k in keys)
    return f"""A worked demo of the narrative review by Chen, Liao and Yau ({paper.PAPER}; \
CC BY-NC-ND 4.0). Its text is quoted, never paraphrased.

The paper's: the title; the review questions; the eligibility criteria (Table 1); the search \
terms and the four databases searched in two phases (August 2022 and January 2025); the eight \
included studies, their details from the reference list and their characteristics, outcomes and \
strategies (Table 2); the 25 subthemes (15 facilitators, 10 barriers) on the three levels of the \
ecological model, with the studies the paper cites for each. Every excerpt is a passage of the \
paper's Results section, verbatim, with source type "Review text" and its section, coded to the \
studies the paper cites for that passage; the texts the coders read are those passages and each \
study's Table 2 row. The studies' own texts and abstracts are not reproduced.

The demo's (illustrative): the record set. The paper's abstract reports 814 records from the \
initial search and its Results section 216, and it lists only the studies it includes. The demo \
has the Results section's {n_initial} initial records as the four databases would export them: \
{of_studies} records of the eight included studies (several databases found each, so \
de-duplication has work to do) and {n_initial - of_studies} made-up records that say so in their \
abstract, in placeholder journals. The paper gives no count for the 2025 update; the demo's has \
{n_update} records ({new_in_update} new made-up ones, the rest found before), and, as in the \
paper, nothing new is included. Also the demo's: the split of records by database, the days of \
the search dates, the people and their individual decisions, conflicts and comments, the \
subthemes' names and definitions (the paper's Fig. 2, which names them, is an image), the \
codebook's history (coaching split from mentorship in v2) and who coded which study.

Screening still in progress, with work waiting for each demo login, is in the demo's second \
review (real records from Nagtegaal et al. 2019), so that this one keeps the paper's counts."""


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    roles: tuple[str, ...]


# Made-up people: nothing the demo has them decide or write is attributed to the paper's authors.
PEOPLE = [
    DemoPerson("lead@demo.example", "Demo Lead", ("lead", "reviewer")),
    DemoPerson("reviewer1@demo.example", "Demo Reviewer 1", ("reviewer",)),
    DemoPerson("reviewer2@demo.example", "Demo Reviewer 2", ("reviewer",)),
    DemoPerson("adjudicator@demo.example", "Demo Adjudicator", ("adjudicator",)),
]


def _person(p: DemoPerson) -> User:
    user = User.objects.filter(email=p.email).first()
    if user is None:
        user = User.objects.create_user(email=p.email, password=DEMO_PASSWORD, full_name=p.name)
    elif user.full_name != p.name:  # an account from an older demo
        user.full_name = p.name
        user.save(update_fields=["full_name"])
    services.vouch_for_email(user)  # demo logins work with mandatory email verification
    return user


def demo_reviews() -> list[Review]:
    from demo import nudging

    return list(Review.objects.filter(slug__in=[DEMO_SLUG, nudging.SLUG]).order_by("pk"))


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
    """Create the demo reviews (or keep them when they exist, are current and reset is False);
    returns the reference review.

    The demo people get no email: the notifications the steps trigger (conflicts, escalation)
    would only flood the console of `make run`.
    """
    from django.test.utils import override_settings

    quiet = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    with override_settings(MAILERS=quiet), transaction.atomic():
        return _load(reset=reset)


def _load(*, reset: bool) -> Review:
    """Each demo review is built when it is missing (or on reset); existing ones are kept."""
    from demo import nudging

    found = {r.slug: r for r in demo_reviews()}
    current = {DEMO_SLUG: description(), nudging.SLUG: nudging.description(len(nudging.rows()))}
    for slug, review in list(found.items()):
        # Rebuilt on reset, and when an older demo's text is in the database.
        if reset or review.description != current[slug]:
            _delete(review)
            del found[slug]
    if DEMO_SLUG in found and nudging.SLUG in found:
        return found[DEMO_SLUG]
    users = {p.email: _person(p) for p in PEOPLE}
    review = found.get(DEMO_SLUG) or _load_reference(users)
    if nudging.SLUG not in found:
        nudging.load(*(users[p.email] for p in PEOPLE))
    return review


def _load_reference(users: dict[str, User]) -> Review:
    lead = users[PEOPLE[0].email]
    review = services.create_review(
        paper.TITLE,
        lead,
        slug=DEMO_SLUG,
        question=paper.QUESTION,
        description=description(),
        criteria=paper.CRITERIA,
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
