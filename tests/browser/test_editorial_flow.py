"""The editorial flow in a real browser: write, submit, expert review, editor approval, publish.

Three people use the Wagtail admin in their own browser contexts, exactly as they would by hand:
an author writes an article (title, standfirst, author, topic, an FAQ with two questions and an
automatic "find support" group) and submits it; the expert reviewer approves it in the workflow
action modal with a summary and the conflict-of-interest confirmation; an editor approves the last
step, which publishes. A reader then sees the byline, the reviewer badge, the FAQ and practitioner
cards with the reasons they were suggested. A screenshot of every step is kept under
``test-artifacts/browser/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from articles.models import ArticlePage, ExpertReview
from articles.roles import AUTHORS, EDITORS, setup_roles, sync_reviewers
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw"  # tests.factories.user's password
TITLE = "Rebuilding trust, one conversation at a time"
STANDFIRST = "After a breach of trust, small reliable acts matter more than grand gestures."
FAQ_TITLE = "Questions readers ask"
FAQ = [
    ("How long does rebuilding trust take?", "Often a year or more, and progress is rarely a straight line."),
    ("Should we see a couples therapist?", "It helps many couples, unless there is abuse or coercion."),
]
SUPPORT_TITLE = "Find someone to talk to"
SUMMARY = "Checked each claim against the cited trials; the advice on timing and safety is sound."


@pytest.fixture(autouse=True)
def _explicit_saves_only(settings):
    """Turns Wagtail's autosave off for this test, which drives the explicit buttons. On the create
    view an autosave still in flight when Save is clicked posts a second "create" and the admin
    answers "slug already in use" (seen once in CI on a loaded machine); that race is Wagtail's
    and is not what this test is about."""
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0


@pytest.fixture
def newsroom(live_server):
    """A section, the editorial groups with one login each, a board reviewer, and practitioners."""
    setup_roles()
    section = factories.section("Trends & Signals")
    topic = factories.topic("Trust and betrayal")
    reviewer_login = factories.user("noor")
    reviewer = factories.person(
        "Noor Haddad",
        honorific="Dr.",
        headline="Clinical psychologist",
        reviewer=True,
        board=True,
        user=reviewer_login,
    )
    sync_reviewers()  # puts the reviewer's login on the expert review step, as setup_roles does
    practitioners = [
        factories.listing(name, country="US", city=city, specialties=(topic,), offers_online=True)
        for name, city in (("Avery Lindqvist", "Denver"), ("Jordan Mbeki", "Portland"))
    ]
    for practitioner in practitioners:
        practitioner.save()  # writes the parental many-to-many fields (languages, specialties)
    return {
        "url": live_server.url,
        "section": section,
        "author_person": factories.person("Mara Ellison", headline="Health reporter"),
        "author": factories.user("mara", groups=(AUTHORS,)),
        "reviewer": reviewer,
        "reviewer_login": reviewer_login,
        "editor": factories.user("eli", groups=(EDITORS,)),
        "practitioners": practitioners,
    }


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def type_rich_text(page: Page, field_id: str, text: str) -> None:
    """Types into the Draftail editor that stands in for the hidden rich-text input ``field_id``,
    and waits until the input holds it. An editor just added to a list can take the click before it
    takes focus, and the keystrokes are then lost: the draft saves without them (drafts may leave
    required fields empty) and only submitting for review fails."""
    editor = page.locator(f"#{field_id} + .Draftail-Editor__wrapper [contenteditable=true]")
    editor.click()
    expect(editor).to_be_focused()
    page.keyboard.type(text)
    expect(editor).to_contain_text(text)
    expect(page.locator(f"#{field_id}")).to_have_value(re.compile(re.escape(text.split()[0])))


def insert_body_block(page: Page, label: str) -> None:
    """Adds a block of type ``label`` at the end of the body, through the block picker."""
    page.locator("#body-root .c-sf-add-button[title='Insert a block']").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def open_footer_actions(page: Page) -> None:
    page.locator("footer .w-dropdown__toggle").click()


def expect_message(page: Page, text: str) -> None:
    """The admin's message contains ``text``; if not, the failure names the form's field errors."""
    try:
        expect(page.locator(".messages")).to_contain_text(text)
    except AssertionError:
        raise AssertionError(f"no message {text!r}; field errors: {field_errors(page)}") from None


def field_errors(page: Page) -> list[tuple[str, str]]:
    fields = page.locator(".w-field--error, .w-field__errors, .error-message")
    return [
        (el.get_attribute("data-field-wrapper") or el.get_attribute("id") or "", el.inner_text()[:200])
        for el in fields.all()
    ]


def wait_for_saved(page: Page, url: re.Pattern) -> None:
    """Waits for the admin to answer a save with ``url`` (60 s: a loaded CI machine is slow); if it
    answers with the form again, the failure names the form's field errors."""
    try:
        page.wait_for_url(url, timeout=60_000)
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"the save did not reach {url.pattern}; field errors: {field_errors(page)}"
        ) from None


def wait_for_editor_form(page: Page) -> None:
    """Waits until the edit form holds the saved body: the StreamField builds its inputs in the
    browser after load, and an action posted before that sends a body without them (the admin
    then answers "could not be saved due to validation errors")."""
    expect(page.locator("#body-0-value-title")).to_have_value(FAQ_TITLE)
    expect(page.locator("#body-1-value-title")).to_have_value(SUPPORT_TITLE)


def write_and_submit(page: Page, team: dict, shot) -> ArticlePage:
    base = team["url"]
    log_in(page, base, team["author"].username)
    page.goto(f"{base}/admin/pages/add/articles/articlepage/{team['section'].pk}/")
    page.fill("#id_title", TITLE)
    page.fill("#id_standfirst", STANDFIRST)

    tags = page.locator("[data-contentpath=topics] li.tagit-new input")
    tags.fill("Trust and betrayal")
    tags.press("Enter")
    expect(page.locator("#id_topics")).to_have_value('"Trust and betrayal"')

    author_row = page.locator("#inline_child_article_authors-0-panel-content")
    author_row.get_by_role("button", name="Choose").click()
    page.locator(".modal a[data-chooser-modal-choice]", has_text=team["author_person"].name).click()
    expect(page.locator(".modal")).to_be_hidden()
    expect(page.locator("#id_article_authors-0-person")).to_have_value(str(team["author_person"].pk))

    insert_body_block(page, "FAQ")
    page.fill("#body-0-value-title", FAQ_TITLE)
    page.fill("#body-0-value-items-0-value-question", FAQ[0][0])
    type_rich_text(page, "body-0-value-items-0-value-answer", FAQ[0][1])
    page.locator("[data-contentpath=items] button[data-streamfield-list-add]").last.click()
    page.fill("#body-0-value-items-1-value-question", FAQ[1][0])
    type_rich_text(page, "body-0-value-items-1-value-answer", FAQ[1][1])

    insert_body_block(page, "Find support")
    page.fill("#body-1-value-title", SUPPORT_TITLE)
    page.select_option("#body-1-value-mode", "automatic")
    page.fill("#body-1-value-count", "2")
    shot(page, "01-author-writes-article")

    page.locator("footer button.action-save").click()
    wait_for_saved(page, re.compile(r"/admin/pages/\d+/edit/$"))
    expect_message(page, TITLE)
    page.wait_for_load_state("networkidle")
    shot(page, "02-author-saved-draft")
    article = ArticlePage.objects.get(title=TITLE)
    assert not article.live

    wait_for_editor_form(page)
    open_footer_actions(page)
    page.locator("footer button[name=action-submit]").click()
    expect_message(page, "submitted")
    page.wait_for_load_state("networkidle")
    shot(page, "03-author-submitted")
    article.refresh_from_db()
    assert article.current_workflow_task.specific.name == "Expert review"
    return article


def approve_as_expert(page: Page, team: dict, article: ArticlePage, shot) -> None:
    base = team["url"]
    log_in(page, base, team["reviewer_login"].username)
    page.goto(f"{base}/admin/pages/{article.pk}/edit/")
    wait_for_editor_form(page)
    open_footer_actions(page)
    page.locator("footer button[data-workflow-action-name=approve]").click()
    modal = page.locator(".modal.in")
    modal.locator("#id_summary").fill(SUMMARY)
    modal.locator("#id_conflict_of_interest").fill("")
    modal.locator("#id_confirm_no_undeclared_conflict").check()
    expect(modal).to_have_css("opacity", "1")
    shot(page, "04-reviewer-approval-modal")
    modal.get_by_role("button", name="Approve as expert reviewer").click()
    # The modal's form is checked first, then the editor form is posted with the action.
    wait_for_saved(page, re.compile(r"/admin/(pages/\d+/)?$"))
    expect_message(page, TITLE)
    page.wait_for_load_state("networkidle")
    shot(page, "05-reviewer-approved")


def approve_as_editor(page: Page, team: dict, article: ArticlePage, shot) -> None:
    base = team["url"]
    log_in(page, base, team["editor"].username)
    page.goto(f"{base}/admin/pages/{article.pk}/edit/")
    wait_for_editor_form(page)
    open_footer_actions(page)
    # The one-click approve (no comment modal); on the last step it publishes.
    approve = page.locator(
        "footer button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    )
    expect(approve).to_contain_text("Publish")
    shot(page, "06-editor-actions")
    approve.click()
    wait_for_saved(page, re.compile(r"/admin/pages/\d+/$"))
    expect_message(page, TITLE)
    page.wait_for_load_state("networkidle")
    shot(page, "07-editor-published")


def test_article_goes_from_draft_to_reviewed_page_in_a_browser(newsroom, new_page, artifacts):
    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(artifacts / f"editorial-{name}.png"), full_page=True)

    article = write_and_submit(new_page(), newsroom, shot)

    approve_as_expert(new_page(), newsroom, article, shot)
    review = ExpertReview.objects.get(article=article)
    assert (review.reviewer, review.summary, review.reviewed_by_user) == (
        newsroom["reviewer"],
        SUMMARY,
        newsroom["reviewer_login"],
    )
    article.refresh_from_db()
    assert not article.live
    assert article.current_workflow_task.specific.name == "Editor approval"

    approve_as_editor(new_page(), newsroom, article, shot)
    article.refresh_from_db()
    assert article.live
    assert article.last_review_id == review.pk

    reader = new_page()
    csp_violations = []
    reader.on(
        "console", lambda msg: "Content Security Policy" in msg.text and csp_violations.append(msg.text)
    )
    response = reader.goto(f"{newsroom['url']}{article.url}")
    assert response.status == 200

    authors = reader.locator(".byline-authors")
    expect(authors).to_contain_text("Written by")
    expect(authors).to_contain_text("Mara Ellison")
    reviewer_line = reader.locator(".byline-reviewer")
    expect(reviewer_line).to_contain_text("Expert-Reviewed by")
    expect(reviewer_line).to_contain_text("Dr. Noor Haddad")
    expect(reviewer_line.locator(".badge")).to_have_text("Verified Expert Board Member")
    expect(reader.locator(".review-summary")).to_have_text(SUMMARY)

    expect(reader.get_by_role("heading", name=FAQ_TITLE)).to_be_visible()
    for question, answer in FAQ:
        expect(reader.get_by_text(answer)).to_be_hidden()
        reader.get_by_text(question).click()
        expect(reader.get_by_text(answer)).to_be_visible()

    support = reader.locator("section.find-support")
    expect(support.get_by_role("heading", name=SUPPORT_TITLE)).to_be_visible()
    cards = support.locator(".listing-card")
    expect(cards).to_have_count(2)
    names = sorted(cards.locator(".card-title").all_inner_texts())
    assert names == sorted(p.name for p in newsroom["practitioners"])
    for index in range(2):
        card = cards.nth(index)
        expect(card.locator(".reasons-label")).to_have_text("Why we suggest this")
        expect(card.locator(".reasons li").first).to_have_text("Specialises in trust and betrayal")
    reader.screenshot(path=str(artifacts / "editorial-08-reader-sees-article.png"), full_page=True)
    assert csp_violations == []
