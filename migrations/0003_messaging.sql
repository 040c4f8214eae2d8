-- Messaging: customers' vehicles, message templates, the outbox of WhatsApp
-- messages and the WhatsApp report (successful sends per customer + subject).

CREATE TABLE vehicles (
    id                    TEXT PRIMARY KEY,
    customer_id           TEXT NOT NULL REFERENCES customers(id),
    model                 TEXT NOT NULL,
    plate_number          TEXT NOT NULL,   -- as shown: 'B 1234 CD'
    plate_key             TEXT NOT NULL,   -- letters and digits only: 'B1234CD'
    year                  INTEGER,
    last_service_at       TEXT,            -- date
    service_interval_days INTEGER CHECK (service_interval_days > 0),
    next_service_at       TEXT,            -- date
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    deleted_at            TEXT,
    version               INTEGER NOT NULL DEFAULT 1
) STRICT;
-- One living vehicle per plate.
CREATE UNIQUE INDEX vehicles_plate ON vehicles(plate_key) WHERE deleted_at IS NULL;
CREATE INDEX vehicles_customer ON vehicles(customer_id, plate_key) WHERE deleted_at IS NULL;
CREATE INDEX vehicles_live_plate ON vehicles(deleted_at, plate_key);
-- The maintenance job reads vehicles due soon.
CREATE INDEX vehicles_next_service ON vehicles(next_service_at) WHERE deleted_at IS NULL;

-- Admin-edited template bodies; a kind/language without a row uses the built-in text.
CREATE TABLE message_templates (
    kind       TEXT NOT NULL,
    language   TEXT NOT NULL CHECK (language IN ('id','en')),
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, language)
) STRICT, WITHOUT ROWID;

-- The outbox. A row is written in the same transaction as its cause; the
-- unique dedupe_key means a rule can never queue the same logical message twice.
CREATE TABLE messages (
    id                 TEXT PRIMARY KEY,
    dedupe_key         TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    language           TEXT NOT NULL,
    recipient          TEXT NOT NULL,          -- normalised 62…
    body               TEXT NOT NULL,
    vars               TEXT NOT NULL DEFAULT '{}',  -- JSON: placeholder values (Meta template parameters)
    customer_id        TEXT REFERENCES customers(id),
    provider_id        TEXT,
    booking_id         TEXT,
    vehicle_id         TEXT,
    subject_type       TEXT CHECK (subject_type IN ('vehicle','unit','booking')),
    subject_id         TEXT,
    status             TEXT NOT NULL CHECK (status IN ('queued','sending','sent','failed','unknown','canceled')),
    attempts           INTEGER NOT NULL DEFAULT 0,  -- every try, ever
    budget_used        INTEGER NOT NULL DEFAULT 0,  -- tries since queued or resent, against the cap
    last_error         TEXT,
    gateway            TEXT,                        -- log | meta | waha | fonnte, of the last try
    gateway_message_id TEXT,
    created_at         TEXT NOT NULL,
    next_attempt_at    TEXT,
    sending_at         TEXT,
    sent_at            TEXT,
    updated_at         TEXT NOT NULL
) STRICT;
-- The sender's claim: the oldest due queued message.
CREATE INDEX messages_due ON messages(status, next_attempt_at);
CREATE INDEX messages_created ON messages(created_at);
CREATE INDEX messages_kind ON messages(kind, created_at);
CREATE INDEX messages_customer ON messages(customer_id, created_at);
-- Maintenance spacing: the latest reminder of a vehicle.
CREATE INDEX messages_vehicle ON messages(vehicle_id, kind, created_at) WHERE vehicle_id IS NOT NULL;

-- Successful sends per customer + subject (vehicle, unit or booking).
CREATE TABLE whatsapp_report (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES customers(id),
    subject_type      TEXT NOT NULL CHECK (subject_type IN ('vehicle','unit','booking')),
    subject_id        TEXT NOT NULL,
    frequency         INTEGER NOT NULL CHECK (frequency >= 0),
    last_message_date TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (customer_id, subject_id)
) STRICT;
CREATE INDEX whatsapp_report_last ON whatsapp_report(last_message_date);
