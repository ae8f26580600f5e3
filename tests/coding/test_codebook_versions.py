"""Publishing the codebook draft as v1, v2, … and the diff between any two versions."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import CodebookVersion, CodeVersion
from reviewapp.models import AuditEvent

from .factories import ecological_codebook


@pytest.fixture
def codes(team):
    return ecological_codebook(team.review, team.lead)


@pytest.fixture
def codebook(team, codes):
    return team.review.codebook


def test_publishing_freezes_the_draft_as_v1_with_inherited_level_and_polarity(
    team, codebook, codes
):
    v1 = services.publish(codebook, team.lead, "First framework after reading a subset")
    assert v1.number == 1
    row = CodeVersion.objects.get(version=v1, code=codes["Protected time"])
    assert row.effective_level == "environmental"
    assert row.effective_polarity == "facilitator"
    assert row.path == "Environmental › Environmental facilitators › Protected time"
    assert AuditEvent.objects.filter(action="codebook.published", object_id=str(v1.pk)).exists()


def test_editing_the_draft_leaves_the_published_version_unchanged(team, codebook, codes):
    v1 = services.publish(codebook, team.lead, "v1")
    services.update_code(codes["Protected time"], team.lead, name="Protected research time")
    tree = services.version_tree(codebook, 1)
    assert "Protected time" in [n.name for n in tree]
    assert services.version_tree(codebook, v1).by_key[str(codes["Protected time"].key)].name == (
        "Protected time"
    )


def test_publishing_needs_a_change_note_and_a_change(team, codebook):
    with pytest.raises(services.CodingError, match="change note"):
        services.publish(codebook, team.lead, "  ")
    services.publish(codebook, team.lead, "v1")
    with pytest.raises(services.CodingError, match="Nothing changed since v1"):
        services.publish(codebook, team.lead, "again")
    assert CodebookVersion.objects.filter(codebook=codebook).count() == 1


def test_diff_lists_added_removed_renamed_moved_merged_and_redefined_codes(team, codebook, codes):
    services.publish(codebook, team.lead, "v1")
    services.add_code(
        codebook, team.lead, parent=codes["Individual facilitators"], name="Intrinsic motivation"
    )
    services.remove_code(codes["Lack of competency"], team.lead)
    services.update_code(codes["Protected time"], team.lead, name="Protected research time")
    services.update_code(
        codes["Career advancement"], team.lead, parent=codes["Environmental facilitators"]
    )
    services.merge_codes(codes["Funding"], codes["Protected time"], team.lead)
    services.update_code(
        codes["Lack of funding"], team.lead, definition="Scarce grants and competition."
    )
    services.publish(codebook, team.lead, "After team consultation")

    diff = services.diff_versions(codebook, 1, 2)

    assert diff.summary() == {
        "added": ["Intrinsic motivation"],
        "removed": ["Lack of competency"],
        "renamed": ["Protected time → Protected research time"],
        "moved": ["Career advancement"],
        "merged": ["Funding → Protected research time"],
        "redefined": ["Lack of funding"],
    }
    moved = diff.moved[0]
    assert moved.fields == [
        "Individual › Individual facilitators",
        "Environmental › Environmental facilitators",
    ]
    assert diff.redefined[0].old.definition == "No money for research."
    # Diffs work in both directions and against the draft (None).
    assert "Lack of competency" in services.diff_versions(codebook, 2, 1).summary()["added"]
    assert not services.diff_versions(codebook, 2, None)


def test_a_moved_code_inherits_its_new_parents_polarity(team, codebook, codes):
    services.update_code(
        codes["Lack of funding"], team.lead, parent=codes["Environmental facilitators"]
    )
    services.publish(codebook, team.lead, "v1")
    node = services.version_tree(codebook, 1).by_key[str(codes["Lack of funding"].key)]
    assert node.effective_polarity == "facilitator"


def test_a_code_cannot_move_under_its_own_subtheme(team, codes):
    with pytest.raises(services.CodingError, match="under itself"):
        services.update_code(codes["Individual"], team.lead, parent=codes["Career advancement"])


def test_lead_publishes_through_the_page_and_sees_the_diff(team, codebook, codes):
    client = team.client(team.lead)
    response = client.post(f"/r/{team.review.slug}/codebook/publish/", {"note": "First version"})
    assert response.status_code == 302
    services.update_code(codes["Funding"], team.lead, name="Financial support")
    client.post(f"/r/{team.review.slug}/codebook/publish/", {"note": "Renamed funding"})
    page = client.get(f"/r/{team.review.slug}/codebook/diff/?old=1&new=2").content.decode()
    assert "Funding → Financial support" in page or (
        "Funding" in page and "Financial support" in page
    )
    assert "Renamed" in page


def test_reviewer_cannot_publish(team, codebook):
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/codebook/publish/", {"note": "sneaky"}
    )
    assert response.status_code == 403
    assert not CodebookVersion.objects.exists()
