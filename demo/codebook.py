"""The reference review's 25 subthemes (15 facilitators, 10 barriers) on the three levels of the
ecological model, each with the sentences of the paper's Results section that report it,
verbatim, and the studies the paper cites for each sentence.

The demo's own wording (said so in the About box): the subthemes' names and definitions (the paper
names them in its Fig. 2, an image) and the levels' short definitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- the coding framework: levels → facilitator/barrier → subthemes ------------------------------

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

F, B = "facilitator", "barrier"
_HEADINGS = {  # the Results section's headings, by (polarity, level)
    (F, "individual"): "Facilitators-individual level",
    (F, "interpersonal"): "Facilitators-interpersonal level",
    (F, "environmental"): "Facilitators-environmental level",
    (B, "individual"): "Barriers-individual level",
    (B, "interpersonal"): "Barriers-interpersonal level",
    (B, "environmental"): "Barriers- environmental level",
}


@dataclass(frozen=True)
class Passage:
    """Words of the review's Results section, verbatim, with the studies it cites for them.

    Every passage ends in (or contains) the paper's bracketed citation, e.g. "[3, 38]".
    """

    text: str
    studies: tuple[int, ...]


@dataclass(frozen=True)
class Subtheme:
    key: str
    level: str
    polarity: str  # facilitator | barrier
    name: str  # the demo's name for it
    definition: str  # the demo's wording
    passages: tuple[Passage, ...]  # where the Results section reports it

    @property
    def studies(self) -> tuple[int, ...]:
        """The studies the paper cites for the subtheme: those its passages cite."""
        return tuple(sorted({ref for p in self.passages for ref in p.studies}))

    @property
    def section(self) -> str:
        """Where the passages stand in the paper, e.g. "Results, Facilitators-individual level"."""
        return f"Results, {_HEADINGS[(self.polarity, self.level)]}"


def citations_in(text: str) -> tuple[int, ...]:
    """The reference numbers of the bracketed citations in a passage: "[3, 38]" -> (3, 38)."""
    return tuple(
        sorted({int(n) for group in re.findall(r"\[([\d,\s]+)\]", text) for n in group.split(",")})
    )


def _p(text: str) -> Passage:
    return Passage(text, citations_in(text))


SUBTHEMES: list[Subtheme] = [
    # Facilitators — individual (4)
    Subtheme(
        "expertise-motivation",
        "individual",
        F,
        "Relevant expertise and motivation",
        "Professionals with relevant expertise show heightened motivation to engage in research "
        "or pursue research training.",
        (
            _p(
                "Although healthcare professionals typically possess less knowledge of medical "
                "education research compared to educational specialists, those with relevant "
                "expertise demonstrate heightened motivation to engage in research activities or "
                "pursue additional research training [34]."
            ),
        ),
    ),
    Subtheme(
        "career-advancement",
        "individual",
        F,
        "Professional reputation and career advancement",
        "Participation offers pathways to professional reputation, academic rank and "
        "organisational influence.",
        (
            _p(
                "This motivation often intertwines with professional ambitions, as participation in "
                "medical education research offers pathways to enhance professional reputation, "
                "advance academic rank, and gain organizational influence [38]."
            ),
        ),
    ),
    Subtheme(
        "research-skills",
        "individual",
        F,
        "Research skills and knowledge framework",
        "Educational research skills and a robust knowledge framework support career growth and "
        "leadership roles.",
        (
            _p(
                "The acquisition of educational research skills and development of a robust "
                "knowledge framework proves crucial for sustainable career growth in medical "
                "education. Healthcare professionals equipped with these competencies are better "
                "positioned to secure leadership roles and gain recognition as experts in the field "
                "[18]."
            ),
        ),
    ),
    Subtheme(
        "practical-benefits",
        "individual",
        F,
        "Recognising practical benefits for teaching",
        "Seeing the benefits for curriculum development, instruction and student outcomes "
        "strengthens motivation.",
        (
            _p(
                "The motivation to participate in medical education research is further "
                "strengthened when healthcare professionals recognize its practical benefits for "
                "curriculum development, instructional methods, and student outcomes [9]."
            ),
        ),
    ),
    # Facilitators — interpersonal (4)
    Subtheme(
        "leadership",
        "interpersonal",
        F,
        "Effective and inspirational leadership",
        "Leaders and supervisors who give direction and actively support research enhance "
        "participation.",
        (
            _p(
                "Effective leadership serves as a cornerstone, with leaders who provide clear "
                "direction and actively support research initiatives significantly enhancing "
                "participation in research activities [34]."
            ),
            _p(
                "This leadership influence manifests particularly strongly when academic supervisors "
                "adopt inspirational mentoring roles, creating an environment that nurtures research "
                "engagement and professional growth [13]."
            ),
        ),
    ),
    Subtheme(
        "mentorship",
        "interpersonal",
        F,
        "Mentorship by experienced researchers",
        "Experienced mentors turn ideas into projects and facilitate recognition; access to "
        "expertise and mentorship sustains involvement.",
        (
            _p(
                "The impact of mentorship extends beyond mere guidance, functioning as a catalyst "
                "for transforming academic ideas into viable research projects. Experienced "
                "researchers who serve as mentors not only provide direction, but also facilitate "
                "career recognition and professional advancement [3, 38]."
            ),
            _p(
                "Large research communities particularly emphasize the critical role of access to "
                "expertise and mentorship in fostering sustained research involvement [41]."
            ),
        ),
    ),
    Subtheme(
        "coaching",
        "interpersonal",
        F,
        "Coaching",
        "Targeted coaching helps researchers navigate specific challenges and refine skills.",
        (
            _p(
                "While mentorship focuses on broader career development, coaching offers more "
                "targeted support, helping researchers navigate specific challenges and refine "
                "their skills, though this approach remains less widely implemented [27]."
            ),
        ),
    ),
    Subtheme(
        "peer-networks",
        "interpersonal",
        F,
        "Peer networks and research communities",
        "Supportive peer networks and research communities give emotional and practical support "
        "and enable knowledge sharing and collaboration.",
        (
            _p(
                "The establishment of supportive peer networks and research communities creates a "
                "robust framework for sustained research engagement. These collaborative structures "
                "provide both emotional and practical support, fostering a culture where research "
                "becomes an integrated part of professional practice [13]."
            ),
            _p(
                "Research communities and networks facilitate knowledge sharing, professional "
                "development, and interdisciplinary collaboration, significantly enhancing both "
                "research productivity and engagement [3, 18, 27]."
            ),
        ),
    ),
    # Facilitators — environmental (7)
    Subtheme(
        "protected-time",
        "environmental",
        F,
        "Protected research time",
        "Dedicated time away from clinical and teaching duties to focus on research.",
        (
            _p(
                "At its foundation, protected research time emerges as a critical facilitator, "
                "allowing healthcare professionals to temporarily step away from clinical and "
                "teaching duties to focus deeply on their research endeavors. This dedicated time "
                "not only enhances research productivity but also enables more meaningful "
                "engagement with complex research questions [3, 13, 41]."
            ),
        ),
    ),
    Subtheme(
        "financial-support",
        "environmental",
        F,
        "Financial support",
        "Funding that offsets the cost of reducing clinical work for research.",
        (
            _p(
                "Financial support helps offset the economic implications of reducing clinical work "
                "for research activities [3, 41]"
            ),
        ),
    ),
    Subtheme(
        "technical-infrastructure",
        "environmental",
        F,
        "Technical infrastructure and resources",
        "Library services, data management tools and research resources.",
        (
            _p(
                "the comprehensive technical infrastructure - encompassing library services, data "
                "management tools, and research resources - provides the practical foundation for "
                "conducting high-quality research [3, 13, 27]."
            ),
        ),
    ),
    Subtheme(
        "recognition",
        "environmental",
        F,
        "Institutional recognition: awards and credits",
        "Awards and credits validate and motivate continued research engagement.",
        (
            _p(
                "Institutional acknowledgment through awards and credits serves as both validation "
                "and motivation for continued research engagement [34]."
            ),
        ),
    ),
    Subtheme(
        "professional-development",
        "environmental",
        F,
        "Professional development programmes",
        "Workshops, journal clubs, PhD seminars and symposia for skill development.",
        (
            _p(
                "This recognition system operates alongside structured professional development "
                "programs, including workshops, journal clubs, Ph.D. seminars, and symposia, "
                "providing essential platforms for skill development and career advancement "
                "[18, 27, 41]."
            ),
        ),
    ),
    Subtheme(
        "research-meetings",
        "environmental",
        F,
        "Regular research meetings",
        "Meetings that foster collaboration, peer feedback and community building.",
        (
            _p(
                "Research meetings facilitate collaboration, peer feedback, and community building [13, 27]"
            ),
        ),
    ),
    Subtheme(
        "communications",
        "environmental",
        F,
        "Institutional communications",
        "Newsletters and research bulletins that keep the community informed and engaged.",
        (
            _p(
                "institutional communications such as newsletters and research bulletins keep the "
                "community informed and engaged [27, 34]."
            ),
        ),
    ),
    # Barriers — individual (3)
    Subtheme(
        "methodology-competency",
        "individual",
        B,
        "Insufficient competency in research methodology",
        "Lack of confidence in designing and executing educational research, and fear of "
        "inadequate work or peer criticism.",
        (
            _p(
                "A fundamental obstacle lies in the perceived insufficient competency in research "
                "methodology, where many professionals lack confidence in their ability to design "
                "and execute educational research effectively [34]."
            ),
            _p(
                "This methodological uncertainty often creates a self-perpetuating cycle where fear "
                "of producing inadequate work or facing peer criticism further inhibits research "
                "participation [27]."
            ),
        ),
    ),
    Subtheme(
        "balancing-duties",
        "individual",
        B,
        "Balancing research with clinical and teaching duties",
        "Primary duties in patient care and education push research down the priorities.",
        (
            _p(
                "These competency concerns are exacerbated by the pressing demands of clinical and "
                "teaching responsibilities, which create significant time constraints. The challenge "
                "of balancing research activities with primary duties in patient care "
                "and education often results in research being deprioritized, potentially "
                "compromising academic career advancement opportunities [3]."
            ),
        ),
    ),
    Subtheme(
        "isolation",
        "individual",
        B,
        "Isolation within the research community",
        "Roles and contributions not valued or integrated, limiting motivation and collaboration.",
        (
            _p(
                "The individual challenges of methodological uncertainty and time constraints are "
                "further complicated by a pervasive sense of isolation within the research "
                "community. When institutional roles and research contributions are not clearly "
                "valued or "
                "integrated into the professional framework, researchers may experience diminished "
                "motivation and limited access to collaborative opportunities. The isolation can "
                "significantly impair research productivity and sustainability, as the absence of a "
                "supportive community and recognition system undermines the fundamental drivers of "
                "research engagement [41]."
            ),
        ),
    ),
    # Barriers — interpersonal (4)
    Subtheme(
        "lack-peer-support",
        "interpersonal",
        B,
        "Lack of peer support",
        "The absence of peer support networks undermines motivation and collaboration.",
        (
            _p(
                "The absence of robust peer support networks emerges as a fundamental challenge, "
                "undermining motivation and limiting collaborative opportunities that are essential "
                "for sustaining research activities [34]."
            ),
        ),
    ),
    Subtheme(
        "access-to-experts",
        "interpersonal",
        B,
        "Limited access to experienced researchers",
        "Restricted access to educational researchers and experts hampers ideas, execution and "
        "publication.",
        (
            _p(
                "This limitation in peer support often intersects with restricted access to "
                "experienced educational researchers and experts, creating a compound effect that "
                "hampers professionals' ability to generate research ideas, execute projects "
                "effectively, and successfully publish their findings [27, 41]."
            ),
        ),
    ),
    Subtheme(
        "inadequate-mentorship",
        "interpersonal",
        B,
        "Inadequate mentorship",
        "A scarcity of dedicated mentors leaves guidance needs unmet.",
        (
            _p(
                "The scarcity of dedicated mentors creates significant obstacles for healthcare "
                "professionals attempting to navigate the complexities of research methodology and "
                "academic publishing [41]."
            ),
        ),
    ),
    Subtheme(
        "leadership-support",
        "interpersonal",
        B,
        "Insufficient support from institutional leadership",
        "Leaders who do not provide resources or a supportive research culture.",
        (
            _p(
                "The situation is further exacerbated by insufficient support from institutional "
                "leadership, which plays a crucial role in establishing a research-conducive "
                "environment. When institutional leaders fail to provide necessary resources or "
                "foster a "
                "supportive research culture, healthcare professionals face additional hurdles in "
                "their attempts to contribute meaningfully to educational research [27]."
            ),
        ),
    ),
    # Barriers — environmental (3)
    Subtheme(
        "time-constraints",
        "environmental",
        B,
        "Time constraints",
        "Demanding clinical and teaching responsibilities leave no protected time for research.",
        (
            _p(
                "Time constraints emerge as a pervasive challenge, with the demanding nature of "
                "clinical and teaching responsibilities creating a fundamental tension between "
                "service delivery and research pursuits [3, 34, 41]."
            ),
        ),
    ),
    Subtheme(
        "infrastructure-access",
        "environmental",
        B,
        "Inadequate access to statistical and research support",
        "Difficulty accessing statistical expertise and research materials.",
        (
            _p(
                "Healthcare professionals frequently encounter difficulties accessing crucial "
                "resources such as statistical expertise and research materials, which compromises "
                "their capacity to design rigorous studies and conduct robust analyses [9, 34]."
            ),
        ),
    ),
    Subtheme(
        "insufficient-funding",
        "environmental",
        B,
        "Insufficient funding",
        "Scarce funding and intense competition for limited grants.",
        (
            _p(
                "These operational constraints are further compounded by the systemic issue of "
                "insufficient funding for medical education research. The scarcity of financial "
                "resources, combined with intense competition for limited "
                "grant opportunities, creates a deterrent effect that extends beyond immediate "
                "project feasibility to impact long-term research sustainability [9, 34, 41]."
            ),
        ),
    ),
]

assert len(SUBTHEMES) == 25
assert sum(s.polarity == F for s in SUBTHEMES) == 15
