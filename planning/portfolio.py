"""Portfolio: the leader's view over many plans and accounts at once (issue #8).

Rules:
- filters: fiscal year (period), owner, manager (the whole reporting line under them, and the
  manager themselves), territory, region, current segment, tier; plans are in scope when their
  period overlaps the year and their account and owner (the plan's, else the account's) pass;
  accounts are in scope when they and their owner pass;
- performance status from expected ÷ target: Behind below 90 %, On track from 90 % to 110 %
  (both edges included), Ahead above 110 %, "No target" when the target is 0 (counted apart);
- strategic account: current segment Strategic Customer, or tier 1, or flagged strategic;
  "with a plan": it has a primary plan whose period covers the whole selected year;
- totals come from `kpis.portfolio_totals`, so an opportunity two plans share counts once.
Every figure family is one query for all plans or accounts in scope; see also
`planning.portfolio_accounts` (segments, cadence, quadrant) and `planning.portfolio_health`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date

import pandas as pd

from planning import kpis, vocab
from planning.db import Database, cached_read

ON_TRACK_LOW, ON_TRACK_HIGH = 0.90, 1.10
NO_TARGET = "No target"
PERFORMANCE_STATUSES = ["Behind", "On track", "Ahead", NO_TARGET]
STATUS_COLOURS = {**vocab.PERFORMANCE_COLOURS, NO_TARGET: vocab.NEUTRAL_COLOUR}
WITH_PLAN, WITHOUT_PLAN = "With plan", "Without plan"
QUERY_KEYS = ["period", "owner", "manager", "territory", "region", "segment", "tier"]


@dataclass(frozen=True)
class Filters:
    """What the leader is looking at; None means "all"."""

    year: int
    owner_id: int | None = None
    manager_id: int | None = None
    territory: str | None = None
    region: str | None = None
    segment: str | None = None
    tier: int | None = None

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    def params(self, **extra) -> dict:
        """Named query parameters for SCOPE_SQL (plus `extra`)."""
        values = asdict(self)
        values.pop("year")
        return {"start": self.start, "end": self.end, **values, **extra}

    def to_query(self) -> dict[str, str]:
        """The URL query string that reproduces this view (unset filters left out)."""
        values = {"period": self.year, "owner": self.owner_id, "manager": self.manager_id, "territory": self.territory,
                  "region": self.region, "segment": self.segment, "tier": self.tier}
        return {key: str(value) for key, value in values.items() if value is not None}

    @classmethod
    def from_query(cls, query: Mapping[str, str], default_year: int) -> Filters:
        """Filters from a URL query string; values that don't parse are ignored (a shared link never breaks)."""

        def number(key: str) -> int | None:
            value = str(query.get(key) or "").strip()
            return int(value) if value.isdigit() else None

        def text(key: str) -> str | None:
            value = str(query.get(key) or "").strip()
            return value or None

        year = number("period")
        segment = text("segment")
        tier = number("tier")
        return cls(
            year=year if year and 1900 <= year <= 2200 else default_year,
            owner_id=number("owner"), manager_id=number("manager"),
            territory=text("territory"), region=text("region"),
            segment=segment if segment in vocab.SEGMENTS else None,
            tier=tier if tier in vocab.TIERS else None,
        )

    def with_year(self, year: int) -> Filters:
        return replace(self, year=year)


# The scope every portfolio query starts from. Needs the named parameters of Filters.params().
SCOPE_SQL = """
RECURSIVE team(id) AS (
    SELECT CAST($manager_id AS BIGINT)
    UNION
    SELECT u.id FROM app_user u JOIN team t ON u.manager_id = t.id
),
account_filter AS (
    SELECT a.* FROM account a
    WHERE (CAST($territory AS VARCHAR) IS NULL OR a.territory = $territory)
      AND (CAST($region AS VARCHAR) IS NULL OR a.region = $region)
      AND (CAST($segment AS VARCHAR) IS NULL OR a.current_segment = $segment)
      AND (CAST($tier AS INTEGER) IS NULL OR a.tier = $tier)
),
scoped_accounts AS (
    SELECT a.*, u.name AS owner FROM account_filter a LEFT JOIN app_user u ON u.id = a.owner_id
    WHERE (CAST($owner_id AS BIGINT) IS NULL OR a.owner_id = $owner_id)
      AND (CAST($manager_id AS BIGINT) IS NULL OR a.owner_id IN (SELECT id FROM team))
),
scoped_plans AS (
    SELECT p.*, a.name AS account, a.territory, a.region, u.name AS owner
    FROM plan p JOIN account_filter a ON a.id = p.account_id
    LEFT JOIN app_user u ON u.id = coalesce(p.owner_id, a.owner_id)
    WHERE p.period_end >= CAST($start AS DATE) AND p.period_start <= CAST($end AS DATE)
      AND (CAST($owner_id AS BIGINT) IS NULL OR coalesce(p.owner_id, a.owner_id) = $owner_id)
      AND (CAST($manager_id AS BIGINT) IS NULL OR coalesce(p.owner_id, a.owner_id) IN (SELECT id FROM team))
)"""


def plan_ids(db: Database, filters: Filters) -> list[int]:
    """Ids of the plans in scope, by id."""
    rows = db.df(f"WITH {SCOPE_SQL} SELECT id FROM scoped_plans ORDER BY id", filters.params())
    return [int(i) for i in rows["id"]]


def performance_status(target: float | None, expected: float | None) -> str:
    """Behind / On track / Ahead from expected ÷ target (edges 90 % and 110 % are On track); No target at 0."""
    target = float(target or 0)
    if target <= 0:
        return NO_TARGET
    # Compare in whole cents, so 90 % of a target is On track however the float rounds.
    expected_cents, target_cents = round(float(expected or 0) * 100), round(target * 100)
    if expected_cents * 100 < target_cents * round(ON_TRACK_LOW * 100):
        return "Behind"
    if expected_cents * 100 > target_cents * round(ON_TRACK_HIGH * 100):
        return "Ahead"
    return "On track"


PERFORMANCE_COLUMNS = [
    "plan_id", "plan", "account_id", "account", "owner", "territory", "status", "is_primary", "period_start",
    "period_end", "target", "won", "weighted_pipeline", "expected", "variance", "expected_pct", "performance",
    "colour", "link",
]


@cached_read
def plan_performance(db: Database, filters: Filters) -> pd.DataFrame:
    """Per plan in scope: won, weighted and expected against target, status and link; Behind first, by gap."""
    plans = db.df(
        f"WITH {SCOPE_SQL} SELECT id AS plan_id, name AS plan, account_id, account, owner, territory, status,"
        " is_primary, period_start, period_end FROM scoped_plans",
        filters.params(),
    )
    figures = kpis.plan_kpis(db, plans["plan_id"].tolist()) if not plans.empty else pd.DataFrame(columns=["plan_id", *kpis.KPI_KEYS])
    frame = plans.merge(figures, on="plan_id", how="left")
    frame["performance"] = [performance_status(t, e) for t, e in zip(frame["target"], frame["expected"])]
    frame["colour"] = frame["performance"].map(STATUS_COLOURS)
    frame["link"] = [f"/plan?plan={int(i)}" for i in frame["plan_id"]]
    # Behind first, then On track, Ahead, No target; within a status the biggest shortfall first.
    rank = frame["performance"].map({status: i for i, status in enumerate(PERFORMANCE_STATUSES)})
    order = frame.assign(_rank=rank).sort_values(["_rank", "variance", "plan_id"], kind="stable").index
    return frame.loc[order, PERFORMANCE_COLUMNS].reset_index(drop=True)


def headline(db: Database, filters: Filters, performance: pd.DataFrame | None = None) -> dict:
    """Totals across the plans in scope (each opportunity once) and plans per performance status."""
    performance = plan_performance(db, filters) if performance is None else performance
    totals = kpis.portfolio_totals(db, performance["plan_id"].tolist())
    counts = performance["performance"].value_counts()
    figures = {key: totals[key] for key in ("plans", "target", "won", "weighted_pipeline", "expected", "variance", "pipeline")}
    figures["expected_pct"] = totals["expected_pct"]
    figures.update({
        "behind": int(counts.get("Behind", 0)), "on_track": int(counts.get("On track", 0)),
        "ahead": int(counts.get("Ahead", 0)), "no_target": int(counts.get(NO_TARGET, 0)),
    })
    return figures


STRATEGIC_SQL = """
WITH {scope},
strategic AS (
    SELECT a.*, concat_ws(', ',  -- concat_ws skips the NULLs: only the reasons that hold
               CASE WHEN a.current_segment = 'Strategic Customer' THEN 'Strategic Customer segment' END,
               CASE WHEN a.tier = 1 THEN 'Tier 1' END,
               CASE WHEN a.is_strategic THEN 'Flagged strategic' END) AS why
    FROM scoped_accounts a
    WHERE a.current_segment = 'Strategic Customer' OR a.tier = 1 OR a.is_strategic
),
covering AS (
    SELECT account_id, min(id) AS plan_id FROM plan
    WHERE is_primary AND period_start <= CAST($start AS DATE) AND period_end >= CAST($end AS DATE)
    GROUP BY account_id
),
selection AS (
    SELECT s.account_id,
           round(100 * (sum(c.weight * s.score) / nullif(sum(c.weight), 0) - 1) / 4, 1) AS selection_score
    FROM account_selection_score s JOIN selection_criterion c ON c.id = s.criterion_id GROUP BY s.account_id
)
SELECT s.id AS account_id, s.name AS account, s.owner, s.territory, s.region, s.current_segment AS segment,
       s.target_segment, s.tier, s.is_strategic, s.why AS strategic_because,
       c.plan_id IS NOT NULL AS has_plan, c.plan_id, p.name AS plan, sel.selection_score
FROM strategic s LEFT JOIN covering c ON c.account_id = s.id LEFT JOIN plan p ON p.id = c.plan_id
LEFT JOIN selection sel ON sel.account_id = s.id
ORDER BY has_plan, sel.selection_score DESC NULLS LAST, s.name, s.id
"""


@cached_read
def strategic_accounts(db: Database, filters: Filters) -> pd.DataFrame:
    """Strategic accounts in scope with why they are strategic and their covering primary plan, if any.

    Without a plan first, then by account-selection score (0–100, highest first): the ones to plan next.
    """
    frame = db.df(STRATEGIC_SQL.format(scope=SCOPE_SQL), filters.params())
    frame["coverage"] = frame["has_plan"].map({True: WITH_PLAN, False: WITHOUT_PLAN})
    frame["plan_id"] = frame["plan_id"].astype("Int64")
    frame["create_plan_link"] = [f"/plan?new_plan_account={int(i)}" for i in frame["account_id"]]
    return frame


def coverage_counts(strategic: pd.DataFrame, by: str) -> pd.DataFrame:
    """Strategic accounts with and without a plan per `by` (owner, territory...): by, coverage, accounts."""
    if strategic.empty:
        return pd.DataFrame(columns=[by, "coverage", "accounts"])
    keyed = strategic.assign(**{by: strategic[by].fillna("(none)")})
    counts = keyed.groupby([by, "coverage"]).size().rename("accounts").reset_index()
    return counts.sort_values([by, "coverage"]).reset_index(drop=True)


@cached_read
def filter_options(db: Database) -> dict[str, list]:
    """Choices for each filter: years, owners and managers (id, name), territories, regions, segments, tiers."""
    with db.connect() as con:
        def column(sql: str) -> list:
            return [row[0] for row in con.execute(sql).fetchall()]

        return {
            "years": column(
                "SELECT DISTINCT g.y FROM plan, generate_series(year(period_start), year(period_end)) AS g(y)"
                " ORDER BY g.y DESC"
            ),
            "owners": con.execute(
                "SELECT id, name FROM app_user WHERE id IN (SELECT owner_id FROM account UNION SELECT owner_id FROM plan)"
                " ORDER BY name, id"
            ).fetchall(),
            "managers": con.execute(
                "SELECT id, name FROM app_user WHERE id IN (SELECT manager_id FROM app_user) ORDER BY name, id"
            ).fetchall(),
            "territories": column("SELECT DISTINCT territory FROM account WHERE territory IS NOT NULL ORDER BY 1"),
            "regions": column("SELECT DISTINCT region FROM account WHERE region IS NOT NULL ORDER BY 1"),
            "segments": list(vocab.SEGMENTS),
            "tiers": list(vocab.TIERS),
        }


def report(db: Database, filters: Filters) -> dict:
    """Everything the CLI prints: headline, strategic accounts with / without a plan, per-plan rows."""
    performance = plan_performance(db, filters)
    strategic = strategic_accounts(db, filters)
    account_keys = ["account_id", "account", "owner", "territory", "segment", "tier", "strategic_because",
                    "selection_score", "plan_id", "plan"]
    plan_keys = ["plan_id", "plan", "account", "owner", "target", "won", "weighted_pipeline", "expected", "variance",
                 "expected_pct", "performance"]
    return {
        "filters": {"period": filters.year, **{k: v for k, v in asdict(filters).items() if k != "year"}},
        "headline": headline(db, filters, performance),
        "with_plan": kpis.records(strategic.loc[strategic["has_plan"], account_keys]),
        "without_plan": kpis.records(strategic.loc[~strategic["has_plan"], account_keys[:-2]]),
        "plans": kpis.records(performance[plan_keys]),
    }
