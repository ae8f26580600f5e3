"""After a code is redefined, codings made under the old definition are listed for re-checking."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import Coding, CodingStatus

from .factories import ecological_codebook, included_study


@pytest.fixture
def setup(team):
    codes = ecological_codebook(team.review, team.lead)
    book = team.review.codebook
    services.publish(book, team.lead, "v1")
    study = included_study(team.review, "Darbyshire 2013", 13)
    document = services.documents_of(study)[0]
    time_coding, funding_coding = (
        services.create_codings(
            study, team.reviewer1, [codes[name]], document=document, excerpt=text
        )[0]
        for name, text in [
            ("Protected time", "protected time"),
            ("Lack of funding", "Lack of funding"),
        ]
    )
    return codes, book, time_coding, funding_coding


def test_codings_under_an_old_definition_are_listed_after_a_redefinition(team, setup):
    codes, book, time_coding, funding_coding = setup
    services.update_code(codes["Protected time"], team.lead, definition="Time in the job plan.")
    services.update_code(codes["Lack of funding"], team.lead, name="Insufficient funding")
    assert services.codings_to_recheck(team.review) == []  # nothing published yet
    services.publish(book, team.lead, "Sharper definition of protected time")

    items = services.codings_to_recheck(team.review, coder=team.reviewer1)

    assert [i.coding for i in items] == [time_coding]  # a rename alone needs no re-check
    assert items[0].fields == ["definition"]
    assert items[0].old.definition == "Time freed from clinic."
    assert items[0].new.definition == "Time in the job plan."
    page = (
        team.client(team.reviewer1).get(f"/r/{team.review.slug}/codebook/recheck/").content.decode()
    )
    assert "Time in the job plan." in page and "Time freed from clinic." in page


def test_confirming_a_coding_takes_it_off_the_list_until_the_next_redefinition(team, setup):
    codes, book, time_coding, _ = setup
    services.update_code(codes["Protected time"], team.lead, definition="Time in the job plan.")
    v2 = services.publish(book, team.lead, "v2")
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/coding/codings/{time_coding.pk}/confirm/"
    )
    assert response.status_code == 302
    time_coding.refresh_from_db()
    assert time_coding.checked_version == v2
    assert time_coding.version.number == 1  # still records the version it was made under
    assert services.codings_to_recheck(team.review) == []
    services.update_code(codes["Protected time"], team.lead, inclusion="Only formally protected.")
    services.publish(book, team.lead, "v3")
    assert [i.coding for i in services.codings_to_recheck(team.review)] == [time_coding]


def test_recoding_replaces_the_coding_with_one_under_the_current_version(team, setup):
    codes, book, time_coding, _ = setup
    services.update_code(codes["Protected time"], team.lead, definition="Time in the job plan.")
    v2 = services.publish(book, team.lead, "v2")
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/coding/codings/{time_coding.pk}/recode/",
        {"codes": [codes["Funding"].pk]},
    )
    assert response.status_code == 302
    time_coding.refresh_from_db()
    assert time_coding.status == CodingStatus.REMOVED
    new = time_coding.replaced_by
    assert (new.code, new.version, new.excerpt) == (codes["Funding"], v2, "protected time")
    assert (new.start, new.end) == (time_coding.start, time_coding.end)
    assert services.codings_to_recheck(team.review) == []


def test_codings_of_a_removed_code_are_listed_for_recoding(team, setup):
    codes, book, _, funding_coding = setup
    services.remove_code(codes["Lack of funding"], team.lead)
    services.publish(book, team.lead, "v2")
    items = services.codings_to_recheck(team.review)
    assert [(i.coding, i.new) for i in items] == [(funding_coding, None)]


def test_another_coder_cannot_confirm_my_coding(team, setup):
    _, book, time_coding, _ = setup
    response = team.client(team.reviewer2).post(
        f"/r/{team.review.slug}/coding/codings/{time_coding.pk}/confirm/"
    )
    assert response.status_code == 404
    assert Coding.objects.get(pk=time_coding.pk).checked_version is None
