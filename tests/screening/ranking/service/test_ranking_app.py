"""Relevance ranking in a review: the lead's switch, background retraining, blinding, stopping."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reviewapp.models import AuditEvent
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.models import RankedRecord, RankingState, ScreeningStop, StoppedRecord
from screening.prisma.counts import counts_for
from screening.ranking import service as ranking_service
from tests.factories import RecordFactory, SearchFactory

pytestmark = pytest.mark.django_db

TOPIC = [
    "Nudging physicians with default options to reduce antibiotic prescribing",
    "Default nudges in the electronic health record change antibiotic prescribing",
    "Peer comparison letters nudge physicians to reduce antibiotic prescribing",
    "A nudge with default order sets reduced inappropriate antibiotic prescribing",
    "Choice architecture nudges and physicians' antibiotic prescribing in primary care",
]
OFF_TOPIC = [
    "Software cost estimation with analogy: a replicated experiment",
    "Soil nitrogen dynamics under maize rotation in sub-Saharan Africa",
    "Deep-sea sediment cores reveal Pleistocene ocean temperatures",
    "Agile requirements engineering practices in small software companies",
    "Pollination services of wild bees in apple orchards",
    "A compiler optimisation for vectorised loops on ARM processors",
    "Thermal conductivity of graphene nanoribbons measured by Raman spectroscopy",
    "Migration routes of Arctic terns tracked with geolocators",
]
CHINESE_TOPIC = [
    "助推干预对医生抗生素处方行为的影响：随机对照试验",
    "默认选项助推减少抗生素处方：医生行为随机试验",
    "同伴比较信助推医生减少不合理抗生素处方",
]
CHINESE_OFF = [
    "黄土高原土壤侵蚀与植被恢复的遥感监测",
    "黄土高原植被恢复对土壤水分的影响",
    "青藏高原岩石风化速率研究",
    "长江口沉积物重金属污染特征",
]


def make_records(review, titles):
    search = SearchFactory(review=review)
    return {t: RecordFactory(search=search, title=t, abstract="") for t in titles}


def my_queue(team, user):
    return [r.title for r in queues.queue_for(team.review, user)]


def train(team, user):
    return ranking_service.retrain(team.review.pk, user.pk)


@pytest.fixture
def topic(team):
    records = make_records(team.review, TOPIC + OFF_TOPIC)
    queues.set_ordering(team.review, team.reviewer1, ranking_service.RELEVANCE)
    for title in TOPIC[:1]:
        decisions.decide(records[title], team.reviewer1, "include")
    for title in OFF_TOPIC[:2]:
        decisions.decide(records[title], team.reviewer1, "exclude", reason=None)
    return records


def test_a_reviewer_cannot_switch_queues_to_relevance_order(team):
    response = team.client(team.reviewer1).post(
        reverse("ranking_toggle", args=[team.review.slug]),
        {"reviewer": team.reviewer1.pk, "enabled": "1"},
    )

    assert response.status_code == 403
    assert queues.ordering_for(team.review, team.reviewer1) == "random"


def test_a_lead_switches_one_reviewers_queue_and_it_is_audited(team):
    response = team.client(team.lead).post(
        reverse("ranking_toggle", args=[team.review.slug]),
        {"reviewer": team.reviewer1.pk, "enabled": "1"},
        follow=True,
    )

    assert "queue is now in relevance order" in response.content.decode()
    assert queues.ordering_for(team.review, team.reviewer1) == "relevance"
    assert queues.ordering_for(team.review, team.reviewer2) == "random"
    event = AuditEvent.objects.get(action="ranking.enabled")
    assert event.after["reviewer"] == team.reviewer1.pk


def test_retraining_puts_records_like_the_included_ones_first(team, topic):
    state = train(team, team.reviewer1)

    assert state.status == RankingState.Status.READY
    assert state.trained_on == 3
    assert set(my_queue(team, team.reviewer1)[:4]) == set(TOPIC[1:])


def test_chinese_titles_are_ranked_by_character_ngrams(team):
    records = make_records(team.review, CHINESE_TOPIC + CHINESE_OFF)
    queues.set_ordering(team.review, team.reviewer1, ranking_service.RELEVANCE)
    decisions.decide(records[CHINESE_TOPIC[0]], team.reviewer1, "include")
    decisions.decide(records[CHINESE_OFF[0]], team.reviewer1, "exclude")
    decisions.decide(records[CHINESE_OFF[3]], team.reviewer1, "exclude")

    train(team, team.reviewer1)

    assert set(my_queue(team, team.reviewer1)[:2]) == set(CHINESE_TOPIC[1:])


def test_another_reviewers_pending_decisions_never_change_my_order(team, topic):
    assert team.review.required_decisions >= 2  # the record stays pending after reviewer 2
    train(team, team.reviewer1)
    before = list(
        RankedRecord.objects.filter(reviewer=team.reviewer1).values_list("record_id", "score")
    )
    order_before = my_queue(team, team.reviewer1)

    # Reviewer 2 says the opposite of what reviewer 1's model believes, on records in my queue.
    for title in TOPIC[1:4]:
        decisions.decide(topic[title], team.reviewer2, "exclude")
    for title in OFF_TOPIC[2:6]:
        decisions.decide(topic[title], team.reviewer2, "include")
    train(team, team.reviewer1)

    after = list(
        RankedRecord.objects.filter(reviewer=team.reviewer1).values_list("record_id", "score")
    )
    assert after == before
    assert my_queue(team, team.reviewer1) == order_before


def test_resolved_records_are_learned_from(team, topic):
    labels, queue = ranking_service.training_data(team.review, team.reviewer2.pk)
    assert labels == {}  # reviewer 1's decisions alone resolve nothing

    for title in OFF_TOPIC[:2]:
        decisions.decide(topic[title], team.reviewer2, "exclude")
    labels, _ = ranking_service.training_data(team.review, team.reviewer1.pk)

    assert labels[topic[OFF_TOPIC[0]].pk] is False


def test_early_on_every_decision_queues_a_retrain_in_the_background(
    team, topic, django_capture_on_commit_callbacks
):
    train(team, team.reviewer1)
    record = queues.queue_for(team.review, team.reviewer1)[0]
    decisions.decide(record, team.reviewer1, "exclude")

    with django_capture_on_commit_callbacks(execute=True):
        list(queues.queue_for(team.review, team.reviewer1)[:1])

    state = RankingState.objects.get(reviewer=team.reviewer1)
    assert state.trained_on == 4
    assert state.status == RankingState.Status.READY


def test_later_retrains_come_after_every_1_percent_of_decisions_at_most_every_n(settings):
    settings.RANKING_RETRAIN_EVERY = 10
    interval = ranking_service.retrain_interval

    assert [interval(d) for d in (0, 1, 199, 200, 299, 300, 950, 1000, 50_000)] == [
        1, 1, 1, 2, 2, 3, 9, 10, 10,
    ]  # fmt: skip
    settings.RANKING_RETRAIN_EVERY = 3
    assert interval(150) == 1
    assert interval(5000) == 3


def test_retrain_waits_for_the_interval_once_a_reviewer_has_decided_many(
    team, topic, monkeypatch, django_capture_on_commit_callbacks
):
    train(team, team.reviewer1)
    # As if the reviewer had made 1,000 decisions: the next retrain is due after 10 more.
    monkeypatch.setattr(ranking_service, "retrain_interval", lambda decided: 2)
    queue = list(queues.queue_for(team.review, team.reviewer1)[:2])
    decisions.decide(queue[0], team.reviewer1, "exclude")
    with django_capture_on_commit_callbacks(execute=True):
        assert ranking_service.maybe_retrain(team.review, team.reviewer1) is False
    decisions.decide(queue[1], team.reviewer1, "exclude")
    with django_capture_on_commit_callbacks(execute=True):
        assert ranking_service.maybe_retrain(team.review, team.reviewer1) is True

    assert RankingState.objects.get(reviewer=team.reviewer1).trained_on == 5


def test_a_long_run_of_excludes_switches_the_model_to_its_explore_features(
    team, topic, monkeypatch
):
    from screening.ranking import model as ranking

    assert ranking_service.current_run(team.review, team.reviewer1.pk) == 2
    assert train(team, team.reviewer1).model == ranking.RankResult.model
    decisions.decide(topic[OFF_TOPIC[2]], team.reviewer1, "exclude")
    assert ranking_service.current_run(team.review, team.reviewer1.pk) == 3
    # Another reviewer's decisions do not count towards my streak.
    decisions.decide(topic[TOPIC[1]], team.reviewer2, "include")
    assert ranking_service.current_run(team.review, team.reviewer1.pk) == 3

    monkeypatch.setattr(ranking, "explores", lambda run, config=None: run >= 3)
    assert train(team, team.reviewer1).model == ranking.EXPLORE_MODEL
    decisions.decide(topic[TOPIC[2]], team.reviewer1, "include")
    assert ranking_service.current_run(team.review, team.reviewer1.pk) == 0
    assert train(team, team.reviewer1).model == ranking.RankResult.model


def test_the_ranking_page_shows_the_stopping_estimate_in_few_queries(
    team, topic, django_assert_max_num_queries
):
    train(team, team.reviewer1)
    for title in OFF_TOPIC[:2]:  # resolved: the lead's estimate counts resolved records only
        decisions.decide(topic[title], team.reviewer2, "exclude")
    client = team.client(team.lead)

    with django_assert_max_num_queries(25):
        response = client.get(reverse("ranking", args=[team.review.slug]))

    html = response.content.decode()
    assert "Relevant records probably still unscreened" in html
    assert "95% interval" in html
    assert "Keep screening" in html
    assert (
        team.client(team.reviewer1).get(reverse("ranking", args=[team.review.slug])).status_code
        == 403
    )


def test_a_reviewer_sees_their_own_estimate(team, topic, django_assert_max_num_queries):
    client = team.client(team.reviewer1)
    # 16 with the navigation's counts of waiting work (full texts, studies to extract).
    with django_assert_max_num_queries(16):
        response = client.get(reverse("ranking_mine", args=[team.review.slug]))

    assert "relevance" in response.content.decode()
    assert "95% interval" in response.content.decode()


def test_a_leads_stop_takes_unscreened_records_out_of_queues_and_into_prisma(team, topic):
    unscreened = len(TOPIC) + len(OFF_TOPIC) - 3  # reviewer 1 decided 3; nobody else decided

    response = team.client(team.lead).post(
        reverse("ranking", args=[team.review.slug]),
        {
            "report_as": "automation",
            "reason": "Knee reached, 200 irrelevant in a row",
            "confirm": "on",
        },
        follow=True,
    )

    assert f"{unscreened} unscreened records left the queues" in response.content.decode()
    stop = ScreeningStop.objects.get()
    assert stop.records_count == unscreened == StoppedRecord.objects.count()
    assert my_queue(team, team.reviewer1) == []
    assert len(my_queue(team, team.reviewer2)) == 3  # records reviewer 1 screened stay open
    counts = counts_for(team.review)
    assert counts.excluded_automatic == unscreened
    assert counts.excluded_other == 0
    assert AuditEvent.objects.filter(action="screening.stopped").exists()
    # A later de-duplication pass must not bring the set-aside records back.
    from screening.decisions.queues import reconcile_canonical

    reconcile_canonical(team.review)
    assert my_queue(team, team.reviewer1) == []


def test_a_stop_reported_as_other_reasons_fills_the_other_prisma_box(team, topic):
    ranking_service.stop_screening(
        team.review, by=team.lead, reason="Out of time", report_as="other"
    )

    counts = counts_for(team.review)

    assert counts.excluded_other == len(TOPIC) + len(OFF_TOPIC) - 3
    assert counts.excluded_automatic == 0
    client = team.client(team.lead)
    svg = client.get(reverse("prisma_svg", args=[team.review.slug])).content.decode()
    text = " ".join(re.findall(r">([^<]+)<", svg))
    assert f"Records removed for other reasons (n = {counts.excluded_other})" in text
    page = client.get(reverse("prisma", args=[team.review.slug])).content.decode()
    # Only the 3 records reviewer 1 screened still await a decision (from reviewer 2).
    assert "Still in progress: 3 records awaiting a title/abstract decision" in page
