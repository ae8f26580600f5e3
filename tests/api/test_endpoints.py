"""The resources: searches and imports, records, my decisions, conflicts, reports."""

from __future__ import annotations

import json
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from reviewapp.models import AuditEvent
from screening.decisions import queues
from screening.models import Decision
from tests.factories import RecordFactory

from .conftest import ApiClient

RIS = b"TY  - JOUR\nTI  - Protected time for research\nAU  - Smith, Jane\nPY  - 2019\nER  - \n\nTY  - JOUR\nTI  - Mentors and nurses\nAU  - Ortiz, Ana\nPY  - 2021\nER  - \n"


def test_a_lead_creates_a_search_uploads_an_export_and_polls_the_import(
    team, settings, tmp_path, django_capture_on_commit_callbacks
):
    lead = ApiClient(team.lead)
    slug = team.review.slug
    search = lead.post(
        f"/reviews/{slug}/searches", {"source": "MEDLINE", "query": "research"}
    ).json()
    upload = SimpleUploadedFile("medline.ris", RIS)
    with django_capture_on_commit_callbacks(execute=True):
        created = lead.post(
            f"/reviews/{slug}/searches/{search['id']}/imports", {"file": upload}, multipart=True
        )
    assert created.status_code == 202, created.content
    job = lead.get(f"/reviews/{slug}/imports/{created.json()['id']}").json()
    assert job["status"] == "done" and job["records_imported"] == 2
    listed = lead.get(f"/reviews/{slug}/searches").json()
    assert listed[0]["records"] == 2


def test_records_page_by_keyset_with_the_record_pages_filters(team):
    for i in range(5):
        RecordFactory(
            review=team.review, search__review=team.review, title=f"Nurse study {i}", year=2020
        )
    RecordFactory(review=team.review, search__review=team.review, title="Physicians", year=2019)
    api = ApiClient(team.reviewer1)
    slug = team.review.slug
    first = api.get(f"/reviews/{slug}/records", q="nurse", limit=3).json()
    assert len(first["items"]) == 3 and first["next_after"]
    rest = api.get(f"/reviews/{slug}/records", q="nurse", limit=3, after=first["next_after"]).json()
    assert len(rest["items"]) == 2 and rest["next_after"] is None
    assert (
        api.get(f"/reviews/{slug}/records", year="2019").json()["items"][0]["title"] == "Physicians"
    )


def test_a_reviewer_decides_reads_and_undoes_only_their_own_decisions(team):
    records = [RecordFactory(review=team.review, search__review=team.review) for _ in range(3)]
    queues.ensure_assignments(team.review)
    slug = team.review.slug
    rita, remy = ApiClient(team.reviewer1), ApiClient(team.reviewer2)
    queue = rita.get(f"/reviews/{slug}/queue").json()
    assert {r["id"] for r in queue} == {r.pk for r in records}
    made = rita.post(
        f"/reviews/{slug}/decisions", {"record": records[0].pk, "value": "include", "note": "fits"}
    )
    assert made.status_code == 201 and made.json()["value"] == "include"
    assert AuditEvent.objects.filter(actor=team.reviewer1, action__startswith="decision").exists()
    assert [d["record"] for d in rita.get(f"/reviews/{slug}/decisions").json()] == [records[0].pk]
    assert remy.get(f"/reviews/{slug}/decisions").json() == []  # blind: never Rita's
    assert rita.post(f"/reviews/{slug}/decisions/undo").json() == {"undone": records[0].pk}
    assert not Decision.objects.filter(reviewer=team.reviewer1).exists()


def test_a_bad_decision_gets_400_and_a_record_not_in_my_queue_404(team):
    record = RecordFactory(review=team.review, search__review=team.review)
    queues.ensure_assignments(team.review)
    rita = ApiClient(team.reviewer1)
    slug = team.review.slug
    bad = rita.post(f"/reviews/{slug}/decisions", {"record": record.pk, "value": "perhaps"})
    assert bad.status_code == 400 and "Include" in bad.json()["detail"]
    missing = rita.post(f"/reviews/{slug}/decisions", {"record": 999999, "value": "include"})
    assert missing.status_code == 404


def test_conflicts_open_to_the_disagreeing_reviewers_with_both_positions(team):
    record = RecordFactory(review=team.review, search__review=team.review)
    queues.ensure_assignments(team.review)
    slug = team.review.slug
    rita, remy = ApiClient(team.reviewer1), ApiClient(team.reviewer2)
    rita.post(f"/reviews/{slug}/decisions", {"record": record.pk, "value": "include"})
    assert remy.get(f"/reviews/{slug}/conflicts").json() == []
    remy.post(f"/reviews/{slug}/decisions", {"record": record.pk, "value": "exclude"})
    (conflict,) = remy.get(f"/reviews/{slug}/conflicts").json()
    detail = remy.get(f"/reviews/{slug}/conflicts/{conflict['id']}").json()
    assert sorted(p["value"] for p in detail["positions"]) == ["exclude", "include"]
    assert (
        ApiClient(team.adjudicator).get(f"/reviews/{slug}/conflicts/{conflict['id']}").status_code
        == 404
    )


def test_prisma_counts_are_the_prisma_commands_json(team):
    RecordFactory(review=team.review, search__review=team.review)
    out = StringIO()
    call_command("prisma", "--review", team.review.slug, "--format", "json", stdout=out)
    assert ApiClient(team.lead).get(f"/reviews/{team.review.slug}/prisma").json() == json.loads(
        out.getvalue()
    )


def test_codebook_codings_and_the_synthesis_matrix(team):
    from coding import services as coding
    from tests.coding.factories import ecological_codebook, included_study

    study = included_study(team.review, "Smith 2019", 1)
    codes = ecological_codebook(team.review, team.lead)
    coding.publish(coding.get_codebook(team.review), team.lead, "v1")
    document = coding.add_document(study, team.reviewer1, "Protected time matters.", title="t")
    coding.create_codings(
        study,
        team.reviewer1,
        [codes["Protected time"]],
        document=document,
        excerpt="Protected time",
    )
    api = ApiClient(team.reviewer2)
    slug = team.review.slug
    (version,) = api.get(f"/reviews/{slug}/codebook/versions").json()
    assert "Protected time" in [c["name"] for c in version["codes"]]
    (coded,) = api.get(f"/reviews/{slug}/codings").json()
    assert coded["code"] == "Protected time" and coded["study"] == "Smith 2019"
    matrix = api.get(f"/reviews/{slug}/synthesis/matrix").json()
    assert matrix["studies"] == ["Smith 2019"]
    row = next(r for r in matrix["rows"] if r["code"] == "Protected time")
    assert row["cells"] == [1] and row["citation"] == "[1]"


def test_the_openapi_schema_and_docs_are_served(team, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reviews/{slug}/decisions" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
