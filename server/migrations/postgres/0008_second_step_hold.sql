-- A waiting second step counts its wrong codes (after a few, the password must be given
-- again), and a password reset of an account with two-step sign-in holds the new password
-- here until the code is given: the mailbox alone changes nothing.
ALTER TABLE second_steps ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE second_steps ADD COLUMN new_password_hash TEXT;
ALTER TABLE second_steps ADD COLUMN reset_email TEXT;
