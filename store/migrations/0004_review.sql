-- Review of submissions (draft -> checked -> published) with comments, and the column
-- mappings a user confirmed for an authority's files.
-- The audit log keeps every step as well; review_event is the readable history with the
-- comment shown next to the submission.

CREATE SEQUENCE review_event_id_seq START 1;

CREATE TABLE review_event (
    id BIGINT PRIMARY KEY DEFAULT nextval('review_event_id_seq'),
    submission_id INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    from_status VARCHAR NOT NULL
        CHECK (from_status IN ('draft', 'checked', 'published')),
    to_status VARCHAR NOT NULL
        CHECK (to_status IN ('draft', 'checked', 'published')),
    comment VARCHAR
);

-- header_key is the folded header text (loaders.text.fold); field_name '' means the user
-- chose to leave the column unused.
CREATE TABLE column_mapping (
    authority_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    header_key VARCHAR NOT NULL,
    header_text VARCHAR NOT NULL,
    field_name VARCHAR NOT NULL,
    confirmed_by VARCHAR NOT NULL,
    confirmed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (authority_id, kind, header_key)
);
