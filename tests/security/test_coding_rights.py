"""Issue #26: a reviewer could mark anyone's coding removed through the status endpoint.

The rule lives in the service functions: a coding's status is changed by its coder, a coder
reconciling the same study, or a lead; the codebook, proposals' decisions and the extraction
form by a lead; a study's consensus extraction by one of its extractors or a lead.
"""

from __future__ import annotations

import pytest

from coding import services
from coding.models import Coding, CodingStatus, Extraction, ExtractionField, ExtractionSection
from reviewapp.models import Membership
from tests.coding.factories import ecological_codebook, included_study
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def third(team):
    """A third reviewer of the review who has not coded the study."""
    user = UserFactory(email="tess@example.org", full_name="Tess Third")
    Membership.objects.create(review=team.review, user=user, is_reviewer=True)
    return user


@pytest.fixture
def coded(team):
    codes = ecological_codebook(team.review, team.lead)
    services.publish(team.review.codebook, team.lead, "v1")
    study = included_study(team.review, "Tavakol 2008", 34)
    other = included_study(team.review, "Other 2010", 35)
    doc = services.documents_of(study)[0]
    (rita,) = services.create_codings(
        study, team.reviewer1, [codes["Protected time"]], document=doc, start=0, end=8
    )
    (remy,) = services.create_codings(
        study, team.reviewer2, [codes["Funding"]], document=doc, start=10, end=20
    )
    return {"codes": codes, "study": study, "other": other, "rita": rita, "remy": remy}


def _status(client, team, coding, status):
    return client.post(
        f"/r/{team.review.slug}/coding/codings/{coding.pk}/status/", {"status": status}
    )


def test_a_reviewer_who_did_not_code_the_study_cannot_remove_a_coding(team, coded, third):
    response = _status(team.client(third), team, coded["rita"], "removed")
    assert response.status_code == 403
    coded["rita"].refresh_from_db()
    assert coded["rita"].status == CodingStatus.OPEN
    with pytest.raises(services.CodingForbidden):
        services.set_status(coded["rita"], third, CodingStatus.REMOVED)


def test_a_reviewer_who_coded_only_another_study_cannot_remove_it(team, coded, third):
    doc = services.documents_of(coded["other"])[0]
    services.create_codings(
        coded["other"], third, [coded["codes"]["Funding"]], document=doc, start=0, end=5
    )
    assert _status(team.client(third), team, coded["rita"], "removed").status_code == 403
    assert Coding.objects.get(pk=coded["rita"].pk).status == CodingStatus.OPEN


@pytest.mark.parametrize("who", ["reviewer1", "reviewer2", "lead"])
def test_its_coder_the_other_coder_of_the_study_and_a_lead_may_mark_it(team, coded, who):
    response = _status(team.client(getattr(team, who)), team, coded["rita"], "agreed")
    assert response.status_code == 302
    assert Coding.objects.get(pk=coded["rita"].pk).status == CodingStatus.AGREED


def test_the_reconcile_page_offers_no_buttons_to_a_reviewer_who_may_not_use_them(
    team, coded, third
):
    url = f"/r/{team.review.slug}/coding/studies/{coded['study'].pk}/reconcile/"
    status_url = f"/coding/codings/{coded['rita'].pk}/status/"
    assert status_url not in team.client(third).get(url).content.decode()
    assert status_url in team.client(team.reviewer2).get(url).content.decode()


def test_the_delete_endpoint_still_refuses_someone_elses_coding(team, coded):
    team.client(team.reviewer2).post(
        f"/r/{team.review.slug}/coding/codings/{coded['rita'].pk}/delete/"
    )
    assert Coding.objects.get(pk=coded["rita"].pk).status == CodingStatus.OPEN


def test_every_codebook_and_form_change_refuses_a_reviewer_in_the_service(team, coded):
    codes, rita = coded["codes"], team.reviewer1
    book = team.review.codebook
    proposal = services.propose_code(book, rita, name="Peer support", definition="Colleagues.")
    form = services.ensure_default_form(team.review)
    field = form.fields.first()
    attempts = {
        "add_code": lambda: services.add_code(book, rita, name="New"),
        "update_code": lambda: services.update_code(codes["Funding"], rita, name="Money"),
        "remove_code": lambda: services.remove_code(codes["Funding"], rita),
        "merge_codes": lambda: services.merge_codes(
            codes["Funding"], codes["Protected time"], rita
        ),
        "publish": lambda: services.publish(book, rita, "v2"),
        "import_codes": lambda: services.import_file(
            book, rita, "codes.csv", b"name,definition\nNew,Def\n"
        ),
        "accept_proposal": lambda: services.accept_proposal(proposal, rita),
        "merge_proposal": lambda: services.merge_proposal(proposal, rita, codes["Funding"]),
        "decline_proposal": lambda: services.decline_proposal(proposal, rita, "No"),
        "save_field": lambda: services.save_field(
            form, rita, ExtractionField(label="Setting", kind="text")
        ),
        "delete_field": lambda: services.delete_field(form, rita, field),
        "set_extractors_per_study": lambda: services.set_extractors_per_study(form, rita, 2),
        "add_section": lambda: services.add_section(form, rita, ExtractionSection(title="More")),
    }
    passed = []
    for name, attempt in attempts.items():
        try:
            attempt()
        except services.CodingForbidden:
            continue
        passed.append(name)
    assert passed == []
    book.refresh_from_db()
    assert book.codes.filter(archived=False, name="Funding").exists()
    assert not book.versions.filter(number=2).exists()
    assert form.fields.filter(pk=field.pk).exists()
    # The lead still may.
    services.merge_proposal(proposal, team.lead, codes["Funding"])


def test_the_consensus_extraction_is_set_by_an_extractor_or_a_lead_only(team, coded, third):
    study = coded["study"]
    services.save_extraction(study, team.reviewer1, {"region": "UK"}, completed=True)
    url = f"/r/{team.review.slug}/extraction/studies/{study.pk}/compare/"
    response = team.client(third).post(url, {"reference": "x", "region": "France"})
    assert response.status_code == 403
    assert not Extraction.objects.filter(study=study, is_consensus=True).exists()
    services.save_extraction(
        study, team.reviewer1, {"region": "UK"}, completed=True, consensus=True
    )
    services.save_extraction(study, team.lead, {"region": "UK"}, completed=True, consensus=True)
    assert Extraction.objects.get(study=study, is_consensus=True).extractor == team.lead
