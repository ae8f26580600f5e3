"""A review backed up and restored: the restored statuses count themselves once (the deltas
are derived, never in the archive), and the original's counts stay as they were."""

from __future__ import annotations

import json
import zipfile

from reviewapp import backup
from reviewapp.models import Stage
from tests.screening.transfer.helpers import screened

from .helpers import assert_kept, live


def test_a_restored_review_counts_its_statuses_once(team, tmp_path):
    screened(team)
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    with zipfile.ZipFile(archive) as zf:
        data = json.loads(zf.read("data.json"))
    assert "screening.statuscountdelta" not in data["objects"]
    restored, _ = backup.import_review(archive, slug="restored")
    assert_kept(restored)
    assert_kept(team.review)
    original = live(team.review.pk, Stage.TITLE_ABSTRACT)
    by_label = {(o, bool(r)): n for (o, r), n in original.items()}
    again = {(o, bool(r)): n for (o, r), n in live(restored.pk, Stage.TITLE_ABSTRACT).items()}
    assert again == by_label and sum(again.values()) == 5
