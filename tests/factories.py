"""Factories for the core models; stages add their own beside their tests."""

from __future__ import annotations

import factory

from reviewapp.models import Criterion, ExclusionReason, Membership, Review, Stage, User
from screening.models import Decision, Record, Search

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def confirmed_email(obj, create, extracted, **kwargs):
        """The address is confirmed (as after sign-up): password sign-in and invitations work
        with mandatory email verification. confirmed_email=False leaves it unconfirmed."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    title = factory.Sequence(lambda n: f"Review {n}")
    slug = factory.Sequence(lambda n: f"review-{n}")
    question = "What helps healthcare professionals engage in education research?"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    is_reviewer = True


def review_with_the_same_people(review: Review, title: str = "Another review") -> Review:
    """A second review with every member of `review` in the same roles."""
    other = ReviewFactory(title=title)
    Membership.objects.bulk_create(
        Membership(
            review=other,
            user_id=m.user_id,
            is_lead=m.is_lead,
            is_reviewer=m.is_reviewer,
            is_adjudicator=m.is_adjudicator,
        )
        for m in Membership.objects.filter(review=review)
    )
    return other


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    review = factory.SubFactory(ReviewFactory)
    domain = "Population"
    inclusion = "Healthcare professionals"
    exclusion = "Students only"


class ExclusionReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExclusionReason

    review = factory.SubFactory(ReviewFactory)
    stage = Stage.TITLE_ABSTRACT
    label = factory.Sequence(lambda n: f"Reason {n}")
    position = factory.Sequence(lambda n: n)


class SearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Search

    review = factory.SubFactory(ReviewFactory)
    source = "Web of Science"


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record

    search = factory.SubFactory(SearchFactory)
    review = factory.SelfAttribute("search.review")
    title = factory.Sequence(lambda n: f"Engagement of clinicians in education research, part {n}")
    abstract = "Background. Methods. Results. Conclusions."
    authors = factory.LazyFunction(lambda: ["Smith, J.", "Lee, K."])
    year = 2020
    journal = "Medical Education"
    source_key = factory.Sequence(lambda n: f"KEY{n}")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    record = factory.SubFactory(RecordFactory)
    review = factory.SelfAttribute("record.review")
    reviewer = factory.SubFactory(UserFactory)
    stage = Stage.TITLE_ABSTRACT
    value = "include"
