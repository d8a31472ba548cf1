-- Contacts and actions carry a version too, so two people editing one of them cannot overwrite
-- each other unseen (docs/design.md, Versioned saves): the form keeps the version it opened with.
ALTER TABLE contact ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE action ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
