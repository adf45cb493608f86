-- What admins decided about a recommendation (issue 7): acknowledged, dismissed with a reason,
-- or reopened. Append-only: the newest row per recommendation_key is the current decision, the
-- older rows are its history (the audit log holds every step as well).
--
-- recommendation_key is '<rule id>:<subject>' (e.g. 'missing_report:ba-pankow'), without the
-- period, so a decision carries over to later periods as long as the evidence is the same.
-- fingerprint is a hash of the evidence rows the admin saw: when the evaluation yields a
-- different fingerprint, the decision no longer applies and the recommendation is open again.

CREATE SEQUENCE recommendation_state_id_seq START 1;

CREATE TABLE recommendation_state (
    id BIGINT PRIMARY KEY DEFAULT nextval('recommendation_state_id_seq'),
    recommendation_key VARCHAR NOT NULL,
    rule_id VARCHAR NOT NULL,
    period_id VARCHAR NOT NULL,  -- the period the admin was looking at
    state VARCHAR NOT NULL CHECK (state IN ('open', 'acknowledged', 'dismissed')),
    reason VARCHAR,
    fingerprint VARCHAR NOT NULL,
    decided_by VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    CHECK (state = 'open' OR length(trim(reason)) > 0)
);
