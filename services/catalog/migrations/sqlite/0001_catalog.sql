-- The offer catalogue: reference lists (domains, thematics, typologies) and offers.
CREATE TABLE domains (
    slug     TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    icon     TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE thematics (
    slug        TEXT PRIMARY KEY,
    domain_slug TEXT NOT NULL REFERENCES domains (slug),
    label       TEXT NOT NULL,
    position    INTEGER NOT NULL
);

CREATE TABLE typologies (
    slug     TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE offers (
    code           TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL,
    description    TEXT NOT NULL,
    domain_slug    TEXT NOT NULL REFERENCES domains (slug),
    typology_slug  TEXT NOT NULL REFERENCES typologies (slug),
    is_unique      BOOLEAN NOT NULL DEFAULT FALSE,
    lead_service   TEXT NOT NULL,
    lead_contact   TEXT NOT NULL,
    practical_info TEXT NOT NULL,
    published      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE offer_thematics (
    offer_code    TEXT NOT NULL REFERENCES offers (code) ON DELETE CASCADE,
    thematic_slug TEXT NOT NULL REFERENCES thematics (slug),
    position      INTEGER NOT NULL,
    PRIMARY KEY (offer_code, thematic_slug)
);

CREATE INDEX offers_domain ON offers (domain_slug);
CREATE INDEX offer_thematics_thematic ON offer_thematics (thematic_slug);
