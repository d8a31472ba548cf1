"""Demo contacts with reports-to hierarchies per account."""

from __future__ import annotations

import pandas as pd

from planning.demo.reference import (
    FIRST_NAMES,
    LAST_NAMES,
    ORG_TITLES,
    insert_returning_ids,
)


def seed_contacts(con, rng, accounts) -> dict[int, list[dict]]:
    rows = []
    for account in accounts:
        count = {1: 12, 2: 8, 3: 5}[account["tier"]]
        for title, department, level in ORG_TITLES[:count]:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            domain = account["name"].split()[0].lower() + ".example"
            rows.append({
                "account_id": account["id"], "first_name": first, "last_name": last,
                "name": f"{first} {last}", "title": title, "department": department,
                "email": f"{first}.{last}@{domain}".lower(), "level": level,
            })
    frame = pd.DataFrame(rows)
    frame.insert(0, "external_id", [f"003DEMO{i + 1:06d}" for i in range(len(frame))])
    ids = insert_returning_ids(con, "contact", frame.drop(columns=["level"]))
    by_account: dict[int, list[dict]] = {}
    for row, contact_id in zip(rows, ids):
        row["id"] = contact_id
        by_account.setdefault(row["account_id"], []).append(row)
    # Reports-to: each contact reports to the first contact one level up in the same
    # department, else to the CEO.
    for contacts in by_account.values():
        top = contacts[0]
        for contact in contacts[1:]:
            bosses = [c for c in contacts if c["level"] == contact["level"] - 1 and c["department"] == contact["department"]]
            boss = bosses[0] if bosses else top
            contact["reports_to_id"] = boss["id"]
            con.execute("UPDATE contact SET reports_to_id = ? WHERE id = ?", [boss["id"], contact["id"]])
    return by_account
