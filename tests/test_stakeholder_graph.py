"""Graph building is a pure function: stakeholder map data → agraph nodes, edges and config."""

from __future__ import annotations

import pytest

from planning import stakeholder_graph as graph


def person(contact_id, name, role=None, support=None, influence=None, department="IT", reports_to=None,
           covered_by=None, title="Director", coverage="Brief Contact"):
    return {"contact_id": contact_id, "name": name, "buying_role": role, "support": support, "influence": influence,
            "department": department, "reports_to_id": reports_to, "covered_by_user_id": covered_by, "title": title,
            "coverage": coverage, "relationship_strength": None}


DATA = {
    "stakeholders": [
        person(1, "Cleo Chief", "Economic Buyer", "Supporter", 5, "Executive", title="CEO", covered_by=100),
        person(2, "Ines Info", "Champion", "Mentor", 4, reports_to=1, covered_by=101),
        person(3, "Dora Director", None, None, None, reports_to=2, title=None, coverage="Unknown"),
        person(4, "Felix Finance", "Blocker", "Enemy", 3, "Finance", reports_to=1),
    ],
    "influence_links": [
        {"id": 9, "from_contact_id": 4, "to_contact_id": 2, "note": "golf partners"},
        {"id": 10, "from_contact_id": 3, "to_contact_id": 4, "note": None},
    ],
    "team": [
        {"user_id": 100, "name": "Rita Rep", "role": "Account Executive"},
        {"user_id": 101, "name": "Sam Se", "role": "Sales Engineer"},
        {"user_id": 102, "name": "Chloe Cs", "role": "Customer Success"},  # covers nobody: not drawn
    ],
}


def by_id(items):
    return {item["id"]: item for item in items}


def test_contacts_become_dots_coloured_by_support_and_sized_by_influence():
    nodes, _, _ = graph.build_graph(DATA)
    contacts = by_id(n for n in nodes if n["shape"] == "dot")
    assert contacts["contact-1"] == {
        "id": "contact-1", "label": "Cleo Chief\nEconomic Buyer", "title": "Title: CEO<br>Department: Executive<br>Coverage: Brief Contact",
        "color": "#66bb6a", "shape": "dot", "size": 40,
    }
    assert [(n["color"], n["size"]) for n in contacts.values()] == [
        ("#66bb6a", 40), ("#1b5e20", 34), ("#bdbdbd", 10), ("#c62828", 28),
    ]
    assert contacts["contact-3"]["label"] == "Dora Director"
    assert contacts["contact-3"]["title"] == "Title: (no title)<br>Department: IT<br>Coverage: Unknown"


@pytest.mark.parametrize("influence, size", [(None, 10), (1, 16), (2, 22), (3, 28), (4, 34), (5, 40)])
def test_node_size_grows_with_influence(influence, size):
    assert graph.node_size(influence) == size


def test_team_members_are_boxes_linked_to_the_contacts_they_cover():
    nodes, edges, _ = graph.build_graph(DATA)
    team = [n for n in nodes if n["shape"] == "box"]
    assert [(n["id"], n["label"], n["color"]) for n in team] == [
        ("user-100", "Rita Rep\n(Account Executive)", "#1976d2"),
        ("user-101", "Sam Se\n(Sales Engineer)", "#1976d2"),
    ]
    covers = [(e["source"], e["target"], e["dashes"]) for e in edges if e["title"] == "covers"]
    assert covers == [("user-100", "contact-1", [2, 6]), ("user-101", "contact-2", [2, 6])]


def test_reports_to_edges_are_solid_and_influence_edges_dashed():
    _, edges, _ = graph.build_graph(DATA)
    reports = [(e["source"], e["target"], e["dashes"], e["color"]) for e in edges if e["title"] == "reports to"]
    assert reports == [("contact-1", "contact-2", False, "#616161"), ("contact-2", "contact-3", False, "#616161"),
                       ("contact-1", "contact-4", False, "#616161")]
    influence = [(e["source"], e["target"], e["dashes"], e["title"]) for e in edges if e["color"] == "#8e24aa"]
    assert influence == [("contact-4", "contact-2", True, "golf partners"), ("contact-3", "contact-4", True, "influences")]


@pytest.mark.parametrize("departments, roles, contacts, edge_count", [
    (None, None, ["contact-1", "contact-2", "contact-3", "contact-4"], 7),
    (["IT"], None, ["contact-2", "contact-3"], 2),            # reports-to 2→3, Sam covers 2
    (None, ["Economic Buyer", "Blocker"], ["contact-1", "contact-4"], 2),  # reports-to 1→4, Rita covers 1
    (None, ["(no role)"], ["contact-3"], 0),
    (["Finance"], ["Champion"], [], 0),
])
def test_filters_keep_matching_contacts_and_edges_between_them(departments, roles, contacts, edge_count):
    nodes, edges, _ = graph.build_graph(DATA, departments, roles)
    assert [n["id"] for n in nodes if n["shape"] == "dot"] == contacts
    assert len(edges) == edge_count
    shown = {n["id"] for n in nodes}
    assert all(e["source"] in shown and e["target"] in shown for e in edges)


def test_physics_layout_by_default_and_a_top_down_org_chart_on_request():
    assert graph.build_graph(DATA)[2] == {"width": 760, "height": 560, "directed": True, "physics": True, "hierarchical": False,
                                          "groups": {}}
    assert graph.build_graph(DATA, hierarchical=True)[2] == {
        "width": 760, "height": 560, "directed": True, "physics": False, "hierarchical": True, "groups": {},
        "direction": "UD", "sortMethod": "directed", "levelSeparation": 120, "nodeSpacing": 180,
    }


def test_config_is_accepted_by_agraph():
    from streamlit_agraph import Config, Edge, Node

    nodes, edges, config = graph.build_graph(DATA, hierarchical=True)
    built = Config(**config)
    assert built.layout["hierarchical"]["enabled"] is True and built.layout["hierarchical"]["sortMethod"] == "directed"
    assert Edge(**edges[0]).to_dict()["from"] == "contact-1"
    assert Node(**nodes[0]).to_dict()["size"] == 40


def test_filter_options_list_present_departments_and_roles_in_vocabulary_order():
    assert graph.filter_options(DATA) == (["Executive", "Finance", "IT"], ["Economic Buyer", "Champion", "Blocker", "(no role)"])


@pytest.mark.parametrize("node_id, contact_id", [("contact-42", 42), ("user-7", None), (None, None)])
def test_a_clicked_node_id_names_its_contact(node_id, contact_id):
    assert graph.contact_id_of(node_id) == contact_id


def test_legend_explains_every_colour_shape_and_line():
    meanings = [entry["meaning"] for entry in graph.legend()]
    assert meanings[:6] == ["Contact, support Mentor", "Contact, support Supporter", "Contact, support Neutral",
                            "Contact, support Non-Supporter", "Contact, support Enemy", "Contact, support unknown"]
    assert meanings[6:] == ["Bigger dot = more influence (1–5)", "Team member", "Reports to (manager → report)",
                            "Informal influence (from → to)", "Team member covers contact"]


@pytest.mark.parametrize("influence, strength, quadrant", [
    (5, 1, "high influence, weak relationship: act here"),
    (3, 2, "high influence, weak relationship: act here"),
    (3, 3, "high influence, strong relationship: leverage"),
    (2, 5, "low influence, strong relationship: keep close"),
    (1, 1, "low influence, weak relationship: monitor"),
])
def test_heat_map_quadrants(influence, strength, quadrant):
    assert graph.quadrant(influence, strength) == quadrant


def test_heat_map_points_skip_unrated_contacts():
    rated = [dict(person(1, "Cleo", support="Enemy", influence=5), relationship_strength=2), person(2, "Ines", influence=4)]
    assert graph.heat_map_points(rated) == [{
        "name": "Cleo", "buying_role": "(no role)", "support": "Enemy", "influence": 5, "relationship_strength": 2,
        "quadrant": "high influence, weak relationship: act here",
    }]


def test_hostile_titles_departments_and_names_reach_the_tooltip_escaped():
    # streamlit-agraph sets a node title with innerHTML, and a double click window.open()s it.
    hostile = person(1, "<b>x</b>", None, None, None, "<img src=x onerror=alert(1)>",
                     title="javascript:alert(2)//<script>alert(3)</script>", covered_by=100)
    data = {"stakeholders": [hostile], "influence_links": [],
            "team": [{"user_id": 100, "name": "<svg onload=alert(4)>", "role": "Sales Engineer"}]}
    nodes, _, _ = graph.build_graph(data)
    titles = {n["id"]: n["title"] for n in nodes}
    assert titles["contact-1"] == (
        "Title: javascript:alert(2)//&lt;script&gt;alert(3)&lt;/script&gt;<br>"
        "Department: &lt;img src=x onerror=alert(1)&gt;<br>Coverage: Brief Contact"
    )
    assert titles["user-100"] == "Team member: &lt;svg onload=alert(4)&gt;, Sales Engineer"
    assert all("<" not in t.replace("<br>", "") for t in titles.values())
