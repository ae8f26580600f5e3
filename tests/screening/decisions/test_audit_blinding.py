"""The audit trail never shows a lead a pending decision's value."""

from __future__ import annotations

import pytest

from screening.decisions.service import decide
from tests.factories import RecordFactory, SearchFactory


@pytest.mark.django_db
def test_lead_sees_decision_values_in_the_audit_trail_only_once_the_record_is_resolved(team):
    search = SearchFactory(review=team.review)
    record = RecordFactory(search=search)
    decide(record, team.reviewer1, "include", note="SECRET-NOTE-ONE")
    lead = team.client(team.lead)
    page = lead.get(f"/r/{team.review.slug}/audit/").content.decode()
    assert "decision.made" in page
    assert "SECRET-NOTE-ONE" not in page
    assert "Hidden until the record is resolved" in page

    decide(record, team.reviewer2, "include", note="SECRET-NOTE-TWO")
    page = lead.get(f"/r/{team.review.slug}/audit/").content.decode()
    assert "SECRET-NOTE-ONE" in page and "SECRET-NOTE-TWO" in page
