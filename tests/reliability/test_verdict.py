"""The soak's wrong-answer detector (reliability.verdict) on hand-made event and request logs."""

from reliability.verdict import build_timelines, judge


def event(entity, t_start, t_commit, **state):
    return {
        "entity": entity,
        "t_start": t_start,
        "t_commit": t_commit,
        "t_done": t_commit + 0.5,
        "state": state,
    }


def obs(t0, t1, *claims, status=200):
    return {"t0": t0, "t1": t1, "probe": "/x/", "status": status, "claims": list(claims)}


def seen(entity, visible=True, rev=None):
    claim = {"entity": entity, "visible": visible}
    if rev is not None:
        claim["rev"] = rev
    return claim


UNPUBLISH = [event("article:a", 10.0, 11.0, live=False), event("article:a", 20.0, 21.0, live=True, rev=0)]


def test_article_seen_after_its_unpublish_committed_is_wrong():
    result = judge(UNPUBLISH, [obs(11.5, 12.0, seen("article:a"))])
    assert result["wrong_answers"] == 1
    assert result["wrong_by_kind"] == {"shown_after_unpublish": 1}


def test_article_seen_before_the_unpublish_or_after_the_republish_is_right():
    result = judge(UNPUBLISH, [obs(1.0, 2.0, seen("article:a")), obs(22.0, 23.0, seen("article:a", rev=0))])
    assert result["wrong_answers"] == 0
    assert result["claims_checked"] == 2


def test_request_overlapping_a_change_is_ambiguous_not_wrong():
    # sent before the commit, answered after the change began: either answer is right
    result = judge(UNPUBLISH, [obs(10.5, 11.5, seen("article:a")), obs(19.0, 20.5, seen("article:a", False))])
    assert result["wrong_answers"] == 0
    assert result["claims_ambiguous"] == 2
    assert result["claims_checked"] == 0


def test_404_for_a_live_article_is_wrong():
    result = judge(UNPUBLISH, [obs(2.0, 3.0, seen("article:a", visible=False))])
    assert result["wrong_by_kind"] == {"missing_while_live": 1}


def test_old_title_after_an_edit_is_a_stale_revision():
    events = [event("article:a", 10.0, 10.2, live=True, rev=1)]
    result = judge(
        events, [obs(10.3, 10.4, seen("article:a", rev=0)), obs(10.5, 10.6, seen("article:a", rev=1))]
    )
    assert result["wrong_by_kind"] == {"stale_revision": 1}


def test_deactivated_listing_in_support_results_is_wrong_and_grace_is_respected():
    events = [event("listing:l", 5.0, 5.1, active=False)]
    observations = [obs(6.0, 6.5, seen("listing:l"))]
    assert judge(events, observations)["wrong_by_kind"] == {"shown_after_deactivate": 1}
    assert judge(events, observations, grace=2.0)["wrong_answers"] == 0


def test_unknown_entities_are_judged_against_the_initial_state():
    result = judge([], [obs(1.0, 2.0, seen("article:z")), obs(1.0, 2.0, seen("listing:q", visible=False))])
    assert result["wrong_by_kind"] == {"missing_while_live": 1}


def test_server_errors_are_counted_from_statuses():
    result = judge(
        [], [obs(1.0, 2.0, status=503), obs(1.0, 2.0, status=200), obs(1.0, 2.0, status="error:X")]
    )
    assert result["server_errors"] == 1
    assert result["requests"] == 3


def test_timeline_orders_events_by_start():
    line = build_timelines(reversed(UNPUBLISH))["article:a"]
    assert line.state_for(12.0, 13.0) == {"live": False}
    assert line.state_for(25.0, 26.0) == {"live": True, "rev": 0}
