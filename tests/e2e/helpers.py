"""What the journey uploads: two database exports sharing studies, and a full-text PDF."""

from __future__ import annotations

# Scopus-style RIS. The first record is also in the MEDLINE file with the same DOI (a certain
# duplicate, merged automatically); the second is there with its title formatted differently
# and no DOI, journal or authors (an uncertain pair for the de-duplication queue).
SCOPUS_RIS = """\
TY  - JOUR
TI  - Barriers to physical activity among older adults living alone: a qualitative study
AU  - Okafor, Adaeze
AU  - Lindqvist, Per
PY  - 2021
JO  - Journal of Ageing and Health
VL  - 33
IS  - 4
SP  - 210
EP  - 222
DO  - 10.1234/jah.2021.0042
AB  - Interviews with twenty older adults about what keeps them from walking.
ER  -

TY  - JOUR
TI  - Community gardens and social wellbeing in urban neighbourhoods
AU  - Moreau, Claire
AU  - Tanaka, Hiro
PY  - 2020
JO  - Urban Health Review
VL  - 12
SP  - 45
EP  - 59
AB  - A mixed-methods study of gardeners in three cities.
ER  -

TY  - JOUR
TI  - Screen time and sleep duration in adolescents: a cohort study
AU  - Brandt, Jonas
PY  - 2019
JO  - Sleep Medicine Journal
VL  - 8
SP  - 1
EP  - 9
DO  - 10.1234/smj.2019.0001
AB  - A cohort of 900 adolescents followed for two years.
ER  -
"""

PUBMED_NBIB = """\
PMID- 31000001
TI  - Barriers to physical activity among older adults living alone: a qualitative
      study.
AU  - Okafor A
AU  - Lindqvist P
DP  - 2021 Apr
TA  - J Ageing Health
VI  - 33
IP  - 4
PG  - 210-222
LID - 10.1234/jah.2021.0042 [doi]
AB  - Interviews with twenty older adults about what keeps them from walking.

PMID- 31000002
TI  - Community Gardens and Social Well-Being in Urban Neighbourhoods.
DP  - 2020
AB  - A mixed-methods study of gardeners in three cities.

PMID- 31000003
TI  - Green space exposure and mental health in children: a systematic review.
AU  - Silva R
DP  - 2022
TA  - Child Health
AB  - We reviewed forty studies of parks, playgrounds and mood.
"""


FULL_TEXT_LINES = [
    "Community gardens and social wellbeing in urban neighbourhoods",
    "Claire Moreau, Hiro Tanaka",
    "Results",
    "Gardeners described the plots as places where neighbours meet and help each other.",
    "Older gardeners said that shared work made them feel less alone.",
]
CODED_PASSAGE = "Older gardeners said that shared work made them feel less alone."


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def tiny_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF whose text pypdf can extract (Helvetica, one line per item)."""
    shows = " ".join(f"({_pdf_string(line)}) Tj T*" for line in lines)
    content = f"BT /F1 11 Tf 14 TL 72 740 Td {shows} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
