"""The seed review's content, reconstructed from the paper (Chen, Liao & Yau 2025).

From the paper: the eight included studies with their bibliographic details (reference list) and
characteristics (Table 2), the 25 subthemes (15 facilitators, 10 barriers) at the three levels of
the ecological model with the studies the Results section cites for each, and the search sources
and phases. Where the paper's wording leaves the grouping of a finding into subthemes open, the
grouping below is our reading of its Results section (each subtheme quotes the sentence it comes
from). The background records, abstracts of the included studies and all Chinese records are
illustrative.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

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
    # Table 2
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
        "development of a scholarly environment. Barriers: lack of time and leave support, workload.",
        strategy="Maintain and expand the funding of the training project.",
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
        methods="Questionnaire survey",
        sample_size="n=855",
        outcome="The response rate was 31%, more than half interested in education research. Faculty "
        "involved in MER are aware that education scholarship can lead to advancement. Barriers: "
        "funding, protected time, statistician support.",
        strategy="Setting up a web-based communication board for networking and collaboration, linking "
        "with research resources. Improve mentoring relationships.",
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
        region="United Kingdom",
        participants="Physicians",
        methods="Focus group",
        sample_size="n=6",
        outcome="Protected time for research and teaching within clinical jobs can encourage new "
        "physicians to do MER. Barriers: education administration was very time consuming.",
        strategy="Discuss with supervisors and maintain education and research time.",
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
        methods="Qualitative phone interviews",
        sample_size="n=12",
        outcome="The training program helped participants improve their MER career; earlier engagement "
        "with the program may be more beneficial. All now hold medical education leadership positions.",
        strategy="The program (networking/collaboration, mentorship, an informational framework, and "
        "experiential learning) may inform other faculty development programs in MER.",
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
        methods="Questionnaire survey",
        sample_size="n=60",
        outcome="Regular educational research meetings and the acquisition of cooperation partners were "
        "perceived as beneficial supportive structures. Barriers: lack of support from institute heads, "
        "competition for funding, insufficient competence in educational research methodology.",
        strategy="Analyse the status quo of MER to develop a strategy; a network for educational "
        "researchers, e.g. a workshop of interested faculty members.",
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
        region="United Kingdom",
        participants="Clinicians",
        methods="Interview",
        sample_size="n=20",
        outcome="Effective leadership, promoting professional growth and all-encompassing support "
        "affect clinician participation in MER. Barriers: lack of time, resources and peer support.",
        strategy="Inspirational leaders, training in education research methods, more funding, "
        "awarding specific points to medical education research.",
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
        participants="Directors of MERI units",
        methods="Grounded theory",
        sample_size="n=14",
        outcome="Metrics of success: teaching, faculty mentoring, building collaborations, conference "
        "presentations, grant funding and publications.",
        strategy="Analyse how directors negotiate and position the unit locally, to help institutions "
        "develop or reorganise a MERI unit and improve its output and status.",
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
        sample_size="-",
        outcome="Barriers: lack of expertise, time, funding, mentorship and reward, and feelings of isolation.",
        strategy="Communities of education researchers for collaboration and networking, more funding, "
        "mentoring programmes, mechanisms to ensure protected time.",
    ),
]

# --- the coding framework: levels → facilitator/barrier → subthemes with citing studies --------

LEVELS = [
    (
        "individual",
        "Individual level",
        "The individual characteristics and attributes of healthcare professionals that affect their "
        "engagement in research: knowledge, attitudes, past experiences, beliefs and personality traits.",
    ),
    (
        "interpersonal",
        "Interpersonal level",
        "The dynamics of relationships and interactions within the workplace, such as support from "
        "peers, mentorship and leadership.",
    ),
    (
        "environmental",
        "Environmental level",
        "The broader systemic and structural elements that impact research engagement, such as "
        "institutional policies, resource availability and financial support.",
    ),
]


@dataclass(frozen=True)
class Subtheme:
    key: str
    level: str
    polarity: str  # facilitator | barrier
    name: str
    definition: str
    studies: tuple[int, ...]  # reference numbers, as the paper cites them
    source_type: str = "results"  # results | quotation | interpretation
    excerpt: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = field(default="")


F, B = "facilitator", "barrier"

SUBTHEMES: list[Subtheme] = [
    # Facilitators — individual (4)
    Subtheme(
        "expertise-motivation",
        "individual",
        F,
        "Relevant expertise and motivation",
        "Professionals with relevant expertise show heightened motivation to engage in research "
        "or pursue research training.",
        (34,),
    ),
    Subtheme(
        "career-advancement",
        "individual",
        F,
        "Professional reputation and career advancement",
        "Participation offers pathways to professional reputation, academic rank and "
        "organisational influence.",
        (38,),
    ),
    Subtheme(
        "research-skills",
        "individual",
        F,
        "Research skills and knowledge framework",
        "Educational research skills and a robust knowledge framework support career growth and "
        "leadership roles.",
        (18,),
    ),
    Subtheme(
        "practical-benefits",
        "individual",
        F,
        "Recognising practical benefits for teaching",
        "Seeing the benefits for curriculum development, instruction and student outcomes "
        "strengthens motivation.",
        (9,),
    ),
    # Facilitators — interpersonal (4)
    Subtheme(
        "leadership",
        "interpersonal",
        F,
        "Effective and inspirational leadership",
        "Leaders and supervisors who give direction and actively support research enhance "
        "participation.",
        (13, 34),
    ),
    Subtheme(
        "mentorship",
        "interpersonal",
        F,
        "Mentorship by experienced researchers",
        "Experienced mentors turn ideas into projects and facilitate recognition; access to "
        "expertise and mentorship sustains involvement.",
        (3, 38, 41),
    ),
    Subtheme(
        "coaching",
        "interpersonal",
        F,
        "Coaching",
        "Targeted coaching helps researchers navigate specific challenges and refine skills.",
        (27,),
    ),
    Subtheme(
        "peer-networks",
        "interpersonal",
        F,
        "Peer networks and research communities",
        "Supportive peer networks and research communities give emotional and practical support "
        "and enable knowledge sharing and collaboration.",
        (3, 13, 18, 27),
    ),
    # Facilitators — environmental (7)
    Subtheme(
        "protected-time",
        "environmental",
        F,
        "Protected research time",
        "Dedicated time away from clinical and teaching duties to focus on research.",
        (3, 13, 41),
    ),
    Subtheme(
        "financial-support",
        "environmental",
        F,
        "Financial support",
        "Funding that offsets the cost of reducing clinical work for research.",
        (3, 41),
    ),
    Subtheme(
        "technical-infrastructure",
        "environmental",
        F,
        "Technical infrastructure and resources",
        "Library services, data management tools and research resources.",
        (3, 13, 27),
    ),
    Subtheme(
        "recognition",
        "environmental",
        F,
        "Institutional recognition: awards and credits",
        "Awards and credits validate and motivate continued research engagement.",
        (34,),
    ),
    Subtheme(
        "professional-development",
        "environmental",
        F,
        "Professional development programmes",
        "Workshops, journal clubs, PhD seminars and symposia for skill development.",
        (18, 27, 41),
    ),
    Subtheme(
        "research-meetings",
        "environmental",
        F,
        "Regular research meetings",
        "Meetings that foster collaboration, peer feedback and community building.",
        (13, 27),
    ),
    Subtheme(
        "communications",
        "environmental",
        F,
        "Institutional communications",
        "Newsletters and research bulletins that keep the community informed and engaged.",
        (27, 34),
    ),
    # Barriers — individual (3)
    Subtheme(
        "methodology-competency",
        "individual",
        B,
        "Insufficient competency in research methodology",
        "Lack of confidence in designing and executing educational research, and fear of "
        "inadequate work or peer criticism.",
        (27, 34),
    ),
    Subtheme(
        "balancing-duties",
        "individual",
        B,
        "Balancing research with clinical and teaching duties",
        "Primary duties in patient care and education push research down the priorities.",
        (3,),
    ),
    Subtheme(
        "isolation",
        "individual",
        B,
        "Isolation within the research community",
        "Roles and contributions not valued or integrated, limiting motivation and collaboration.",
        (41,),
    ),
    # Barriers — interpersonal (4)
    Subtheme(
        "lack-peer-support",
        "interpersonal",
        B,
        "Lack of peer support",
        "The absence of peer support networks undermines motivation and collaboration.",
        (34,),
    ),
    Subtheme(
        "access-to-experts",
        "interpersonal",
        B,
        "Limited access to experienced researchers",
        "Restricted access to educational researchers and experts hampers ideas, execution and "
        "publication.",
        (27, 41),
    ),
    Subtheme(
        "inadequate-mentorship",
        "interpersonal",
        B,
        "Inadequate mentorship",
        "A scarcity of dedicated mentors leaves guidance needs unmet.",
        (41,),
    ),
    Subtheme(
        "leadership-support",
        "interpersonal",
        B,
        "Insufficient support from institutional leadership",
        "Leaders who do not provide resources or a supportive research culture.",
        (27,),
    ),
    # Barriers — environmental (3)
    Subtheme(
        "time-constraints",
        "environmental",
        B,
        "Time constraints",
        "Demanding clinical and teaching responsibilities leave no protected time for research.",
        (3, 34, 41),
    ),
    Subtheme(
        "infrastructure-access",
        "environmental",
        B,
        "Inadequate access to statistical and research support",
        "Difficulty accessing statistical expertise and research materials.",
        (9, 34),
    ),
    Subtheme(
        "insufficient-funding",
        "environmental",
        B,
        "Insufficient funding",
        "Scarce funding and intense competition for limited grants.",
        (9, 34, 41),
    ),
]

assert len(SUBTHEMES) == 25
assert sum(s.polarity == F for s in SUBTHEMES) == 15

# --- searches: four databases, two phases -------------------------------------------------------

# Records identified per database in the initial (2022) search; the paper reports 216 in all.
INITIAL_COUNTS = {"Web of Science": 64, "MEDLINE": 58, "Scopus": 72, "Airiti Library": 22}
UPDATE_COUNTS = {"Web of Science": 9, "MEDLINE": 7, "Scopus": 10, "Airiti Library": 3}
QUERY = (
    '("medical education research" OR "education research") AND (facilitat* OR engag* OR involv* '
    'OR barrier*) AND (clinician* OR physician* OR faculty OR "healthcare professional*")'
)
AIRITI_QUERY = "醫學教育研究 AND (參與 OR 促進 OR 障礙)"

# Illustrative Chinese-language records (Airiti Library), with parallel English titles.
CHINESE_RECORDS = [
    (
        "臨床教師參與醫學教育研究之影響因素探討",
        "Factors influencing clinical teachers' participation in medical education research",
        ("陳雅欣", "廖國禎"),
        "醫學教育",
        2019,
    ),
    (
        "護理臨床教師從事教育研究的障礙與支持",
        "Barriers and supports for clinical nursing teachers doing education research",
        ("林美玲", "張淑芬"),
        "護理雜誌",
        2018,
    ),
    (
        "住院醫師對醫學教育研究的態度調查",
        "A survey of residents' attitudes towards medical education research",
        ("王志明",),
        "台灣醫學",
        2020,
    ),
    (
        "醫學院學生參與研究之動機分析",
        "Motivation of medical students to take part in research",
        ("黃建華", "李佩珊"),
        "醫學教育",
        2017,
    ),
    (
        "教師發展計畫對臨床教師教學研究產出之影響",
        "Effect of a faculty development programme on clinical teachers' education research output",
        ("吳宗翰", "周怡君", "許文彬"),
        "醫學教育",
        2021,
    ),
    (
        "以社群支持促進醫療人員參與教育研究",
        "Community support to promote healthcare professionals' engagement in education research",
        ("鄭惠文",),
        "醫務管理期刊",
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
_JOURNALS = [
    ("Medical Education", "Med Educ"),
    ("Medical Teacher", "Med Teach"),
    ("Academic Medicine", "Acad Med"),
    ("BMC Medical Education", "BMC Med Educ"),
    ("Advances in Health Sciences Education", "Adv Health Sci Educ"),
    ("Journal of Graduate Medical Education", "J Grad Med Educ"),
    ("The Clinical Teacher", "Clin Teach"),
    ("Teaching and Learning in Medicine", "Teach Learn Med"),
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
    """Plausible, clearly illustrative medical-education records that the review excludes."""
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
        out.append(
            BackgroundRecord(
                title=title,
                authors=authors,
                year=year,
                journal=journal,
                journal_abbrev=abbrev,
                volume=str(rng.randint(10, 60)),
                issue=str(rng.randint(1, 12)),
                pages=f"{first}-{first + rng.randint(3, 14)}",
                doi=f"10.9999/demo.{seed}.{i:04d}",
                abstract=(
                    f"Illustrative record. We studied {topic} in {population}. "
                    f"Data from {rng.randint(12, 900)} participants were analysed."
                ),
                publication_type=rng.choice(
                    ["Journal Article"] * 8 + ["Editorial", "Conference Abstract"]
                ),
            )
        )
    return out
