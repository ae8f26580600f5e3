"""filters.among passes the ids as one array's text: on PostgreSQL the statement is the one
psycopg wrote from a list of the same ids (the same array type, so the same plan)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from screening.identification.filters import among
from screening.models import Record
from tests.factories import RecordFactory, SearchFactory

pytestmark = pytest.mark.django_db


def _sent(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(sql, params)


@pytest.mark.parametrize(
    "ids", [[3, 1, 2], [2**15], [1, 40_000], [-5, 7], [2**31 - 1], [1, 3_000_000_000]]
)
def test_the_ids_are_sent_as_psycopg_sent_the_list(ids):
    if connection.vendor != "postgresql":
        pytest.skip("the array parameter is PostgreSQL's: run with DATABASE_URL=postgres://…")
    as_list = Q(RawSQL('"screening_record"."id" = ANY(%s)', [ids], BooleanField()))
    assert _sent(Record.objects.filter(among(ids, Record, "id"))) == _sent(
        Record.objects.filter(as_list)
    )


def test_the_records_among_the_ids_are_found(team):
    search = SearchFactory(review=team.review)
    records = [RecordFactory(search=search) for _ in range(3)]
    wanted = [records[0].pk, records[2].pk]
    found = Record.objects.filter(among(wanted, Record, "id")).values_list("pk", flat=True)
    assert sorted(found) == wanted
    assert not Record.objects.filter(among([], Record, "id")).exists()
