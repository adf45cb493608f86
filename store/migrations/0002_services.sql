-- Service catalogue and service status (issue 3).
--
-- `service` is the Land-wide catalogue: one row per Verwaltungsleistung, the newest accepted
-- catalogue import wins for names and classification. `catalog_entry` keeps every import as a
-- snapshot (which services a catalogue of a period lists), so the denominator of a period is the
-- catalogue valid then. `service_status` holds the offers reported per service and provider;
-- it references the service by key, never by catalogue import, so re-importing a catalogue
-- keeps the whole status history.

CREATE TABLE service (
    -- the 14-digit LeiKa key, or 'ohne-leika:<folded name>' for services "nicht im LeiKa"
    service_key VARCHAR PRIMARY KEY,
    leika_key VARCHAR CHECK (leika_key IS NULL OR regexp_full_match(leika_key, '\d{14}')),
    name VARCHAR NOT NULL,
    leika_type VARCHAR,
    ozg_id VARCHAR,
    ozg_name VARCHAR,
    topic_area VARCHAR,
    life_situation VARCHAR,
    addressee VARCHAR[],
    responsible_authority_id VARCHAR,
    responsible_text VARCHAR,
    district_executed BOOLEAN NOT NULL DEFAULT FALSE,
    portal_id VARCHAR,
    -- set when an admin marked the service out of scope (the reason); NULL = in scope
    out_of_scope_reason VARCHAR,
    first_submission_id INTEGER NOT NULL,
    last_submission_id INTEGER NOT NULL
);

CREATE TABLE catalog_entry (
    submission_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    service_key VARCHAR NOT NULL,
    leika_key VARCHAR,
    name VARCHAR NOT NULL,
    leika_type VARCHAR,
    ozg_id VARCHAR,
    ozg_name VARCHAR,
    topic_area VARCHAR,
    life_situation VARCHAR,
    addressee VARCHAR[],
    responsible_authority_id VARCHAR,
    responsible_text VARCHAR,
    district_executed BOOLEAN NOT NULL,
    portal_id VARCHAR,
    scope_given BOOLEAN NOT NULL,  -- the file had a scope column, so it decides the scope
    out_of_scope_reason VARCHAR,
    extra_columns VARCHAR,
    PRIMARY KEY (submission_id, service_key)
);

CREATE TABLE service_status (
    submission_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    service_key VARCHAR NOT NULL,
    provider VARCHAR NOT NULL CHECK (provider IN ('federal', 'efa', 'land', 'district')),
    -- distinguishes offers of one provider kind: EfA state of origin, the Bezirk's authority
    -- id, or '' (one Land offer, one Bund offer, a Bezirk offer for all or unnamed Bezirke)
    provider_slot VARCHAR NOT NULL,
    origin_state VARCHAR,
    provider_authority_id VARCHAR,
    provider_text VARCHAR,
    maturity_level INTEGER,  -- NULL: unknown ("k.A."), counted as 0
    maturity_model VARCHAR NOT NULL CHECK (maturity_model IN ('1.1', '2.0')),
    maturity_derived BOOLEAN NOT NULL DEFAULT FALSE,  -- inferred from an export, not reported
    url VARCHAR,
    area_wide BOOLEAN,
    online_since DATE,
    source VARCHAR NOT NULL CHECK (source IN ('report', 'pvog', 'portal')),
    as_of DATE NOT NULL,
    remarks VARCHAR,
    extra_columns VARCHAR,
    CHECK (maturity_level IS NULL
        OR (maturity_model = '1.1' AND maturity_level BETWEEN 0 AND 4)
        OR (maturity_model = '2.0' AND maturity_level BETWEEN 0 AND 7)),
    PRIMARY KEY (submission_id, service_key, provider, provider_slot)
);
