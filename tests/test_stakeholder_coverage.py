"""Coverage status 0–3 and every relationship-risk alert, on hand-built stakeholder maps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planning import stakeholders
from tests.test_stakeholders import Book

TODAY = date(2026, 6, 30)
IN_DEPTH = {"coverage": "In Depth"}

CASES = {
    "nothing mapped": ([], 0, ["no_contacts", "no_economic_buyer", "single_threaded"]),
    "no key player": (
        [("dir", dict(buying_role="Evaluator", influence=3, support="Supporter", **IN_DEPTH))],
        1, ["no_key_player", "no_economic_buyer", "single_threaded", "three_handshakes"],
    ),
    "key player, not supportive": (
        [("ceo", dict(buying_role="Economic Buyer", influence=5, support="Neutral", **IN_DEPTH)),
         ("cfo", dict(buying_role="Influencer", influence=2, support="Supporter", coverage="Brief Contact"))],
        2, ["no_supportive_key_player"],
    ),
    "supportive Decision Maker": (
        [("ceo", dict(buying_role="Economic Buyer", influence=5, support="Neutral", **IN_DEPTH)),
         ("cfo", dict(buying_role="Decision Maker", influence=2, support="Mentor", **IN_DEPTH))],
        3, [],
    ),
    "influence 4 makes a key player": (
        [("ceo", dict(buying_role="Economic Buyer", influence=5, support="Enemy", covered_by="rita", **IN_DEPTH)),
         ("cio", dict(buying_role="Influencer", influence=4, support="Supporter", coverage="Multiple Contacts"))],
        3, [],
    ),
    "influence 3 Supporter is no key player": (
        [("ceo", dict(buying_role="Economic Buyer", influence=5, support="Neutral", **IN_DEPTH)),
         ("cio", dict(buying_role="Influencer", influence=3, support="Supporter", coverage="Multiple Contacts"))],
        2, ["no_supportive_key_player"],
    ),
    "one covered contact is single-threaded": (
        [("ceo", dict(buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)),
         ("cfo", dict(buying_role="User", influence=1, coverage="No Contact")),
         ("cio", dict(buying_role="User", influence=1, coverage="Unknown"))],
        3, ["single_threaded"],
    ),
    "champion contacted 91 days ago": (
        [("vp", dict(buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)),
         ("dir", dict(buying_role="Champion", influence=3, support="Mentor", last_contact_date=TODAY - timedelta(days=91), **IN_DEPTH)),
         ("arch", dict(buying_role="User", influence=1, coverage="Brief Contact"))],
        3, ["stale_champion"],
    ),
    "champion contacted 90 days ago": (
        [("vp", dict(buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)),
         ("dir", dict(buying_role="Champion", influence=3, support="Mentor", last_contact_date=TODAY - timedelta(days=90), **IN_DEPTH)),
         ("arch", dict(buying_role="User", influence=1, coverage="Brief Contact"))],
        3, [],
    ),
    "champion never contacted": (
        [("vp", dict(buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)),
         ("dir", dict(buying_role="Champion", influence=3, support="Mentor", **IN_DEPTH)),
         ("arch", dict(buying_role="User", influence=1, coverage="Brief Contact"))],
        3, ["stale_champion"],
    ),
    "hostile high influence, uncovered": (
        [("ceo", dict(buying_role="Economic Buyer", influence=5, support="Supporter", covered_by="rita", **IN_DEPTH)),
         ("cfo", dict(buying_role="Blocker", influence=4, support="Enemy", coverage="Brief Contact")),
         ("cio", dict(buying_role="Blocker", influence=5, support="Non-Supporter", covered_by="sam", **IN_DEPTH)),
         ("vp", dict(buying_role="Blocker", influence=3, support="Enemy"))],
        3, ["hostile_uncovered"],
    ),
    "main contact with nobody above or beside": (
        [("ceo", dict(buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)),
         ("dir", dict(buying_role="Coach", influence=2, support="Mentor", last_contact_date=TODAY, **IN_DEPTH))],
        3, ["three_handshakes"],
    ),
    "main contact with a manager and a peer mapped": (
        [("vp", dict(buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)),
         ("dir", dict(buying_role="Coach", influence=2, support="Mentor", **IN_DEPTH)),
         ("arch", dict(buying_role="Evaluator", influence=2))],
        3, [],
    ),
}


@pytest.mark.parametrize("mapped, status, rules", list(CASES.values()), ids=list(CASES))
def test_coverage_status_and_alert_rules(fresh_db, mapped, status, rules):
    book = Book(fresh_db)
    for contact, attrs in mapped:
        book.map(contact, **attrs)
    coverage = stakeholders.plan_coverage(book.db, book.plan, today=TODAY)
    assert coverage["coverage_status"] == status
    assert coverage["coverage_colour"] == {0: "#c62828", 1: "#c62828", 2: "#f9a825", 3: "#2e7d32"}[status]
    assert coverage["alert_rules"] == rules
    assert coverage["alert_count"] == len(rules)


@pytest.mark.parametrize("case, expected", [
    ("nothing mapped", [
        "No contacts mapped: add the buying group's people to the stakeholder map.",
        "No Economic Buyer mapped: find out who signs off the budget.",
        "Single-threaded: no contact is covered; build relationships with more people.",
    ]),
    ("no key player", [
        "No key player mapped: nobody is an Economic Buyer, a Decision Maker or has influence 4 or more.",
        "No Economic Buyer mapped: find out who signs off the budget.",
        "Single-threaded: only 1 contact is covered; build relationships with more people.",
        "Three handshakes: nobody is mapped above or beside Dora Director, the main contact.",
    ]),
    ("key player, not supportive", ["No supportive key player: none of the 1 key players is a Mentor or Supporter."]),
    ("champion contacted 91 days ago", ["Champion Dora Director not contacted in 90 days (last contact 2026-03-31)."]),
    ("champion never contacted", ["Champion Dora Director not contacted in 90 days (no contact recorded)."]),
    ("hostile high influence, uncovered", ["Enemy Felix Finance (influence 4) has no covering team member."]),
    ("main contact with nobody above or beside", ["Three handshakes: nobody is mapped above or beside Dora Director, the main contact."]),
])
def test_alert_sentences(fresh_db, case, expected):
    book = Book(fresh_db)
    for contact, attrs in CASES[case][0]:
        book.map(contact, **attrs)
    assert stakeholders.plan_coverage(book.db, book.plan, today=TODAY)["alerts"] == expected


def test_three_handshakes_names_the_missing_side(fresh_db):
    book = Book(fresh_db)
    book.map("vp", buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)
    book.map("dir", buying_role="Champion", support="Mentor", last_contact_date=TODAY, **IN_DEPTH)
    assert stakeholders.plan_coverage(book.db, book.plan, today=TODAY)["alerts"] == [
        "Three handshakes: nobody is mapped beside Dora Director, the main contact."
    ]


def test_champion_is_the_main_contact_before_a_coach(fresh_db):
    book = Book(fresh_db)
    book.map("cio", buying_role="Coach", **IN_DEPTH)           # nobody beside the coach (CFO unmapped)
    book.map("arch", buying_role="Champion", last_contact_date=TODAY, **IN_DEPTH)  # manager VP unmapped
    book.map("dir", buying_role="User")
    assert stakeholders.plan_coverage(book.db, book.plan, today=TODAY)["alerts"][-1] == (
        "Three handshakes: nobody is mapped above Arno Architect, the main contact."
    )


def test_coverage_summary_answers_for_many_plans_in_one_call(fresh_db):
    book = Book(fresh_db)
    second = book.make_plan("Acme FY2026 – IT")
    book.map("ceo", buying_role="Economic Buyer", influence=5, support="Supporter", **IN_DEPTH)
    book.map("cfo", plan=second, buying_role="User", influence=2)
    summary = stakeholders.coverage_summary(book.db, today=TODAY)
    assert list(summary.columns) == ["plan_id", "coverage_status", "coverage_colour", "coverage_label", "alerts",
                                     "alert_rules", "alert_count"]
    assert summary[["plan_id", "coverage_status", "alert_count"]].values.tolist() == [[book.plan, 3, 1], [second, 1, 4]]
    only_second = stakeholders.coverage_summary(book.db, [second], today=TODAY)
    assert only_second["plan_id"].tolist() == [second]
    assert only_second["coverage_label"].tolist() == ["No key player mapped"]
    assert stakeholders.coverage_summary(book.db, [], today=TODAY).empty
