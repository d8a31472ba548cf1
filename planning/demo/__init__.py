"""The demo book of business and the large-book generators for benchmarks.

`book.build_demo` seeds a migrated database (accounts, opportunities, contacts, plans,
scorecards, whitespace: one module each); `scale` writes a large book as CRM-style CSVs and
`scale_seed` loads it through the importer.
"""

from planning.demo.book import build_demo, count_rows
from planning.demo.reference import SEED, fiscal_years

__all__ = ["SEED", "build_demo", "count_rows", "fiscal_years"]
