"""Critical appraisal of included studies: the plan, two blind appraisals, their agreement.

Each included study is appraised with the review's tool (or the one the lead set for its
design) by two appraisers, independently: neither sees the other's answers until both have
submitted. Equal answers become the study's result at once; any difference opens a conflict
at the appraisal stage, settled through the conflicts flow (discussion, consensus, escalation
to the adjudicator), whose agreed answers this module stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.compiled import Compiled
from reviewapp.models import Membership, Review, User
from reviewapp.services import ReviewError
from screening.appraisal.tools import BUILT_IN, Tool, custom_tool
from screening.conflicts import service as conflicts
from screening.decisions.agreement import cohen_kappa, confusion_table, percent_agreement
from screening.fulltext.service import included_studies
from screening.models import (
    Appraisal,
    AppraisalPlan,
    AppraisalResult,
    AppraisalTool,
    Conflict,
    ConflictStage,
    Record,
    Study,
    StudyAppraisalTool,
)

APPRAISAL = ConflictStage.APPRAISAL
APPRAISERS_PER_STUDY = 2
COMMENT_MAX = 2000


class AppraisalError(ReviewError):
    """A refused appraisal step; the message is shown to the person."""


# --- tools ---------------------------------------------------------------------------------


def tools_for(review: Review) -> list[Tool]:
    """The built-in tools, then the review's own (their latest published versions)."""
    tools = list(BUILT_IN.values())
    for tool in review.appraisal_tools.prefetch_related("versions"):
        latest = max(tool.versions.all(), key=lambda v: v.number, default=None)
        if latest is not None:
            tools.append(custom_tool(tool.key, tool.name, latest.number, latest.definition))
    return tools


def get_tool(review: Review, key: str, version: str | None = None) -> Tool:
    """A built-in tool, or a version of the review's own (the latest when none is named)."""
    if key in BUILT_IN:
        return BUILT_IN[key]
    tool = review.appraisal_tools.filter(key=key).first()
    if tool is None:
        raise AppraisalError(_("No appraisal tool “%(key)s” in this review.") % {"key": key})
    versions = tool.versions.all()
    found = versions.filter(number=int(version)).first() if version else tool.latest_version()
    if found is None:
        raise AppraisalError(
            _("The tool “%(name)s” has no published version.") % {"name": tool.name}
        )
    return custom_tool(tool.key, tool.name, found.number, found.definition)


def _check_definition(definition: dict) -> dict:
    items = [i for i in definition.get("items", []) if str(i.get("text", "")).strip()]
    answers = [a for a in definition.get("answers", []) if str(a.get("label", "")).strip()]
    if not items:
        raise AppraisalError(_("A tool needs at least one item."))
    if len(answers) < 2:
        raise AppraisalError(_("A tool needs at least two answer options."))
    numbers = [str(i["number"]) for i in items]
    if len(set(numbers)) != len(numbers):
        raise AppraisalError(_("Each item needs its own number."))
    keys = [a["key"] for a in answers]
    if len(set(keys)) != len(keys):
        raise AppraisalError(_("Each answer option needs its own wording."))
    return {"items": items, "answers": answers, "overall": definition.get("overall", [])}


@transaction.atomic
def publish_tool(
    review: Review, by: User, *, key: str, name: str, definition: dict, note: str = ""
) -> AppraisalTool:
    """Create a lead's own tool or publish its next version (earlier versions never change)."""
    if key in BUILT_IN:
        raise AppraisalError(_("That key belongs to a built-in tool: choose another."))
    definition = _check_definition(definition)
    tool, created = AppraisalTool.objects.get_or_create(
        review=review, key=key, defaults={"name": name, "created_by": by}
    )
    if not created and tool.name != name:
        tool.name = name
        tool.save(update_fields=["name"])
    latest = tool.latest_version()
    if latest is not None and latest.definition == definition:
        raise AppraisalError(_("Nothing changed since version %(n)s.") % {"n": latest.number})
    version = tool.versions.create(
        number=(latest.number + 1) if latest else 1, definition=definition, note=note, created_by=by
    )
    record_event(
        review, by, "appraisal.tool_published", tool,
        after={"key": key, "version": version.number, "items": len(definition["items"])},
    )  # fmt: skip
    return tool


# --- the plan -------------------------------------------------------------------------------


# Read on every reviewer's page of the review (the navigation's appraisal badge): built and
# compiled once per process (reviewapp.compiled), not by the ORM each time (~0.5 ms of Python).
_plan = Compiled(
    lambda review_id: AppraisalPlan.objects.filter(review_id=review_id).order_by("pk")[:1]
)


def plan_for(review: Review) -> AppraisalPlan | None:
    return _plan.first(review.pk)


@transaction.atomic
def set_plan(review: Review, by: User, tool_key: str, per_study: dict[int, str] | None = None):
    """The lead picks the review's tool, and another for studies whose design needs it."""
    get_tool(review, tool_key)
    studies = set(included_studies(review).values_list("pk", flat=True))
    clean = {}
    for study_id, key in (per_study or {}).items():
        if key and key != tool_key and study_id in studies:
            get_tool(review, key)
            clean[study_id] = key
    plan, _created = AppraisalPlan.objects.get_or_create(
        review=review, defaults={"tool_key": tool_key}
    )
    before = {"tool": plan.tool_key, "per_study": _per_study(review)}
    plan.tool_key = tool_key
    plan.save()
    StudyAppraisalTool.objects.filter(review=review).exclude(study_id__in=clean).delete()
    for study_id, key in clean.items():
        StudyAppraisalTool.objects.update_or_create(
            study_id=study_id, defaults={"review": review, "tool_key": key}
        )
    record_event(
        review,
        by,
        "appraisal.plan_set",
        plan,
        before=before,
        after={"tool": tool_key, "per_study": {str(k): v for k, v in clean.items()}},
    )
    return plan


def _per_study(review: Review) -> dict[str, str]:
    return {
        str(k): v
        for k, v in StudyAppraisalTool.objects.filter(review=review).values_list(
            "study_id", "tool_key"
        )
    }


def _tool_or_none(review: Review, key: str) -> Tool | None:
    """The tool, or None when the plan names one that no longer exists (the page says so)."""
    try:
        return get_tool(review, key)
    except AppraisalError:
        return None


def tool_for_study(review: Review, study: Study, plan: AppraisalPlan | None = None) -> Tool | None:
    plan = plan if plan is not None else plan_for(review)
    if plan is None:
        return None
    return _tool_or_none(review, plan.tool_key_for(study.pk))


# --- appraising -----------------------------------------------------------------------------


def _appraisals(study: Study, tool_key: str):
    return Appraisal.objects.filter(study=study, tool_key=tool_key).select_related("appraiser")


def _clean_answers(tool: Tool, category: str, answers: dict, *, complete: bool) -> dict:
    numbers = [i.number for i in tool.items_for(category)]
    options = {k for k, _label in tool.answers}
    clean = {}
    for number in numbers:
        given = answers.get(number) or {}
        answer = str(given.get("answer", "") or "")
        comment = str(given.get("comment", "") or "").strip()
        if answer and answer not in options:
            raise AppraisalError(_("Item %(n)s: choose one of the tool's answers.") % {"n": number})
        if len(comment) > COMMENT_MAX:
            raise AppraisalError(
                _("Item %(n)s: keep the comment under %(max)s characters.")
                % {"n": number, "max": COMMENT_MAX}
            )
        if complete and not answer:
            raise AppraisalError(_("Answer item %(n)s before submitting.") % {"n": number})
        if answer or comment:
            clean[number] = {"answer": answer, "comment": comment}
    unknown = set(answers) - set(numbers)
    if unknown:
        raise AppraisalError(
            _("Not an item of this tool: %(items)s.") % {"items": ", ".join(sorted(unknown))}
        )
    return clean


@transaction.atomic
def save_appraisal(
    study: Study,
    appraiser: User,
    *,
    answers: dict,
    category: str = "",
    overall: str = "",
    submit: bool = False,
) -> Appraisal:
    """Save one appraiser's answers (a draft), or submit them: then compare with the other's."""
    review = study.review
    membership = Membership.objects.filter(review=review, user=appraiser, active=True).first()
    if membership is None or not membership.is_reviewer:
        raise AppraisalError(_("Only the review's reviewers appraise studies."))
    if not included_studies(review).filter(pk=study.pk).exists():
        raise AppraisalError(_("Only studies included at full text are appraised."))
    tool = tool_for_study(review, study)
    if tool is None:
        raise AppraisalError(_("A lead chooses the appraisal tool first."))
    Study.objects.select_for_update().get(pk=study.pk)  # two first appraisers at once: one wins
    mine = _appraisals(study, tool.key).filter(appraiser=appraiser).first()
    if mine is None and _appraisals(study, tool.key).count() >= APPRAISERS_PER_STUDY:
        raise AppraisalError(_("Two appraisers already appraise this study."))
    if mine is not None and mine.submitted_at and _both_submitted(study, tool.key):
        raise AppraisalError(_("Both appraisals are in: differences go through the conflict."))
    categories = {k for k, _label in tool.categories}
    if categories and category not in categories:
        if submit:
            raise AppraisalError(_("Choose the study's category first."))
        category = ""
    elif not categories:
        category = ""
    answers = _clean_answers(tool, category, answers, complete=submit)
    overall_options = {k for k, _label in tool.overall}
    if overall and overall not in overall_options:
        raise AppraisalError(_("Choose one of the tool's overall judgements."))
    if submit and overall_options and not overall:
        raise AppraisalError(_("Give the overall judgement before submitting."))
    if mine is None:
        mine = Appraisal(review=review, study=study, appraiser=appraiser, tool_key=tool.key)
    before = {"answers": mine.answers, "submitted": bool(mine.submitted_at)} if mine.pk else None
    mine.tool_version, mine.category, mine.answers, mine.overall = (
        tool.version,
        category,
        answers,
        overall,
    )
    mine.submitted_at = timezone.now() if submit else None
    try:
        with transaction.atomic():
            mine.save()
    except IntegrityError as exc:
        raise AppraisalError(_("This appraisal was saved meanwhile: reload the page.")) from exc
    # The audit trail keeps the answers hidden until the appraisal is settled (blinding).
    record_event(
        review, appraiser, "appraisal.submitted" if submit else "appraisal.saved", mine,
        before={"submitted": before["submitted"]} if before else None,
        after={"study": study.pk, "tool": tool.key, "submitted": submit},
    )  # fmt: skip
    if submit and _both_submitted(study, tool.key):
        _compare(study, tool)
    return mine


def _both_submitted(study: Study, tool_key: str) -> bool:
    return _appraisals(study, tool_key).submitted().count() >= APPRAISERS_PER_STUDY


def differences(tool: Tool, a: Appraisal, b: Appraisal) -> list[str]:
    """What two appraisals disagree on: "category", "overall" and item numbers."""
    if a.category != b.category:
        return ["category"]
    out = [
        i.number
        for i in tool.items_for(a.category)
        if (a.answers.get(i.number) or {}).get("answer")
        != (b.answers.get(i.number) or {}).get("answer")
    ]
    if a.overall != b.overall:
        out.append("overall")
    return out


def anchor_record(study: Study) -> Record:
    """The record an appraisal conflict hangs on: the study's first included report."""
    return Record.objects.filter(report__study=study).order_by("pk").first()


def _merged_comments(pair: list[Appraisal], number: str) -> str:
    return "\n".join(
        f"{a.appraiser.display_name}: {c}"
        for a in pair
        if (c := (a.answers.get(number) or {}).get("comment"))
    )


def _compare(study: Study, tool: Tool) -> None:
    pair = list(_appraisals(study, tool.key).submitted().order_by("submitted_at", "pk"))[:2]
    diff = differences(tool, *pair)
    if diff:
        conflicts.open_conflict(anchor_record(study), APPRAISAL)
        return
    a = pair[0]
    answers = {
        i.number: {
            "answer": (a.answers.get(i.number) or {}).get("answer", ""),
            "comment": _merged_comments(pair, i.number),
        }
        for i in tool.items_for(a.category)
    }
    _store_result(
        study, tool, a.category, answers, a.overall, AppraisalResult.Resolution.AGREEMENT, None
    )


def _store_result(study, tool, category, answers, overall, resolution, by) -> AppraisalResult:
    result, _created = AppraisalResult.objects.update_or_create(
        study=study,
        tool_key=tool.key,
        defaults={
            "review": study.review, "tool_version": tool.version, "category": category,
            "answers": answers, "overall": overall, "resolution": resolution, "resolved_by": by,
        },
    )  # fmt: skip
    record_event(
        study.review, by, "appraisal.settled", result,
        after={"study": study.pk, "tool": tool.key, "resolution": resolution, "answers": answers, "overall": overall},
    )  # fmt: skip
    return result


# --- conflicts: the appraisal stage plugs into the conflicts flow ---------------------------


def study_of(conflict: Conflict) -> Study:
    return Study.objects.get(reports__record_id=conflict.record_id)


def _pair_for(conflict: Conflict) -> tuple[Study, Tool, list[Appraisal]]:
    study = study_of(conflict)
    tool = tool_for_study(study.review, study)
    pair = list(_appraisals(study, tool.key).submitted().order_by("submitted_at", "pk"))[:2]
    return study, tool, pair


def _parties(conflict: Conflict) -> set[int]:
    study = study_of(conflict)
    return set(
        Appraisal.objects.submitted().filter(study=study).values_list("appraiser_id", flat=True)
    )


def agreed_answers(conflict: Conflict, given: dict) -> dict:
    """Check a proposed or ruled set of answers: every item the appraisers disagreed on is
    answered (with the category and overall judgement when those differed); the items they
    agreed on keep their common answer. Returns the complete agreed appraisal."""
    study, tool, pair = _pair_for(conflict)
    diff = differences(tool, *pair)
    category = given.get("category", "") if "category" in diff else pair[0].category
    if tool.categories and category not in {k for k, _l in tool.categories}:
        raise conflicts.ConflictError(_("Choose the study's category."))
    options = {k for k, _l in tool.answers}
    items: dict[str, dict] = {}
    for item in tool.items_for(category):
        mine = [(a.answers.get(item.number) or {}).get("answer") for a in pair]
        settled = mine[0] if mine[0] == mine[1] and "category" not in diff else None
        answer = settled or str((given.get("items") or {}).get(item.number, ""))
        if answer not in options:
            raise conflicts.ConflictError(
                _("Give the agreed answer to item %(n)s.") % {"n": item.number}
            )
        items[item.number] = {"answer": answer, "comment": _merged_comments(pair, item.number)}
    overall = pair[0].overall if "overall" not in diff else str(given.get("overall", ""))
    if tool.overall and overall not in {k for k, _l in tool.overall}:
        raise conflicts.ConflictError(_("Give the agreed overall judgement."))
    return {"category": category, "items": items, "overall": overall}


conflicts.register_stage(
    APPRAISAL, conflicts.StageRules(parties=_parties, clean_answers=agreed_answers)
)

RESOLUTIONS = {
    Conflict.Resolution.CONSENSUS: AppraisalResult.Resolution.CONSENSUS,
    Conflict.Resolution.ADJUDICATED: AppraisalResult.Resolution.ADJUDICATED,
    Conflict.Resolution.LEAD: AppraisalResult.Resolution.LEAD,
}


@receiver(conflicts.resolved, dispatch_uid="appraisal.conflict_resolved")
def _on_conflict_resolved(sender, conflict: Conflict, answers: dict, by: User, **kwargs) -> None:
    if conflict.stage != APPRAISAL:
        return
    study, tool, _pair = _pair_for(conflict)
    _store_result(
        study, tool, answers["category"], answers["items"], answers["overall"],
        RESOLUTIONS[conflict.resolution], by,
    )  # fmt: skip


# --- what people may see --------------------------------------------------------------------


def visible_appraisals(study: Study, tool_key: str, viewer: Membership) -> list[Appraisal]:
    """Blinding: before both appraisals are submitted an appraiser sees only their own, and
    nobody else sees any answers; afterwards both are open to the team."""
    appraisals = list(_appraisals(study, tool_key))
    if sum(1 for a in appraisals if a.submitted_at) >= APPRAISERS_PER_STUDY:
        return appraisals
    return [a for a in appraisals if a.appraiser_id == viewer.user_id]


@dataclass
class StudyRow:
    study: Study
    tool: Tool | None
    appraisers: list[Any]  # (name, submitted) — names only, never answers
    mine: Appraisal | None
    result: AppraisalResult | None
    conflict: Conflict | None


def study_rows(review: Review, viewer: Membership) -> list[StudyRow]:
    """Every included study with its tool, who appraises it and its state, in few queries."""
    plan = plan_for(review)
    studies = list(included_studies(review).order_by("reference_number", "label", "pk"))
    by_study: dict[int, list[Appraisal]] = {}
    for a in Appraisal.objects.filter(review=review).select_related("appraiser"):
        by_study.setdefault(a.study_id, []).append(a)
    results = {(r.study_id, r.tool_key): r for r in AppraisalResult.objects.filter(review=review)}
    live = {
        c.record_id: c
        for c in Conflict.objects.filter(review=review, stage=APPRAISAL).order_by("opened_at")
    }
    anchors = dict(
        Record.objects.filter(report__study__in=studies)
        .order_by("-pk")
        .values_list("report__study", "pk")
    )
    tools: dict[str, Tool] = {}
    rows = []
    for study in studies:
        tool = None
        if plan is not None:
            key = plan.tool_key_for(study.pk)
            if key not in tools:
                tools[key] = _tool_or_none(review, key)
            tool = tools[key]
        mine_all = [a for a in by_study.get(study.pk, []) if tool and a.tool_key == tool.key]
        rows.append(
            StudyRow(
                study=study,
                tool=tool,
                appraisers=[(a.appraiser.display_name, bool(a.submitted_at)) for a in mine_all],
                mine=next(
                    (a for a in mine_all if viewer and a.appraiser_id == viewer.user_id), None
                ),
                result=results.get((study.pk, tool.key)) if tool else None,
                conflict=live.get(anchors.get(study.pk)),
            )
        )
    return rows


def waiting_for(membership: Membership) -> int:
    """Studies this reviewer should appraise: no appraisal of theirs submitted, and a place
    left beside at most one other appraiser."""
    if not membership.is_reviewer or plan_for(membership.review) is None:
        return 0
    count = 0
    for row in study_rows(membership.review, membership):
        if row.tool is None or row.result is not None:
            continue
        if (row.mine is None and len(row.appraisers) < APPRAISERS_PER_STUDY) or (
            row.mine is not None and not row.mine.submitted_at
        ):
            count += 1
    return count


# --- agreement and scores -------------------------------------------------------------------


@dataclass
class ItemAgreement:
    number: str
    text: str
    pairs: int
    percent: float | None
    kappa: float | None


def item_agreement(review: Review, tool: Tool) -> list[ItemAgreement]:
    """Per item: how often the two appraisers agreed (percent) and Cohen's kappa, over the
    studies both appraised with this tool."""
    pairs: dict[int, list[Appraisal]] = {}
    for a in (
        Appraisal.objects.filter(review=review, tool_key=tool.key)
        .submitted()
        .order_by("submitted_at", "pk")
    ):
        pairs.setdefault(a.study_id, []).append(a)
    categories = [k for k, _l in tool.answers]
    out = []
    numbers = {i.number: i for i in tool.items}
    for number, item in numbers.items():
        answered = []
        for pair in pairs.values():
            if len(pair) < 2:
                continue
            x, y = ((p.answers.get(number) or {}).get("answer") for p in pair[:2])
            if x in categories and y in categories:
                answered.append((x, y))
        table = confusion_table(answered, categories)
        out.append(
            ItemAgreement(
                number,
                str(item.text),
                len(answered),
                percent_agreement(table),
                cohen_kappa(table) if answered else None,
            )
        )
    return [row for row in out if row.pairs or not tool.categories]


def quality_score(tool: Tool, result: AppraisalResult) -> float | None:
    """The share of applicable items judged favourably (Yes), for the sensitivity view."""
    levels = [
        tool.level((result.answers.get(i.number) or {}).get("answer", ""))
        for i in tool.items_for(result.category)
    ]
    applicable = [lv for lv in levels if lv not in ("na", "none")]
    if not applicable:
        return None
    return sum(1 for lv in applicable if lv == "good") / len(applicable)


def studies_meeting(review: Review, threshold: float) -> set[int]:
    """Ids of the studies whose agreed appraisal scores at least `threshold` (0–1)."""
    plan = plan_for(review)
    if plan is None:
        return set()
    keep = set()
    tools: dict[tuple[str, str], Tool | None] = {}
    for result in AppraisalResult.objects.filter(review=review):
        key = (result.tool_key, result.tool_version)
        if key not in tools:
            try:
                tools[key] = get_tool(review, *key)
            except AppraisalError:
                tools[key] = None  # a tool that no longer exists: the study cannot qualify
        if (tool := tools[key]) is None:
            continue
        score = quality_score(tool, result)
        if score is not None and score >= threshold:
            keep.add(result.study_id)
    return keep
