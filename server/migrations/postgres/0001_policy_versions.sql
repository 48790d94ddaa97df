-- Every published version of the policy, per language. Rows are never updated or deleted:
-- a version is immutable once published (clause 8.4: effective from publication).
CREATE TABLE policy_versions (
    id           BIGSERIAL PRIMARY KEY,
    lang         TEXT    NOT NULL CHECK (lang IN ('ru', 'kk', 'en')),
    version      INTEGER NOT NULL CHECK (version > 0),
    effective_at BIGINT  NOT NULL,
    body         TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    UNIQUE (lang, version)
);
