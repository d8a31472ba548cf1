"""CSV imports from the CRM: read the file, map its columns, stage and validate, then upsert in one transaction.

`csvfile` reads bytes (encoding, delimiter); `mapping` maps CRM column names to fields;
`staging` parses and checks values; `upsert` resolves references and writes; `ingest` runs
the pipeline and reports; `reconciliation` explains what the KPIs do not count.
"""

from planning.importing.ingest import (
    ImportReport,
    import_csv,
    import_history,
    inspect_headers,
)
from planning.importing.mapping import KINDS

__all__ = ["KINDS", "ImportReport", "import_csv", "import_history", "inspect_headers"]
