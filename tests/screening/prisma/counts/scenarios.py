"""Hand-built reviews whose every PRISMA box is known (the numbers are in the docstrings)."""

from __future__ import annotations

from reviewapp.models import Review
from screening.models import Phase, PrismaOverride, SourceType

from .factories import (
    StudyFactory,
    duplicate,
    excluded_at_full_text,
    excluded_at_screening,
    included,
    not_retrieved,
    reason,
    records,
    search,
)


def new_review(review: Review) -> Review:
    """Web of Science 10 + MEDLINE 8 + ClinicalTrials.gov 2 = 20 records identified.

    4 MEDLINE records duplicate Web of Science ones (16 works); the lead set 1 aside for other
    reasons (15 screened); 9 excluded at title/abstract; 6 sought, 1 not retrieved, 5 assessed;
    full text excluded 2 (Wrong population 1, No empirical data 1); 3 reports of 2 studies.
    """
    wos = records(search(review, "Web of Science"), 10)
    medline = search(review, "MEDLINE")
    medline_own = records(medline, 4)
    for record in wos[:4]:
        duplicate(record, medline)
    trials = records(search(review, "ClinicalTrials.gov", SourceType.REGISTER), 2)
    works = wos + medline_own + trials  # 16
    population = reason(review, "Wrong population", 1)
    design = reason(review, "No empirical data", 2)
    reason(review, "Students only", 3)  # never used: not listed
    for record in works[:9]:
        excluded_at_screening(record)
    # works[9] awaits screening: the lead removed it for other reasons.
    PrismaOverride.objects.create(review=review, data="excluded_other", value=1)
    not_retrieved(works[10])
    excluded_at_full_text(works[11], population)
    excluded_at_full_text(works[12], design)
    study_a, study_b = StudyFactory(review=review), StudyFactory(review=review)
    included(works[13], study_a)
    included(works[14], study_a)
    included(works[15], study_b)
    return review


NEW_REVIEW = {
    "database_results": 18,
    "register_results": 2,
    "duplicates": 4,
    "excluded_automatic": 0,
    "excluded_other": 1,
    "records_screened": 15,
    "records_excluded": 9,
    "dbr_sought_reports": 6,
    "dbr_notretrieved_reports": 1,
    "dbr_assessed": 5,
    "new_studies": 2,
    "new_reports": 3,
    "total_studies": 2,
    "total_reports": 3,
    "previous_studies": None,
    "other_sought_reports": None,
}


def updated_review(review: Review) -> Review:
    """2022: Web of Science 5 + Scopus 2 (1 duplicate) = 6 works; 3 excluded at title/abstract,
    1 at full text (Wrong population); 2 reports of 1 study included.

    2025 update: Web of Science 4 (1 duplicates a 2022 record) + Scopus 1 (duplicates a 2025 Web
    of Science record) = 5 identified, 2 duplicates, 3 screened; 1 excluded; 2 sought and
    assessed; 1 excluded at full text (Wrong population); 1 report of 1 new study.
    Totals: 2 studies, 3 reports.
    """
    population = reason(review, "Wrong population", 1)
    wos = records(search(review, "Web of Science"), 5)
    duplicate(wos[0], search(review, "Scopus"))
    for record in wos[:3]:
        excluded_at_screening(record)
    excluded_at_full_text(wos[3], population)
    earlier = StudyFactory(review=review)
    included(wos[4], earlier)
    sibling = records(search(review, "Scopus"), 1)[0]
    included(sibling, earlier)

    wos_2025 = search(review, "Web of Science", phase=Phase.UPDATE)
    duplicate(wos[2], wos_2025)  # already screened in 2022: a duplicate, not screened again
    fresh = records(wos_2025, 3)
    duplicate(fresh[0], search(review, "Scopus", phase=Phase.UPDATE))
    excluded_at_screening(fresh[0])
    excluded_at_full_text(fresh[1], population)
    included(fresh[2], StudyFactory(review=review))
    return review


UPDATED_REVIEW = {
    "database_results": 5,
    "duplicates": 2,
    "records_screened": 3,
    "records_excluded": 1,
    "dbr_sought_reports": 2,
    "dbr_notretrieved_reports": 0,
    "dbr_assessed": 2,
    "new_studies": 1,
    "new_reports": 1,
    "previous_studies": 1,
    "previous_reports": 2,
    "total_studies": 2,
    "total_reports": 3,
}


def with_other_methods(review: Review) -> Review:
    """Web of Science 3 works: 2 excluded, 1 report of 1 study included.

    Other methods: citation searching 2, a website 1, WHO (organisation) 1 record that
    duplicates a Web of Science record (so it belongs to the databases' column). 3 reports
    sought, 1 not retrieved, 2 assessed, 1 excluded (Wrong study design), 1 report of 1 study.
    """
    wos = records(search(review, "Web of Science"), 3)
    excluded_at_screening(wos[0])
    excluded_at_screening(wos[1])
    included(wos[2], StudyFactory(review=review))
    citations = records(search(review, "Citation searching", SourceType.CITATION), 2)
    website = records(search(review, "Google Scholar", SourceType.WEBSITE), 1)[0]
    duplicate(wos[0], search(review, "WHO", SourceType.ORGANISATION))
    included(citations[0], StudyFactory(review=review))
    not_retrieved(citations[1])
    excluded_at_full_text(website, reason(review, "Wrong study design"))
    return review


OTHER_METHODS = {
    "database_results": 3,
    "duplicates": 0,
    "records_screened": 3,
    "records_excluded": 2,
    "dbr_sought_reports": 1,
    "dbr_assessed": 1,
    "website_results": 1,
    "organisation_results": 1,
    "citations_results": 2,
    "other_sought_reports": 3,
    "other_notretrieved_reports": 1,
    "other_assessed": 2,
    "new_studies": 2,
    "new_reports": 2,
}
