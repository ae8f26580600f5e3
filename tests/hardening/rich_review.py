"""A review that has a row in every model a review owns, built through the services."""

from __future__ import annotations

from django.core.files.base import ContentFile

from coding import services as coding
from coding.models import Code
from reviewapp import services as core
from reviewapp.models import Criterion, ExclusionReason, Membership, Stage
from screening.conflicts import service as conflicts
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.dedup import service as dedup_service
from screening.fulltext import service as fulltext
from screening.identification import imports
from screening.models import (
    Conflict,
    DuplicateCandidate,
    HighlightKeyword,
    Record,
    Report,
    ReviewerQueue,
)
from screening.prisma import counts as prisma
from tests.factories import RecordFactory, UserFactory
from tests.screening.fulltext.pdfs import pdf_with_text

RIS = "\n".join(
    line.rstrip() + (" " if line.startswith("ER") else "")
    for line in """TY  - JOUR
TI  - Protected time and clinician research engagement
AU  - Smith, Jane
AU  - Lee, Kim
PY  - 2019
JO  - Medical Education
AB  - Clinicians with protected time started more projects.
DO  - 10.1000/protected.1
KW  - research engagement
ER  -

TY  - JOUR
TI  - Protected time and clinician research engagement
AU  - Smith, J.
PY  - 2019
JO  - Med Educ
DO  - 10.1000/protected.1
ER  -

TY  - JOUR
TI  - Mentorship for nurse researchers
AU  - Ortiz, Ana
PY  - 2021
JO  - Nurse Education Today
AB  - Mentors helped nurses publish.
ER  -

TY  - JOUR
TI  - Barriers to research among residents
AU  - Chen, Wei
PY  - 2020
JO  - BMC Medical Education
AB  - Lack of funding and time held residents back.
ER  -

TY  - JOUR
TI  - Statistics support in teaching hospitals
AU  - Novak, Petr
PY  - 2018
JO  - Clinical Teacher
ER  -

TY  - JOUR
TI  - A survey of medical students' research interest
AU  - Brown, Tom
PY  - 2017
JO  - Medical Teacher
ER  -
""".splitlines()
)


def build(team) -> dict:
    """Fill team.review through the same functions the pages call; returns the key objects."""
    review, lead, rita, remy, ada = (
        team.review,
        team.lead,
        team.reviewer1,
        team.reviewer2,
        team.adjudicator,
    )
    guest = UserFactory(email="Guest.Reviewer@example.org", full_name="Gus Guest")
    Membership.objects.create(review=review, user=guest, is_reviewer=True, active=False)
    criterion = Criterion.objects.create(
        review=review, domain="Population", inclusion="Clinicians", exclusion="Students only"
    )
    ta_reason = ExclusionReason.objects.create(
        review=review, stage=Stage.TITLE_ABSTRACT, label="Students only", criterion=criterion
    )
    ExclusionReason.objects.create(review=review, stage=Stage.FULL_TEXT, label="Wrong design")
    core.invite(review, "newcomer@example.org", ["reviewer"], lead)

    search = imports.create_search(
        review, lead, source="MEDLINE", query="clinician AND research", date_run="2024-03-01"
    )
    job = imports.import_file_now(search, RIS.encode(), "medline.ris", user=lead)
    assert job.status == "done", job.error
    records = list(Record.objects.filter(review=review).order_by("pk"))
    first, twin, mentor, barriers, stats, students = records

    # De-duplication: a merged pair, a split pair (never merged again) and a pair to check.
    cluster = dedup_service.merge([first, twin], by=lead)
    split = dedup_service.merge([stats, students], by=lead)
    dedup_service.split(split, by=lead)
    DuplicateCandidate.objects.create(
        review=review, record_a=mentor, record_b=barriers, score=0.42, reasons=["same year"]
    )
    first.refresh_from_db()
    canonical = Record.objects.get(pk=cluster.canonical_id)

    # Screening: agreement on two records, a conflict on a third.
    for record in (canonical, mentor):
        decisions.decide(record, rita, "include", note="Clinicians")
        decisions.decide(record, remy, "include")
    decisions.decide(students, rita, "exclude", reason=ta_reason)
    decisions.decide(students, remy, "exclude", reason=ta_reason)
    decisions.decide(barriers, rita, "include", note="Residents are clinicians")
    decisions.decide(barriers, remy, "exclude", reason=ta_reason, note="Trainees only")
    conflict = Conflict.objects.get(record=barriers)
    conflicts.comment(conflict, rita, "Residents are doctors in training.")
    conflicts.comment(conflict, remy, "The sample is mostly first-years.")
    conflicts.propose(conflict, remy, "exclude", reason=ta_reason, note="Students")
    conflicts.escalate(conflict, rita, "Include: residents are clinicians. Exclude: trainees.")
    conflicts.adjudicate(conflict, ada, "include", note="Residents are practising clinicians.")

    # Full text: a PDF, two assessments, a study.
    report = Report.objects.get(record=canonical)
    pdf = pdf_with_text("Protected time helped clinicians start research.")
    fulltext.attach_pdf(report, ContentFile(pdf, name="smith-2019.pdf"), lead)
    report.refresh_from_db()
    fulltext.assess(report, rita, "include")
    fulltext.assess(report, remy, "include")
    report.refresh_from_db()
    study = report.study
    assert study is not None
    link_report = Report.objects.get(record=mentor)
    fulltext.attach_link(link_report, "https://example.org/mentorship.pdf", lead)

    # Extraction.
    form = coding.ensure_default_form(review, lead)
    keys = list(form.fields.values_list("key", flat=True))
    coding.save_extraction(study, rita, {keys[0]: "United Kingdom"}, completed=True)

    # Codebook published twice, with a coding under each version.
    book = coding.get_codebook(review)
    env = coding.add_code(book, lead, name="Environmental", level="environmental")
    time = coding.add_code(
        book, lead, parent=env, name="Protected time", polarity="facilitator", definition="Time"
    )
    v1 = coding.publish(book, lead, "First version")
    document = coding.add_document(
        study, rita, "Protected time helped clinicians start research.", title="Smith 2019"
    )
    coding.create_codings(study, rita, [time], document=document, excerpt="Protected time")
    coding.update_code(time, lead, definition="Time freed from clinical duties")
    v2 = coding.publish(book, lead, "Sharper definition")
    coding.create_codings(study, remy, [time], document=document, excerpt="start research")
    proposal = coding.propose_code(
        book, remy, name="Mentorship", definition="A senior colleague guides", study=study
    )
    coding.comment_on(proposal, lead, "Belongs under environmental facilitators?")

    # Appraisal: a lead's own tool for this study, two appraisals that differ, settled by
    # consensus through the conflicts flow.
    from screening.appraisal import service as appraisal

    appraisal.publish_tool(
        review, lead, key="rich-tool", name="Rich tool",
        definition={
            "items": [{"number": "1", "text": "Clear aims?"}, {"number": "2", "text": "Ethics?"}],
            "answers": [{"key": "yes", "label": "Yes", "level": "good"}, {"key": "no", "label": "No", "level": "bad"}],
        },
    )  # fmt: skip
    appraisal.set_plan(review, lead, "casp-qualitative", {study.pk: "rich-tool"})
    appraisal.save_appraisal(
        study, rita, answers={"1": {"answer": "yes"}, "2": {"answer": "no"}}, submit=True
    )
    appraisal.save_appraisal(
        study, remy, answers={"1": {"answer": "yes"}, "2": {"answer": "yes"}}, submit=True
    )
    appraisal_conflict = Conflict.objects.get(stage="ap")
    agreed = conflicts.propose(appraisal_conflict, rita, "", answers={"items": {"2": "yes"}})
    conflicts.confirm(agreed, remy)

    # PRISMA: a manual count and the wording of a box.
    prisma.save_entries(review, lead, values={"excluded_automatic": 3}, texts={})
    HighlightKeyword.objects.create(review=review, kind="include", word="clinician")
    HighlightKeyword.objects.create(review=review, owner=rita, kind="exclude", word="student")
    ReviewerQueue.objects.create(review=review, reviewer=rita, ordering="random")
    queues.queue_counts(review, rita)  # what the screening page reads (and stores)

    # Relevance ranking: Rita's queue in relevance order, trained once; then a lead's stop sets
    # aside a record nobody screened.
    from screening.ranking import service as ranking_service

    RecordFactory(search=search, title="Unscreened record a stop sets aside")
    ranking_service.set_relevance(review, rita, enabled=True, by=lead)
    ranking_service.retrain(review.pk, rita.pk)
    ranking_service.stop_screening(review, by=lead, reason="Knee reached", report_as="automation")
    return {
        "search": search,
        "job": job,
        "cluster": cluster,
        "conflict": conflict,
        "report": report,
        "study": study,
        "versions": (v1, v2),
        "code": Code.objects.get(pk=time.pk),
        "guest": guest,
    }
