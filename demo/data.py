"""The demo's illustrative records and searches for the reference review (demo/paper.py).

The paper lists only the eight studies it includes, so every other record of its searches here
is made up, and says so in its abstract; the search split by database and the update phase's
records are the demo's too (see the About box).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# --- searches: four databases, two phases -------------------------------------------------------

# The paper's Results section reports 216 records from the initial search (its abstract says
# 814) and gives no split by database and no count for the 2025 update: the split and the
# update's 29 records are the demo's.
INITIAL_COUNTS = {"Web of Science": 64, "MEDLINE": 58, "Scopus": 72, "Airiti Library": 22}
UPDATE_COUNTS = {"Web of Science": 9, "MEDLINE": 7, "Scopus": 10, "Airiti Library": 3}
# The paper's primary search terms (Methods, Search strategy), verbatim.
QUERY = '"medical education research" AND ("facilitate*" OR "engage*" OR "involve*")'

ILLUSTRATIVE = (
    "Illustrative record made up for the demo, not a real publication: it stands in for one of the "
    "records the review's searches found but the paper does not list."
)
ILLUSTRATIVE_ZH = "示範用虛構紀錄，並非真實文獻。" + ILLUSTRATIVE

# Illustrative Chinese-language records (Airiti Library), with parallel English titles; their
# authors and journal are placeholders.
_ZH_AUTHORS = ("示範作者甲", "示範作者乙", "示範作者丙")
ZH_JOURNAL = "示範期刊"
CHINESE_RECORDS = [
    (
        "臨床教師參與醫學教育研究之影響因素探討",
        "Factors influencing clinical teachers' participation in medical education research",
        _ZH_AUTHORS[:2],
        ZH_JOURNAL,
        2019,
    ),
    (
        "護理臨床教師從事教育研究的障礙與支持",
        "Barriers and supports for clinical nursing teachers doing education research",
        _ZH_AUTHORS[:2],
        ZH_JOURNAL,
        2018,
    ),
    (
        "住院醫師對醫學教育研究的態度調查",
        "A survey of residents' attitudes towards medical education research",
        _ZH_AUTHORS[:1],
        ZH_JOURNAL,
        2020,
    ),
    (
        "醫學院學生參與研究之動機分析",
        "Motivation of medical students to take part in research",
        _ZH_AUTHORS[:2],
        ZH_JOURNAL,
        2017,
    ),
    (
        "教師發展計畫對臨床教師教學研究產出之影響",
        "Effect of a faculty development programme on clinical teachers' education research output",
        _ZH_AUTHORS,
        ZH_JOURNAL,
        2021,
    ),
    (
        "以社群支持促進醫療人員參與教育研究",
        "Community support to promote healthcare professionals' engagement in education research",
        _ZH_AUTHORS[:1],
        ZH_JOURNAL,
        2022,
    ),
]

_TOPICS = [
    "simulation-based training",
    "problem-based learning",
    "workplace-based assessment",
    "interprofessional education",
    "faculty development",
    "residency selection",
    "feedback culture",
    "curriculum reform",
    "clinical reasoning",
    "e-learning modules",
    "burnout",
    "professional identity",
    "peer teaching",
    "OSCE performance",
    "research training",
    "scholarly productivity",
    "academic promotion",
    "mentoring programmes",
    "teaching awards",
    "protected time",
]
_POPULATIONS = [
    "medical students",
    "nursing students",
    "residents",
    "clinical faculty",
    "junior doctors",
    "general practitioners",
    "pharmacy students",
    "dental students",
    "clinician educators",
    "allied health professionals",
    "patients",
    "surgical trainees",
]
_FORMS = [
    "Effect of {t} on {p}: a randomised trial",
    "{T} among {p}: a cross-sectional survey",
    "Perceptions of {t} by {p}: a qualitative study",
    "{T} for {p}: a systematic review",
    "Barriers to {t} among {p}",
    "Evaluating {t} in {p}: a mixed-methods study",
    "The role of {t} in supporting {p}",
    "{T}: lessons from a decade of {p}",
]
# Placeholder journals, so no illustrative record passes for a paper in a real journal.
_JOURNALS = [
    (f"Illustrative Journal of Medical Education {n}", f"Illus J Med Educ {n}") for n in "ABCDEFGH"
]
_SURNAMES = [
    "Smith",
    "Nguyen",
    "Garcia",
    "Müller",
    "Okafor",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Rossi",
    "Larsen",
    "Dubois",
    "O'Connor",
    "Ahmed",
    "Silva",
    "Novak",
    "Andersen",
    "Cohen",
    "Kim",
    "Patel",
    "Brown",
]


@dataclass
class BackgroundRecord:
    title: str
    authors: list[str]
    year: int
    journal: str
    journal_abbrev: str
    volume: str
    issue: str
    pages: str
    doi: str
    abstract: str
    publication_type: str = "Journal Article"


def background_records(n: int, *, seed: int) -> list[BackgroundRecord]:
    """Made-up medical-education records that the review excludes, each saying so."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topic = rng.choice(_TOPICS)
        population = rng.choice(_POPULATIONS)
        form = rng.choice(_FORMS)
        title = form.format(t=topic, T=topic[0].upper() + topic[1:], p=population)
        journal, abbrev = rng.choice(_JOURNALS)
        first = rng.randint(1, 900)
        authors = [
            f"{rng.choice(_SURNAMES)}, {chr(65 + rng.randint(0, 25))}."
            for _ in range(rng.randint(1, 5))
        ]
        year = rng.randint(2003, 2024)
        volume, issue = str(rng.randint(10, 60)), str(rng.randint(1, 12))
        pages = f"{first}-{first + rng.randint(3, 14)}"
        rng.randint(12, 900)  # once a made-up sample size: still drawn, so the same records come
        publication_type = rng.choice(
            ["Journal Article"] * 8 + ["Editorial", "Conference Abstract"]
        )
        out.append(
            BackgroundRecord(
                title=title,
                authors=authors,
                year=year,
                journal=journal,
                journal_abbrev=abbrev,
                volume=volume,
                issue=issue,
                pages=pages,
                doi=f"10.9999/demo.{seed}.{i:04d}",
                abstract=f"{ILLUSTRATIVE} Topic: {topic}; population: {population}.",
                publication_type=publication_type,
            )
        )
    return out
