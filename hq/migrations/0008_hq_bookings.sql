-- Bookings head office makes for a branch (issue 14: the WhatsApp bot's),
-- before and after the branch has them: the branch owns each from the
-- moment it is made, receives it on its next pull, and pushes it back as
-- its own (then `branch_rows` holds what the branch made of it).

-- Head office's own code series per year, `BK-YYYY-W001`: a desk's codes
-- are `BK-YYYY-001`, so the two never collide.
CREATE TABLE hq_booking_codes (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE hq_bookings (
    id             uuid PRIMARY KEY,
    branch_id      uuid NOT NULL REFERENCES branches(id),
    code           text NOT NULL UNIQUE,
    source         text NOT NULL CHECK (source IN ('whatsapp', 'online')),
    slot_id        text NOT NULL,
    provider_id    text NOT NULL,
    service_id     text NOT NULL,
    service_name   text NOT NULL,
    starts_at      timestamptz NOT NULL,
    customer_phone text NOT NULL,
    customer_name  text NOT NULL,
    address        text NOT NULL,
    latitude       double precision,
    longitude      double precision,
    price          numeric NOT NULL CHECK (price >= 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hq_bookings_phone ON hq_bookings (customer_phone, starts_at);

-- The slot a booking made here holds, one booking per slot: two customers
-- choosing the same slot at once both insert here, and the second finds
-- the first's row (ON CONFLICT) once it commits. Written before its
-- booking, in the same transaction (the key is checked at the commit).
CREATE TABLE hq_slot_holds (
    branch_id  uuid NOT NULL,
    slot_id    text NOT NULL,
    booking_id uuid NOT NULL REFERENCES hq_bookings(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (branch_id, slot_id)
);
