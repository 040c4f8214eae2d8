-- Head office, second schema: how far behind each branch is, the customer
-- master across branches, and indexes for the head-office read API, which
-- queries the pushed rows (branch_rows.data) directly.

-- What the branch said with its last push (both NULL for a desk that does
-- not send them): its newest change-log seq, and when it made the oldest
-- change that push left unsent (NULL when the push reached head_seq).
ALTER TABLE branches
    ADD COLUMN head_seq bigint,
    ADD COLUMN oldest_unsent_at timestamptz;

-- One head-office customer per person. Filled by push in the same
-- transaction as the branch's customer row: matched by the phone normalised
-- with the desk's own rule (loket::kernel::validate::phone), then by e-mail
-- compared lower-cased; a same name is never a match.
CREATE TABLE master_customers (
    id         uuid PRIMARY KEY,
    phone      text UNIQUE,          -- normalised 62…
    email      text,                 -- lower-cased
    name       text NOT NULL,        -- the first branch customer's name
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX master_customers_email ON master_customers (email) WHERE email IS NOT NULL;

-- Which branch customer is which head-office customer.
CREATE TABLE master_customer_links (
    branch_id   uuid NOT NULL REFERENCES branches(id),
    customer_id text NOT NULL,
    master_id   uuid NOT NULL REFERENCES master_customers(id),
    PRIMARY KEY (branch_id, customer_id)
);
CREATE INDEX master_customer_links_master ON master_customer_links (master_id);

-- Bookings newest first and by date range (booking_date is an ISO date, so
-- text order is date order); a customer's bookings.
CREATE INDEX branch_rows_booking_date
    ON branch_rows ((data->>'booking_date') DESC, entity_id DESC)
    WHERE entity = 'booking' AND NOT deleted;
CREATE INDEX branch_rows_booking_customer
    ON branch_rows (branch_id, (data->>'customer_id'))
    WHERE entity = 'booking' AND NOT deleted;
