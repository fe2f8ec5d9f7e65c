"""Page-type rules: HomePage → SectionPage → ArticlePage, and nothing else."""

import pytest
from wagtail.models import Page

from articles.models import ArticlePage, HomePage, SectionPage
from tests import factories


def test_home_page_holds_only_sections():
    assert HomePage.allowed_subpage_models() == [SectionPage]
    assert HomePage.allowed_parent_page_models() == [Page]


def test_sections_sit_under_the_home_page_and_hold_only_articles():
    assert SectionPage.allowed_parent_page_models() == [HomePage]
    assert SectionPage.allowed_subpage_models() == [ArticlePage]


def test_articles_sit_only_in_sections_and_have_no_children():
    assert ArticlePage.allowed_parent_page_models() == [SectionPage]
    assert ArticlePage.allowed_subpage_models() == []


@pytest.mark.django_db
def test_creation_rules_on_real_pages():
    home = factories.home_page()
    section = factories.section()
    article = factories.article(section)
    assert SectionPage.can_create_at(home)
    assert not ArticlePage.can_create_at(home)
    assert ArticlePage.can_create_at(section)
    assert not SectionPage.can_create_at(section)
    assert not ArticlePage.can_create_at(article)
    assert not SectionPage.can_create_at(article)
    # Only one home page: max_count.
    assert not HomePage.can_create_at(Page.get_first_root_node())
