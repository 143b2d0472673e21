-- Accounts, member organisations, technical contacts, one-time and refresh tokens, login
-- throttling, and the transactional outbox of the identity service.

-- A member organisation and its profile ("Editer le profil").
CREATE TABLE organisations (
    id                         TEXT PRIMARY KEY,
    name                       TEXT NOT NULL,
    -- Comma-separated category values (`communes,epci`), in the order ticked.
    categories                 TEXT NOT NULL,
    siret                      TEXT NOT NULL,
    population                 BIGINT NOT NULL,
    canton                     TEXT NOT NULL,
    representative_title       TEXT NOT NULL,
    representative_civility    TEXT NOT NULL,
    representative_first_name  TEXT NOT NULL,
    representative_last_name   TEXT NOT NULL,
    referent_civility          TEXT NOT NULL,
    referent_first_name        TEXT NOT NULL,
    referent_last_name         TEXT NOT NULL,
    website                    TEXT,
    -- The logo as served: a PNG at most 256×256, with a version that changes with each upload.
    logo                       BYTEA,
    logo_content_type          TEXT,
    logo_version               TEXT,
    created_at                 TIMESTAMPTZ NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL
);

-- A login: a member organisation's account, or ID77 staff (no organisation).
CREATE TABLE accounts (
    id                    TEXT PRIMARY KEY,
    organisation_id       TEXT REFERENCES organisations (id),
    identifier            TEXT NOT NULL,
    -- Lower case: identifiers are unique whatever the case.
    identifier_normalized TEXT NOT NULL UNIQUE,
    email                 TEXT NOT NULL,
    email_normalized      TEXT NOT NULL UNIQUE,
    -- A new address waiting for its confirmation link.
    pending_email         TEXT,
    first_name            TEXT NOT NULL,
    last_name             TEXT NOT NULL,
    phone                 TEXT,
    role                  TEXT NOT NULL,
    status                TEXT NOT NULL,
    -- argon2id PHC string; none until the invitation is accepted.
    password_hash         TEXT,
    rejection_reason      TEXT,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE INDEX accounts_by_status ON accounts (status, created_at);
CREATE INDEX accounts_by_organisation ON accounts (organisation_id);

-- Technical contacts of an organisation.
CREATE TABLE contacts (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    full_name       TEXT NOT NULL,
    service         TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX contacts_by_organisation ON contacts (organisation_id, created_at);

-- Links sent by e-mail (confirmation, invitation, reset, e-mail change), stored as SHA-256.
CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    -- What the token is about beyond its account: the new address of an e-mail change.
    payload    TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX one_time_tokens_by_account ON one_time_tokens (account_id, purpose);

-- Refresh tokens, stored as SHA-256; a family is one login session across its rotations.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    family_id   TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ,
    -- Set when rotated: presenting this token again is a theft signal.
    replaced_by TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_account ON refresh_tokens (account_id);

-- Failed logins in the throttling window, keyed `account:<id>` or `addr:<ip>`.
CREATE TABLE login_attempts (
    key TEXT NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX login_attempts_by_key ON login_attempts (key, at);
CREATE INDEX login_attempts_by_time ON login_attempts (at);

-- Events written in the transaction of their change; kit's outbox relay publishes them (the
-- table of id77_kit::bus::outbox::POSTGRES_TABLE, as that module asks).
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    time         TIMESTAMPTZ NOT NULL,
    actor        TEXT,
    traceparent  TEXT,
    payload      BYTEA NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMPTZ NULL
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
