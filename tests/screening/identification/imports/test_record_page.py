"""A record's page shows every field, the searches that found it, and its raw form."""

from __future__ import annotations

import pytest

from screening.identification.imports import import_file_now
from screening.models import DuplicateCluster, Record, Search

pytestmark = pytest.mark.django_db

RIS = (
    "TY  - JOUR\nTI  - 醫護人員參與研究之探討\nTT  - Engagement of health professionals in research\n"
    "AU  - 王小明\nPY  - 2021\nJO  - 護理雜誌\nVL  - 68\nIS  - 2\nSP  - 45\nEP  - 53\n"
    "DO  - https://doi.org/10.6224/JN.2021.68(2).07\nKW  - research\nLA  - Chinese\n"
    "UR  - https://www.airitilibrary.com/x\nID  - A1\nER  - \n"
).encode()


def test_record_page_shows_every_field_and_the_raw_record(team, django_assert_max_num_queries):
    search = Search.objects.create(review=team.review, source="Airiti Library")
    import_file_now(search, RIS, "airiti.ris")
    record = Record.objects.get()
    # ~6 of ours; the rest are other stages' navigation badges (reported to the lead), and on
    # this first visit after the import one count of the new records, which decides whether the
    # request may build their assignments itself (a large import's are built in the background).
    with django_assert_max_num_queries(46):
        html = (
            team.client(team.reviewer1)
            .get(f"/r/{team.review.slug}/records/{record.pk}/")
            .content.decode()
        )
    for text in ("醫護人員參與研究之探討", "Engagement of health professionals", "王小明", "2021",
                 "護理雜誌", "10.6224/jn.2021.68(2).07", "Chinese", "Airiti Library", "TY  - JOUR"):  # fmt: skip
        assert text in html, text


def test_record_page_lists_every_search_that_found_the_work(team):
    scopus = Search.objects.create(review=team.review, source="Scopus")
    wos = Search.objects.create(review=team.review, source="Web of Science")
    a = Record.objects.create(review=team.review, search=scopus, title="Same work")
    b = Record.objects.create(review=team.review, search=wos, title="Same work", is_canonical=False)
    cluster = DuplicateCluster.objects.create(review=team.review, canonical=a)
    Record.objects.filter(pk__in=[a.pk, b.pk]).update(cluster=cluster)
    html = team.client(team.lead).get(f"/r/{team.review.slug}/records/{a.pk}/").content.decode()
    assert "Scopus" in html and "Web of Science" in html and f"record {b.pk}" in html


def test_hostile_fields_are_escaped(team):
    search = Search.objects.create(review=team.review, source="<script>alert(1)</script>")
    record = Record.objects.create(
        review=team.review, search=search, title="<img src=x onerror=alert(1)>",
        raw="<script>x</script>", url="javascript:alert(1)",
    )  # fmt: skip
    html = (
        team.client(team.lead).get(f"/r/{team.review.slug}/records/{record.pk}/").content.decode()
    )
    assert "<img src=x" not in html and "<script>x" not in html
    assert 'href="javascript:' not in html
