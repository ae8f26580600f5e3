"""A statement compiled once per process: built once per database and shape, then only its
parameters change; a builder whose argument the ORM does not pass through as-is is refused."""

from __future__ import annotations

import pytest

from reviewapp.compiled import Compiled, CompiledUpdate
from reviewapp.models import ExclusionReason, Membership, Review, Stage
from tests.factories import ExclusionReasonFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_compiled_statement_is_built_once_and_answers_each_call_with_its_own_values():
    built = []

    def reasons(review_id, stage):
        built.append((review_id, stage))
        return ExclusionReason.objects.filter(review_id=review_id, stage=stage).order_by("label")

    compiled = Compiled(reasons)
    a, b = ReviewFactory(), ReviewFactory()
    ExclusionReasonFactory(review=a, stage=Stage.TITLE_ABSTRACT, label="Wrong design")
    ExclusionReasonFactory(review=a, stage=Stage.FULL_TEXT, label="No full text")
    ExclusionReasonFactory(review=b, stage=Stage.TITLE_ABSTRACT, label="Wrong setting")

    assert [r.label for r in compiled.objects(a.pk, Stage.TITLE_ABSTRACT)] == ["Wrong design"]
    assert [r.label for r in compiled.objects(a.pk, "ft")] == ["No full text"]
    assert [r.label for r in compiled.objects(b.pk, Stage.TITLE_ABSTRACT)] == ["Wrong setting"]
    assert compiled.first(b.pk, Stage.FULL_TEXT) is None
    assert len(built) == 1  # the stand-ins' build, once
    assert built[0][0] < 0 and "\x00" in built[0][1]


def test_each_shape_compiles_once():
    reviews = [ReviewFactory(title=f"Review {n}") for n in range(5)]
    compiled = Compiled(
        lambda first_id, *, start, stop: Review.objects.filter(pk__gte=first_id).order_by("pk")[
            start:stop
        ]
    )
    first = reviews[0].pk
    assert [r.pk for r in compiled.objects(first, start=0, stop=2)] == [r.pk for r in reviews[:2]]
    assert [r.pk for r in compiled.objects(first, start=2, stop=4)] == [r.pk for r in reviews[2:4]]
    assert [r.pk for r in compiled.objects(reviews[3].pk, start=0, stop=2)] == [
        r.pk for r in reviews[3:5]
    ]
    assert len(compiled._prepared) == 2


def test_an_argument_the_orm_changes_on_its_way_is_refused():
    ReviewFactory(title="Scoping review")
    starts_with = Compiled(lambda title: Review.objects.filter(title__startswith=title))
    with pytest.raises(ValueError, match="not a plain parameter"):
        starts_with.objects("Scoping")
    with pytest.raises(TypeError):
        Compiled(lambda pk: Membership.objects.filter(pk=pk)).objects(1.5)


def test_a_compiled_update_changes_only_the_rows_of_its_arguments():
    from django.db.models import F

    from screening.models import QueueCount

    a, b = ReviewFactory(), ReviewFactory()
    reviewer = UserFactory()
    for review in (a, b):
        QueueCount.objects.create(review=review, reviewer=reviewer, stage="ta", remaining=5)
    move = CompiledUpdate(
        lambda review_id, stage, by: (
            QueueCount.objects.filter(review_id=review_id, stage=stage),
            {"remaining": F("remaining") + by, "decided": F("decided") - by},
        )
    )
    assert move.run(a.pk, Stage.TITLE_ABSTRACT, -2) == 1
    assert move.run(a.pk, "ta", 1) == 1
    assert move.run(b.pk, "ft", 1) == 0
    counts = dict(QueueCount.objects.values_list("review_id", "remaining"))
    assert counts == {a.pk: 4, b.pk: 5}
    assert QueueCount.objects.get(review=a).decided == 1
