"""One review, end to end, in a real browser: a lead and the three people she invites take a
search from two database exports to the PRISMA diagram and the synthesis workbook.

Every step goes through the pages as a person would (the keyboard where the page offers keys);
a screenshot of each step is kept in test-artifacts/journey/.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from screening.models import Conflict, DuplicateCluster, Outcome, RecordStatus

from .helpers import (
    CODED_PASSAGE,
    FULL_TEXT_LINES,
    PUBMED_NBIB,
    SCOPUS_RIS,
    tiny_pdf,
)

PASSWORD = "Sift-journey-2024!"
TITLE = "Neighbourhood environments and loneliness in later life"
QUESTION = "How do neighbourhood environments shape loneliness among older adults?"
THEME = "Shared activity"
LEVEL_CODE = "Interpersonal level"
TIMEOUT_MS = 15_000
# The record both exports share without a DOI; its merged title may come from either.
GARDENS = re.compile("community gardens", re.IGNORECASE)

expect.set_options(timeout=TIMEOUT_MS)


class Journey:
    """The people's browser pages and the numbered screenshots of each step."""

    def __init__(self, browser: Browser, base_url: str, folder: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.folder = folder
        self.pages: dict[str, Page] = {}
        self.step = 0

    def person(self, name: str) -> Page:
        context = self.browser.new_context(base_url=self.base_url, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        self.pages[name] = page
        return page

    def shot(self, page: Page, name: str) -> None:
        self.step += 1
        page.screenshot(path=self.folder / f"{self.step:02d}-{name}.png", full_page=True)

    def shoot_all(self, prefix: str) -> None:
        for name, page in self.pages.items():
            # a closed page must not hide the real failure
            with contextlib.suppress(Exception):
                page.screenshot(path=self.folder / f"{prefix}-{name}.png", full_page=True)


# The stage each page of the review's navigation sits under.
STAGE_OF = {
    "Searches": "Identify",
    "Duplicates": "Identify",
    "Screen": "Screen",
    "Conflicts": "Resolve",
    "Full text": "Full text",
    "Codebook": "Extract & code",
    "Coding": "Extract & code",
    "PRISMA": "Report",
    "Synthesis": "Report",
    "Team": "Team & settings",
}


def tab(page: Page, name: str) -> None:
    """Follow a page of the review's navigation, through its stage's tab when the page is not
    in view (a stage's pages show under its tab; a badge adds "(n waiting for you)")."""
    nav = page.get_by_role("navigation", name="Review")

    def link(label: str):
        return nav.get_by_role("link", name=re.compile(rf"^{re.escape(label)}( \(\d+ waiting|$)"))

    if not link(name).count():
        link(STAGE_OF[name]).first.click()
        page.wait_for_load_state()
        if not link(name).count():
            return  # the stage's only page, open now
    link(name).first.click()


def sign_up(page: Page, email: str, outbox: list) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill(email.split("@")[0].title())
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    # Email verification is mandatory: confirming the address signs in and carries on.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    message = next(m for m in reversed(outbox) if m.to == [email])
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0))
    page.get_by_role("button", name="Confirm").click()


def invitation_link(outbox: list, email: str) -> str:
    message = next(m for m in reversed(outbox) if m.to == [email])
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def record_search(page: Page, source: str, query: str, export: Path) -> None:
    """Record a search, upload its export and watch the import reach its report."""
    tab(page, "Searches")
    page.get_by_role("link", name="Record a search").click()
    page.get_by_label(re.compile(r"^Source")).fill(source)
    page.get_by_label("Date run").fill("2024-03-01")
    page.get_by_label("Query").fill(query)
    page.get_by_role("button", name="Save search").click()
    expect(page.get_by_role("heading", name=source, level=1)).to_be_visible()
    page.get_by_label("Export files").set_input_files(export)
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("heading", name=f"Import of {export.name}")).to_be_visible()
    # The progress bar polls until the job is done and the report replaces it.
    report = page.locator(".import-report")
    expect(report).to_be_visible(timeout=60_000)
    expect(page.locator(".import-progress .pill")).to_have_text("Done")
    expect(report).to_contain_text("Records imported")
    expect(report.locator("dt:text('Records imported') + dd")).to_have_text("3")


def screen_queue(page: Page, decide, journey: Journey, who: str) -> int:
    """Decide every record of my queue by keyboard only; returns how many were decided."""
    tab(page, "Screen")
    panel = page.locator("#screen-record")
    decided = 0
    while True:
        expect(panel).to_be_visible()
        if page.locator("#queue-empty").count():
            return decided
        record_id = panel.get_attribute("data-record")
        title = page.locator("#record-title").inner_text()
        if decided == 0:
            journey.shot(page, f"{who}-screens")
        for key in decide(title, decided):
            if key.isdigit():
                page.keyboard.press(key)
                expect(page.locator("#reason")).not_to_have_value("")
                continue
            page.keyboard.press(key)
            if key == "u":
                # The undone record comes back to be decided again.
                expect(page.locator("#screen-record[data-record]")).to_have_attribute(
                    "data-record", record_id
                )
                expect(page.locator(".message.success")).to_contain_text("undone")
            else:
                expect(page.locator(f'#screen-record[data-record="{record_id}"]')).to_have_count(0)
        decided += 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_review_goes_from_two_exports_to_prisma_and_synthesis(
    chromium, live_server, browser_settings, artifacts, mailoutbox, tmp_path
):
    journey = Journey(chromium, live_server.url, artifacts)
    ris = tmp_path / "scopus-export.ris"
    ris.write_text(SCOPUS_RIS, encoding="utf-8")
    nbib = tmp_path / "pubmed-export.nbib"
    nbib.write_text(PUBMED_NBIB, encoding="utf-8")
    pdf = tmp_path / "moreau-2020-community-gardens.pdf"
    pdf.write_bytes(tiny_pdf(FULL_TEXT_LINES))
    try:
        _journey(journey, mailoutbox, ris, nbib, pdf, tmp_path)
    except Exception:
        journey.shoot_all("failure")
        raise


def _journey(journey: Journey, outbox: list, ris: Path, nbib: Path, pdf: Path, tmp_path: Path):
    # 1. The lead signs up, creates the review and sets one criterion.
    lead = journey.person("lead")
    lead.goto("/accounts/signup/")
    sign_up(lead, "lena@example.org", outbox)
    expect(lead.get_by_role("heading", name="My reviews")).to_be_visible()
    lead.get_by_role("link", name="New review").click()
    lead.get_by_label("Title").fill(TITLE)
    lead.get_by_label("Review question").fill(QUESTION)
    lead.get_by_role("button", name="Create review").click()
    expect(lead.get_by_role("heading", name="Eligibility criteria")).to_be_visible()
    lead.get_by_label("Domain").first.fill("Population")
    lead.get_by_label("Inclusion").first.fill("Adults aged 60 and over")
    lead.get_by_label("Exclusion").first.fill("Children and adolescents")
    lead.get_by_role("button", name="Save criteria").click()
    expect(lead.get_by_text("Criteria saved.")).to_be_visible()
    journey.shot(lead, "lead-creates-review")

    # 2. Three invitations from the Team page; each invitee signs up and accepts.
    tab(lead, "Team")
    invitees = {
        "rita": ("rita@example.org", "Reviewer"),
        "remy": ("remy@example.org", "Reviewer"),
        "ada": ("ada@example.org", "Adjudicator"),
    }
    for email, role in invitees.values():
        invite = lead.locator("section").filter(
            has=lead.get_by_role("heading", name="Invite someone")
        )
        invite.get_by_label("Email").fill(email)
        invite.get_by_label("Reviewer", exact=True).set_checked(role == "Reviewer")
        invite.get_by_label("Adjudicator", exact=True).set_checked(role == "Adjudicator")
        invite.get_by_role("button", name="Send invitation").click()
        expect(lead.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
    expect(lead.get_by_role("heading", name="Pending invitations")).to_be_visible()
    journey.shot(lead, "lead-invites-team")
    pages = {}
    for name, (email, role) in invitees.items():
        page = journey.person(name)
        page.goto(invitation_link(outbox, email))
        # Not signed in: the login page offers to sign up, and comes back to the invitation.
        page.get_by_role("link", name="sign up").click()
        sign_up(page, email, outbox)
        expect(page.get_by_role("heading", name=f"Join “{TITLE}”")).to_be_visible()
        expect(page.get_by_text(f"You were invited as {role.lower()}")).to_be_visible()
        page.get_by_role("button", name="Accept invitation").click()
        expect(page.get_by_text(f"You joined “{TITLE}”.")).to_be_visible()
        pages[name] = page
    journey.shot(pages["ada"], "adjudicator-joins")
    rita, remy, ada = pages["rita"], pages["remy"], pages["ada"]

    # 3. Two database exports, each watched to its import report.
    record_search(lead, "Scopus", 'TITLE-ABS-KEY("neighbourhood" AND "loneliness")', ris)
    journey.shot(lead, "scopus-import-report")
    record_search(lead, "MEDLINE", "neighbourhood[tiab] AND loneliness[tiab]", nbib)
    journey.shot(lead, "medline-import-report")
    assert DuplicateCluster.objects.count() == 1  # the shared DOI merged by itself

    # 4. The uncertain pair (same title, formatted differently, no DOI): merged with M.
    tab(lead, "Duplicates")
    pair = lead.locator("#dedup-pair")
    expect(pair.get_by_role("heading", name="Are these the same work?")).to_be_visible()
    expect(pair.locator("table.dedup-compare")).to_contain_text("Community Gardens")
    journey.shot(lead, "duplicate-pair")
    lead.keyboard.press("m")
    expect(pair.get_by_role("heading", name="No pair to check")).to_be_visible()
    expect(pair.get_by_role("status").filter(has_text="Merged")).to_be_visible()
    expect(pair.locator(".dedup-open")).to_have_text("0")
    journey.shot(lead, "duplicate-merged")
    assert DuplicateCluster.objects.count() == 2

    # 5. Two reviewers screen by keyboard. Rita tries Maybe on her first record and undoes it;
    # only the community-gardens record gets different decisions.
    def rita_decides(title: str, n: int) -> list[str]:
        first = ["m", "u"] if n == 0 else []
        return [*first, "i"] if GARDENS.search(title) else [*first, "1", "e"]

    def remy_decides(title: str, n: int) -> list[str]:
        return ["1", "e"]

    assert screen_queue(rita, rita_decides, journey, "rita") == 4
    expect(rita.get_by_text("4 decided by you")).to_be_visible()
    journey.shot(rita, "rita-queue-done")
    assert screen_queue(remy, remy_decides, journey, "remy") == 4
    journey.shot(remy, "remy-queue-done")
    conflict = Conflict.objects.get()
    assert GARDENS.search(conflict.record.title)
    excluded = RecordStatus.objects.filter(stage="ta", outcome=Outcome.EXCLUDED)
    assert excluded.count() == 3
    assert not excluded.filter(final_reason=None).exists()  # the digit chose a reason

    # 6. Remy discusses and escalates; Ada adjudicates: Include, with a note.
    tab(remy, "Conflicts")
    remy.get_by_role("region", name="Your conflicts").get_by_role("link", name=GARDENS).click()
    remy.get_by_label("Comment").fill("Gardeners are mostly over 60; I excluded on age.")
    remy.get_by_role("button", name="Post comment").click()
    expect(remy.locator("#thread .comment").filter(has_text="mostly over 60")).to_be_visible()
    remy.get_by_label("Summary for the adjudicator").fill(
        "Rita: include, older gardeners. Remy: exclude, mixed ages."
    )
    remy.get_by_role("button", name="Escalate to the adjudicator").click()
    expect(remy.locator("#conflict-state")).to_have_text("Escalated")
    journey.shot(remy, "conflict-escalated")
    tab(ada, "Conflicts")
    ada.get_by_role("region", name="Escalated to you").get_by_role("link", name=GARDENS).click()
    expect(ada.locator("main")).to_contain_text("Rita: include, older gardeners.")
    decide = ada.locator("form[action$='/adjudicate/']")
    decide.get_by_label("Include").check()
    decide.get_by_label("Reason for the decision").fill("Most participants are over 60.")
    decide.get_by_role("button", name="Record the final decision").click()
    expect(ada.get_by_role("heading", name="Resolved: adjudicated")).to_be_visible()
    journey.shot(ada, "conflict-adjudicated")

    # 7. Rita uploads the full text; both reviewers assess it: Include.
    tab(rita, "Full text")
    rita.get_by_role("link", name=GARDENS).click()
    rita.get_by_label("PDF of the full text").set_input_files(pdf)
    rita.get_by_role("button", name="Upload PDF").click()
    expect(rita.get_by_text("Full text attached.")).to_be_visible()
    expect(rita.get_by_role("heading", name="Retrieval: Retrieved")).to_be_visible()
    journey.shot(rita, "full-text-uploaded")
    for page in (rita, remy):
        if page is remy:
            tab(remy, "Full text")
            remy.get_by_role("link", name=GARDENS).click()
        form = page.locator("form[action$='/assess/']")
        form.get_by_label("Include").check()
        form.get_by_role("button", name="Save my assessment").click()
        expect(page.get_by_text("Assessment saved.")).to_be_visible()
    expect(remy.get_by_text("Outcome: Included")).to_be_visible()
    journey.shot(remy, "full-text-included")

    # 8. The lead publishes a codebook v1 (a level and a theme); Rita codes a passage.
    tab(lead, "Codebook")
    lead.get_by_role("link", name="Add code").click()
    lead.get_by_label("Name").fill(LEVEL_CODE)
    lead.get_by_label("Level").fill("interpersonal")
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_text(f"Code “{LEVEL_CODE}” added to the draft.")).to_be_visible()
    lead.get_by_role("row", name=LEVEL_CODE).get_by_role("link", name="Add subtheme").click()
    lead.get_by_label("Name").fill(THEME)
    lead.get_by_label("Definition").fill("Doing things together with neighbours.")
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_role("rowheader", name=THEME)).to_be_visible()
    lead.get_by_role("link", name="Publish…").click()
    lead.get_by_label("Change note").fill("First version for coding.")
    lead.get_by_role("button", name="Publish").click()
    expect(lead.get_by_text("Published v1.")).to_be_visible()
    journey.shot(lead, "codebook-published")

    tab(rita, "Coding")
    rita.get_by_role("row").filter(has_text="Moreau").get_by_role("link").first.click()
    rita.get_by_role("button", name=re.compile("Extract text from")).click()
    text = rita.locator("#study-text")
    expect(text).to_contain_text(CODED_PASSAGE)
    # Select the passage as a person would with the mouse; coding.js fills the form from it.
    text.evaluate(
        """(el, passage) => {
            const node = [...el.childNodes].find(n => n.textContent.includes(passage));
            const start = node.textContent.indexOf(passage);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + passage.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        CODED_PASSAGE,
    )
    text.dispatch_event("mouseup")
    form = rita.locator("#coding-form")
    expect(form.get_by_label("Excerpt")).to_have_value(CODED_PASSAGE)
    form.get_by_label(re.compile(THEME)).check()
    form.get_by_role("button", name="Apply codes").click()
    expect(rita.get_by_role("heading", name="My codings (1)")).to_be_visible()
    expect(rita.locator("#study-text mark.coded")).to_have_text(CODED_PASSAGE)
    journey.shot(rita, "passage-coded")

    # 9. The lead downloads the PRISMA diagram and the synthesis workbook.
    tab(lead, "PRISMA")
    expect(lead.get_by_role("heading", name="PRISMA 2020 flow diagram")).to_be_visible()
    diagram = lead.get_by_role("img", name=re.compile("PRISMA 2020 flow diagram"))
    expect(diagram).to_have_attribute("alt", re.compile("1 studies|1 study"))
    lead.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=diagram.element_handle()
    )
    journey.shot(lead, "prisma-page")
    with lead.expect_download() as download_info:
        lead.get_by_role("link", name="SVG", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".svg")
    svg = Path(download.path()).read_text(encoding="utf-8")
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    words = " ".join(re.sub(r"<[^>]+>", " ", svg).split())
    for box in (
        "Scopus (n = 3)",
        "MEDLINE (n = 3)",
        "Duplicate records removed (n = 2)",
        "Records screened (n = 4)",
        "Records excluded (n = 3)",
        "Reports assessed for eligibility (n = 1)",
        "Studies included in review (n = 1)",
    ):
        assert box in words, box

    tab(lead, "Synthesis")
    expect(lead.locator("main")).to_contain_text(THEME)
    journey.shot(lead, "synthesis-matrix")
    with lead.expect_download() as download_info:
        lead.get_by_role("link", name="Whole synthesis (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any(THEME in cell for cell in cells), workbook.sheetnames
    assert any(CODED_PASSAGE in cell for cell in cells)
    journey.shot(lead, "downloads-done")
