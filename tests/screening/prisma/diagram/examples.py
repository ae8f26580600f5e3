"""Hand-built PRISMA counts whose every box is known, for the three template variants."""

from __future__ import annotations

from screening.prisma.flow import PrismaCounts


def new_review(**overrides) -> PrismaCounts:
    """A new review: 2,540 records from three databases and a register, 27 studies included."""
    counts = PrismaCounts(
        database_specific_results=[("MEDLINE", 812), ("Embase", 1033), ("PsycINFO", 653)],
        register_specific_results=[("ClinicalTrials.gov", 42)],
        duplicates=840,
        excluded_automatic=5,
        excluded_other=7,
        records_screened=1688,
        records_excluded=1550,
        dbr_sought_reports=138,
        dbr_notretrieved_reports=6,
        dbr_assessed=132,
        dbr_excluded=[("Wrong population", 41), ("Wrong study design", 37), ("Wrong outcome", 23)],
        new_studies=27,
        new_reports=31,
    )
    for name, value in overrides.items():
        setattr(counts, name, value)
    return counts


def updated_review(**overrides) -> PrismaCounts:
    """The new review as an update of one that had included 14 studies in 17 reports."""
    fields = {
        "previous_studies": 14,
        "previous_reports": 17,
        "total_studies": 41,
        "total_reports": 48,
    }
    return new_review(**{**fields, **overrides})


def updated_review_with_other_methods(**overrides) -> PrismaCounts:
    """The update plus websites, organisations and citation searching: 6 more reports, 5 studies."""
    fields = {
        "website_specific_results": [("Websites", 9)],
        "organisation_specific_results": [("WHO IRIS", 4), ("NICE", 3)],
        "citations_specific_results": [("Citation searching", 21)],
        "other_sought_reports": 37,
        "other_notretrieved_reports": 2,
        "other_assessed": 35,
        "other_excluded": [("Wrong population", 20), ("Wrong outcome", 9)],
        "new_studies": 32,
        "new_reports": 37,
        "total_studies": 46,
        "total_reports": 54,
    }
    return updated_review(**{**fields, **overrides})
