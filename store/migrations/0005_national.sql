-- National scale (issue 8): the territorial hierarchy Land -> Kreis -> Gemeinde and the
-- availability matrix (one row per municipality x service: the best online offer there).
--
-- These tables are separate from Berlin's `authority`/`service_status` on purpose: Berlin's
-- queries never read them, so a database holding the 66-million-row matrix is exactly as fast
-- for Berlin's pages as one without it. The matrix is keyed by compact integers (the AGS of
-- the municipality, a service number) and written sorted by (snapshot, AGS, service), so a
-- state's or a district's rows are contiguous and DuckDB's zone maps skip everything else.
-- No primary key on the matrix: an index over 66 million rows costs gigabytes of memory and
-- minutes of insert time; uniqueness is guaranteed by the writer (store.national), which
-- builds a snapshot in one INSERT ... SELECT over municipalities x services.

-- Gebietskörperschaften. code: '09' (Land), '09162' (Kreis / kreisfreie Stadt), '09162000'
-- (Gemeinde: the 8-digit Amtlicher Gemeindeschlüssel). Land and Kreis of a Gemeinde are
-- prefixes of its code, so roll-ups need no join: ags // 1000 is the Kreis, // 1000000 the Land.
CREATE TABLE region (
    code VARCHAR PRIMARY KEY CHECK (regexp_full_match(code, '\d{2}|\d{5}|\d{8}')),
    level VARCHAR NOT NULL CHECK (level IN ('state', 'district', 'municipality')),
    name VARCHAR NOT NULL,
    short_name VARCHAR,
    parent_code VARCHAR,
    ags INTEGER,  -- municipalities only: the code as a number, the key of the matrix
    population INTEGER CHECK (population >= 0),
    CHECK ((level = 'state') = (length(code) = 2)),
    CHECK ((level = 'district') = (length(code) = 5)),
    CHECK ((level = 'municipality') = (ags IS NOT NULL AND length(code) = 8))
);

-- The services the matrix covers, each with a compact number (the matrix's service key).
-- service_key refers to `service` (names, topic area, LeiKa type come from there).
CREATE TABLE availability_service (
    service_no INTEGER PRIMARY KEY,
    service_key VARCHAR NOT NULL UNIQUE
);

-- One loaded matrix: which period it describes, its as-of date and source.
CREATE TABLE availability_snapshot (
    id INTEGER PRIMARY KEY,
    period_id VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    source VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    row_count BIGINT NOT NULL,
    is_demo BOOLEAN NOT NULL DEFAULT FALSE
);

-- Who provides the best offer in a municipality: 1 Bund, 2 EfA (another state's service),
-- 3 Land, 4 Kommune. A code instead of text keeps the 66-million-row matrix compact.
CREATE TABLE availability_provider (
    code UTINYINT PRIMARY KEY,
    provider VARCHAR NOT NULL UNIQUE
);
INSERT INTO availability_provider VALUES (1, 'federal'), (2, 'efa'), (3, 'state'), (4, 'municipal');

CREATE TABLE service_availability (
    snapshot_id INTEGER NOT NULL,
    ags INTEGER NOT NULL,
    service_no INTEGER NOT NULL,
    -- best offer on the scale of Reifegradmodell 1.1 (0-4); 0 = no online offer
    maturity_level UTINYINT NOT NULL CHECK (maturity_level <= 4),
    provider_code UTINYINT  -- NULL when there is no offer (level 0)
);

-- Roll-ups written together with each snapshot (store.national.write_rollups), so the state
-- overview never scans the matrix: per municipality and topic area, and per state and service.
CREATE TABLE availability_municipality (
    snapshot_id INTEGER NOT NULL,
    ags INTEGER NOT NULL,
    topic_area VARCHAR,
    services INTEGER NOT NULL,
    online INTEGER NOT NULL,  -- services with level >= 3 there
    level2 INTEGER NOT NULL,  -- services with level >= 2 there (the federal dashboard's count)
    online_federal INTEGER NOT NULL,
    online_efa INTEGER NOT NULL,
    online_state INTEGER NOT NULL,
    online_municipal INTEGER NOT NULL
);

CREATE TABLE availability_state_service (
    snapshot_id INTEGER NOT NULL,
    state_code VARCHAR NOT NULL,
    service_no INTEGER NOT NULL,
    municipalities INTEGER NOT NULL,
    online_municipalities INTEGER NOT NULL,
    population BIGINT NOT NULL,
    online_population BIGINT NOT NULL
);
