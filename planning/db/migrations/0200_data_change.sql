-- Per-table change counters for the read cache (planning/db/changes.py): bumped inside every
-- write transaction, so any process sees which data moved.
CREATE TABLE data_change (
    table_name VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,  -- 'all', 'shared', 'plan:<id>'; ('', 'epoch') holds the epoch
    n BIGINT NOT NULL,
    PRIMARY KEY (table_name, scope)
);
