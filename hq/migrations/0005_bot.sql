-- The WhatsApp booking bot at head office (issue 14), its inbound half: its
-- settings, each customer's conversation, the inbound messages already
-- handled, and the replies waiting to be sent.

-- One row: the bot's settings. The gateway secrets are sealed to head
-- office's public key (as KTP and NPWP are, `loket::kernel::sealing`), so
-- a copy of the database opens none of them; NULL when not set.
CREATE TABLE bot_settings (
    id                boolean PRIMARY KEY DEFAULT true CHECK (id),
    enabled           boolean NOT NULL,
    radius_km         double precision NOT NULL CHECK (radius_km > 0 AND radius_km <= 500),
    greeting          text,
    meta_app_secret   text,
    meta_verify_token text,
    waha_api_key      text,
    version           bigint NOT NULL,
    updated_at        timestamptz NOT NULL,
    updated_by        uuid REFERENCES hq_users(id)
);

-- Each customer's conversation (`loket::bot::Conversation` as JSON), by the
-- phone number the gateway gave. A conversation that ended is deleted.
CREATE TABLE bot_conversations (
    phone        text PRIMARY KEY,
    conversation jsonb NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Every inbound message handled, by the gateway's own id: a retried webhook
-- finds its message here and changes nothing. Written in the transaction
-- that handles the message.
CREATE TABLE bot_inbound (
    gateway     text NOT NULL CHECK (gateway IN ('meta', 'waha')),
    message_id  text NOT NULL,
    phone       text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (gateway, message_id)
);

-- The replies to send, queued in the transaction of the turn that made
-- them. `dedupe_key` (gateway, inbound message id and the reply's place in
-- the turn) keeps a replayed turn from queueing a reply twice. Sending
-- (and the statuses past 'queued') is a later slice.
CREATE TABLE hq_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_phone   text NOT NULL,
    text       text NOT NULL,
    options    jsonb NOT NULL DEFAULT '[]',
    status     text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    dedupe_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hq_outbox_queued ON hq_outbox (id) WHERE status = 'queued';

-- What the bot's effects look up in the pushed rows, each a partial index
-- over its own kind (text expressions only: a cast in an index would fail
-- a branch's push on one malformed value): the active providers (a pin's
-- search reads them all, never the chain's bookings and customers), a
-- provider's slots of a service, the bookings holding a slot, a phone's
-- bookings.
CREATE INDEX branch_rows_providers
    ON branch_rows (branch_id, entity_id)
    WHERE entity = 'provider' AND NOT deleted;
CREATE INDEX branch_rows_slot_provider
    ON branch_rows ((data->>'provider_id'), (data->>'service_id'))
    WHERE entity = 'slot' AND NOT deleted;
CREATE INDEX branch_rows_booking_slot
    ON branch_rows (branch_id, (data->>'slot_id'))
    WHERE entity = 'booking' AND NOT deleted;
CREATE INDEX branch_rows_booking_phone
    ON branch_rows ((data->>'customer_phone'))
    WHERE entity = 'booking' AND NOT deleted;
