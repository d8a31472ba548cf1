"""Plan: one account plan and the opportunities behind its figures."""

import streamlit as st

from planning import plans
from ui.context import database
from ui.widgets import plan_picker

db = database()
st.title("Plan")
plan = plan_picker(db)
if plan is None:
    st.stop()
st.subheader(plan["name"])
st.caption(
    f"{plan['account']} · {plan['period_start']:%d %b %Y} – {plan['period_end']:%d %b %Y} · "
    f"{plan['status']} · owner {plan['owner'] or '—'}{' · primary' if plan['is_primary'] else ''}"
)
st.metric("Sales target", f"${plan['sales_target']:,.0f}")
opportunities = plans.plan_opportunities(db, plan["id"])
st.markdown(f"**Opportunities in the plan period** ({len(opportunities)})")
st.dataframe(opportunities, hide_index=True, use_container_width=True)
