"""The wrong-answer detector: compares what readers were shown with what the editor had committed.

Pure functions over two logs, so they can be tested without a server:

- **events** (from ``reliability.churn``): per entity (``article:<slug>``, ``listing:<slug>``), changes
  made one at a time, each with ``t_start`` (before it began), ``t_commit`` (just after its commit)
  and the ``state`` readers must see from then on (``{"live": bool, "rev": n}`` for articles,
  ``{"active": bool}`` for listings);
- **observations** (from ``reliability.checker``): one per request, with ``t0`` (sent) and ``t1``
  (answer read), the ``status`` and ``claims`` about entities: ``{"entity", "visible", "rev"}``.
  ``visible=False`` is only claimed by detail requests (a 404 for that one article or listing).

The state an observation must match is known when the latest change of that entity that started
before the answer arrived (``t_start <= t1``) had committed before the request was sent
(``t_commit <= t0``); with no such change, the initial state (published at revision 0, active).
Otherwise the request overlapped a change and either answer is right: it is counted as ambiguous,
never as correct or wrong. There is no grace period: the API keeps no server-side response cache
(``Cache-Control: max-age`` in docs/api.md is for clients and CDNs, which revalidate with the ETag),
so the origin must answer with the committed state at once. ``grace`` exists for documented bounds.

Wrong answers:

- ``shown_after_unpublish``: an article visible (200, a card, a link) after its unpublish committed;
- ``shown_after_deactivate``: a listing visible (detail 200, a support result) after it was deactivated;
- ``missing_while_live``: a detail request answered 404 for an article or listing that was live/active;
- ``stale_revision``: an article shown with an older revision's title after an edit was published.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

INITIAL = {"article": {"live": True, "rev": 0}, "listing": {"active": True}}


@dataclass
class Timeline:
    """The changes of one entity, in order."""

    kind: str
    starts: list[float] = field(default_factory=list)
    commits: list[float] = field(default_factory=list)
    states: list[dict] = field(default_factory=list)

    def state_for(self, t0: float, t1: float, grace: float = 0.0) -> dict | None:
        """The state a request sent at ``t0`` and answered at ``t1`` must show; ``None`` if ambiguous."""
        i = bisect.bisect_right(self.starts, t1) - 1
        if i < 0:
            return INITIAL[self.kind]
        if self.commits[i] + grace <= t0:
            return self.states[i]
        return None


def build_timelines(events: Iterable[dict]) -> dict[str, Timeline]:
    timelines: dict[str, Timeline] = {}
    for event in sorted(events, key=lambda e: e["t_start"]):
        entity = event["entity"]
        line = timelines.setdefault(entity, Timeline(kind=entity.split(":", 1)[0]))
        line.starts.append(event["t_start"])
        line.commits.append(event["t_commit"])
        line.states.append(event["state"])
    return timelines


def judge_claim(claim: dict, expected: dict) -> str | None:
    """The kind of wrong answer ``claim`` is, given the ``expected`` state; ``None`` when right."""
    kind = claim["entity"].split(":", 1)[0]
    shown = expected["live"] if kind == "article" else expected["active"]
    if claim["visible"] and not shown:
        return "shown_after_unpublish" if kind == "article" else "shown_after_deactivate"
    if not claim["visible"] and shown:
        return "missing_while_live"
    if (
        claim["visible"]
        and claim.get("rev") is not None
        and "rev" in expected
        and claim["rev"] != expected["rev"]
    ):
        return "stale_revision"
    return None


def judge(events: Iterable[dict], observations: Iterable[dict], grace: float = 0.0, keep: int = 20) -> dict:
    """Counts of requests, checked claims, ambiguous claims and wrong answers, with examples."""
    timelines = build_timelines(events)
    wrong: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    examples: list[dict] = []
    requests = checked = ambiguous = 0
    for obs in observations:
        requests += 1
        statuses[str(obs["status"])] += 1
        for claim in obs.get("claims", ()):
            line = timelines.get(claim["entity"])
            expected = (
                line.state_for(obs["t0"], obs["t1"], grace)
                if line
                else INITIAL[claim["entity"].split(":")[0]]
            )
            if expected is None:
                ambiguous += 1
                continue
            checked += 1
            verdict = judge_claim(claim, expected)
            if verdict:
                wrong[verdict] += 1
                if len(examples) < keep:
                    examples.append(
                        {
                            "kind": verdict,
                            "probe": obs.get("probe"),
                            "claim": claim,
                            "expected": expected,
                            "t0": obs["t0"],
                            "t1": obs["t1"],
                        }
                    )
    return {
        "requests": requests,
        "statuses": dict(statuses),
        "server_errors": sum(n for code, n in statuses.items() if code.startswith("5")),
        "claims_checked": checked,
        "claims_ambiguous": ambiguous,
        "wrong_answers": sum(wrong.values()),
        "wrong_by_kind": dict(wrong),
        "examples": examples,
    }
