"""The stakeholder map as graph data: pure functions from mapped contacts to nodes, edges and config.

The result is plain dicts whose keys are streamlit-agraph's `Node`, `Edge` and `Config` arguments
(vis-network options), so the page builds `Node(**n)` and tests need no browser. Rules:
- contacts are dots coloured by support (grey when unknown), sized by influence,
  labelled "name\\nbuying role", with title, department and coverage as the tooltip;
- reports-to edges run manager → report, solid; influence edges are dashed;
- team members are boxes, linked by dotted edges to the contacts they cover;
- filters by department and buying role keep only matching contacts (and the edges between them).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from planning import vocab

UNKNOWN_SUPPORT_COLOUR = "#bdbdbd"
TEAM_COLOUR = "#1976d2"
REPORTS_TO_COLOUR = "#616161"
INFLUENCE_COLOUR = "#8e24aa"
COVERS_COLOUR = "#64b5f6"
CONTACT_SHAPE = "dot"
TEAM_SHAPE = "box"
SIZE_UNKNOWN = 10
SIZE_PER_INFLUENCE = 6  # influence 1 → 16 px … 5 → 40 px
COVERS_DASHES = [2, 6]
NO_ROLE = "(no role)"
HIGH = 3  # heat map: 3–5 counts as high influence / strong relationship


def contact_node_id(contact_id: int) -> str:
    return f"contact-{contact_id}"


def team_node_id(user_id: int) -> str:
    return f"user-{user_id}"


def contact_id_of(node_id: str | None) -> int | None:
    """The contact id behind a clicked node id, None for team members or nothing."""
    if node_id and str(node_id).startswith("contact-"):
        return int(str(node_id).removeprefix("contact-"))
    return None


def node_size(influence: int | None) -> int:
    return SIZE_UNKNOWN if influence is None else SIZE_UNKNOWN + SIZE_PER_INFLUENCE * int(influence)


def support_colour(support: str | None) -> str:
    return vocab.SUPPORT_COLOURS.get(support or "", UNKNOWN_SUPPORT_COLOUR)


def tooltip(*lines: str) -> str:
    """A node tooltip: streamlit-agraph puts a node's title in a div with innerHTML, so every
    line is HTML-escaped and lines are joined with <br>. The first line must be our own text:
    a double click opens the tooltip's text with window.open, so it may never start with a
    user's `javascript:` (edge titles are set as text by vis-network and need no escaping)."""
    return "<br>".join(html.escape(line, quote=True) for line in lines)


def _contact_node(s: dict) -> dict:
    # Labels are drawn on the canvas as text (no font.multi), so they stay as typed.
    label = f"{s['name']}\n{s['buying_role']}" if s.get("buying_role") else s["name"]
    title = tooltip(
        f"Title: {s.get('title') or '(no title)'}",
        f"Department: {s.get('department') or 'unknown'}",
        f"Coverage: {s.get('coverage') or 'Unknown'}",
    )
    return {"id": contact_node_id(s["contact_id"]), "label": label, "title": title,
            "color": support_colour(s.get("support")), "shape": CONTACT_SHAPE, "size": node_size(s.get("influence"))}


def _matches(s: dict, departments: set | None, roles: set | None) -> bool:
    if departments and (s.get("department") or "") not in departments:
        return False
    return not roles or (s.get("buying_role") or NO_ROLE) in roles


# streamlit-agraph's Config reads these from its keyword arguments into vis-network's `layout` and
# `physics` options, but also copies them to the top level, where vis-network reports them as unknown.
CONFIG_LAYOUT_KEYS = ("direction", "sortMethod", "levelSeparation", "nodeSpacing")


def graph_config(hierarchical: bool = False, width: int = 760, height: int = 560) -> dict:
    """streamlit-agraph Config arguments: physics layout, or a top-down org chart.

    `groups` is an empty object: Config defaults it to None, which vis-network rejects in the
    browser console ("Invalid type received for groups")."""
    config: dict[str, Any] = {"width": width, "height": height, "directed": True, "physics": not hierarchical,
                              "hierarchical": hierarchical, "groups": {}}
    if hierarchical:
        config |= {"direction": "UD", "sortMethod": "directed", "levelSeparation": 120, "nodeSpacing": 180}
    return config


def build_graph(data: dict, departments: Iterable[str] | None = None, roles: Iterable[str] | None = None,
                hierarchical: bool = False) -> tuple[list[dict], list[dict], dict]:
    """Nodes, edges and config for `data` from stakeholders.stakeholder_map, filtered."""
    departments, roles = set(departments or ()), set(roles or ())
    shown = [s for s in data["stakeholders"] if _matches(s, departments, roles)]
    visible = {s["contact_id"] for s in shown}
    nodes = [_contact_node(s) for s in shown]
    edges = [
        {"source": contact_node_id(s["reports_to_id"]), "target": contact_node_id(s["contact_id"]),
         "color": REPORTS_TO_COLOUR, "dashes": False, "title": "reports to"}
        for s in shown if s.get("reports_to_id") in visible
    ]
    edges += [
        {"source": contact_node_id(link["from_contact_id"]), "target": contact_node_id(link["to_contact_id"]),
         "color": INFLUENCE_COLOUR, "dashes": True, "title": link.get("note") or "influences"}
        for link in data["influence_links"]
        if link["from_contact_id"] in visible and link["to_contact_id"] in visible
    ]
    covering = {s["covered_by_user_id"] for s in shown if s.get("covered_by_user_id") is not None}
    for member in data["team"]:
        if member["user_id"] in covering:
            role = member.get("role") or "no longer on the team"
            nodes.append({"id": team_node_id(member["user_id"]), "label": f"{member['name']}\n({role})",
                          "title": tooltip(f"Team member: {member['name']}, {role}"), "color": TEAM_COLOUR,
                          "shape": TEAM_SHAPE, "size": 20, "font": {"color": "#ffffff"}})
    edges += [
        {"source": team_node_id(s["covered_by_user_id"]), "target": contact_node_id(s["contact_id"]),
         "color": COVERS_COLOUR, "dashes": COVERS_DASHES, "title": "covers"}
        for s in shown if s.get("covered_by_user_id") in covering
    ]
    return nodes, edges, graph_config(hierarchical)


def filter_options(data: dict) -> tuple[list[str], list[str]]:
    """Departments and buying roles present on the map, for the page's filters."""
    departments = sorted({s.get("department") or "" for s in data["stakeholders"]} - {""})
    present = {s.get("buying_role") or NO_ROLE for s in data["stakeholders"]}
    roles = [r for r in [*vocab.BUYING_ROLES, NO_ROLE] if r in present]
    return departments, roles


def legend() -> list[dict]:
    """What each colour, shape and line means, in display order."""
    entries: list[dict[str, str | None]] = [
        {"symbol": "● dot", "meaning": f"Contact, support {s}", "colour": c} for s, c in vocab.SUPPORT_COLOURS.items()
    ]
    entries.append({"symbol": "● dot", "meaning": "Contact, support unknown", "colour": UNKNOWN_SUPPORT_COLOUR})
    entries += [
        {"symbol": "● size", "meaning": "Bigger dot = more influence (1–5)", "colour": None},
        {"symbol": "■ box", "meaning": "Team member", "colour": TEAM_COLOUR},
        {"symbol": "── solid", "meaning": "Reports to (manager → report)", "colour": REPORTS_TO_COLOUR},
        {"symbol": "- - dashed", "meaning": "Informal influence (from → to)", "colour": INFLUENCE_COLOUR},
        {"symbol": "··· dotted", "meaning": "Team member covers contact", "colour": COVERS_COLOUR},
    ]
    return entries


def quadrant(influence: int, relationship_strength: int) -> str:
    """The heat map's reading of one contact."""
    high, strong = influence >= HIGH, relationship_strength >= HIGH
    if high and not strong:
        return "high influence, weak relationship: act here"
    if high:
        return "high influence, strong relationship: leverage"
    if strong:
        return "low influence, strong relationship: keep close"
    return "low influence, weak relationship: monitor"


def heat_map_points(stakeholders: list[dict]) -> list[dict]:
    """Contacts with both influence and relationship strength, with support and quadrant."""
    return [
        {"name": s["name"], "buying_role": s.get("buying_role") or NO_ROLE, "support": s.get("support") or "Unknown",
         "influence": int(s["influence"]), "relationship_strength": int(s["relationship_strength"]),
         "quadrant": quadrant(int(s["influence"]), int(s["relationship_strength"]))}
        for s in stakeholders
        if s.get("influence") is not None and s.get("relationship_strength") is not None
    ]
