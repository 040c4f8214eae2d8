-- Head office owns more than new services: it edits and retires them, and
-- it decides the settings a chain shares (the priority scoring's
-- thresholds). A retired service stays (branches' bookings name it) with
-- `deleted_at` set; every change is published to the pull feed.
ALTER TABLE services ADD COLUMN deleted_at timestamptz;

-- One row: the shared settings as JSON (`loket::kernel::settings::SharedSettings`);
-- absent until an hq_admin first saves them (the desk's defaults apply).
CREATE TABLE shared_settings (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    value      jsonb NOT NULL,
    version    bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by uuid REFERENCES hq_users(id)
);
