-- Issue #11: user records carry a version so two admins editing one person cannot overwrite
-- each other unseen (the edit form sends the version it loaded; saves bump it).
ALTER TABLE app_user ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
