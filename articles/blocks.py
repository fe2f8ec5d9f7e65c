"""The blocks an article body is written in.

Each block knows its admin form (fields, icon, help), its HTML template under
``templates/blocks/`` and, where the stored value is not what a front end wants, its API shape.
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from common.links import http_url_validator

RICH_FEATURES = ["bold", "italic", "link", "ul", "ol", "superscript"]
HEADING_LEVELS = [("h2", "Heading 2"), ("h3", "Heading 3")]


def heading_tag(level) -> str:
    """The element a heading renders as: its level when it is one of HEADING_LEVELS, else h2. A
    stored value that never went through the form (shell, data migration) cannot become markup."""
    return level if level in dict(HEADING_LEVELS) else "h2"


def http_url_block(**kwargs) -> blocks.URLBlock:
    """A URL field that takes http(s) addresses only (Django's default also allows ftp)."""
    return blocks.URLBlock(validators=[http_url_validator], **kwargs)


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=HEADING_LEVELS, default="h2")
    anchor = blocks.CharBlock(
        required=False, max_length=80, help_text="Link target (#anchor). Left empty, made from the text."
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = "Heading"

    def clean(self, value):
        value = super().clean(value)
        if value.get("anchor"):
            value["anchor"] = slugify(value["anchor"])
        return value

    def anchor_for(self, value) -> str:
        return value.get("anchor") or slugify(value.get("text", ""))[:80]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["anchor"] = self.anchor_for(value)
        context["tag"] = heading_tag(value.get("level"))
        return context


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    speaker = blocks.CharBlock(required=False, max_length=120)
    credential = blocks.CharBlock(
        required=False, max_length=160, help_text='e.g. "Licensed Marriage and Family Therapist (LMFT)"'
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = "Pull quote"


class CitationBlock(blocks.StructBlock):
    """A research citation. In the body it shows as a numbered marker; all of them are listed,
    in order, in the article's reference list."""

    title = blocks.CharBlock(max_length=300)
    authors = blocks.CharBlock(required=False, max_length=300)
    journal = blocks.CharBlock(required=False, max_length=200)
    year = blocks.IntegerBlock(required=False, min_value=1800, max_value=2100)
    doi = blocks.CharBlock(required=False, max_length=200, label="DOI")
    pmid = blocks.CharBlock(required=False, max_length=20, label="PMID")
    url = http_url_block(required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/citation_block.html"
        label = "Research citation"

    def clean(self, value):
        value = super().clean(value)
        pmid = value.get("pmid")
        if pmid and not str(pmid).isdigit():
            raise StructBlockValidationError({"pmid": ValidationError("A PMID is a number.")})
        doi = value.get("doi")
        if doi and not str(doi).startswith("10."):
            raise StructBlockValidationError({"doi": ValidationError('A DOI starts with "10."')})
        return value


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=300)
    answer = blocks.RichTextBlock(features=RICH_FEATURES)


class FAQBlock(blocks.StructBlock):
    title = blocks.CharBlock(default="FAQ", max_length=120)
    items = blocks.ListBlock(FAQItemBlock(), min_num=1)

    class Meta:
        icon = "help"
        template = "blocks/faq_block.html"
        label = "FAQ"


class FindSupportBlock(blocks.StructBlock):
    """A group of practitioner cards. Manual: the listings chosen here. Automatic: the
    recommendation engine fills it for the reader's context, optionally of one listing type."""

    title = blocks.CharBlock(default="Find Support For Your Needs", max_length=120)
    mode = blocks.ChoiceBlock(
        choices=[
            ("manual", "Manual: the listings below"),
            ("automatic", "Automatic: recommended for the reader"),
        ],
        default="manual",
    )
    listings = blocks.ListBlock(SnippetChooserBlock("experts.Listing"), required=False, default=[])
    listing_type = SnippetChooserBlock(
        "experts.ListingType", required=False, help_text="Automatic mode: only this type of listing."
    )
    count = blocks.IntegerBlock(
        default=2, min_value=1, max_value=12, help_text="Automatic mode: how many cards."
    )
    include_products = blocks.BooleanBlock(
        required=False, default=False, help_text="Allow product brands in this group (never by default)."
    )

    class Meta:
        icon = "group"
        template = "blocks/find_support_block.html"
        label = "Find support"

    def clean(self, value):
        value = super().clean(value)
        listings = [item for item in value.get("listings") or [] if item is not None]
        if value.get("mode") == "manual":
            if not listings:
                raise StructBlockValidationError(
                    {"listings": ValidationError("Choose at least one listing.")}
                )
            inactive = [listing.name for listing in listings if not listing.is_active]
            if inactive:
                raise StructBlockValidationError(
                    {"listings": ValidationError(f"Not active, cannot be shown: {', '.join(inactive)}.")}
                )
        return value


class SafetyNoteBlock(blocks.StructBlock):
    title = blocks.CharBlock(default="When to seek other help first", max_length=160)
    text = blocks.RichTextBlock(features=RICH_FEATURES)
    advises_against_joint_sessions = blocks.BooleanBlock(
        required=False,
        default=False,
        help_text=(
            "The article says couples or joint formats can be inappropriate (abuse, violence, control)."
        ),
    )
    resource_label = blocks.CharBlock(required=False, max_length=120, default="Find crisis support")
    resource_url = http_url_block(required=False)

    class Meta:
        icon = "warning"
        template = "blocks/safety_note_block.html"
        label = "Safety note"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt = blocks.CharBlock(max_length=250, help_text="Describe the image for people who cannot see it.")
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = "Image"


def stored_value_errors(stream) -> list[str]:
    """What in a body's stored data could reach markup unchecked: a heading level outside
    HEADING_LEVELS, a citation or safety-note URL that is not http(s). The admin's form and the
    importer refuse these already; the page's ``clean()`` calls this so that a body written from a
    shell or a data migration is refused on save too."""
    errors = []
    for index, block in enumerate(stream.raw_data):
        kind, value = block.get("type"), block.get("value") or {}
        # A missing level is the block's default (h2); a present one must be a choice.
        if kind == "heading" and value.get("level", "h2") not in dict(HEADING_LEVELS):
            errors.append(f"body block {index + 1} (heading): level must be h2 or h3.")
        for field in {"citation": ("url",), "safety_note": ("resource_url",)}.get(kind, ()):
            try:
                if value.get(field):
                    http_url_validator(value[field])
            except ValidationError:
                errors.append(
                    f"body block {index + 1} ({kind}): {field} must start with http:// or https://."
                )
    return errors


class SelfCheckBlock(blocks.StructBlock):
    """A self-check (``selfchecks.SelfCheck``) readers can take inside the article."""

    self_check = SnippetChooserBlock("selfchecks.SelfCheck")
    heading = blocks.CharBlock(
        required=False, max_length=120, help_text="Left empty, the self-check's own title."
    )

    class Meta:
        icon = "form"
        template = "blocks/self_check_block.html"
        label = "Self-check"

    def clean(self, value):
        value = super().clean(value)
        self_check = value.get("self_check")
        if self_check is not None and not self_check.live:
            raise StructBlockValidationError(
                {"self_check": ValidationError("This self-check is not published; readers cannot take it.")}
            )
        return value


class ArticleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_FEATURES, icon="pilcrow", template="blocks/paragraph_block.html"
    )
    quote = QuoteBlock()
    citation = CitationBlock()
    faq = FAQBlock()
    find_support = FindSupportBlock()
    safety_note = SafetyNoteBlock()
    image = CaptionedImageBlock()
    self_check = SelfCheckBlock()
