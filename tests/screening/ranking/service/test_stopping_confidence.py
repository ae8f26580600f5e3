"""The stopping estimate says how far its suggestion can be trusted, in both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_my_stopping_estimate_says_what_recall_the_rule_reached_in_simulation(team):
    page = team.client(team.reviewer1).get(reverse("ranking_mine", args=[team.review.slug]))

    html = page.content.decode()
    assert "at least 97.8% of the relevant records in every run (the target is 95%)" in html
    assert "not a guarantee for this review" in html


def test_a_reviewer_reads_it_in_traditional_chinese(team):
    page = team.client(team.reviewer1).get(
        reverse("ranking_mine", args=[team.review.slug]), HTTP_ACCEPT_LANGUAGE="zh-TW"
    )

    html = page.content.decode()
    assert "至少 97.8% 的相關紀錄" in html
    assert "並非對本文獻回顧的保證" in html
