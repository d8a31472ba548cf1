-- DuckDB functions the domain SQL uses, defined on PostgreSQL with the same meaning (issue #18).
-- planning.db.postgres runs this file on every migrate (CREATE OR REPLACE: idempotent), so the
-- query families keep one spelling for both backends. Add a function here only when its DuckDB
-- meaning is exact in PostgreSQL; otherwise give the query family a Dialects pair. Mark it PARALLEL
-- SAFE when it is: one unsafe function in a statement keeps PostgreSQL from scanning in parallel.

CREATE OR REPLACE FUNCTION today() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS 'SELECT current_date';

CREATE OR REPLACE FUNCTION year(value date) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT extract(year FROM value)::bigint';
CREATE OR REPLACE FUNCTION year(value timestamp) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT extract(year FROM value)::bigint';

-- list_contains: NULL for a NULL list or element, FALSE when absent even if the list holds NULLs
-- (DuckDB's meaning). One `= ANY` with no CASE around it: inlined on a constant list (a plan-id
-- filter) the planner sees `id = ANY('{…}')` and estimates it, instead of half of every table.
CREATE OR REPLACE FUNCTION list_contains(list anyarray, element anyelement) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT element = ANY(array_remove(list, NULL))';
CREATE OR REPLACE FUNCTION list_position(list anyarray, element anyelement) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT array_position(list, element)';
CREATE OR REPLACE FUNCTION list_extract(list anyarray, n integer) RETURNS anyelement
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT list[n]';

CREATE OR REPLACE FUNCTION contains(haystack text, needle text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos(haystack, needle) > 0';
CREATE OR REPLACE FUNCTION regexp_full_match(value text, pattern text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT value ~ (''^(?:'' || pattern || '')$'')';

-- any_value(x): PostgreSQL has it from version 16; this is its meaning (an arbitrary non-null value).
CREATE OR REPLACE FUNCTION planning_first_non_null(state anyelement, value anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT coalesce(state, value)';
DO $$
BEGIN
    IF current_setting('server_version_num')::int < 160000
       AND NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'any_value' AND prokind = 'a') THEN
        CREATE AGGREGATE any_value(anyelement) (SFUNC = planning_first_non_null, STYPE = anyelement);
    END IF;
END
$$;

-- round(double, digits): PostgreSQL rounds only numeric to a number of digits.
CREATE OR REPLACE FUNCTION round(value double precision, digits integer) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT round(value::numeric, digits)::double precision';

-- range(start, stop): DuckDB's list of the integers start … stop - 1.
CREATE OR REPLACE FUNCTION range(start bigint, stop bigint) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT coalesce(array(SELECT generate_series(start, stop - 1)), ''{}'')';

-- try_cast_double(text): a text as a double, NULL when it is not a number (DuckDB: try_cast(x AS DOUBLE)).
CREATE OR REPLACE FUNCTION try_cast_double(value text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN value::double precision;
EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
    RETURN NULL;
END
$$;
