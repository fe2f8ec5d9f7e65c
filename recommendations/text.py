"""Words of an article as the engine sees them: field-weighted terms, and the vocabulary it mentions.

Where a word occurs says how much it is the article's subject: title, standfirst, topic names,
headings and FAQ weigh more than the running text; pull quotes and image captions less. What an
article warns against is not its subject: safety notes and the sentences that warn or negate count
for neither task (``subject_blocks``, one rule for the related model and find support's need).
Terms are lower-cased, stop words dropped and lightly stemmed so that "therapist", "therapists"
and "therapy" meet. The salient fields also give phrases: pairs of neighbouring terms ("rebuild
trust"), which match only articles that use the same pair. ``bm25_vector`` turns the stored
weighted frequencies into a BM25-weighted, normalised vector (saturating frequency, document
length, rarity).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from django.utils.html import strip_tags

from articles.text import stream_child_words

WORD_RE = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

STOP_WORDS = frozenset(
    """about above after again against all also and any are aren't because been before being below
    between both but can cannot could did does doing down during each few for from further had has
    have having her here hers herself him himself his how into its itself just let more most much must
    myself nor not now off once only other our ours ourselves out over own same she should some such
    than that the their theirs them themselves then there these they this those through too under until
    very was were what when where which while who whom why will with would you your yours yourself
    yourselves one two many may might often still even every like make makes made get gets way ways
    well new see say says said use used using things thing something someone people person time times
    year years day days first last need needs help helps what's it's don't""".split()
)

# Body block types and the weight of their words (blocks not listed weigh 1.0).
BLOCK_WEIGHTS = {
    "heading": 2.0,
    "paragraph": 1.0,
    "faq": 1.5,
    "quote": 0.6,
    "safety_note": 0.2,
    "image": 0.3,
    "citation": 0.0,
    "find_support": 0.0,
}
TITLE_WEIGHT = 3.0
STANDFIRST_WEIGHT = 2.0
TOPIC_WEIGHT = 2.0
# Fields whose neighbouring terms also count as phrases, and a phrase's share of its field's weight.
# Phrases only from these short, salient fields: cheap, and running text adds mostly chance pairs.
PHRASE_BLOCKS = frozenset({"heading"})
PHRASE_WEIGHT = 0.5
# BM25's frequency saturation and length normalisation (the usual values).
BM25_K1, BM25_B = 1.2, 0.75

_SUFFIXES = (
    "ational",
    "ization",
    "fulness",
    "ousness",
    "iveness",
    "ations",
    "ation",
    "ments",
    "ment",
    "ists",
    "ist",
    "ies",
    "ing",
    "ers",
    "er",
    "ed",
    "es",
    "s",
    "y",
)


def stem(word: str) -> str:
    """A deliberately small suffix stripper: enough to join plurals and -ist/-y/-ing forms."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if suffix == "ies":
                word += "i"
            break
    return word


def tokens(text: str) -> list[str]:
    """Stemmed content words of ``text`` (HTML tags removed)."""
    words = WORD_RE.findall(strip_tags(text or "").lower())
    return [stem(w) for w in words if w not in STOP_WORDS]


def _block_text(child) -> str:
    return " ".join(stream_child_words(child))


def _count(counts: Counter[str], text: str, weight: float, phrases: bool = False) -> None:
    words = tokens(text)
    for term in words:
        counts[term] += weight
    if phrases:
        for first, second in zip(words, words[1:], strict=False):
            if first != second:
                counts[f"{first} {second}"] += weight * PHRASE_WEIGHT


def weighted_terms(title: str, standfirst: str, body, topic_names: Iterable[str] = ()) -> dict[str, float]:
    """Field-weighted frequencies of an article's stemmed terms and phrases ("rebuild trust"): each
    occurrence adds its field's weight. ``bm25_vector`` saturates them; stored as they are.

    Only what the article says about its subject counts, as for find support's need
    (``subject_blocks``): safety notes and sentences that warn or negate are left out, so an abuse
    article's "joint sessions such as couples therapy are not safe here" does not make it like the
    couples-therapy articles. The title and the topic names always count: editors choose them to
    name the subject ("When a Relationship Is Not Safe" is still about relationships)."""
    counts: Counter[str] = Counter()
    _count(counts, title, TITLE_WEIGHT, phrases=True)
    _count(counts, affirmative(standfirst), STANDFIRST_WEIGHT, phrases=True)
    for name in topic_names:
        _count(counts, name, TOPIC_WEIGHT, phrases=True)
    for block_type, text in subject_blocks(body):
        _count(counts, text, BLOCK_WEIGHTS.get(block_type, 1.0), phrases=block_type in PHRASE_BLOCKS)
    return {term: round(count, 3) for term, count in counts.items() if count >= 0.2}


def document_length(terms: Mapping[str, float]) -> float:
    """An article's weighted length for BM25: its single terms' weighted frequencies (not phrases)."""
    return sum(weight for term, weight in terms.items() if " " not in term)


def bm25_idf(df: int, n_docs: int) -> float:
    """BM25's rarity weight (always positive): near 0 for a term in every article."""
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_vector(
    terms: Mapping[str, float], df: Mapping[str, int], n_docs: int, average_length: float
) -> dict[str, float]:
    """BM25 weights of an article's terms, L2-normalised, so that the dot product of two vectors
    is their cosine: ``idf · tf·(k1 + 1) / (tf + k1·(1 − b + b·length/average))``."""
    norm_length = document_length(terms) / average_length if average_length else 1.0
    denominator = BM25_K1 * (1.0 - BM25_B + BM25_B * norm_length)
    out = {
        term: bm25_idf(df.get(term, 0), n_docs) * tf * (BM25_K1 + 1.0) / (tf + denominator)
        for term, tf in terms.items()
    }
    norm = math.sqrt(sum(v * v for v in out.values())) or 1.0
    return {t: v / norm for t, v in out.items()}


def plain_text(title: str, standfirst: str, body) -> str:
    """Readable text for vocabulary matching (approach names, topic synonyms)."""
    parts = [title or "", standfirst or ""]
    for block in body or []:
        if BLOCK_WEIGHTS.get(block.block_type, 1.0) > 0:
            parts.append(_block_text(block))
    return " ".join(parts)


# Blocks whose words warn rather than describe the article's subject.
WARNING_BLOCKS = frozenset({"safety_note"})
# A sentence with one of these words warns or negates ("couples counselling is not safe here"):
# what it names is not what the article is about.
NEGATION_WORDS = frozenset({"not", "never", "avoid", "unsafe", "inappropriate", "instead", "no"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def warning_split(text: str) -> tuple[str, str]:
    """``text`` (HTML tags removed) as (the sentences that state, the sentences that warn or negate)."""
    stated, warned = [], []
    for sentence in _SENTENCE_END.split(strip_tags(text or "")):
        negates = NEGATION_WORDS & set(re.findall(r"[a-z']+", sentence.lower()))
        (warned if negates else stated).append(sentence)
    return " ".join(stated), " ".join(warned)


def affirmative(text: str) -> str:
    """``text`` (HTML tags removed) without the sentences that warn or negate."""
    return warning_split(text)[0]


def subject_blocks(body) -> Iterator[tuple[str, str]]:
    """``(block type, text)`` of the body blocks that describe the article's subject, the one rule
    both the related model (``weighted_terms``) and find support's need terms (``need_terms``)
    read: safety notes and blocks that weigh nothing are left out, and so are the
    sentences that warn or negate (``affirmative``)."""
    for block in body or []:
        if block.block_type in WARNING_BLOCKS or BLOCK_WEIGHTS.get(block.block_type, 1.0) <= 0:
            continue
        text = affirmative(_block_text(block))
        if text:
            yield block.block_type, text


def need_text(title: str, standfirst: str, body) -> str:
    """The text that says what an article is about, for matching the vocabulary to its need: as
    ``plain_text`` without safety notes and without sentences that warn or negate (the rule of
    ``subject_blocks``, applied here to the text as a whole, as find support has measured it)."""
    parts = [title or "", standfirst or ""]
    for block in body or []:
        if block.block_type in WARNING_BLOCKS or BLOCK_WEIGHTS.get(block.block_type, 1.0) <= 0:
            continue
        parts.append(_block_text(block))
    return affirmative(" ".join(parts))


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _contains_word(haystack: str, needle: str) -> bool:
    start = 0
    while (i := haystack.find(needle, start)) != -1:
        end = i + len(needle)
        if (i == 0 or not _is_word_char(haystack[i - 1])) and (
            end == len(haystack) or not _is_word_char(haystack[end])
        ):
            return True
        start = i + 1
    return False


def mentions(text: str, names: Iterable[str], lowered: str | None = None) -> bool:
    """Whether ``text`` names any of ``names`` as whole words. All-capital names (EFT, IBCT) must
    match in capitals so that an abbreviation does not match an ordinary word. Pass ``lowered``
    (``text.lower()``) when checking many names against one text.

    Plain substring search with boundary checks: a regular expression with look-arounds and
    IGNORECASE cost about 30 ms per article on a 10-block body.
    """
    if lowered is None:
        lowered = text.lower()
    for name in names:
        name = name.strip()
        if len(name) < 2:
            continue
        if _contains_word(text, name) if name.isupper() else _contains_word(lowered, name.lower()):
            return True
    return False


def tfidf(terms: Mapping[str, float], df: Mapping[str, int], n_docs: int) -> dict[str, float]:
    """Term weights times a smoothed inverse document frequency, L2-normalised."""
    out = {}
    for term, weight in terms.items():
        idf = math.log((1 + n_docs) / (1 + df.get(term, 0))) + 1.0
        out[term] = weight * idf
    norm = math.sqrt(sum(v * v for v in out.values())) or 1.0
    return {t: v / norm for t, v in out.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two already normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


# --- find support: the article's need as salient terms, the listing's profile as fielded terms ----

# Where a word of the article stands: title, standfirst, headings and FAQ say what it is about more
# than a passing mention in the body does.
NEED_FIELD_WEIGHTS = {"title": 3.0, "standfirst": 2.0, "heading": 2.0, "faq": 1.5}
NEED_BODY_WEIGHT = 1.0
MAX_NEED_TERMS = 25
# A listing's profile: what it specialises in and how it works weigh more than its one-line summary.
PROFILE_FIELD_WEIGHTS = {"specialties": 2.0, "approaches": 1.5, "type": 1.5, "summary": 1.0}


def need_terms(title: str, standfirst: str, body) -> dict[str, float]:
    """The article's salient need terms, stemmed: ``1 + log(field-weighted count)``, the
    ``MAX_NEED_TERMS`` strongest. Safety notes and sentences that warn or negate are left out, as
    in ``need_text``; a word in the title or a heading outweighs one passing mention in the body."""
    counts: Counter[str] = Counter()
    for term in tokens(affirmative(title)):
        counts[term] += NEED_FIELD_WEIGHTS["title"]
    for term in tokens(affirmative(standfirst)):
        counts[term] += NEED_FIELD_WEIGHTS["standfirst"]
    for block_type, text in subject_blocks(body):
        weight = NEED_FIELD_WEIGHTS.get(block_type, NEED_BODY_WEIGHT)
        for term in tokens(text):
            counts[term] += weight
    weighted = {term: 1.0 + math.log(count) for term, count in counts.items()}
    strongest = sorted(weighted.items(), key=lambda item: (-item[1], item[0]))[:MAX_NEED_TERMS]
    return {term: round(weight, 4) for term, weight in strongest}


def profile_terms(
    summary: str, type_name: str, specialties: Iterable[str], approaches: Iterable[str]
) -> tuple[tuple[str, float], ...]:
    """A listing's fielded term frequencies (``PROFILE_FIELD_WEIGHTS``), sorted by term."""
    counts: Counter[str] = Counter()
    for field_name, texts in (
        ("specialties", specialties),
        ("approaches", approaches),
        ("type", [type_name]),
        ("summary", [summary]),
    ):
        for text in texts:
            for term in tokens(text):
                counts[term] += PROFILE_FIELD_WEIGHTS[field_name]
    return tuple(sorted(counts.items()))
