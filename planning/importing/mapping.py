"""Which CSV column feeds which field: CRM headers mapped per import kind.

Headers are compared folded (case, spaces, underscores and punctuation ignored), so
`CloseDate`, `Close Date` and `close_date` are one name. Each kind lists its fields with the
names CRMs actually export: Salesforce API names, Salesforce report labels and plain names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planning.errors import ImportRefused

KINDS = ("accounts", "opportunities", "contacts", "products", "users", "business-units")


@dataclass(frozen=True)
class Field:
    """One importable field: its value type and the headers that feed it (first match wins)."""

    name: str
    type: str  # text, date, amount, integer, boolean, percent, status (open / won / lost), currency
    aliases: tuple[str, ...]
    label: str
    signature: bool = False  # a column that marks a file as this kind (see guess_kind)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    fields: tuple[Field, ...]
    # Each inner tuple is "one of these"; a file must map at least one field of every group.
    required: tuple[tuple[str, ...], ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def F(name, type_, aliases, label, signature=False) -> Field:  # noqa: N802 - table-like constructor
    return Field(name, type_, tuple(aliases), label, signature)


SPECS: dict[str, KindSpec] = {
    "accounts": KindSpec("accounts", (
        F("external_id", "text", ["Id", "Account ID", "account_id", "AccountId", "Record ID", "Company ID",
                                   "Organization - ID", "(Do Not Modify) Account"], "CRM id"),
        F("name", "text", ["Name", "Account Name", "account", "company", "company name", "Organization - Name",
                            "Organization"], "account name"),
        F("parent_ref", "text", ["ParentId", "Parent Account", "Parent Account ID", "parent", "subsidiary_of",
                                 "parent_account"], "parent account (id or name)", True),
        F("industry", "text", ["Industry", "sector", "Organization - Industry"], "industry / sector", True),
        F("annual_revenue", "amount", ["AnnualRevenue", "Annual Revenue", "revenue", "Organization - Annual revenue",
                                       "Umsatz", "Jahresumsatz"], "annual revenue", True),
        F("employees", "integer", ["NumberOfEmployees", "Employees", "employee_count",
                                   "Organization - Number of employees", "Mitarbeiter"], "employees", True),
        F("year_established", "integer", ["YearStarted", "Year Started", "year_established", "founded"],
          "year established", True),
        F("country", "text", ["BillingCountry", "Billing Country", "country", "office_location", "Country/Region",
                               "Address 1: Country/Region", "Organization - Address - Country",
                               "Organization - Country of Address", "Land"], "country", True),
        F("region", "text", ["Region", "BillingState", "Billing State/Province"], "region", True),
        F("territory", "text", ["Territory", "Sales Territory"], "territory", True),
        F("owner_ref", "text", ["OwnerId", "Account Owner", "Owner", "owner_name", "Company owner",
                                 "Organization - Owner"], "owner (id, name or email)"),
        F("last_activity_date", "date", ["LastActivityDate", "Last Activity"], "last activity date"),
    ), (("name",),)),
    "opportunities": KindSpec("opportunities", (
        F("external_id", "text", ["Id", "Opportunity ID", "opportunity_id", "OpportunityId", "deal_id", "Record ID",
                                   "Deal - ID", "(Do Not Modify) Opportunity"], "CRM id"),
        F("account_ref", "text", ["AccountId", "Account ID", "Account Name", "Account", "company",
                                  "Associated Company IDs", "Associated Company IDs (Primary)", "Associated Company",
                                  "Associated Company (Primary)", "Deal - Organization ID", "Deal - Organization",
                                  "Potential Customer", "Kunde", "Firma"], "account (id or name)"),
        F("name", "text", ["Name", "Opportunity Name", "opportunity", "deal_name", "deal", "Deal - Title", "Topic",
                           "Verkaufschance"], "opportunity name"),
        F("stage", "text", ["StageName", "Stage", "deal_stage", "Deal - Stage", "Sales Stage", "Phase"], "stage", True),
        F("status", "status", ["Status", "Deal - Status", "Deal Status", "State"], "status (open, won, lost)", True),
        F("amount", "amount", ["Amount", "close_value", "value", "deal_value", "Total Price", "Deal - Value",
                               "Est. Revenue", "Estimated Revenue", "Betrag"], "amount", True),
        F("probability", "percent", ["Probability", "Probability (%)", "win_probability", "Deal probability",
                                     "Deal - Probability", "Wahrscheinlichkeit"], "probability (%)", True),
        F("close_date", "date", ["CloseDate", "Close Date", "expected_close_date", "Deal - Expected close date",
                                 "Est. Close Date", "Estimated Close Date", "Abschlussdatum"], "close date", True),
        F("created_date", "date", ["CreatedDate", "Created Date", "engage_date", "create_date", "open_date",
                                   "Deal - Deal created", "Created On"], "created / engage date", True),
        F("is_closed", "boolean", ["IsClosed", "Closed"], "closed (true/false)", True),
        F("is_won", "boolean", ["IsWon", "Won"], "won (true/false)", True),
        F("product_ref", "text", ["Product__c", "Product", "Product Name", "Product2Id"], "product (id or name)"),
        F("business_unit", "text", ["Business_Unit__c", "Business Unit", "Division", "bu"], "business unit name"),
        F("owner_ref", "text", ["OwnerId", "Opportunity Owner", "Owner", "sales_agent", "Owner Name", "sales_rep",
                                 "Deal owner", "Deal - Owner"], "owner (id, name or email)"),
        F("type", "text", ["Type", "Opportunity Type", "deal_type"], "type (new, expansion, renewal)"),
        F("currency", "currency", ["CurrencyIsoCode", "Amount Currency", "Opportunity Currency", "Deal - Currency",
                                   "Currency", "Transaction Currency", "Currency Code", "Deal currency code",
                                   "Währung"], "currency (ISO code of the amount)"),
    ), (("external_id", "name"), ("stage", "status", "is_closed"))),
    "contacts": KindSpec("contacts", (
        F("external_id", "text", ["Id", "Contact ID", "contact_id"], "CRM id"),
        F("account_ref", "text", ["AccountId", "Account ID", "Account Name", "Account", "company"],
          "account (id or name)"),
        F("first_name", "text", ["FirstName", "First Name"], "first name", True),
        F("last_name", "text", ["LastName", "Last Name", "surname"], "last name", True),
        F("name", "text", ["Name", "Full Name", "Contact Name", "contact"], "full name"),
        F("title", "text", ["Title", "job_title"], "title", True),
        F("department", "text", ["Department"], "department", True),
        F("reports_to_ref", "text", ["ReportsToId", "Reports To", "reports_to", "manager"],
          "reports to (contact id or name)", True),
        F("email", "text", ["Email", "email_address"], "email", True),
        F("phone", "text", ["Phone", "Business Phone", "MobilePhone", "Mobile"], "phone", True),
    ), (("name", "last_name"),)),
    "products": KindSpec("products", (
        F("external_id", "text", ["Id", "Product ID", "Product2Id", "ProductCode", "Product Code"], "CRM id"),
        F("name", "text", ["Name", "Product Name", "product"], "product name"),
        F("family", "text", ["Family", "Product Family", "series", "product_line"], "family / series", True),
        F("list_price", "amount", ["UnitPrice", "List Price", "sales_price", "price"], "list price", True),
    ), (("name",),)),
    "users": KindSpec("users", (
        F("external_id", "text", ["Id", "User ID", "user_id", "employee_id"], "CRM id"),
        F("name", "text", ["Name", "Full Name", "User", "sales_agent", "agent", "person", "employee"], "person"),
        F("email", "text", ["Email", "email_address"], "email"),
        F("manager_ref", "text", ["ManagerId", "Manager", "manager_name"], "manager (id, name or email)", True),
        F("region", "text", ["regional_office", "Region", "Office", "Territory", "Division"], "region / office", True),
    ), (("name",),)),
    "business-units": KindSpec("business-units", (
        F("account_ref", "text", ["AccountId", "Account ID", "Account Name", "Account"], "account (id or name)"),
        F("name", "text", ["Name", "Business Unit", "business_unit", "Division", "Unit"], "business unit name"),
        F("kind", "text", ["Kind", "Type", "unit_type"], "kind (division, function, geography)", True),
    ), (("account_ref",), ("name",))),
}


def fold_header(header: str) -> str:
    """`Close Date`, `close_date` and `CloseDate` all fold to `closedate`."""
    return re.sub(r"[^0-9a-z]", "", str(header).lower())


@dataclass
class Mapping:
    """The result of mapping a file's headers for one kind."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # header → field
    unmapped: list[str] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, str]:
        return {f: h for h, f in self.columns.items()}

    def missing_required(self) -> list[tuple[str, ...]]:
        mapped = set(self.columns.values())
        return [group for group in SPECS[self.kind].required if not mapped.intersection(group)]


def auto_map(headers: list[str], kind: str, overrides: dict[str, str | None] | None = None) -> Mapping:
    """Map headers to the kind's fields; `overrides` (header → field, or None/'' to ignore) win."""
    spec = spec_for(kind)
    overrides = dict(overrides or {})
    by_fold = {fold_header(h): h for h in reversed(headers)}  # first header wins on a fold clash
    for header in overrides:
        if header not in headers:
            matches = [h for h in headers if fold_header(h) == fold_header(header)]
            if not matches:
                raise ImportRefused(f"The mapping names a column {header!r} that the file does not have.")
    overrides = {next(h for h in headers if fold_header(h) == fold_header(k)): v for k, v in overrides.items()}
    columns: dict[str, str] = {}
    for header, target in overrides.items():
        if target:
            if target not in spec.field_names:
                raise ImportRefused(
                    f"{target!r} is not a field of {kind} imports; use one of: {', '.join(spec.field_names)}."
                )
            columns[header] = target
    taken = set(columns.values())
    for fld in spec.fields:
        if fld.name in taken:
            continue
        for alias in fld.aliases:
            aliased = by_fold.get(fold_header(alias))
            if aliased is not None and aliased not in columns and aliased not in overrides:
                columns[aliased] = fld.name
                break
    ordered = {h: columns[h] for h in headers if h in columns}
    return Mapping(kind, ordered, [h for h in headers if h not in ordered])


def spec_for(kind: str) -> KindSpec:
    if kind not in SPECS:
        raise ImportRefused(f"{kind!r} is not an import kind; choose one of: {', '.join(KINDS)}.")
    return SPECS[kind]


def signature_score(headers: list[str], kind: str) -> int:
    """How many of the kind's distinctive fields the headers map to."""
    spec = SPECS[kind]
    mapped = set(auto_map(headers, kind).columns.values())
    return sum(1 for f in spec.fields if f.signature and f.name in mapped)


def guess_kind(headers: list[str]) -> str | None:
    """The kind whose required fields are all present and whose distinctive fields match best."""
    candidates = []
    for kind in KINDS:
        mapping = auto_map(headers, kind)
        if not mapping.missing_required():
            candidates.append((signature_score(headers, kind), len(mapping.columns), -KINDS.index(kind), kind))
    return max(candidates)[3] if candidates else None


def parse_overrides(pairs: list[str] | None) -> dict[str, str | None]:
    """`--map SOURCE=FIELD` pairs as a dict; an empty FIELD means "ignore this column"."""
    result: dict[str, str | None] = {}
    for pair in pairs or []:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip():
            raise ImportRefused(f"--map {pair!r} is not SOURCE=FIELD (for example --map 'Deal Owner=owner_ref').")
        result[source.strip()] = target.strip() or None
    return result


def describe_required(kind: str, missing: list[tuple[str, ...]]) -> str:
    """Missing field groups named with the headers that would satisfy them."""
    spec = SPECS[kind]
    parts = []
    for group in missing:
        names = " or ".join(f"{spec.field(f).label} ({', '.join(spec.field(f).aliases[:3])})" for f in group)
        parts.append(names)
    return "; ".join(parts)
