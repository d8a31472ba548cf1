"""Realistic CRM export fixtures (issue #16), written from one list of deals per shape.

Each shape writes the files its CRM exports, in that CRM's own column names, number and date
conventions and framing (Salesforce report footer, HubSpot multi-company ids and duplicate deal
names, Pipedrive status column, Dynamics' (Do Not Modify) columns, a European cp1252 re-save). The
same Python data gives the expected plan KPIs, computed here independently of the importer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

PERIOD = (date(2026, 1, 1), date(2026, 12, 31))


@dataclass
class Deal:
    ident: str
    name: str
    account: str  # account name (or HubSpot ids, below)
    stage: str
    state: str  # open / won / lost
    amount: Decimal | None
    close: date
    probability: float  # 0..1 used for the weighted pipeline of an open deal
    created: date = date(2026, 1, 15)


def expected_kpis(deals: list[Deal], accounts: list[str]) -> dict[str, dict[str, Decimal]]:
    """Per account: won, lost, pipeline and weighted pipeline of deals closing in PERIOD, to the cent."""
    result = {}
    for account in accounts:
        inside = [d for d in deals if d.account == account and PERIOD[0] <= d.close <= PERIOD[1]]
        amount = lambda d: d.amount or Decimal(0)  # noqa: E731
        result[account] = {
            "won": sum((amount(d) for d in inside if d.state == "won"), Decimal(0)),
            "lost": sum((amount(d) for d in inside if d.state == "lost"), Decimal(0)),
            "pipeline": sum((amount(d) for d in inside if d.state == "open"), Decimal(0)),
            "weighted_pipeline": sum((amount(d) * Decimal(str(d.probability)) for d in inside if d.state == "open"),
                                     Decimal(0)).quantize(Decimal("0.01")),
        }
    return result


def _csv(header: list[str], rows: list[list[str]], delimiter: str = ",", quote_all: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _us(amount: Decimal | None, prefix: str = "") -> str:
    return "" if amount is None else f"{prefix}{amount:,.2f}"


def _eu(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


# -- Salesforce report export ("Details only", CSV) ----------------------------------------------

SF_ACCOUNTS = ["Acme Corporation", "Globex Industries", "Initech"]
SF_DEALS = [
    Deal("", "Acme - Platform", "Acme Corporation", "Prospecting", "open", Decimal("1234567.00"), date(2026, 3, 31), 0.10),
    Deal("", "Acme - Services", "Acme Corporation", "Negotiation/Review", "open", Decimal("1234.50"), date(2026, 11, 23), 0.90),
    Deal("", "Acme - Renewal", "Acme Corporation", "Closed Won", "won", Decimal("98000.00"), date(2026, 2, 14), 1.0),
    Deal("", "Globex - Pilot", "Globex Industries", "Closed Lost", "lost", Decimal("45000.00"), date(2026, 5, 1), 0.0),
    Deal("", "Globex - Expansion", "Globex Industries", "Proposal/Price Quote", "open", None, date(2026, 8, 19), 0.75),
    Deal("", "Globex - Old", "Globex Industries", "Value Proposition", "open", Decimal("7000.00"), date(2025, 12, 31), 0.50),
    Deal("", "Initech - Printers", "Initech", "Id. Decision Makers", "open", Decimal("22500.00"), date(2026, 12, 1), 0.60),
]
SF_FOOTER = ("\r\n\"Grand Totals ({n} records)\",,,,,,\"USD {total}\",,,\r\n\r\n"
             "\"Confidential Information - Do Not Distribute\"\r\n"
             "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n")


def salesforce_report() -> dict[str, bytes]:
    accounts = _csv(["Account Name", "Account Owner", "Industry", "Billing Country", "Annual Revenue", "Employees"],
                    [["Acme Corporation", "Ada Lovelace", "Technology", "United States", "USD 12,500,000.00", "1,200"],
                     ["Globex Industries", "Ada Lovelace", "Manufacturing", "Germany", "USD 3,400,000.00", "850"],
                     ["Initech", "Alan Turing", "Software", "United States", "USD 900,000.00", "95"]],
                    quote_all=True)
    rows = [["Ada Lovelace", d.account, d.name, d.stage, f"Q{(d.close.month - 1) // 3 + 1}-{d.close.year}", "USD",
             _us(d.amount, "USD "), f"{d.probability * 100:.0f}", f"{d.close.month}/{d.close.day}/{d.close.year}",
             f"{d.created.month}/{d.created.day}/{d.created.year}"] for d in SF_DEALS]
    total = sum((d.amount or Decimal(0)) for d in SF_DEALS)
    opportunities = _csv(["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Fiscal Period",
                          "Amount Currency", "Amount", "Probability (%)", "Close Date", "Created Date"], rows,
                         quote_all=True)
    footer = SF_FOOTER.format(n=len(SF_DEALS), total=f"{total:,.2f}")
    return {"accounts": (accounts + SF_FOOTER.format(n=3, total="16,800,000.00")).encode(),
            "opportunities": (opportunities + footer).encode()}


# -- HubSpot (companies and deals) ---------------------------------------------------------------

HS_COMPANIES = [("9001", "Northwind Traders"), ("9002", "Contoso Ltd"), ("9003", "Fabrikam Inc")]
HS_DEALS = [
    Deal("501", "New website", "9001", "Appointment Scheduled", "open", Decimal("125000"), date(2026, 4, 15), 0.20),
    Deal("502", "New website", "9002", "Qualified To Buy", "open", Decimal("40000"), date(2026, 6, 30), 0.40),
    Deal("503", "Support plan", "9002", "Presentation Scheduled", "open", Decimal("18250.50"), date(2026, 9, 1), 0.60),
    Deal("504", "Licences", "9003", "Decision Maker Bought-In", "open", None, date(2026, 10, 1), 0.80),
    Deal("505", "Licences", "9003", "Contract Sent", "open", Decimal("61000"), date(2026, 11, 30), 0.90),
    Deal("506", "Consulting", "9001", "Closed Won", "won", Decimal("33000"), date(2026, 2, 28), 1.0),
    Deal("507", "Training", "9001", "Closed Lost", "lost", Decimal("9000"), date(2026, 3, 15), 0.0),
]
HS_MULTI = {"503": "9002;9003", "506": "9001;9002;9003"}  # primary company first


def hubspot_rows() -> tuple[list[str], list[list[str]]]:
    header = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Deal owner", "Associated Company IDs",
              "Pipeline", "Create Date"]
    rows = [[d.ident, d.name, d.stage, "" if d.amount is None else f"${d.amount}", f"{d.close:%Y-%m-%d} 09:30",
             "Grace Hopper", HS_MULTI.get(d.ident, d.account), "Sales Pipeline", f"{d.created:%Y-%m-%d} 14:05"]
            for d in HS_DEALS]
    return header, rows


def hubspot() -> dict[str, bytes]:
    companies = _csv(["Record ID", "Company name", "Domain", "Company owner", "Industry", "Annual Revenue",
                      "Number of Employees", "Country/Region"],
                     [[i, n, n.split()[0].lower() + ".com", "Grace Hopper", "COMPUTER_SOFTWARE", "2500000", "120",
                       "United Kingdom"] for i, n in HS_COMPANIES])
    header, rows = hubspot_rows()
    return {"accounts": companies.encode(), "opportunities": _csv(header, rows).encode()}


# -- Pipedrive (organizations and deals) ----------------------------------------------------------

PD_ORGS = ["Umbrella Corp", "Stark Industries", "Wayne Enterprises"]
PD_DEALS = [
    Deal("", "Umbrella - CRM rollout", "Umbrella Corp", "Qualified", "open", Decimal("15000"), date(2026, 3, 1), 0.25),
    Deal("", "Umbrella - Add-on", "Umbrella Corp", "Proposal Made", "won", Decimal("4000"), date(2026, 2, 1), 1.0),
    Deal("", "Stark - Licences", "Stark Industries", "Negotiations Started", "lost", Decimal("80000"), date(2026, 6, 1), 0.0),
    Deal("", "Stark - Services", "Stark Industries", "Negotiations Started", "open", Decimal("27500.75"), date(2026, 7, 1), 0.70),
    Deal("", "Wayne - Pilot", "Wayne Enterprises", "Proposal Made", "open", None, date(2026, 9, 30), 0.50),
    Deal("", "Wayne - Security", "Wayne Enterprises", "Qualified", "won", Decimal("51000"), date(2026, 5, 5), 1.0),
]
PD_STAGES = {"Qualified": 0.25, "Proposal Made": 0.50, "Negotiations Started": 0.70}


def pipedrive() -> dict[str, bytes]:
    orgs = _csv(["Organization - Name", "Organization - Owner", "Organization - Address", "Organization - Label"],
                [[n, "Linus Torvalds", "1 Main St", ""] for n in PD_ORGS])
    deals = _csv(["Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Organization", "Deal - Stage",
                  "Deal - Status", "Deal - Expected close date", "Deal - Owner", "Deal - Deal created"],
                 [[d.name, "" if d.amount is None else str(d.amount), "EUR", d.account, d.stage, d.state,
                   f"{d.close:%Y-%m-%d}", "Linus Torvalds", f"{d.created:%Y-%m-%d} 10:00:00"] for d in PD_DEALS])
    return {"accounts": orgs.encode(), "opportunities": deals.encode()}


# -- Microsoft Dynamics 365 -----------------------------------------------------------------------

DY_ACCOUNTS = [("a1b2c3d4-0000-0000-0000-000000000001", "Litware Inc"),
               ("a1b2c3d4-0000-0000-0000-000000000002", "Adventure Works")]
DY_DEALS = [
    Deal("e0000000-0000-0000-0000-000000000001", "Litware ERP", "Litware Inc", "", "open", Decimal("212341.00"),
         date(2026, 11, 23), 0.40),
    Deal("e0000000-0000-0000-0000-000000000002", "Litware Support", "Litware Inc", "", "won", Decimal("15000.00"),
         date(2026, 1, 20), 1.0),
    Deal("e0000000-0000-0000-0000-000000000003", "Adventure Bikes", "Adventure Works", "", "lost", Decimal("9999.99"),
         date(2026, 4, 2), 0.0),
    Deal("e0000000-0000-0000-0000-000000000004", "Adventure Tents", "Adventure Works", "", "open", None,
         date(2026, 12, 15), 0.65),
]


def dynamics() -> dict[str, bytes]:
    accounts = _csv(["(Do Not Modify) Account", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On",
                     "Account Name", "Main Phone", "Address 1: City", "Primary Contact", "Industry",
                     "Annual Revenue", "Number of Employees", "Address 1: Country/Region"],
                    [[g, "abc==", "11/20/2026 8:15 AM", n, "555-0100", "Redmond", "", "Consulting", "$1,250,000.00",
                      "300", "United States"] for g, n in DY_ACCOUNTS])
    deals = _csv(["(Do Not Modify) Opportunity", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On",
                  "Topic", "Potential Customer", "Est. Revenue", "Est. Close Date", "Probability", "Status", "Owner"],
                 [[d.ident, "xyz==", "11/20/2026 8:15 AM", d.name, d.account, _us(d.amount, "$"),
                   f"{d.close.month}/{d.close.day}/{d.close.year}", f"{d.probability * 100:.0f}", d.state.title(),
                   "Satya N"] for d in DY_DEALS])
    return {"accounts": accounts.encode(), "opportunities": deals.encode()}


# -- European spreadsheet re-save (;, decimal comma, DD.MM.YYYY, cp1252) ---------------------------

EU_ACCOUNTS = ["Müller Maschinenbau", "Bäckerei Größl", "Öko Energie"]
EU_DEALS = [
    Deal("", "Fräsanlage", "Müller Maschinenbau", "Qualification", "open", Decimal("12345.67"), date(2026, 10, 16), 0.10),
    Deal("", "Wartung", "Müller Maschinenbau", "Closed Won", "won", Decimal("1000.00"), date(2026, 3, 2), 1.0),
    Deal("", "Ofen", "Bäckerei Größl", "Negotiation/Review", "open", Decimal("2500.00"), date(2026, 7, 31), 0.90),
    Deal("", "Kühlung", "Bäckerei Größl", "Closed Lost", "lost", Decimal("8750.50"), date(2026, 5, 13), 0.0),
    Deal("", "Solarpark", "Öko Energie", "Value Proposition", "open", None, date(2026, 12, 24), 0.50),
]


def european() -> dict[str, bytes]:
    accounts = _csv(["Account Name", "Industry", "Annual Revenue", "Employees", "Billing Country"],
                    [["Müller Maschinenbau", "Maschinenbau", "12.345.678,90", "2.500", "Deutschland"],
                     ["Bäckerei Größl", "Lebensmittel", "850.000,00", "1.000", "Österreich"],
                     ["Öko Energie", "Energie", "1.234,56", "45", "Schweiz"]], delimiter=";")
    deals = _csv(["Opportunity Name", "Account Name", "Stage", "Amount", "Probability (%)", "Close Date"],
                 [[d.name, d.account, d.stage, _eu(d.amount), f"{d.probability * 100:.0f}", f"{d.close:%d.%m.%Y}"]
                  for d in EU_DEALS], delimiter=";")
    return {"accounts": accounts.encode("cp1252"), "opportunities": deals.encode("cp1252")}


SHAPES = {
    "salesforce-report": (salesforce_report, SF_DEALS, SF_ACCOUNTS, "Salesforce report opportunities export"),
    "hubspot": (hubspot, HS_DEALS, [i for i, _ in HS_COMPANIES], "HubSpot deals export"),
    "pipedrive": (pipedrive, PD_DEALS, PD_ORGS, "Pipedrive deals export"),
    "dynamics": (dynamics, DY_DEALS, [n for _, n in DY_ACCOUNTS], "Dynamics 365 opportunities export"),
    "european": (european, EU_DEALS, EU_ACCOUNTS, "Salesforce report opportunities export"),
}
