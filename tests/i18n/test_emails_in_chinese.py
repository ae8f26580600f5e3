"""E-mails speak each recipient's language: a conflict notice reaches the reviewer who chose
Traditional Chinese in Chinese and the other in English; an invitation is written in the
language of the lead who sends it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.screening.conflicts.helpers import conflicted

pytestmark = pytest.mark.django_db


def test_a_conflict_notice_reaches_each_reviewer_in_their_language(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    team.reviewer2.language = "zh-hant"
    team.reviewer2.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        conflicted(team)
    mail = {m.to[0]: m for m in mailoutbox}
    chinese, english = mail[team.reviewer2.email], mail[team.reviewer1.email]
    assert "你們的決定不一致" in chinese.subject and "文獻紀錄：" in chinese.body
    assert "disagree" in english.subject and "Record:" in english.body
    assert "disagree" not in chinese.subject + chinese.body


def test_an_invitation_is_written_in_the_inviting_leads_language(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("review_team", args=[team.review.slug]),
            {"email": "new.member@example.org", "roles": ["reviewer"]},
            HTTP_ACCEPT_LANGUAGE="zh-TW",
        )
    (message,) = mailoutbox
    assert "邀請加入文獻回顧" in message.subject
    assert "審查者" in message.body and "/invitations/" in message.body
