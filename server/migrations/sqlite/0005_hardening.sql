-- A registration reserves its login for as long as an unconfirmed account would, whether or
-- not its address already had an account: otherwise "this login is taken" on a second try
-- would tell which addresses are registered. The browser that registered holds a cookie whose
-- hash is `browser_hash`: that browser may open the verification link without the password,
-- and ask for the link again.
CREATE TABLE registration_holds (
    browser_hash TEXT    PRIMARY KEY,
    account_id   BIGINT  REFERENCES accounts (id) ON DELETE CASCADE,  -- none when the address was taken
    login_key    TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    email_key    TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);
-- One hold per login: two registrations racing for a login get one 409 between them, whatever
-- their addresses (an expired hold is deleted before a new one for its login is written).
CREATE UNIQUE INDEX registration_holds_by_login ON registration_holds (login_key);
CREATE INDEX registration_holds_by_email ON registration_holds (email_key);
CREATE INDEX registration_holds_by_account ON registration_holds (account_id);

-- A letter's text is dropped once it is delivered (it may carry a link that still works); what
-- stays until the row goes is who it went to, its subject and when.
ALTER TABLE mail_queue ADD COLUMN subject TEXT;
UPDATE mail_queue SET message = '' WHERE sent_at IS NOT NULL;

-- From now on an account whose address is not confirmed cannot be signed into: sessions such
-- an account already has end too.
DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE email_verified_at IS NULL);
