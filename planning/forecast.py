"""Chance of hitting target (issue #19): the distribution of a plan's period revenue.

Rules (docs/design.md §5, "Forecast"):
- revenue = won so far + each open member deal (`kpis.MEMBERSHIP_SQL`) won with its probability,
  deals independent; figures in whole cents, so both backends give the same answer;
- exact (outcomes merged by revenue) when ∏(uncertain deals of an amount + 1) ≤ `EXACT_SUPPORT` —
  always for ≤ 16 uncertain deals — else `SIMULATIONS` seeded draws (seed `SEED` and the plan id);
- `p_hit_target` = P(revenue ≥ target), None without a target (≤ 0); `p10/p50/p90` are the
  lowest revenues whose cumulative probability reaches 10/50/90 %;
- probabilities: `crm` is the KPI's effective probability; `calibrated` (the default) is, per
  stage, (wins + K·p_crm) / (n + K) over the book's closed deals that were ever at that stage —
  the account's segment's when it has ≥ `SEGMENT_MIN_HISTORY` of them, else the whole book's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from planning import kpis
from planning.db import Database, cached_read
from planning.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SOURCES = ("calibrated", "crm")
DEFAULT_SOURCE = "calibrated"
SHRINKAGE_K = 10  # pseudo-deals at the CRM probability: a stage with 10 closed deals is half history
SEGMENT_MIN_HISTORY = 30  # closed deals a segment needs at a stage before its own rate is used
EXACT_SUPPORT = 2 ** 16  # revenues the exact distribution may hold: ∏(deals of an amount + 1), so any 16 deals
MERGE_FROM = 4_096  # outcomes merged by revenue once there are more than this (equal amounts collapse)
SIMULATIONS = 5_000  # draws per plan: the standard error of p_hit_target is ≤ 0.71 point (√(¼ / 5,000))
SEED = 19
QUANTILES = {"p10": 0.10, "p50": 0.50, "p90": 0.90}
AT_RISK_BELOW = 0.5  # the portfolio calls a plan at risk when p_hit_target < this
CHART_BINS = 30

# Won and open member deals of the chosen plans, with the account's segment for calibration.
DEALS_SQL = f"""
WITH members AS ({kpis.MEMBERSHIP_SQL})
SELECT m.plan_id, m.opportunity_id, o.name, m.stage, a.current_segment AS segment,
       CAST(m.amount * 100 AS BIGINT) AS amount_cents, CAST(m.probability AS DOUBLE) AS crm_probability, m.is_won
FROM members m
JOIN opportunity o ON o.id = m.opportunity_id
LEFT JOIN account a ON a.id = o.account_id
WHERE m.is_won OR NOT m.is_closed
ORDER BY m.plan_id, m.opportunity_id
"""

TARGETS_SQL = """
SELECT id AS plan_id, CAST(sales_target * 100 AS BIGINT) AS target_cents FROM plan
WHERE CAST($plan_ids AS BIGINT[]) IS NULL OR list_contains(CAST($plan_ids AS BIGINT[]), id)
ORDER BY id
"""

# Per segment and stage: the book's closed deals that were ever at the stage (its history's old and
# new stage values, and the stage it closed in) and how many of them were won.
CALIBRATION_SQL = f"""
WITH closed AS NOT MATERIALIZED (
    SELECT o.id, o.stage, a.current_segment AS segment, {kpis.EFFECTIVE_IS_WON} AS is_won
    FROM opportunity o
    LEFT JOIN stage s ON s.name = o.stage
    LEFT JOIN account a ON a.id = o.account_id
    WHERE {kpis.EFFECTIVE_IS_CLOSED}
),
earlier AS (  -- the stages a closed deal was at before the one it closed in, once each
    SELECT DISTINCT c.id, c.segment, c.is_won, h.stage
    FROM (SELECT opportunity_id, old_value AS stage FROM opportunity_history WHERE field = 'stage'
          UNION ALL SELECT opportunity_id, new_value FROM opportunity_history WHERE field = 'stage') h
    JOIN closed c ON c.id = h.opportunity_id
    WHERE h.stage IS NOT NULL AND h.stage IS DISTINCT FROM c.stage
),
visited AS (
    SELECT segment, stage, is_won FROM closed WHERE stage IS NOT NULL
    UNION ALL SELECT segment, stage, is_won FROM earlier
)
SELECT segment, stage, count(*) AS history, count(*) FILTER (WHERE is_won) AS wins
FROM visited
GROUP BY segment, stage
ORDER BY segment, stage
"""


def _source(probabilities: str) -> str:
    if probabilities not in SOURCES:
        raise InvalidInput(f"Probabilities must be one of {', '.join(SOURCES)}, not {probabilities!r}.")
    return probabilities


@cached_read
def calibration(db: Database) -> dict[str, dict]:
    """Closed-deal history per stage: {"segment": {(segment, stage): (n, wins)}, "book": {stage: (n, wins)}}."""
    segment: dict[tuple[str, str], tuple[int, int]] = {}
    book: dict[str, tuple[int, int]] = {}
    for row in db.rows(CALIBRATION_SQL):
        n, wins = int(row["history"]), int(row["wins"])
        if row["segment"] is not None:
            segment[(row["segment"], row["stage"])] = (n, wins)
        seen = book.get(row["stage"], (0, 0))
        book[row["stage"]] = (seen[0] + n, seen[1] + wins)
    return {"segment": segment, "book": book}


def calibrated(crm: float, history: tuple[int, int]) -> float:
    """(wins + K·p_crm) / (n + K): the stage's record, pulled toward the CRM's figure when it is short."""
    n, wins = history
    return (wins + SHRINKAGE_K * crm) / (n + SHRINKAGE_K)


def deal_history(history: dict[str, dict], segment: str | None, stage: str | None) -> tuple[tuple[int, int], str]:
    """The history a deal is calibrated on: its segment's at its stage when long enough, else the book's."""
    own = history["segment"].get((segment, stage), (0, 0))
    if own[0] >= SEGMENT_MIN_HISTORY:
        return own, "segment"
    return history["book"].get(stage, (0, 0)), "book"


def distribution(won_cents: int, amounts: np.ndarray, probs: np.ndarray, seed: Iterable[int]) -> tuple[np.ndarray, np.ndarray, str]:
    """Revenues (cents, ascending) and their probabilities; "exact" or "simulated"."""
    import numpy as np

    certain = probs >= 1
    uncertain = (probs > 0) & ~certain & (amounts != 0)
    base = int(won_cents) + int(amounts[certain].sum())
    amounts, probs = amounts[uncertain], probs[uncertain]
    exact = _exact(amounts, probs)
    if exact is not None:
        return exact[0] + base, exact[1], "exact"
    rng = np.random.default_rng(list(seed))
    weights = amounts.astype(np.float64)  # cents stay exact in float64 below 2⁵³ (90 trillion dollars)
    totals = np.concatenate([
        (rng.random((rows, len(probs))) < probs).astype(np.float64) @ weights
        for rows in _chunks(SIMULATIONS, max(1, 4_000_000 // max(1, len(probs))))
    ])
    values, counts = np.unique(np.rint(totals).astype(np.int64), return_counts=True)
    return values + base, counts / SIMULATIONS, "simulated"


def _chunks(total: int, size: int) -> list[int]:
    return [min(size, total - start) for start in range(0, total, size)]


def _exact(amounts: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Every outcome, deal by deal, merged by revenue; None when more than EXACT_SUPPORT revenues may be possible.

    The bound ∏(deals of an amount + 1) is checked first, so a plan of many distinct amounts goes
    straight to simulation instead of doubling its outcomes 17 times to find out.
    """
    import numpy as np

    _, per_amount = np.unique(amounts, return_counts=True)
    if np.log2(per_amount + 1).sum() > np.log2(EXACT_SUPPORT) + 1e-9:
        return None
    values, weights = np.zeros(1, dtype=np.int64), np.ones(1)
    for amount, p in zip(amounts, probs):
        values = np.concatenate([values, values + amount])
        weights = np.concatenate([weights * (1 - p), weights * p])
        if len(values) > MERGE_FROM:
            values, weights = _merged(values, weights)
    return _merged(values, weights)


def _merged(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    unique, inverse = np.unique(values, return_inverse=True)
    return unique, np.bincount(inverse, weights=weights)


def summary(values: np.ndarray, weights: np.ndarray, target_cents: int | None) -> dict[str, float | None]:
    """p_hit_target and the p10/p50/p90 revenues (dollars) of a distribution."""
    import numpy as np

    cumulative = np.cumsum(weights)
    total = cumulative[-1]
    out: dict[str, float | None] = {
        "p_hit_target": None if target_cents is None or target_cents <= 0
        else float(min(1.0, weights[values >= target_cents].sum() / total)),
    }
    for key, q in QUANTILES.items():  # 1e-9: sums of products must not miss an exact 10 % by a rounding
        out[key] = int(values[min(len(values) - 1, int(np.searchsorted(cumulative, q * total - 1e-9)))]) / 100
    return out


def _plan_inputs(db: Database, plan_ids: list[int] | None) -> tuple[pd.DataFrame, dict[int, int | None]]:
    deals = db.df(DEALS_SQL, {"plan_ids": plan_ids})
    targets = {int(r["plan_id"]): None if r["target_cents"] is None else int(r["target_cents"])
               for r in db.rows(TARGETS_SQL, {"plan_ids": plan_ids})}
    return deals, targets


def _probabilities(db: Database, open_deals: pd.DataFrame, source: str) -> pd.DataFrame:
    """The open deals with `probability` (the one used), `history`, `wins` and `history_from`."""
    frame = open_deals.copy()
    if source == "crm":
        return frame.assign(probability=frame["crm_probability"], history=0, wins=0, history_from="crm")
    history = calibration(db)
    used = [deal_history(history, None if s != s else s, stage) for s, stage in zip(frame["segment"], frame["stage"])]
    frame["history"] = [h[0][0] for h in used]
    frame["wins"] = [h[0][1] for h in used]
    frame["history_from"] = [h[1] for h in used]
    frame["probability"] = [calibrated(p, h[0]) for p, h in zip(frame["crm_probability"], used)]
    return frame


def _forecast(plan_id: int, target_cents: int | None, amount_cents: np.ndarray, probability: np.ndarray,
              is_won: np.ndarray) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """One plan's figures from its member deals' arrays (won ones' probability is ignored)."""
    won_cents = int(amount_cents[is_won].sum())
    open_deals = ~is_won
    values, weights, method = distribution(won_cents, amount_cents[open_deals], probability[open_deals], seed=(SEED, plan_id))
    figures = {
        "plan_id": plan_id, "target": None if target_cents is None else target_cents / 100, "won": won_cents / 100,
        **summary(values, weights, target_cents), "method": method, "open_deals": int(open_deals.sum()),
    }
    return figures, values, weights


def _arrays(deals: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np

    return (deals["amount_cents"].to_numpy(dtype=np.int64), deals["probability"].to_numpy(dtype=np.float64, na_value=np.nan),
            deals["is_won"].to_numpy(dtype=bool))


@cached_read
def forecast_plans(db: Database, plan_ids: Iterable[int] | None = None, probabilities: str = DEFAULT_SOURCE) -> pd.DataFrame:
    """One row per plan: target, won, p_hit_target, p10, p50, p90, method, open_deals, probabilities."""
    import numpy as np
    import pandas as pd

    source = _source(probabilities)
    ids = None if plan_ids is None else [int(i) for i in plan_ids]
    deals, targets = _plan_inputs(db, ids)
    deals = pd.concat([deals[deals["is_won"]], _probabilities(db, deals[~deals["is_won"]], source)]).sort_values(
        ["plan_id", "opportunity_id"], kind="stable")
    # plain arrays sliced per plan: a pandas filter per plan cost more than the distributions themselves
    amounts, probs, won = _arrays(deals)
    plan_of = deals["plan_id"].to_numpy(dtype=np.int64)
    rows = []
    for pid, target in targets.items():
        lo, hi = np.searchsorted(plan_of, pid, "left"), np.searchsorted(plan_of, pid, "right")
        rows.append(_forecast(pid, target, amounts[lo:hi], probs[lo:hi], won[lo:hi])[0])
    columns = ["plan_id", "target", "won", "p_hit_target", *QUANTILES, "method", "open_deals"]
    return pd.DataFrame(rows, columns=columns).assign(probabilities=source)


@cached_read(plan_scoped=True)
def plan_forecast(db: Database, plan_id: int, probabilities: str = DEFAULT_SOURCE) -> dict[str, Any]:
    """One plan's forecast with the probability used for each open deal and the binned distribution."""
    import pandas as pd

    source = _source(probabilities)
    deals, targets = _plan_inputs(db, [int(plan_id)])
    if int(plan_id) not in targets:
        raise NotFound(f"There is no plan with id {plan_id}.")
    open_deals = _probabilities(db, deals[~deals["is_won"]], source)
    both = pd.concat([deals[deals["is_won"]], open_deals]).sort_values("opportunity_id", kind="stable")
    figures, values, weights = _forecast(int(plan_id), targets[int(plan_id)], *_arrays(both))
    figures["probabilities"] = {"source": source, "shrinkage_k": SHRINKAGE_K if source == "calibrated" else None,
                                "deals": len(open_deals), "stages": stage_history(open_deals)}
    figures["deals"] = [{
        "opportunity_id": int(r.opportunity_id), "name": r.name, "stage": r.stage, "amount": int(r.amount_cents) / 100,
        "crm_probability": float(r.crm_probability), "probability": float(r.probability),
        "history": int(r.history), "wins": int(r.wins), "history_from": r.history_from,
    } for r in open_deals.itertuples()]
    figures["distribution"] = bins(values, weights)
    return figures


def stage_history(open_deals: pd.DataFrame) -> list[dict[str, Any]]:
    """Per stage (and segment, where its own history was used): open deals and the closed history behind them."""
    out: dict[tuple, dict[str, Any]] = {}
    for r in open_deals.itertuples():
        segment = r.segment if r.history_from == "segment" else None
        seen = out.setdefault((r.stage, r.history_from, segment), {
            "stage": r.stage, "history_from": r.history_from, "segment": segment, "deals": 0,
            "history": int(r.history), "wins": int(r.wins)})
        seen["deals"] += 1
    return list(out.values())


def bins(values: np.ndarray, weights: np.ndarray, count: int = CHART_BINS) -> list[dict[str, float]]:
    """The distribution in `count` equal revenue bins (dollars) for a chart: from, to, probability."""
    import numpy as np

    low, high = int(values[0]), int(values[-1])
    if low == high:
        return [{"revenue_from": low / 100, "revenue_to": high / 100, "probability": float(weights.sum())}]
    edges = np.linspace(low, high, count + 1)
    mass, _ = np.histogram(values, bins=edges, weights=weights)
    return [{"revenue_from": float(a) / 100, "revenue_to": float(b) / 100, "probability": float(m)}
            for a, b, m in zip(edges[:-1], edges[1:], mass)]


def chances(performance: pd.DataFrame, forecasts: pd.DataFrame) -> pd.DataFrame:
    """The portfolio's plans by chance of hitting target, lowest first (no target last), with `at_risk`."""
    frame = performance[["plan_id", "plan", "link", "account", "owner", "target", "expected"]].merge(
        forecasts[["plan_id", "p_hit_target", *QUANTILES, "open_deals", "method"]], on="plan_id", how="left")
    frame["at_risk"] = frame["p_hit_target"].lt(AT_RISK_BELOW)
    frame = frame.rename(columns={"p10": "p10_revenue", "p50": "p50_revenue", "p90": "p90_revenue"})
    return frame.sort_values(["p_hit_target", "plan_id"], na_position="last", kind="stable").reset_index(drop=True)
