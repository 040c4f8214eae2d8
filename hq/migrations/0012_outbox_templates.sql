-- What a queued message stands for (issue 14): `kind` is one of the desk's
-- message kinds (`booking_confirmation` for the bot's confirmation,
-- `provider_notification` for the provider's notice), NULL for a plain
-- conversation reply; `vars` its placeholder values. On Meta's Cloud API a
-- message the business starts, or one sent more than 24 hours after the
-- customer wrote, goes out as the kind's approved template filled with them.
ALTER TABLE hq_outbox
    ADD COLUMN kind text,
    ADD COLUMN vars jsonb NOT NULL DEFAULT '{}';
