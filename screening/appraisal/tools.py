"""Critical appraisal tools: the built-in checklists, and custom ones from their stored form.

Pure (no ORM). The built-in checklists keep each published item's number and meaning; their
wording here is our own paraphrase, since the originals are under copyright (CASP: CC BY-NC-SA
4.0, critical appraisal skills programme; JBI: Joanna Briggs Institute; MMAT 2018: Hong et al.,
registered with the Canadian Intellectual Property Office). Read the original checklist
before appraising: these prompts remind, they do not replace it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

Choice = tuple[str, str]  # (key, label)

YES, NO, CANT_TELL, UNCLEAR, NOT_APPLICABLE = "yes", "no", "cant_tell", "unclear", "na"

# How a summary figure colours an answer: good, bad, unsure, not applicable.
JUDGEMENT_LEVEL = {
    YES: "good",
    NO: "bad",
    CANT_TELL: "unsure",
    UNCLEAR: "unsure",
    NOT_APPLICABLE: "na",
}


@dataclass(frozen=True)
class Item:
    number: str  # as published: "1", "S1", "2.3"
    text: str
    category: str = ""  # MMAT: the category the item belongs to; "" = every study
    help: str = ""


@dataclass(frozen=True)
class Tool:
    key: str
    name: str
    version: str
    answers: tuple[Choice, ...]
    items: tuple[Item, ...]
    categories: tuple[Choice, ...] = ()  # MMAT: the appraiser picks one per study
    overall: tuple[Choice, ...] = ()  # an optional overall judgement
    source: str = ""
    custom: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    def items_for(self, category: str = "") -> list[Item]:
        """The items an appraiser answers: those for every study, then the category's."""
        return [i for i in self.items if not i.category or i.category == category]

    def answer_label(self, key: str) -> str:
        return dict(self.answers).get(key, key)

    def level(self, answer: str) -> str:
        """good / bad / unsure / na / none, for the traffic-light figure."""
        if not answer:
            return "none"
        if self.custom:
            return self.extra.get("levels", {}).get(answer, "unsure")
        return JUDGEMENT_LEVEL.get(answer, "unsure")


YES_NO_CANT = ((YES, _("Yes")), (NO, _("No")), (CANT_TELL, _("Can't tell")))
JBI_ANSWERS = (
    (YES, _("Yes")),
    (NO, _("No")),
    (UNCLEAR, _("Unclear")),
    (NOT_APPLICABLE, _("Not applicable")),
)
JBI_OVERALL = (
    ("include", _("Include")),
    ("exclude", _("Exclude")),
    ("seek", _("Seek further info")),
)

CASP_QUALITATIVE = Tool(
    key="casp-qualitative",
    name="CASP Qualitative Studies Checklist",
    version="2018",
    answers=YES_NO_CANT,
    source="Critical Appraisal Skills Programme (2018). CASP Qualitative Checklist.",
    items=(
        Item("1", _("Are the aims of the research stated clearly?")),
        Item("2", _("Is a qualitative approach the right one for those aims?")),
        Item("3", _("Does the research design suit the aims?")),
        Item("4", _("Does the recruitment strategy suit the aims?")),
        Item("5", _("Were the data collected in a way that answers the research question?")),
        Item(
            "6", _("Is the relationship between researcher and participants adequately considered?")
        ),
        Item("7", _("Were ethical issues taken into account?")),
        Item("8", _("Was the analysis of the data sufficiently rigorous?")),
        Item("9", _("Are the findings stated clearly?")),
        Item(
            "10",
            _("How valuable is the research (contribution, transferability, further research)?"),
        ),
    ),
)

JBI_QUALITATIVE = Tool(
    key="jbi-qualitative",
    name="JBI Critical Appraisal Checklist for Qualitative Research",
    version="2020",
    answers=JBI_ANSWERS,
    overall=JBI_OVERALL,
    source="Lockwood C, Munn Z, Porritt K (2015); JBI Manual for Evidence Synthesis (2020).",
    items=(
        Item("1", _("Do the stated philosophical perspective and the research methodology agree?")),
        Item("2", _("Do the methodology and the research question or objectives agree?")),
        Item("3", _("Do the methodology and the methods used to collect data agree?")),
        Item("4", _("Do the methodology and the way data are represented and analysed agree?")),
        Item("5", _("Do the methodology and the interpretation of results agree?")),
        Item("6", _("Is the researcher located culturally or theoretically?")),
        Item(
            "7",
            _(
                "Is the researcher's influence on the research, and its influence on them, addressed?"
            ),
        ),
        Item("8", _("Are participants, and their voices, adequately represented?")),
        Item(
            "9",
            _("Is the research ethical by current criteria, with evidence of ethical approval?"),
        ),
        Item("10", _("Do the conclusions flow from the analysis or interpretation of the data?")),
    ),
)

JBI_CROSS_SECTIONAL = Tool(
    key="jbi-cross-sectional",
    name="JBI Critical Appraisal Checklist for Analytical Cross Sectional Studies",
    version="2020",
    answers=JBI_ANSWERS,
    overall=JBI_OVERALL,
    source="Moola S, Munn Z, Tufanaru C et al. JBI Manual for Evidence Synthesis (2020), ch. 7.",
    items=(
        Item("1", _("Were the criteria for inclusion in the sample clearly defined?")),
        Item("2", _("Were the study subjects and the setting described in detail?")),
        Item("3", _("Was the exposure measured validly and reliably?")),
        Item("4", _("Were objective, standard criteria used to measure the condition?")),
        Item("5", _("Were confounding factors identified?")),
        Item("6", _("Were strategies to deal with confounding factors stated?")),
        Item("7", _("Were the outcomes measured validly and reliably?")),
        Item("8", _("Was the statistical analysis appropriate?")),
    ),
)

MMAT_CATEGORIES = (
    ("1", _("Qualitative")),
    ("2", _("Quantitative randomised controlled trial")),
    ("3", _("Quantitative non-randomised")),
    ("4", _("Quantitative descriptive")),
    ("5", _("Mixed methods")),
)

MMAT_2018 = Tool(
    key="mmat-2018",
    name="Mixed Methods Appraisal Tool (MMAT) 2018",
    version="2018",
    answers=YES_NO_CANT,
    categories=MMAT_CATEGORIES,
    source="Hong QN, Pluye P, Fàbregues S et al. (2018). MMAT version 2018. Registration "
    "#1148552, Canadian Intellectual Property Office.",
    items=(
        Item("S1", _("Are there clear research questions?")),
        Item("S2", _("Do the data collected allow the research questions to be addressed?")),
        Item("1.1", _("Is a qualitative approach appropriate to the research question?"), "1"),
        Item(
            "1.2", _("Are the qualitative data collection methods adequate for the question?"), "1"
        ),
        Item("1.3", _("Are the findings adequately derived from the data?"), "1"),
        Item("1.4", _("Is the interpretation of results sufficiently substantiated by data?"), "1"),
        Item(
            "1.5",
            _("Is there coherence between data sources, collection, analysis and interpretation?"),
            "1",
        ),
        Item("2.1", _("Is randomisation appropriately performed?"), "2"),
        Item("2.2", _("Are the groups comparable at baseline?"), "2"),
        Item("2.3", _("Are there complete outcome data?"), "2"),
        Item("2.4", _("Are outcome assessors blinded to the intervention provided?"), "2"),
        Item("2.5", _("Did the participants adhere to the assigned intervention?"), "2"),
        Item("3.1", _("Are the participants representative of the target population?"), "3"),
        Item(
            "3.2",
            _(
                "Are measurements appropriate regarding both the outcome and the intervention (or exposure)?"
            ),
            "3",
        ),
        Item("3.3", _("Are there complete outcome data?"), "3"),
        Item("3.4", _("Are the confounders accounted for in the design and analysis?"), "3"),
        Item(
            "3.5",
            _(
                "During the study period, is the intervention administered (or exposure occurred) as intended?"
            ),
            "3",
        ),
        Item("4.1", _("Is the sampling strategy relevant to address the research question?"), "4"),
        Item("4.2", _("Is the sample representative of the target population?"), "4"),
        Item("4.3", _("Are the measurements appropriate?"), "4"),
        Item("4.4", _("Is the risk of nonresponse bias low?"), "4"),
        Item(
            "4.5",
            _("Is the statistical analysis appropriate to answer the research question?"),
            "4",
        ),
        Item("5.1", _("Is there an adequate rationale for using a mixed methods design?"), "5"),
        Item("5.2", _("Are the different components of the study effectively integrated?"), "5"),
        Item(
            "5.3",
            _("Are the outputs of the integration of components adequately interpreted?"),
            "5",
        ),
        Item(
            "5.4",
            _("Are divergences and inconsistencies between results adequately addressed?"),
            "5",
        ),
        Item(
            "5.5",
            _("Do the components adhere to the quality criteria of each method's tradition?"),
            "5",
        ),
    ),
)

BUILT_IN: dict[str, Tool] = {
    t.key: t for t in (CASP_QUALITATIVE, JBI_QUALITATIVE, JBI_CROSS_SECTIONAL, MMAT_2018)
}


def custom_tool(key: str, name: str, version: int, definition: dict) -> Tool:
    """A lead's own tool from its stored definition (see AppraisalToolVersion.definition)."""
    answers = tuple((a["key"], a["label"]) for a in definition.get("answers", []))
    return Tool(
        key=key,
        name=name,
        version=str(version),
        answers=answers,
        items=tuple(Item(str(i["number"]), i["text"]) for i in definition.get("items", [])),
        overall=tuple((o["key"], o["label"]) for o in definition.get("overall", [])),
        custom=True,
        extra={
            "levels": {a["key"]: a.get("level", "unsure") for a in definition.get("answers", [])}
        },
    )


def listing(tools: Iterable[Tool]) -> list[dict]:
    """What `appraisal_tools --json` prints: one object per tool."""
    return [
        {
            "key": t.key,
            "name": t.name,
            "items": len([i for i in t.items if not i.category])
            + (len(t.items_for(t.categories[0][0])) - len(t.items_for("")) if t.categories else 0),
            "version": t.version,
            "categories": [k for k, _label in t.categories],
        }
        for t in tools
    ]
