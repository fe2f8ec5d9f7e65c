"""Checks that a response carries no executable markup an editor could have typed.

``html_problems(text)`` parses a whole HTML page with ``html.parser`` (which decodes entities in
attribute values, as a browser does) and lists every element or attribute that could run script or
load active content: a ``<script>`` other than a JSON-LD block whose content parses as JSON; an
element outside the vocabulary of our templates and the rich-text allowlist; any ``on*=`` handler;
a ``style`` or ``srcdoc`` attribute; a URL attribute with a ``javascript:``, ``vbscript:`` or
``data:`` scheme (after the control characters and whitespace a browser ignores are removed); a
``<meta http-equiv>``, ``<base>`` or ``<link>`` in the body.

``json_problems(data)`` walks an API response: every ``html`` value is checked as an HTML fragment
against the API's allowlist, every other string must not open a tag at all, and URL-valued keys
must not carry a script scheme.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# Elements our templates and the rich-text allowlist produce. Anything else in a response came
# from content and is a finding.
PAGE_TAGS = set(
    "html head meta title link script body header nav main footer a p div span h1 h2 h3 h4 ul ol li article"
    " section aside figure figcaption blockquote cite img time strong b em i sup sub br details summary dl dt"
    " dd small abbr form label input button picture source hr address".split()
)
FRAGMENT_TAGS = set("p br strong b em i ul ol li a sup sub h2 h3 h4 blockquote".split())
NEVER = set(
    "svg math iframe object embed applet frame frameset portal style template xmp plaintext noscript noembed"
    " base video audio marquee".split()
)
URL_ATTRIBUTES = set(
    "href src action formaction data xlink:href background poster cite srcset codebase dynsrc lowsrc ping"
    " content".split()
)
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
_IGNORED_IN_SCHEMES = re.compile(r"[\x00-\x20\x7f]+")
# Our own forms: the admin has none on public pages; this is the site's search, if it ever gains one.
OWN_FORM_ACTIONS = {"/search/"}


def has_script_scheme(value: str) -> bool:
    squeezed = _IGNORED_IN_SCHEMES.sub("", value or "").lower()
    return squeezed.startswith(SCRIPT_SCHEMES)


class _Checker(HTMLParser):
    def __init__(self, allowed_tags: set[str], *, page: bool):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.page = page
        self.problems: list[str] = []
        self.in_body = False
        self._script: list[str] | None = None
        self._script_is_jsonld = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "body":
            self.in_body = True
        if tag == "script":
            self._script = []
            self._script_is_jsonld = dict(attrs).get("type") == "application/ld+json"

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            content = "".join(self._script)
            if not self._script_is_jsonld:
                self.problems.append(f"<script> element: {content[:80]!r}")
            else:
                try:
                    json.loads(content)
                except ValueError:
                    self.problems.append(f"JSON-LD block does not parse as JSON: {content[:120]!r}")
                if "<!--" in content or "</script" in content.lower():
                    self.problems.append("JSON-LD block holds markup that can change the script's end")
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def _check(self, tag, attrs):
        if tag in NEVER or tag not in self.allowed_tags:
            self.problems.append(f"<{tag}> element {dict(attrs)!r}"[:200])
        if tag == "script" and not self.page:
            self.problems.append("<script> in a fragment")
        if self.in_body and tag in {"link", "base", "meta"}:
            self.problems.append(f"<{tag}> in the body")
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.problems.append("<meta http-equiv>")
        if tag == "form" and dict(attrs).get("action") not in OWN_FORM_ACTIONS:
            self.problems.append(f"<form> {dict(attrs)!r}")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            elif name in {"style", "srcdoc"}:
                self.problems.append(f"<{tag} {name}=…>")
            elif name in URL_ATTRIBUTES and has_script_scheme(value or ""):
                if not (tag == "meta" and name == "content" and not self.in_body and "url=" not in value):
                    self.problems.append(f"<{tag} {name}={value!r}> script URL")


def html_problems(text: str, *, page: bool = True) -> list[str]:
    checker = _Checker(PAGE_TAGS if page else FRAGMENT_TAGS, page=page)
    checker.feed(text)
    checker.close()
    if checker._script is not None:
        checker.problems.append("unterminated <script> element")
    return checker.problems


def jsonld_blocks(text: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S | re.I)


def _walk(value, path: str, problems: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", problems)
    elif isinstance(value, str):
        key = path.rsplit(".", 1)[-1]
        if key == "html":
            problems.extend(f"{path}: {p}" for p in html_problems(value, page=False))
        else:
            found = html_problems(value, page=False)
            opened = re.search(r"<[A-Za-z/!?]", value)
            if found or opened:
                problems.append(f"{path}: plain text opens markup: {value[:100]!r}")
        if (
            key in {"url", "href", "src", "canonical", "sameAs"} or key.endswith("_url")
        ) and has_script_scheme(value):
            problems.append(f"{path}: script URL {value[:100]!r}")


def json_problems(data) -> list[str]:
    problems: list[str] = []
    _walk(data, "$", problems)
    return problems
