"""The reference review in its own words: Chen, Liao & Yau, "From hesitation to participation",
BMC Medical Education 2025;25:302 (CC BY-NC-ND 4.0), quoted, never paraphrased.

Here: the title, the review questions, Table 1 (eligibility criteria) and Table 2 (each included
study's characteristics, outcome and strategy, cell by cell), with the eight studies'
bibliographic details from its reference list. The Results section's passages are in
demo/codebook.py; the illustrative records in demo/data.py.
"""

from __future__ import annotations

from dataclasses import dataclass

PAPER = "Chen YS, Liao KC, Yau SY. BMC Med Educ. 2025;25:302"

# The paper's title and its two review questions (Background), verbatim.
TITLE = (
    "From hesitation to participation: a narrative review of facilitators and barriers for "
    "healthcare professionals' engagement in medical education research"
)
QUESTION = (
    "What motivates healthcare professionals to engage in medical education research and what "
    "obstacles do they encounter? Additionally, what factors influence their level of "
    "participation?"
)

# Table 1, row by row: (domain, inclusion, exclusion), verbatim (PDF hyphenation undone).
CRITERIA = [
    (
        "Population",
        "Studies focusing on healthcare professionals, including clinical staff, educators, and "
        "administrators, involved in medical education research.",
        "Studies focusing exclusively on students, patients, or non-healthcare professionals.",
    ),
    (
        "Focus",
        "Studies examining factors influencing healthcare professionals' engagement in medical "
        "education research, including facilitators and barriers.",
        "Articles that do not explicitly address factors influencing engagement in medical education "
        "research (e.g., studies solely on curriculum design or pedagogy without considering research "
        "engagement).",
    ),
    (
        "Publication type",
        "Peer-reviewed articles published in academic journals.",
        "Conference proceedings, editorials, commentaries, opinion pieces, or unpublished manuscripts.",
    ),
    (
        "Language",
        "Articles written in English or Chinese.",
        "Articles published in languages other than English or Chinese.",
    ),
    (
        "Study design",
        "Empirical studies, including qualitative, quantitative, or mixed-methods research, that "
        "report findings relevant to the research objectives.",
        "Theoretical or methodological studies without empirical data.",
    ),
    (
        "Other",
        "Timeframe: Studies published between 2002 and 2024.",
        "Scope: Studies that concentrate solely on organizational teaching and learning strategies "
        "without discussing research engagement.",
    ),
]

# --- the eight included studies (reference number in the paper → details) -----------------------


@dataclass(frozen=True)
class IncludedStudy:
    ref: int  # the paper's reference number, used in citation lists like [3, 13, 41]
    label: str
    authors: tuple[str, ...]
    title: str
    journal: str
    year: int
    volume: str
    issue: str
    pages: str
    doi: str = ""
    pmid: str = ""
    # Table 2, cell by cell: Region, Object, Methods, No., Outcome, "The strategy in overcoming
    # the barriers" ("-" and "_" are the paper's own marks for "not applicable").
    region: str = ""
    participants: str = ""
    methods: str = ""
    sample_size: str = ""
    outcome: str = ""
    strategy: str = ""


STUDIES: list[IncludedStudy] = [
    IncludedStudy(
        3,
        "Archibald 2017",
        ("Archibald, D.", "Hogg, W.", "Lemelin, J.", "Dahrouge, S.", "St Jean, M.", "Boucher, F."),
        "Building capacity for medical education research in family medicine: the Program for "
        "Innovation in Medical Education (PIME)",
        "Health Research Policy and Systems",
        2017,
        "15",
        "1",
        "91",
        doi="10.1186/s12961-017-0256-y",
        region="Canada",
        participants="Physicians",
        methods="Interview",
        sample_size="n=16",
        outcome="The participants had improved confidence and felt well supported, fostering the "
        "development of a scholarly environment. Barriers: lack of time and leave support, workload",
        strategy="Maintain and expand the funding of the training project's funding.",
    ),
    IncludedStudy(
        9,
        "Christiaanse 2008",
        (
            "Christiaanse, M. E.",
            "Russell, E. L.",
            "Crandall, S. J.",
            "Lambros, A.",
            "Manuel, J. C.",
            "Kirk, J. K.",
        ),
        "Development of an asset map of medical education research activity",
        "Journal of Continuing Education in the Health Professions",
        2008,
        "28",
        "3",
        "186-193",
        doi="10.1002/chp.173",
        region="USA",
        participants="Faculty of Medicine",
        methods="Questionnaire Survey",
        sample_size="n=855",
        outcome="The response rate was 31%, more than half interested in education research. The "
        "reason faculty involved in MER is aware that education scholarship can lead to "
        "advancement. Barriers : funding, protected time, statistician support.",
        strategy="Setting up a Web-based communication board for networking and collaboration, "
        "linking with research resources. Improve mentoring relationships.",
    ),
    IncludedStudy(
        13,
        "Darbyshire 2013",
        ("Darbyshire, D.", "Baker, P."),
        "Encouraging new doctors to do medical education research",
        "The Clinical Teacher",
        2013,
        "10",
        "6",
        "358-361",
        doi="10.1111/tct.12038",
        region="U.K.",
        participants="Physicians",
        methods="Focus group",
        sample_size="n=6",
        outcome="Protected time for research and teaching within clinical jobs can encourage new "
        "physicians to do MER. Barriers: education administration was very time consuming.",
        strategy="Discuss with supervisors and maintain education and research time",
    ),
    IncludedStudy(
        18,
        "Jordan 2021",
        (
            "Jordan, J.",
            "Coates, W. C.",
            "Gottlieb, M.",
            "Soares, W. E., 3rd",
            "Shah, K. H.",
            "Love, J. N.",
        ),
        "The impact of a Medical Education Research Faculty Development Program on career "
        "development, through the lens of social cognitive career theory",
        "AEM Education and Training",
        2021,
        "5",
        "3",
        "e10565",
        doi="10.1002/aet2.10565",
        region="USA",
        participants="Physicians",
        methods="Qualitative-phone interviews",
        sample_size="n=12",
        outcome="The training program helped participants improve their MER career. The more early "
        "engaged with the program, may be more beneficial. Currently, all hold leadership positions "
        "in medical education leadership positions.",
        strategy="The project (include networking/collaboration, mentorship, informational "
        "framework to build upon, and the application of theoretical knowledge through experiential "
        "learning) may inform other faculty development the program in medical education research",
    ),
    IncludedStudy(
        27,
        "Prediger 2016",
        ("Prediger, S.", "Harendza, S."),
        "Analysis of educational research at a medical faculty in Germany and suggestions for "
        "strategic development - a case study",
        "GMS Journal for Medical Education",
        2016,
        "33",
        "5",
        "Doc71",
        pmid="27990467",
        region="Germany",
        participants="Teaching coordinators and executive directors",
        methods="Questionnaire Survey",
        sample_size="n=60",
        outcome="Regular educational research meetings and the acquisition of cooperation partners "
        "were perceived as beneficial supportive structures in MER. Barriers: lack of support from "
        "institute heads, increasing competition for funding from other fields, no sufficiently "
        "competent with educational research methodology",
        strategy="An analysis to define the status quo of medical education research for the "
        "development of a strategy. A network for educational researchers could be a workshop "
        "comprising faculty members who are interested in educational research",
    ),
    IncludedStudy(
        34,
        "Tavakol 2008",
        ("Tavakol, M.", "Murphy, R.", "Rahemei-Madeseh, M.", "Torabi, S."),
        "The involvement of clinicians in medical education research",
        "Quality in Primary Care",
        2008,
        "16",
        "5",
        "335-340",
        pmid="18973714",
        region="U.K.",
        participants="Clinicians",
        methods="Interview",
        sample_size="n=20",
        outcome="Factors that affect clinician participation in MER are effective leadership, "
        "promoting professional growth, and all-encompassing support. Barriers: lack of time, "
        "resources, and support from peers.",
        strategy="Inspirational leaders, training in education research methods, more funding. "
        "Awarding specific points to medical education research",
    ),
    IncludedStudy(
        38,
        "Varpio 2014",
        ("Varpio, L.", "Bidlake, E.", "Humphrey-Murto, S.", "Sutherland, S.", "Hamstra, S. J."),
        "Key considerations for the success of Medical Education Research and Innovation units in "
        "Canada: unit director perceptions",
        "Advances in Health Sciences Education",
        2014,
        "19",
        "3",
        "361-377",
        doi="10.1007/s10459-013-9479-z",
        region="Canada",
        participants="The directors MERI units",
        methods="Grounded theory",
        sample_size="n=14",
        outcome="The metrics of success: teaching, faculty mentoring, building collaborations, "
        "delivering conference presentations, winning grant funding, and disseminating "
        "publications.",
        strategy="Analysis the forms of habitus directors use to negotiate, strategies, and position "
        "the unit within their local context. These findings may assist institutions developing a "
        "new or reorganizing an existing MERI unit, improve their academic output, and their status "
        "in the MERI context.",
    ),
    IncludedStudy(
        41,
        "Yarris 2014",
        (
            "Yarris, L. M.",
            "Juve, A. M.",
            "Artino, A. R., Jr.",
            "Sullivan, G. M.",
            "Rougas, S.",
            "Joyce, B.",
            "Eva, K.",
        ),
        "Expertise, time, money, mentoring, and reward: systemic barriers that limit education "
        "researcher productivity - proceedings from the AAMC GEA workshop",
        "Journal of Graduate Medical Education",
        2014,
        "6",
        "3",
        "430-436",
        doi="10.4300/JGME-D-14-00340.1",
        region="USA",
        participants="-",
        methods="Expert consensus",
        sample_size="_",
        outcome="Barriers : lack of expertise, time, funding, mentorship, and reward, and feelings "
        "of isolation.",
        strategy="Building communities of education researchers for collaboration and networking, "
        "trying to secure increased funding opportunities, developing mentoring programmes, and "
        "encouraging mechanisms to ensure protected time.",
    ),
]

# Table 2's column headings, for the texts the demo's coders read.
TABLE2_COLUMNS = {"outcome": "Outcome", "strategy": "The strategy in overcoming the barriers"}
