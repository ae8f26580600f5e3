"""A prepared record stored as JSON (for the incremental run) comes back exactly as prepared."""

from __future__ import annotations

import json

from screening.dedup.records import from_plain, prepare, to_plain

from .helpers import record


def test_a_stored_prepared_record_is_the_record_prepared_again():
    rec = record(
        title="Anti-factor H autoantibodies [Erratum appears in Am J Transplant. 2009;9(9):2205]",
        title_alt="Autoanticorps anti-facteur H [French]",
        authors=["Quintrec, M.", "van Kessel, A. B.", "王小明"],
        year="2009",
        journal="American Journal of Transplantation",
        volume="9 Suppl 2",
        issue="5",
        pages="1223-9",
        doi="https://doi.org/10.1111/J.1600-6143.2009.02604.X",
        pmid="PMID: 19422348",
        other_ids={"pmcid": "PMC123", "issn": "1600-6135"},
        publication_type="Journal Article; Conference Abstract",
        language="fre",
    )
    prep = prepare(rec | {"cluster": 7})

    back = from_plain(prep.id, 7, json.loads(json.dumps(to_plain(prep))))

    assert back == prep
    assert prep.notes and prep.other_ids and prep.surnames  # the example exercises them
