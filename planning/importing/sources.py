"""Which CRM wrote a file: recognised from its headers (and a Salesforce report's footer).

The source names the file in the preview ("HubSpot deals export") and brings the CRM's documented
default stages, used for stage names the stage table does not know yet. Recognition never maps
columns itself: every CRM's column names are aliases in `mapping.SPECS`, so a file mixing
conventions still maps; the source is what the report says and which stage defaults apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from planning.importing.mapping import fold_header


@dataclass(frozen=True)
class Source:
    key: str  # salesforce, salesforce-report, hubspot, pipedrive, dynamics, plain
    crm: str  # how the report names the CRM
    nouns: dict[str, str]  # kind → the CRM's word for it ("deals", "companies")
    # Folded stage name → (probability 0..1, is_closed, is_won): the CRM's documented defaults.
    default_stages: dict[str, tuple[str, float, bool, bool]]

    def label(self, kind: str) -> str:
        noun = self.nouns.get(kind, kind.replace("-", " "))
        if self.key == "plain":
            return f"plain-name {noun} file"
        return f"{self.crm} {noun} export"


def _stages(*rows: tuple[str, float, bool, bool]) -> dict[str, tuple[str, float, bool, bool]]:
    return {fold_header(name): (name, p, closed, won) for name, p, closed, won in rows}


# HubSpot's default sales pipeline (knowledge base "Set up and customize your deal pipelines"); its
# export writes the stage labels, an API export the internal ids, which fold to the same key.
HUBSPOT_STAGES = _stages(
    ("Appointment Scheduled", 0.20, False, False), ("Qualified To Buy", 0.40, False, False),
    ("Presentation Scheduled", 0.60, False, False), ("Decision Maker Bought-In", 0.80, False, False),
    ("Contract Sent", 0.90, False, False), ("Closed Won", 1.0, True, True), ("Closed Lost", 0.0, True, False),
)
# Salesforce's standard opportunity stages (the stage table ships with them; listed for the report).
SALESFORCE_STAGES = _stages(
    ("Prospecting", 0.10, False, False), ("Qualification", 0.10, False, False),
    ("Needs Analysis", 0.20, False, False), ("Value Proposition", 0.50, False, False),
    ("Id. Decision Makers", 0.60, False, False), ("Perception Analysis", 0.70, False, False),
    ("Proposal/Price Quote", 0.75, False, False), ("Negotiation/Review", 0.90, False, False),
    ("Closed Won", 1.0, True, True), ("Closed Lost", 0.0, True, False),
)

OPPORTUNITY_NOUNS = {"accounts": "accounts", "opportunities": "opportunities", "contacts": "contacts",
                     "products": "products", "users": "users"}
SOURCES = {
    "salesforce": Source("salesforce", "Salesforce", OPPORTUNITY_NOUNS, SALESFORCE_STAGES),
    "salesforce-report": Source("salesforce-report", "Salesforce report", OPPORTUNITY_NOUNS, SALESFORCE_STAGES),
    "hubspot": Source("hubspot", "HubSpot", {"accounts": "companies", "opportunities": "deals",
                                             "contacts": "contacts", "products": "products"}, HUBSPOT_STAGES),
    "pipedrive": Source("pipedrive", "Pipedrive", {"accounts": "organizations", "opportunities": "deals",
                                                   "contacts": "persons", "products": "products"}, {}),
    "dynamics": Source("dynamics", "Dynamics 365", OPPORTUNITY_NOUNS, {}),
    "plain": Source("plain", "", OPPORTUNITY_NOUNS, {}),
}

# Salesforce API names: CamelCase field names only the API / Data Loader writes.
SALESFORCE_API = {fold_header(h) for h in (
    "StageName", "AccountId", "IsWon", "IsClosed", "CloseDate", "OwnerId", "CreatedDate", "BillingCountry",
    "NumberOfEmployees", "AnnualRevenue", "ParentId", "ReportsToId", "FirstName", "LastName", "Product2Id",
    "LastActivityDate", "ForecastCategory", "IsDeleted", "SystemModstamp")}
SALESFORCE_API_CASED = {"StageName", "AccountId", "IsWon", "IsClosed", "CloseDate", "OwnerId", "CreatedDate",
                        "BillingCountry", "NumberOfEmployees", "AnnualRevenue", "ParentId", "ReportsToId",
                        "FirstName", "LastName", "IsDeleted", "SystemModstamp"}
# Report labels: what a Salesforce report writes in its header row.
SALESFORCE_REPORT = {"Opportunity Name", "Opportunity Owner", "Account Name", "Probability (%)", "Fiscal Period",
                     "Amount Currency", "Opportunity ID", "Account Owner", "Billing Country", "Stage",
                     "Close Date", "Created Date", "Lead Source", "Next Step", "Age", "Fiscal Year"}


def detect(headers: list[str], footer_dropped: bool = False) -> Source:
    """The CRM that wrote these headers; `plain` when no CRM's own conventions show."""
    stripped = [h.strip() for h in headers]
    if footer_dropped:
        return SOURCES["salesforce-report"]
    if any(h.startswith("(Do Not Modify)") for h in stripped):
        return SOURCES["dynamics"]
    if sum(1 for h in stripped if h.startswith(("Deal - ", "Organization - ", "Person - ", "Product - "))) >= 2:
        return SOURCES["pipedrive"]
    folded = {fold_header(h) for h in stripped}
    if "recordid" in folded and folded & {"dealname", "dealstage", "companyname", "associatedcompany",
                                          "associatedcompanyids", "companyowner", "dealowner", "firstname"}:
        return SOURCES["hubspot"]
    if sum(1 for h in stripped if h in SALESFORCE_API_CASED) >= 2:
        return SOURCES["salesforce"]
    if sum(1 for h in stripped if h in SALESFORCE_REPORT) >= 3:
        return SOURCES["salesforce-report"]
    return SOURCES["plain"]


__all__ = ["Source", "SOURCES", "detect", "HUBSPOT_STAGES", "SALESFORCE_STAGES"]
