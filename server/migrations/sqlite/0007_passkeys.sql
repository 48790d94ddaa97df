-- Passkeys (WebAuthn). `passkey` is the credential as webauthn-rs keeps it (its public key and
-- signature counter, as JSON): nothing in it signs in by itself. `user_handle` is the random
-- ID the account's passkeys carry in the authenticator (the WebAuthn user handle), so a
-- sign-in with no login typed finds the account, and a credential ID shown with another
-- account's handle is refused.
CREATE TABLE passkeys (
    id            TEXT    PRIMARY KEY,
    account_id    BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    credential_id TEXT    NOT NULL UNIQUE,
    user_handle   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    passkey       TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_by_account ON passkeys (account_id);

-- The first half of a passkey ceremony, waiting for the browser's answer: five minutes, and
-- deleted by the answer that uses it. In the database, so a ceremony begun on one instance
-- finishes on any other. Adding a passkey belongs to the session that began it; signing in
-- belongs to nobody yet.
CREATE TABLE passkey_challenges (
    id_hash    TEXT    PRIMARY KEY,
    purpose    TEXT    NOT NULL,
    session_id BIGINT  REFERENCES sessions (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX passkey_challenges_by_expiry ON passkey_challenges (expires_at);

-- The passkey a session was opened with: removing it ends those sessions too, so a passkey
-- someone else added is taken back with everything it opened.
ALTER TABLE sessions ADD COLUMN passkey_id TEXT;
