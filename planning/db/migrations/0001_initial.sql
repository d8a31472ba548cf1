-- Every entity of docs/design.md's data model. Money is DECIMAL(18,2) so sums are exact;
-- probabilities are fractions 0..1; NULL amount means "unknown" (counts as 0 in sums).
-- Referential rules are enforced in planning/, not with FOREIGN KEY constraints, because
-- DuckDB's constraint checks make bulk re-imports and in-place updates needlessly fragile.

CREATE SEQUENCE seq_user;
CREATE TABLE app_user (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_user'),
    external_id VARCHAR UNIQUE,
    name VARCHAR NOT NULL,
    email VARCHAR,
    role VARCHAR NOT NULL DEFAULT 'rep',          -- admin, ops, leader, rep
    manager_id BIGINT,
    region VARCHAR,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    import_batch_id BIGINT,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_account;
CREATE TABLE account (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_account'),
    external_id VARCHAR UNIQUE,
    name VARCHAR NOT NULL,
    parent_id BIGINT,
    industry VARCHAR,
    annual_revenue DECIMAL(18, 2),
    employees INTEGER,
    region VARCHAR,
    territory VARCHAR,
    country VARCHAR,
    year_established INTEGER,
    owner_id BIGINT,
    current_segment VARCHAR,     -- vocab.SEGMENTS
    target_segment VARCHAR,      -- vocab.TARGET_SEGMENTS
    tier INTEGER,                -- 1, 2, 3
    is_strategic BOOLEAN NOT NULL DEFAULT FALSE,
    call_frequency_days INTEGER,
    last_activity_date DATE,
    next_activity_due DATE,
    import_batch_id BIGINT,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE stage (
    name VARCHAR PRIMARY KEY,
    probability DOUBLE NOT NULL,  -- default probability, 0..1
    is_closed BOOLEAN NOT NULL,
    is_won BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE SEQUENCE seq_product;
CREATE TABLE product (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_product'),
    external_id VARCHAR UNIQUE,
    name VARCHAR NOT NULL UNIQUE,
    family VARCHAR,
    list_price DECIMAL(18, 2),
    import_batch_id BIGINT
);

CREATE SEQUENCE seq_business_unit;
CREATE TABLE business_unit (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_business_unit'),
    account_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR,                 -- division, function, geography
    import_batch_id BIGINT,
    UNIQUE (account_id, name)
);

CREATE SEQUENCE seq_opportunity;
CREATE TABLE opportunity (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_opportunity'),
    external_id VARCHAR UNIQUE,
    account_id BIGINT,            -- NULL: unassigned (early-stage deal without an account)
    account_ref VARCHAR,          -- the file's account reference when it did not resolve
    name VARCHAR,
    stage VARCHAR,
    amount DECIMAL(18, 2),
    probability DOUBLE,           -- the file's own value (0..1); NULL: take the stage default
    close_date DATE,
    created_date DATE,
    is_closed BOOLEAN,            -- the file's own flags; NULL: take the stage's
    is_won BOOLEAN,
    product_id BIGINT,
    product_ref VARCHAR,
    business_unit_id BIGINT,
    owner_id BIGINT,
    type VARCHAR,                 -- new, expansion, renewal
    import_batch_id BIGINT,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE opportunity_history (
    opportunity_id BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    field VARCHAR NOT NULL,
    old_value VARCHAR,
    new_value VARCHAR,
    import_batch_id BIGINT
);

CREATE SEQUENCE seq_contact;
CREATE TABLE contact (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_contact'),
    external_id VARCHAR UNIQUE,
    account_id BIGINT,
    first_name VARCHAR,
    last_name VARCHAR,
    name VARCHAR NOT NULL,
    title VARCHAR,
    department VARCHAR,
    reports_to_id BIGINT,
    email VARCHAR,
    phone VARCHAR,
    import_batch_id BIGINT
);

CREATE SEQUENCE seq_scorecard_template;
CREATE TABLE scorecard_template (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_scorecard_template'),
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    status VARCHAR NOT NULL DEFAULT 'Draft',   -- Draft, Active, Archived
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (name, version)
);

CREATE SEQUENCE seq_scorecard_category;
CREATE TABLE scorecard_category (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_scorecard_category'),
    template_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    weight DOUBLE NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE SEQUENCE seq_scorecard_question;
CREATE TABLE scorecard_question (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_scorecard_question'),
    category_id BIGINT NOT NULL,
    text VARCHAR NOT NULL,
    qtype VARCHAR NOT NULL,       -- rating, yes_no, choice, number, text
    weight DOUBLE NOT NULL DEFAULT 1,
    help_text VARCHAR,
    options VARCHAR,              -- JSON: choice → points, or number thresholds → points
    position INTEGER NOT NULL DEFAULT 0
);

CREATE SEQUENCE seq_plan;
CREATE TABLE plan (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_plan'),
    account_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    period_kind VARCHAR NOT NULL DEFAULT 'year',  -- quarter, half, year, custom
    business_unit_id BIGINT,      -- set: the plan is scoped to one business unit
    template_id BIGINT,           -- scorecard template version the plan is scored with
    status VARCHAR NOT NULL DEFAULT 'Draft',      -- Draft, Active, Completed, Archived
    owner_id BIGINT,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    parent_plan_id BIGINT,        -- follow-up chain
    sales_target DECIMAL(18, 2) NOT NULL DEFAULT 0,
    vision VARCHAR,
    strategy VARCHAR,
    strengths VARCHAR,
    weaknesses VARCHAR,
    opportunities VARCHAR,
    threats VARCHAR,
    goals VARCHAR,
    support_required VARCHAR,
    short_term_plan VARCHAR,
    relationship_current VARCHAR, -- vocab.RELATIONSHIP_STATUSES
    relationship_desired VARCHAR,
    last_reviewed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,           -- bumped on every save (no lost updates)
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_team_member;
CREATE TABLE team_member (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_team_member'),
    plan_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    role VARCHAR NOT NULL,        -- vocab.TEAM_ROLES
    UNIQUE (plan_id, user_id)
);

CREATE SEQUENCE seq_objective;
CREATE TABLE objective (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_objective'),
    plan_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    type VARCHAR,
    owner_id BIGINT,
    priority VARCHAR,             -- High, Medium, Low
    status VARCHAR NOT NULL DEFAULT 'Not Started',
    outcome VARCHAR,
    due_date DATE,
    measure_kind VARCHAR,         -- NULL, count, sum
    measure_filter VARCHAR,       -- JSON: {"stage": [...], "product": [...], "type": [...]}
    measure_target DOUBLE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_action;
CREATE TABLE action (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_action'),
    plan_id BIGINT NOT NULL,
    objective_id BIGINT,
    title VARCHAR NOT NULL,
    owner_id BIGINT NOT NULL,
    due_date DATE,
    status VARCHAR NOT NULL DEFAULT 'Not Started',
    completed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_initiative;
CREATE TABLE initiative (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_initiative'),
    plan_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    product_id BIGINT,
    business_unit_id BIGINT,
    estimated_value DECIMAL(18, 2),
    timing VARCHAR,
    likely_buyer VARCHAR,
    trigger_event VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'Identified',
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_scorecard_submission;
CREATE TABLE scorecard_submission (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_scorecard_submission'),
    plan_id BIGINT NOT NULL,
    template_id BIGINT NOT NULL,
    submitted_by BIGINT,
    submitted_at TIMESTAMP NOT NULL,
    carried_forward BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE SEQUENCE seq_scorecard_answer;
CREATE TABLE scorecard_answer (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_scorecard_answer'),
    submission_id BIGINT NOT NULL,
    plan_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    value VARCHAR,                -- NULL: unanswered (a gap, never a zero)
    note VARCHAR,
    answered_by BIGINT,
    answered_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_competitor;
CREATE TABLE competitor (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_competitor'),
    name VARCHAR NOT NULL UNIQUE
);

CREATE SEQUENCE seq_whitespace_cell;
CREATE TABLE whitespace_cell (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_whitespace_cell'),
    plan_id BIGINT NOT NULL,
    business_unit_id BIGINT,      -- NULL: the whole account
    product_id BIGINT NOT NULL,
    status VARCHAR,               -- NULL: derived from opportunities; else set by a person
    estimated_value DECIMAL(18, 2),
    competitor_id BIGINT,
    contract_end_date DATE,
    note VARCHAR,                 -- reason for Not a Fit / Blocked
    updated_by BIGINT,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE seq_stakeholder;
CREATE TABLE stakeholder (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_stakeholder'),
    plan_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    buying_role VARCHAR,          -- vocab.BUYING_ROLES
    support VARCHAR,              -- vocab.SUPPORT_LEVELS
    coverage VARCHAR NOT NULL DEFAULT 'Unknown',  -- vocab.COVERAGE_LEVELS
    influence INTEGER,            -- 1..5
    relationship_strength INTEGER,-- 1..5
    covered_by_user_id BIGINT,
    last_contact_date DATE,
    note VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (plan_id, contact_id)
);

CREATE SEQUENCE seq_influence_link;
CREATE TABLE influence_link (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_influence_link'),
    plan_id BIGINT NOT NULL,
    from_contact_id BIGINT NOT NULL,
    to_contact_id BIGINT NOT NULL,
    note VARCHAR
);

CREATE SEQUENCE seq_comment;
CREATE TABLE comment (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_comment'),
    plan_id BIGINT NOT NULL,
    author_id BIGINT,
    kind VARCHAR NOT NULL DEFAULT 'comment',  -- comment, file
    body VARCHAR,
    url VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE seq_import_batch;
CREATE TABLE import_batch (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_import_batch'),
    file_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    user_id BIGINT,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL       -- committed, refused, dry-run
);

CREATE SEQUENCE seq_audit;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    user_id BIGINT,
    entity VARCHAR NOT NULL,
    entity_id BIGINT,
    field VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    import_batch_id BIGINT
);

CREATE TABLE kpi_snapshot (
    plan_id BIGINT NOT NULL,
    snapshot_date DATE NOT NULL,
    target DECIMAL(18, 2),
    won DECIMAL(18, 2),
    pipeline DECIMAL(18, 2),
    weighted_pipeline DOUBLE,
    expected DOUBLE,
    PRIMARY KEY (plan_id, snapshot_date)
);

CREATE SEQUENCE seq_selection_criterion;
CREATE TABLE selection_criterion (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_selection_criterion'),
    name VARCHAR NOT NULL UNIQUE,
    weight DOUBLE NOT NULL DEFAULT 1
);

CREATE TABLE account_selection_score (
    account_id BIGINT NOT NULL,
    criterion_id BIGINT NOT NULL,
    score INTEGER NOT NULL,       -- 1..5
    PRIMARY KEY (account_id, criterion_id)
);

CREATE SEQUENCE seq_export_preset;
CREATE TABLE export_preset (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_export_preset'),
    name VARCHAR NOT NULL UNIQUE,
    sections VARCHAR NOT NULL,    -- JSON list of section names
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE setting (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- Stage names from Salesforce's defaults and common CRMs; imports add new ones.
INSERT INTO stage VALUES
    ('Prospecting', 0.10, FALSE, FALSE, 10),
    ('Qualification', 0.10, FALSE, FALSE, 20),
    ('Engaging', 0.30, FALSE, FALSE, 25),
    ('Needs Analysis', 0.20, FALSE, FALSE, 30),
    ('Discovery', 0.20, FALSE, FALSE, 35),
    ('Value Proposition', 0.50, FALSE, FALSE, 40),
    ('Id. Decision Makers', 0.60, FALSE, FALSE, 50),
    ('Perception Analysis', 0.70, FALSE, FALSE, 60),
    ('Proposal/Price Quote', 0.75, FALSE, FALSE, 70),
    ('Proposal/Quote', 0.75, FALSE, FALSE, 71),
    ('Negotiation/Review', 0.90, FALSE, FALSE, 80),
    ('Negotiation', 0.90, FALSE, FALSE, 81),
    ('Closed Won', 1.00, TRUE, TRUE, 90),
    ('Won', 1.00, TRUE, TRUE, 91),
    ('Closed Lost', 0.00, TRUE, FALSE, 95),
    ('Lost', 0.00, TRUE, FALSE, 96);
