-- Accounts (clause 2.1), their sessions, one-time e-mail links, sign-in throttling, the
-- security log and the outgoing mail queue. Times are Unix seconds.
CREATE TABLE accounts (
    id                BIGSERIAL PRIMARY KEY,
    login             TEXT    NOT NULL,
    login_key         TEXT    NOT NULL UNIQUE,   -- lower case: logins are unique without regard to case
    email             TEXT    NOT NULL,
    email_key         TEXT    NOT NULL UNIQUE,
    email_verified_at BIGINT,
    first_name        TEXT    NOT NULL,
    birth_year        INTEGER NOT NULL,
    gender            TEXT    NOT NULL,
    lang              TEXT    NOT NULL,
    password_hash     TEXT    NOT NULL,          -- Argon2id PHC string
    guardian_consent  INTEGER NOT NULL,
    created_at        BIGINT  NOT NULL
);

-- Every policy version an account accepted, and when (clauses 1.3, 8.1).
CREATE TABLE policy_acceptances (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    lang        TEXT    NOT NULL,
    accepted_at BIGINT  NOT NULL
);
CREATE INDEX policy_acceptances_by_account ON policy_acceptances (account_id, id);

-- Only a hash of the session token is stored: a copy of the database signs nobody in.
CREATE TABLE sessions (
    id                  BIGSERIAL PRIMARY KEY,
    account_id          BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash          TEXT    NOT NULL UNIQUE,
    remember            INTEGER NOT NULL,
    created_at          BIGINT  NOT NULL,
    last_used_at        BIGINT  NOT NULL,
    authenticated_at    BIGINT  NOT NULL,  -- the last time the password was given
    idle_expires_at     BIGINT  NOT NULL,
    absolute_expires_at BIGINT  NOT NULL,
    ip                  TEXT    NOT NULL,
    user_agent          TEXT    NOT NULL,
    browser             TEXT    NOT NULL,
    os                  TEXT    NOT NULL,
    device              TEXT    NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);

-- Verification and reset links: hashed, single use, expiring.
CREATE TABLE email_tokens (
    token_hash TEXT    PRIMARY KEY,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE INDEX email_tokens_by_account ON email_tokens (account_id, purpose);

-- Throttling counts events per bucket ("sign-in failure for account 7", "reset mail to x")
-- in the database, so every server instance sees the same counts.
CREATE TABLE throttle_events (
    id     BIGSERIAL PRIMARY KEY,
    bucket TEXT    NOT NULL,
    at     BIGINT  NOT NULL
);
CREATE INDEX throttle_events_by_bucket ON throttle_events (bucket, at);

-- Sign-ins, failed sign-ins, password and e-mail changes: what the user's security log shows.
CREATE TABLE security_events (
    id         BIGSERIAL PRIMARY KEY,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    ip         TEXT    NOT NULL,
    browser    TEXT    NOT NULL,
    os         TEXT    NOT NULL,
    device     TEXT    NOT NULL
);
CREATE INDEX security_events_by_account ON security_events (account_id, id);

-- Outgoing e-mail, written in the same transaction as what caused it and delivered after
-- commit: a rolled-back registration sends nothing, a crash loses nothing.
CREATE TABLE mail_queue (
    id           BIGSERIAL PRIMARY KEY,
    recipient    TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt BIGINT  NOT NULL,
    locked_until BIGINT,
    sent_at      BIGINT,
    last_error   TEXT
);
CREATE INDEX mail_queue_pending ON mail_queue (sent_at, next_attempt);
