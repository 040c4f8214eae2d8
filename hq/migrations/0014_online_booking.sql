-- Online booking (issue 15): a customer books on head office's public page.
-- The booking is made at once (its slot held exactly once, as the bot's),
-- but waits for the customer to confirm it from WhatsApp ("YA", or the
-- link in the message) before its branch receives it: a hold nobody
-- confirms within 30 minutes is let go by itself.
--
-- `status`: `booked` (the bot's, or an online booking once confirmed: sent
-- to its branch), `awaiting_confirmation`, `expired` (never confirmed; its
-- hold let go).
ALTER TABLE hq_bookings
    ADD COLUMN status text NOT NULL DEFAULT 'booked'
        CHECK (status IN ('awaiting_confirmation', 'booked', 'expired')),
    ADD COLUMN confirm_by timestamptz,
    -- SHA-256 (hex) of the token in the confirmation link; the token itself
    -- is only in the customer's WhatsApp message.
    ADD COLUMN confirm_token_hash text,
    ADD COLUMN confirmed_at timestamptz,
    ADD COLUMN customer_gender text CHECK (customer_gender IN ('male', 'female')),
    ADD COLUMN customer_email text,
    ADD COLUMN notes text,
    -- Where the request came from (the per-address limit).
    ADD COLUMN client_address inet;

-- The sweep of unconfirmed holds, and the per-phone limit on open ones.
CREATE INDEX hq_bookings_awaiting ON hq_bookings (confirm_by)
    WHERE status = 'awaiting_confirmation';
CREATE INDEX hq_bookings_awaiting_phone ON hq_bookings (customer_phone)
    WHERE status = 'awaiting_confirmation';
-- The per-address limit counts the last hour's requests.
CREATE INDEX hq_bookings_client_address ON hq_bookings (client_address, created_at)
    WHERE client_address IS NOT NULL;

-- What the customer master learns from a booking made here.
ALTER TABLE master_customers
    ADD COLUMN gender text CHECK (gender IN ('male', 'female')),
    ADD COLUMN address text,
    ADD COLUMN last_booking_at timestamptz;

-- The language the customer chose (the branch's messages follow it).
ALTER TABLE hq_bookings ADD COLUMN customer_language text NOT NULL DEFAULT 'id'
    CHECK (customer_language IN ('id', 'en'));
