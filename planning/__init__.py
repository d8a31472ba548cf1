"""Account Planner domain package: rules, SQL and imports; never imports Streamlit."""

__version__ = "0.1.0"
