"""The one copy of shared data the repository holds: a ≤ 200-record excerpt of a CC0 dataset,
byte for byte, naming its source; the demo imports it without its labels."""

from __future__ import annotations

import csv
import io

from demo import nudging
from tests.conftest import shared_data


def test_the_excerpt_is_at_most_200_records_and_names_its_source():
    rows = nudging.rows()
    assert 20 < len(rows) <= 200
    readme = (nudging.FIXTURE.parent / "README.md").read_text(encoding="utf-8")
    for part in ("Nagtegaal", "CC0 1.0", "10.30636/jbpa.22.71", "10.7910/DVN/WMGPGZ"):
        assert part in readme


def test_the_excerpt_is_the_start_of_the_published_dataset_byte_for_byte():
    upstream = shared_data("systematic-review-datasets", "Nagtegaal_2019.csv").read_bytes()
    assert upstream.startswith(nudging.FIXTURE.read_bytes())


def test_the_demo_imports_titles_and_abstracts_without_the_labels():
    rows = nudging.rows()
    imported = list(csv.reader(io.StringIO(nudging.import_file(rows).decode("utf-8"))))
    assert imported[0] == ["record_id", "title", "abstract"]
    assert [r[0] for r in imported[1:]] == [r.key for r in rows]
    assert not any("label" in cell for cell in imported[0])
