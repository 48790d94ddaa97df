-- Two-step sign-in with an authenticator app (RFC 6238). The app's secret is sealed with the
-- server's key (`auth/sealing.rs`), so the database alone cannot make codes. A row without
-- `enabled_at` is a setup waiting for its first code.
CREATE TABLE two_step (
    account_id BIGINT  PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    enabled_at BIGINT,
    -- The newest time step whose code was accepted: a code is good once.
    last_step  BIGINT  NOT NULL DEFAULT 0
);

-- Recovery codes: only their SHA-256; a used one is deleted.
CREATE TABLE recovery_codes (
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    PRIMARY KEY (account_id, code_hash)
);

-- A sign-in whose password was right and which waits for the second step, held by the
-- browser in a cookie whose hash is `token_hash`. Five minutes, then it must start again.
CREATE TABLE second_steps (
    token_hash TEXT    PRIMARY KEY,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    remember   INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX second_steps_by_account ON second_steps (account_id);
