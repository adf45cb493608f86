-- Reference data, submissions, project reports and the audit log.
-- No foreign keys: DuckDB refuses updates of referenced rows (review status changes on
-- submission would fail), so references are checked by the loaders before writing.

CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
INSERT INTO meta VALUES ('data_version', '0');

CREATE TABLE authority (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    short_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN (
        'senate_department', 'district_office', 'subordinate_agency', 'state_enterprise')),
    parent_id VARCHAR,
    expected_to_report BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE reporting_period (
    id VARCHAR PRIMARY KEY CHECK (regexp_full_match(id, '\d{4}-Q[1-4]')),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    due_date DATE NOT NULL
);

CREATE TABLE topic_area (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);

CREATE TABLE life_situation (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);

CREATE SEQUENCE submission_id_seq START 1;

CREATE TABLE submission (
    id INTEGER PRIMARY KEY DEFAULT nextval('submission_id_seq'),
    authority_id VARCHAR NOT NULL,
    period_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('projects', 'services', 'eakte', 'catalog')),
    file_name VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    submitted_by VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL,
    review_status VARCHAR NOT NULL DEFAULT 'draft'
        CHECK (review_status IN ('draft', 'checked', 'published')),
    is_demo BOOLEAN NOT NULL DEFAULT FALSE,
    original_file BLOB
);

CREATE TABLE project_report (
    submission_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    project_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    goal VARCHAR,
    programme VARCHAR CHECK (programme IN (
        'online_service', 'eakte', 'specialised_procedure', 'infrastructure',
        'organisation', 'other')),
    topic_area VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN (
        'not_started', 'in_progress', 'reorienting', 'paused', 'completed', 'cancelled')),
    phase VARCHAR,
    traffic_light VARCHAR NOT NULL CHECK (traffic_light IN ('green', 'yellow', 'red')),
    traffic_light_reason VARCHAR,
    risk_rating INTEGER CHECK (risk_rating BETWEEN 1 AND 5),
    planned_start DATE,
    actual_start DATE,
    baseline_end_original DATE,
    baseline_end DATE,
    forecast_end DATE,
    actual_end DATE,
    budget_original DECIMAL(16, 2) CHECK (budget_original >= 0),
    budget DECIMAL(16, 2) CHECK (budget >= 0),
    forecast_cost DECIMAL(16, 2) CHECK (forecast_cost >= 0),
    actual_cost DECIMAL(16, 2) CHECK (actual_cost >= 0),
    cost_reporting_status VARCHAR NOT NULL
        CHECK (cost_reporting_status IN ('reported', 'not_reported', 'confidential')),
    progress_pct DOUBLE CHECK (progress_pct BETWEEN 0 AND 100),
    efa_type VARCHAR,
    leika_keys VARCHAR[],
    ozg_ids VARCHAR[],
    funding VARCHAR,
    contact VARCHAR,
    contact_email VARCHAR,
    remarks VARCHAR,
    extra_columns VARCHAR,
    PRIMARY KEY (submission_id, project_id)
);

CREATE SEQUENCE audit_id_seq START 1;

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    occurred_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    authority_id VARCHAR,
    period_id VARCHAR,
    submission_id INTEGER,
    detail VARCHAR
);
