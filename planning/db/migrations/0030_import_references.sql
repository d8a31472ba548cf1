-- Issue #3: references an import could not resolve are kept as the file's text (like
-- opportunity.account_ref), so nothing in an extract is lost and a later import can resolve them.
ALTER TABLE opportunity ADD COLUMN owner_ref VARCHAR;
ALTER TABLE opportunity ADD COLUMN business_unit_ref VARCHAR;
ALTER TABLE account ADD COLUMN parent_ref VARCHAR;
ALTER TABLE account ADD COLUMN owner_ref VARCHAR;
ALTER TABLE contact ADD COLUMN account_ref VARCHAR;
ALTER TABLE contact ADD COLUMN reports_to_ref VARCHAR;
