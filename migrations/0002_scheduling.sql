-- Scheduling: services, providers with their working plans, time slots, and
-- service bookings (a booking that holds a slot).

CREATE TABLE services (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT,
    duration_min INTEGER NOT NULL CHECK (duration_min > 0),
    price        INTEGER NOT NULL CHECK (price >= 0),
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX services_live_name ON services(deleted_at, name);

CREATE TABLE providers (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    whatsapp_number   TEXT NOT NULL,       -- normalised 62…
    latitude_e6       INTEGER NOT NULL CHECK (latitude_e6 BETWEEN -90000000 AND 90000000),
    longitude_e6      INTEGER NOT NULL CHECK (longitude_e6 BETWEEN -180000000 AND 180000000),
    active            INTEGER NOT NULL DEFAULT 1,
    max_slots_per_day INTEGER CHECK (max_slots_per_day > 0),  -- NULL: the business setting
    working_plan      TEXT NOT NULL DEFAULT '{"days":[]}',     -- JSON, times local to the business
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX providers_live_name ON providers(deleted_at, name);
-- Nearby search: a bounding box on latitude, longitude filtered in the index,
-- which also carries the id (no table lookup per candidate).
CREATE INDEX providers_location ON providers(latitude_e6, longitude_e6, id) WHERE deleted_at IS NULL AND active = 1;

CREATE TABLE provider_services (
    provider_id TEXT NOT NULL REFERENCES providers(id),
    service_id  TEXT NOT NULL REFERENCES services(id),
    PRIMARY KEY (provider_id, service_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX provider_services_service ON provider_services(service_id, provider_id);

CREATE TABLE slots (
    id           TEXT PRIMARY KEY,
    service_id   TEXT NOT NULL REFERENCES services(id),
    provider_id  TEXT NOT NULL REFERENCES providers(id),
    starts_at    TEXT NOT NULL,            -- UTC
    ends_at      TEXT NOT NULL,            -- UTC, exclusive
    duration_min INTEGER NOT NULL CHECK (duration_min > 0),
    status       TEXT NOT NULL CHECK (status IN ('available','booked')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
) STRICT;
-- Overlap and per-day checks, a provider's day, and availability lists.
CREATE INDEX slots_provider_start ON slots(provider_id, starts_at);
-- A provider's next free slots, already in time order.
CREATE INDEX slots_provider_status_start ON slots(provider_id, status, starts_at);
CREATE INDEX slots_service_start ON slots(service_id, status, starts_at);
CREATE INDEX slots_status_start ON slots(status, starts_at);

ALTER TABLE bookings ADD COLUMN slot_id TEXT REFERENCES slots(id);
ALTER TABLE bookings ADD COLUMN address TEXT;
ALTER TABLE bookings ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE bookings ADD COLUMN review TEXT;
-- End of the booked time (slot end, or event_at plus an hour), for the
-- double-booking flag.
ALTER TABLE bookings ADD COLUMN event_end_at TEXT;
UPDATE bookings SET event_end_at = strftime('%Y-%m-%dT%H:%M:%fZ', event_at, '+60 minutes') WHERE event_at IS NOT NULL;

-- The database itself guarantees a slot is never held by two open bookings.
CREATE UNIQUE INDEX bookings_open_slot ON bookings(slot_id)
    WHERE slot_id IS NOT NULL AND booking_status IN ('pending','active');
-- The booking on a slot (any status), for slot lists and calendars.
CREATE INDEX bookings_slot ON bookings(slot_id) WHERE slot_id IS NOT NULL;
CREATE INDEX bookings_customer_event ON bookings(customer_id, event_at)
    WHERE booking_status IN ('pending','active');
