"""How the URLconf walk fills URL parameters other than the review's slug.

Each entry makes (or finds) an object of the team's review and returns the value for the
parameter. A stage that adds a URL with a new parameter adds its sample here; the walk fails
loudly on a parameter it cannot fill.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewapp.models import Invitation

SAMPLES: dict[str, Callable] = {}


def sample(name: str):
    def register(fn: Callable) -> Callable:
        SAMPLES[name] = fn
        return fn

    return register


@sample("member_id")
def _member(team):
    return team.review.memberships.get(user=team.reviewer2).pk


@sample("invitation_id")
def _invitation(team):
    return Invitation.objects.create(
        review=team.review, email="new@example.org", roles=["reviewer"]
    ).pk


@sample("token")
def _token(team):
    return Invitation.objects.create(
        review=team.review, email="tok@example.org", roles=["reviewer"]
    ).token


# Extraction and coding.


def _coding_study(team):
    from screening.models import Study
    from tests.coding.factories import included_study

    study = Study.objects.filter(review=team.review, label="Sample coded study").first()
    return study or included_study(team.review, "Sample coded study", 1)


@sample("study_id")
def _study(team):
    return _coding_study(team).pk


def _sample_code(team):
    from coding import services

    book = services.get_codebook(team.review)
    code = book.codes.draft().first()
    if code is None:
        code = services.add_code(book, team.lead, name="Protected time", polarity="facilitator")
        services.publish(book, team.lead, "v1")
    return code


@sample("code_id")
def _code(team):
    return _sample_code(team).pk


@sample("coding_id")
def _coding(team):
    from coding import services

    code = _sample_code(team)
    study = _coding_study(team)
    document = services.documents_of(study)[0]
    return services.create_codings(
        study, team.reviewer1, [code], document=document, excerpt="protected time"
    )[0].pk


@sample("proposal_id")
def _proposal(team):
    from coding import services

    book = services.get_codebook(team.review)
    return services.propose_code(
        book, team.reviewer1, name="Peer support", definition="Colleagues who help"
    ).pk


@sample("field_id")
def _field(team):
    from coding import services

    return services.ensure_default_form(team.review).fields.first().pk


# conflicts and full text (issue 6) ---------------------------------------------------------


def _both_reviewers_screen(team):
    """The walk may have POSTed empty roles to a member: decisions need the reviewer role
    (decide() refuses records outside a reviewer's queue)."""
    from reviewapp.models import Membership

    Membership.objects.filter(review=team.review, user__in=[team.reviewer1, team.reviewer2]).update(
        is_reviewer=True, active=True
    )


def _conflicted_record(team):
    """A record reviewer1 includes and reviewer2 excludes: its conflict is open."""
    from screening.decisions import service as decisions
    from screening.models import Conflict
    from tests.factories import RecordFactory, SearchFactory

    record = RecordFactory(search=SearchFactory(review=team.review), title="Sample conflict")
    _both_reviewers_screen(team)
    decisions.decide(record, team.reviewer1, "include")
    decisions.decide(record, team.reviewer2, "exclude")
    return Conflict.objects.get(record=record, state="open")


@sample("conflict_id")
def _conflict(team):
    return _conflicted_record(team).pk


@sample("proposal_id")
def _proposal(team):
    from screening.conflicts import service as conflicts

    return conflicts.propose(_conflicted_record(team), team.reviewer2, "include").pk


@sample("report_id")
def _report(team):
    from screening.decisions import service as decisions
    from screening.models import Report
    from tests.factories import RecordFactory, SearchFactory

    record = RecordFactory(search=SearchFactory(review=team.review), title="Sample report")
    _both_reviewers_screen(team)
    decisions.decide(record, team.reviewer1, "include")
    decisions.decide(record, team.reviewer2, "include")
    return Report.objects.get(record=record).pk


if "record_id" not in SAMPLES:

    @sample("record_id")
    def _record(team):
        from tests.factories import RecordFactory, SearchFactory

        return RecordFactory(search=SearchFactory(review=team.review)).pk


# de-duplication (issue 4) ------------------------------------------------------------------


def _duplicate_records(team):
    from tests.factories import RecordFactory, SearchFactory

    first = RecordFactory(
        search=SearchFactory(review=team.review, source="MEDLINE"), title="Sample duplicate"
    )
    second = RecordFactory(
        search=SearchFactory(review=team.review, source="Embase"), title="Sample duplicate"
    )
    return first, second


@sample("pair_id")
def _pair(team):
    from screening.models import DuplicateCandidate

    a, b = _duplicate_records(team)
    return DuplicateCandidate.objects.create(
        review=team.review, record_a=a, record_b=b, score=0.9, reasons=["similar title"]
    ).pk


@sample("cluster_id")
def _cluster(team):
    from screening.dedup.service import merge

    return merge(_duplicate_records(team), by=team.lead).pk


# searches, imports and records (issue 3) -------------------------------------------------------


@sample("search_id")
def _search(team):
    from tests.factories import SearchFactory

    return SearchFactory(review=team.review, source="Scopus").pk


@sample("job_id")
def _import_job(team):
    from screening.identification.imports import import_file_now
    from tests.factories import SearchFactory

    search = SearchFactory(review=team.review, source="Scopus")
    content = f"TY  - JOUR\nTI  - Sample {search.pk}\nER  - \n".encode()
    return import_file_now(search, content, "sample.ris").pk


@sample("history_job_id")
def _history_job(team):
    """A screening history being applied (its page shows the progress), after its reading."""
    from reviewapp.models import Job
    from screening.transfer.background import apply_history, read_history

    read = Job.objects.create(
        task=read_history.name,
        args=[team.review.pk, "transfer/sample", "r.ris", "rayyan", "auto", team.lead.pk],
        key="sample-read",
        review=team.review,
        status=Job.Status.DONE,
        result={"records": 0, "people": [], "reasons": [], "counts": {}, "warnings": []},
    )
    return Job.objects.create(
        task=apply_history.name,
        args=[team.review.pk, read.pk, {}, team.lead.pk],
        key="sample-apply",
        review=team.review,
    ).pk


# Critical appraisal.


@sample("key")
def _appraisal_tool(team):
    from reviewapp.models import User
    from screening.appraisal import service

    lead = User.objects.get(pk=team.lead.pk)
    tool = team.review.appraisal_tools.filter(key="sample-tool").first()
    if tool is None:
        tool = service.publish_tool(
            team.review,
            lead,
            key="sample-tool",
            name="Sample tool",
            definition={
                "items": [{"number": "1", "text": "Clear question?"}],
                "answers": [
                    {"key": "yes", "label": "Yes", "level": "good"},
                    {"key": "no", "label": "No", "level": "bad"},
                ],
            },
        )
    return tool.key


# API tokens (a person's own, outside any review).


@sample("token_id")
def _api_token(team):
    from api.tokens import create_token

    return create_token(team.lead, "walk")[0].pk


@sample("export_id")
def _export(team):
    """The lead's records export that failed (nothing on disk)."""
    from reviewapp import downloads
    from reviewapp.jobs import job_key
    from reviewapp.models import Job
    from screening.identification.export_files import export_records_file

    membership = team.review.memberships.get(user=team.lead)
    args = downloads.job_args(membership, {"format": "csv", "set": "all"})
    return Job.objects.create(
        task=export_records_file.name,
        args=args,
        key=job_key(export_records_file, args),
        review=team.review,
        status=Job.Status.FAILED,
        error="The worker stopped.",
    ).pk
