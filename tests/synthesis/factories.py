"""A small coded review for synthesis tests: three included studies, two coders, v1 published."""

from __future__ import annotations

from dataclasses import dataclass

from coding import services
from coding.models import Code, SourceType
from screening.models import Study
from tests.coding.factories import ecological_codebook, included_study


@dataclass
class Coded:
    codes: dict[str, Code]
    studies: dict[int, Study]  # by reference number


def code(study: Study, coder, codes: list[Code], excerpt: str, source=SourceType.RESULTS):
    return services.create_codings(
        study, coder, codes, excerpt=excerpt, source_type=source, document=None
    )


def coded_review(team, *, extra_studies: int = 0) -> Coded:
    """Studies [3], [13], [41] (+ extra): Protected time in 3 and 13, Funding in 41, and so on."""
    codes = ecological_codebook(team.review, team.lead)
    services.publish(team.review.codebook, team.lead, "v1")
    studies = {n: included_study(team.review, f"Study {n}", n) for n in (41, 3, 13)}
    for i in range(extra_studies):
        studies[100 + i] = included_study(team.review, f"Extra {i}", 100 + i)
    r1, r2 = team.reviewer1, team.reviewer2
    code(studies[3], r1, [codes["Protected time"]], "a free afternoon each week")
    code(studies[3], r1, [codes["Protected time"]], "my chief gave me time", SourceType.QUOTATION)
    code(studies[13], r2, [codes["Protected time"]], "protected time for research")
    code(studies[41], r1, [codes["Funding"]], "grants made it possible")
    code(studies[41], r2, [codes["Lack of funding"]], "no money", SourceType.INTERPRETATION)
    code(studies[13], r2, [codes["Lack of competency"]], "unsure of methods")
    return Coded(codes, studies)
