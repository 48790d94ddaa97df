-- The personal section (issue 5): profile additions, subscriptions and privacy choices with
-- their history, unsubscribe links, orders, promotions. Times are Unix seconds, money tiyn.
ALTER TABLE accounts ADD COLUMN phone TEXT;                        -- E.164, +77XXXXXXXXX
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 1; -- optimistic concurrency
ALTER TABLE accounts ADD COLUMN last_export_at BIGINT;
ALTER TABLE policy_acceptances ADD COLUMN how TEXT NOT NULL DEFAULT 'registration';

-- The current state of each choice; a missing row means "off, never changed".
CREATE TABLE account_choices (
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice     TEXT    NOT NULL,
    enabled    INTEGER NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (account_id, choice)
);

-- Every change of a choice, for the consent history.
CREATE TABLE choice_events (
    id         BIGSERIAL PRIMARY KEY,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice     TEXT    NOT NULL,
    enabled    INTEGER NOT NULL,
    source     TEXT    NOT NULL,
    at         BIGINT  NOT NULL
);
CREATE INDEX choice_events_by_account ON choice_events (account_id, id);

-- The opaque token of a letter's unsubscribe link; only its hash is kept.
CREATE TABLE unsubscribe_tokens (
    token_hash TEXT   PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX unsubscribe_tokens_by_account ON unsubscribe_tokens (account_id);

-- Orders pushed by the commerce system. `number` is its own ID (pushes are idempotent on
-- it); a deleted account's orders stay, for the accounts that must be kept, with no owner.
CREATE TABLE orders (
    id          BIGSERIAL PRIMARY KEY,
    number      TEXT    NOT NULL UNIQUE,
    account_id  BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    placed_at   BIGINT  NOT NULL,
    status      TEXT    NOT NULL,
    total_tiyn  BIGINT  NOT NULL,
    received_at BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX orders_by_account ON orders (account_id, placed_at, id);

CREATE TABLE order_items (
    order_id        BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line            INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    quantity        INTEGER NOT NULL,
    unit_price_tiyn BIGINT  NOT NULL,
    PRIMARY KEY (order_id, line)
);

-- Promotions, managed with `fk-server promotion …`; titles in each language.
CREATE TABLE promotions (
    id             BIGSERIAL PRIMARY KEY,
    slug           TEXT    NOT NULL UNIQUE,
    title_ru       TEXT    NOT NULL,
    title_kk       TEXT    NOT NULL,
    title_en       TEXT    NOT NULL,
    description_ru TEXT    NOT NULL,
    description_kk TEXT    NOT NULL,
    description_en TEXT    NOT NULL,
    starts_at      BIGINT  NOT NULL,
    ends_at        BIGINT  NOT NULL,
    created_at     BIGINT  NOT NULL
);

-- Who takes or took part; leaving keeps the row (past participation) with `left_at`.
CREATE TABLE promotion_participations (
    id           BIGSERIAL PRIMARY KEY,
    promotion_id BIGINT  NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    account_id   BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    joined_at    BIGINT  NOT NULL,
    left_at      BIGINT
);
CREATE INDEX promotion_participations_by_account ON promotion_participations (account_id, promotion_id);
-- At most one open participation per person and promotion, even with concurrent joins.
CREATE UNIQUE INDEX promotion_participations_open ON promotion_participations (promotion_id, account_id) WHERE left_at IS NULL;

-- A letter whose row must not outlive its delivery (the goodbye letter of a deleted account).
ALTER TABLE mail_queue ADD COLUMN erase_after_send INTEGER NOT NULL DEFAULT 0;
-- Whose letter it is, whatever address it went to (an address may have changed since): erasing
-- an account takes its letters along, and a letter cannot be queued for an erased account.
ALTER TABLE mail_queue ADD COLUMN account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE;
CREATE INDEX mail_queue_by_account ON mail_queue (account_id);
