"""Included studies with texts, and a small ecological-model codebook, for coding tests."""

from __future__ import annotations

from coding import services
from coding.models import Code
from reviewapp.models import Stage
from screening.models import Outcome, RecordStatus, Report, Study
from tests.factories import RecordFactory

TEXT = (
    "Results. Participants valued protected time for research. "
    '"I only started a project once my chief gave me a free afternoon," said one physician. '
    "The authors suggest that mentorship turns ideas into projects. "
    "Lack of funding and of statistician support held many back."
)


def included_study(review, label: str, number: int | None = None, text: str = TEXT) -> Study:
    """A study whose report was included at full text, with the report's text."""
    study = Study.objects.create(review=review, label=label, reference_number=number)
    record = RecordFactory(review=review, search__review=review)
    Report.objects.create(
        review=review, record=record, study=study, text=text, retrieval="retrieved"
    )
    RecordStatus.objects.create(
        review=review, record=record, stage=Stage.FULL_TEXT, outcome=Outcome.INCLUDED
    )
    return study


def ecological_codebook(review, lead) -> dict[str, Code]:
    """Individual/Environmental → Facilitator/Barrier → themes; returns codes by name."""
    cb = services.get_codebook(review)
    codes: dict[str, Code] = {}

    def add(name, parent=None, **kw):
        codes[name] = services.add_code(cb, lead, parent=codes.get(parent), name=name, **kw)
        return codes[name]

    add("Individual", level="individual")
    add("Individual facilitators", "Individual", polarity="facilitator")
    add("Career advancement", "Individual facilitators", definition="Research as a way to rank.")
    add("Individual barriers", "Individual", polarity="barrier")
    add("Lack of competency", "Individual barriers", definition="Feeling unskilled in methods.")
    add("Environmental", level="environmental")
    add("Environmental facilitators", "Environmental", polarity="facilitator")
    add("Protected time", "Environmental facilitators", definition="Time freed from clinic.")
    add("Funding", "Environmental facilitators", definition="Money for research.")
    add("Environmental barriers", "Environmental", polarity="barrier")
    add("Lack of funding", "Environmental barriers", definition="No money for research.")
    return codes
