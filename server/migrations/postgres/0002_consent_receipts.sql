-- Proof of consent: every cookie choice, append-only (never updated, never deleted).
-- The IP address is stored truncated (IPv4 /24, IPv6 /48), never whole.
CREATE TABLE consent_receipts (
    id              BIGSERIAL PRIMARY KEY,
    consent_id      TEXT    NOT NULL,
    categories      TEXT    NOT NULL,
    config_revision TEXT    NOT NULL,
    policy_version  INTEGER NOT NULL,
    gpc             INTEGER NOT NULL,
    user_agent      TEXT    NOT NULL,
    ip_truncated    TEXT    NOT NULL,
    recorded_at     BIGINT  NOT NULL,
    account_id      BIGINT
);
CREATE INDEX consent_receipts_by_consent_id ON consent_receipts (consent_id, id);
