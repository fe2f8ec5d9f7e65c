"""Find-support suggestions for a self-check result, from the recommendation engine.

The engine is asked through ``recommendations.interface.find_support_for_topics``: the band's
concern topics stand where an article's topics would, the reader's context (country, language)
is the same as on an article page, and a crisis result is asked as a sensitive article is, so
crisis services lead. Nothing about the answers reaches the engine: only the band's topics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .scoring import Outcome

logger = logging.getLogger(__name__)

SUGGESTION_COUNT = 3


@dataclass
class ResultSupport:
    """What the result shows besides the band: crisis services first, then other suggestions."""

    crisis: list = field(default_factory=list)  # SupportSuggestion of crisis services
    others: list = field(default_factory=list)  # SupportSuggestion of everyone else
    notice: str = ""

    def html_cards(self) -> ResultSupport:
        """The same suggestions as the result page's cards (``articles.presenter.SupportCard``),
        with their images and the templates' renditions loaded in one batch (two queries)."""
        from articles.images import HTML_RENDITIONS, ImageBatch
        from articles.presenter import SupportCard

        images = ImageBatch("", HTML_RENDITIONS)
        for s in (*self.crisis, *self.others):
            images.want(s.listing.image_id)
        images.resolve()

        def cards(suggestions) -> list[SupportCard]:
            return [
                SupportCard(s.listing, list(s.reasons), s.sponsored, images.image(s.listing.image_id))
                for s in suggestions
            ]

        return ResultSupport(crisis=cards(self.crisis), others=cards(self.others), notice=self.notice)


def support_for(self_check, outcome: Outcome, context) -> ResultSupport:
    """Suggestions for ``outcome``: none unless its band suggests support or it is a crisis result.

    A crisis result without a support band shows crisis services only.
    """
    band = outcome.band
    topic_ids = [topic.pk for topic in band.concerns]
    sensitive = outcome.crisis or any(getattr(t, "is_sensitive", False) for t in band.concerns)
    if not (outcome.crisis or (band.suggests_support and topic_ids)):
        return ResultSupport()
    from recommendations.interface import find_support_for_topics

    try:
        result = find_support_for_topics(
            topic_ids,
            title=self_check.title,
            is_sensitive=sensitive,
            context=context,
            count=SUGGESTION_COUNT,
            seed=self_check.pk or 0,
        )
    except Exception:  # a failing engine must not take the result down; the answers are not logged
        logger.exception("find_support_for_topics failed for self-check %s", self_check.pk)
        return ResultSupport()
    crisis = [s for s in result.suggestions if s.listing.listing_type.is_crisis_resource]
    others = [s for s in result.suggestions if not s.listing.listing_type.is_crisis_resource]
    if not (band.suggests_support and topic_ids):
        others = []  # without topics the engine has nothing to match: crisis services only
    return ResultSupport(crisis=crisis, others=others, notice=result.notice if others else "")
