-- E-Akte rollout status (issue 4): one row per authority and submission.
-- A submission of kind 'eakte' belongs to exactly one authority (submission.authority_id);
-- a collection file naming several authorities becomes one submission per authority, all in
-- one transaction (loaders.eakte.commit_collection). authority_id is repeated here so the
-- rows can be read without the submission table and checked against it.

CREATE TABLE eakte_status (
    submission_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    authority_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('planned', 'pilot', 'rollout', 'productive')),
    golive_planned DATE,
    golive_actual DATE,
    workplaces_in_scope INTEGER NOT NULL CHECK (workplaces_in_scope >= 0),
    workplaces_live INTEGER NOT NULL CHECK (workplaces_live >= 0),
    accounts INTEGER CHECK (accounts >= 0),
    active_users INTEGER CHECK (active_users >= 0),
    legacy_migrated_pct DOUBLE CHECK (legacy_migrated_pct BETWEEN 0 AND 100),
    remarks VARCHAR,
    extra_columns VARCHAR,
    CHECK (workplaces_live <= workplaces_in_scope),
    PRIMARY KEY (submission_id, authority_id)
);
