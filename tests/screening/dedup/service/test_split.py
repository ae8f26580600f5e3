"""Undoing a merge: every record and field as before, and the records back in screening."""

from __future__ import annotations

from reviewapp.models import AuditEvent
from screening.decisions import queues
from screening.dedup.service import run_dedup, split
from screening.models import DuplicateCluster, Record

from .factories import article, search


def _state(review) -> list[dict]:
    return list(Record.objects.filter(review=review).order_by("pk").values())


def _three_copies(review):
    a = article(search(review, "MEDLINE"), abstract="", pages="", pmid="")
    b = article(search(review, "Embase"), abstract="Full abstract.", issue="", keywords=["x"])
    c = article(search(review, "CINAHL"), pmid="30712345", other_ids={"cinahl": "123"})
    return a, b, c


def test_splitting_a_cluster_restores_every_field_and_membership_exactly(team):
    a, b, c = _three_copies(team.review)
    before = _state(team.review)
    run_dedup(team.review)
    cluster = DuplicateCluster.objects.get()
    assert cluster.filled  # the canonical record took fields from the others
    assert _state(team.review) != before

    left = split(cluster, by=team.lead)

    assert left == [a.pk, b.pk, c.pk]
    assert _state(team.review) == before
    assert not DuplicateCluster.objects.exists()
    # and the automatic run does not merge them again
    assert run_dedup(team.review).clusters_found == 0
    assert _state(team.review) == before


def test_splitting_off_one_record_keeps_the_others_together(team):
    a, b, c = _three_copies(team.review)
    run_dedup(team.review)
    cluster = DuplicateCluster.objects.get()

    split(cluster, by=team.lead, records=[c.pk])

    cluster.refresh_from_db()
    assert set(cluster.members.values_list("pk", flat=True)) == {a.pk, b.pk}
    c.refresh_from_db()
    assert (c.cluster_id, c.is_canonical, c.pmid) == (None, True, "30712345")
    canonical = cluster.canonical
    assert canonical.pmid == ""  # what came from the record that left went with it
    assert run_dedup(team.review).clusters_found == 1
    assert c.pk not in set(cluster.members.values_list("pk", flat=True))


def test_a_split_off_record_enters_the_screening_queue(team):
    a, b, c = _three_copies(team.review)
    run_dedup(team.review)
    queued = set(queues.queue_for(team.review, team.reviewer1).values_list("pk", flat=True))
    assert len(queued) == 1

    split(DuplicateCluster.objects.get(), by=team.lead)

    queued = set(queues.queue_for(team.review, team.reviewer1).values_list("pk", flat=True))
    assert queued == {a.pk, b.pk, c.pk}


def test_merge_and_split_are_in_the_audit_trail_with_before_and_after(team):
    a, b, c = _three_copies(team.review)
    run_dedup(team.review, user=team.lead)
    cluster = DuplicateCluster.objects.get()

    split(cluster, by=team.lead)

    merged = AuditEvent.objects.get(action="dedup.merged")
    assert merged.object_id == str(cluster.pk)
    assert merged.before == {"clusters": [], "records": [a.pk, b.pk, c.pk]}
    assert merged.after["members"] == [a.pk, b.pk, c.pk]
    assert merged.after["canonical"] == cluster.canonical_id
    undone = AuditEvent.objects.get(action="dedup.split")
    assert undone.actor == team.lead
    assert undone.before["clusters"][0]["members"] == [a.pk, b.pk, c.pk]
    assert undone.after == {
        "left": [a.pk, b.pk, c.pk],
        "cluster": None,
        "members": [],
        "restored": sorted(cluster.filled),
    }
    assert AuditEvent.objects.filter(action="dedup.run").count() == 1
