"""The product's vocabularies (docs/design.md), spelled once for code, tables, JSON and UI."""

SEGMENTS = [
    "Strategic Customer",
    "Steady Customer",
    "Occasional Customer",
    "No Relationship",
    "Dormant",
    "Negative Relationship",
]
TARGET_SEGMENTS = SEGMENTS[:4]
STRATEGIC_SEGMENT = "Strategic Customer"

TIERS = [1, 2, 3]

PLAN_STATUSES = ["Draft", "Active", "Completed", "Archived"]
PERIOD_KINDS = ["quarter", "half", "year", "custom"]
RELATIONSHIP_STATUSES = ["Vendor", "Preferred Supplier", "Planning Partner", "Trusted Advisor"]

OPPORTUNITY_TYPES = ["new", "expansion", "renewal"]

BUYING_ROLES = [
    "Economic Buyer",
    "Decision Maker",
    "Champion",
    "Influencer",
    "Evaluator",
    "User",
    "Blocker",
    "Coach",
]
SUPPORT_LEVELS = ["Mentor", "Supporter", "Neutral", "Non-Supporter", "Enemy"]
COVERAGE_LEVELS = ["Unknown", "No Contact", "Brief Contact", "Multiple Contacts", "In Depth"]

TEAM_ROLES = [
    "Account Executive",
    "Sales Engineer",
    "Customer Success",
    "Executive Sponsor",
    "Partner",
]

OBJECTIVE_STATUSES = ["Not Started", "In Progress", "Deferred", "Achieved", "Cancelled"]
ACTION_STATUSES = ["Not Started", "In Progress", "Done", "Cancelled"]
PRIORITIES = ["High", "Medium", "Low"]

WHITESPACE_STATUSES = ["Sold", "In Progress", "Open", "Competitor", "Not a Fit / Blocked", "Unknown"]
DERIVED_WHITESPACE_STATUSES = ["Sold", "In Progress", "Open"]

SCORE_BANDS = ["Healthy", "Watch", "At risk"]

USER_ROLES = ["admin", "ops", "leader", "rep"]

# One colour per status, used by every chart and badge.
WHITESPACE_COLOURS = {
    "Sold": "#2e7d32",
    "In Progress": "#1976d2",
    "Open": "#f9a825",
    "Competitor": "#c62828",
    "Not a Fit / Blocked": "#455a64",  # dark slate: a decision, unlike the pale "nobody knows" grey
    "Unknown": "#e0e0e0",
}
BAND_COLOURS = {"Healthy": "#2e7d32", "Watch": "#f9a825", "At risk": "#c62828"}
# The same meaning in Streamlit's named badge colours (headers, lists).
BAND_BADGES = {"Healthy": "green", "Watch": "orange", "At risk": "red"}
COVERAGE_BADGES = {0: "red", 1: "red", 2: "orange", 3: "green"}
SUPPORT_COLOURS = {
    "Mentor": "#1b5e20",
    "Supporter": "#66bb6a",
    "Neutral": "#9e9e9e",
    "Non-Supporter": "#ef6c00",
    "Enemy": "#c62828",
}
PERFORMANCE_COLOURS = {"Behind": "#c62828", "On track": "#f9a825", "Ahead": "#2e7d32"}
# The plan's figures, the same in the app's charts (plan and portfolio) and the export's.
FIGURE_COLOURS = {"Target": "#616161", "Won": "#2e7d32", "Weighted pipeline": "#1976d2", "Expected": "#6a1b9a"}
NEUTRAL_COLOUR = "#9e9e9e"  # no target, target line, not scored: a figure without a verdict
