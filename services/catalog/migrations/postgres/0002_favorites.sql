-- Offers an account keeps as favourites ("Favoris"), with when it added them.
CREATE TABLE favorites (
    account_id TEXT NOT NULL,
    offer_code TEXT NOT NULL REFERENCES offers (code) ON DELETE CASCADE,
    added_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, offer_code)
);

CREATE INDEX favorites_by_account ON favorites (account_id, added_at);
