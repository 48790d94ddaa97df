-- Each time someone who may be under 18 confirmed a parent's or guardian's permission
-- (clauses 6.5–6.6): at registration or in the profile. The consent history shows them.
CREATE TABLE guardian_confirmations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    place        TEXT   NOT NULL,
    confirmed_at BIGINT NOT NULL
);
CREATE INDEX guardian_confirmations_by_account ON guardian_confirmations (account_id, id);
