"""The built-in tools keep the published checklists' items, and the command lists them."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from screening.appraisal.tools import BUILT_IN


def test_built_in_tools_have_the_published_number_of_items():
    assert len(BUILT_IN["casp-qualitative"].items_for()) == 10
    assert len(BUILT_IN["jbi-qualitative"].items_for()) == 10
    assert len(BUILT_IN["jbi-cross-sectional"].items_for()) == 8
    mmat = BUILT_IN["mmat-2018"]
    assert [i.number for i in mmat.items_for()] == ["S1", "S2"]
    for key, _label in mmat.categories:
        numbers = [i.number for i in mmat.items_for(key)]
        assert numbers == ["S1", "S2", *[f"{key}.{n}" for n in range(1, 6)]]


def test_answer_options_follow_each_checklist():
    assert [k for k, _ in BUILT_IN["casp-qualitative"].answers] == ["yes", "no", "cant_tell"]
    assert [k for k, _ in BUILT_IN["jbi-qualitative"].answers] == ["yes", "no", "unclear", "na"]
    assert BUILT_IN["jbi-qualitative"].overall  # include / exclude / seek further info


def test_appraisal_tools_command_prints_keys_names_items_and_versions():
    out = StringIO()
    call_command("appraisal_tools", "--json", stdout=out)
    rows = {row["key"]: row for row in json.loads(out.getvalue())}
    assert set(rows) == {"casp-qualitative", "jbi-qualitative", "jbi-cross-sectional", "mmat-2018"}
    assert rows["casp-qualitative"]["items"] == 10
    assert rows["jbi-cross-sectional"]["items"] == 8
    assert rows["mmat-2018"]["items"] == 7  # two screening questions + five of its category
    assert all({"key", "name", "items", "version"} <= set(r) for r in rows.values())


def test_appraisal_tools_command_prints_a_table_too():
    out = StringIO()
    call_command("appraisal_tools", stdout=out)
    assert "casp-qualitative" in out.getvalue()
    assert "MMAT" in out.getvalue()
