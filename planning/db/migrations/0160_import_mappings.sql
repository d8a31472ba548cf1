-- Issue #16: a column mapping confirmed once for a file shape (the kind and its folded headers) is
-- applied again to the next export of the same shape, so a weekly extract needs no clicks.
CREATE TABLE import_mapping (
    shape VARCHAR PRIMARY KEY,      -- sha1 of the kind and the file's folded headers, in order
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,        -- the recognised CRM (sources.Source.key)
    columns VARCHAR NOT NULL,       -- JSON object: header -> field, or null to ignore the column
    saved_at TIMESTAMP NOT NULL,
    user_id BIGINT
);
