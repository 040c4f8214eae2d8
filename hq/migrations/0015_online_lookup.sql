-- A customer looks up their own booking on the booking page (issue 15):
-- its code and their phone, then a one-time code sent to that phone's
-- WhatsApp proves the phone is theirs before anything is shown. Every
-- request is a row (also one that matched nothing, so the per-phone limit
-- tells nobody whether a booking exists).
CREATE TABLE online_lookups (
    id                 uuid PRIMARY KEY,
    phone              text NOT NULL,          -- normalised 62…
    code               text NOT NULL,
    -- The booking found: head office's own, or a branch's as pushed; NULL
    -- when the code and phone matched nothing.
    booking_id         uuid,
    branch_id          uuid,
    -- SHA-256 (hex) of the six digits sent; NULL when nothing was sent.
    otp_hash           text,
    expires_at         timestamptz NOT NULL,
    attempts           integer NOT NULL DEFAULT 0,
    -- Once the digits are right: the SHA-256 of the page's token, and until when it holds.
    session_hash       text,
    session_expires_at timestamptz,
    created_at         timestamptz NOT NULL
);
CREATE INDEX online_lookups_phone ON online_lookups (phone, created_at);
CREATE UNIQUE INDEX online_lookups_session ON online_lookups (session_hash)
    WHERE session_hash IS NOT NULL;
