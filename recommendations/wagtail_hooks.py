"""Admin registration of the concept vocabulary (snippets under "Concepts")."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Concept


class ConceptViewSet(SnippetViewSet):
    model = Concept
    icon = "tag"
    menu_label = "Concepts"
    list_display = ["name", "synonyms"]
    ordering = ["name"]


register_snippet(ConceptViewSet)
