-- Loket core schema: settings, staff, users, customers, units, bookings,
-- priority history, audit trail and the change log for head-office sync.
-- Instants are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ'; dates 'YYYY-MM-DD';
-- money is INTEGER hundredths of a rupiah; ids are UUID v7 text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL            -- JSON
) STRICT;

-- Human codes (BK-2026-001, CS-000001, UNIT-001) are allocated from here
-- inside the writing transaction.
CREATE TABLE code_counters (
    scope TEXT PRIMARY KEY,        -- 'CS', 'UNIT', 'BK-2026', 'ST'
    last  INTEGER NOT NULL
) STRICT;

CREATE TABLE staff (
    id                TEXT PRIMARY KEY,
    staff_code        TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    short_code        TEXT,
    phone             TEXT,
    email             TEXT,
    employment_status TEXT NOT NULL CHECK (employment_status IN ('permanent','contract','freelance')),
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','manager','marketing','sales','front_desk')),
    staff_id      TEXT REFERENCES staff(id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE customers (
    id                TEXT PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    name_key          TEXT NOT NULL,   -- lower-cased, for duplicate hints
    gender            TEXT CHECK (gender IN ('male','female')),
    phone             TEXT NOT NULL,   -- normalised 62…
    email             TEXT,
    email_key         TEXT,            -- lower-cased email, for matching
    address           TEXT,
    ktp_cipher        BLOB,            -- XChaCha20-Poly1305, never plaintext
    ktp_hash          TEXT,            -- keyed BLAKE3, for exact-match search
    npwp_cipher       BLOB,
    birth_date        TEXT,
    birth_place       TEXT,
    occupation        TEXT,
    monthly_income    INTEGER,
    emergency_contact TEXT,
    last_booking_at   TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;
-- One living customer per phone number: this is the deduplication key.
CREATE UNIQUE INDEX customers_phone ON customers(phone) WHERE deleted_at IS NULL;
CREATE INDEX customers_email ON customers(email_key) WHERE deleted_at IS NULL;
-- Living customers by name: the default list order and the duplicate-name hint.
CREATE INDEX customers_live_name ON customers(deleted_at, name_key);
CREATE INDEX customers_ktp ON customers(ktp_hash);
CREATE INDEX customers_created ON customers(created_at);

CREATE TABLE units (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    unit_type      TEXT NOT NULL,
    block          TEXT,
    number         TEXT,
    price          INTEGER NOT NULL CHECK (price >= 0),
    land_area      REAL,
    building_area  REAL,
    bedrooms       INTEGER,
    bathrooms      INTEGER,
    garage         INTEGER,
    location       TEXT,
    status         TEXT NOT NULL CHECK (status IN ('available','booked','sold','maintenance')),
    specifications TEXT NOT NULL DEFAULT '{}',   -- JSON object
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX units_status ON units(status, code);
CREATE INDEX units_live ON units(deleted_at, code);
CREATE INDEX units_block ON units(block, code);
CREATE INDEX units_price ON units(price);

CREATE TABLE bookings (
    id                  TEXT PRIMARY KEY,
    code                TEXT NOT NULL UNIQUE,
    booking_date        TEXT NOT NULL,
    event_at            TEXT,
    client_count        INTEGER NOT NULL CHECK (client_count >= 1),
    price               INTEGER NOT NULL CHECK (price >= 0),
    booking_fee         INTEGER NOT NULL DEFAULT 0 CHECK (booking_fee >= 0),
    payment_status      TEXT NOT NULL CHECK (payment_status IN ('pending','dp','paid','overdue')),
    payment_date        TEXT,
    payment_method      TEXT CHECK (payment_method IN ('transfer','cash','check','credit')),
    booking_status      TEXT NOT NULL CHECK (booking_status IN ('pending','active','completed','canceled')),
    notes               TEXT,
    customer_id         TEXT NOT NULL REFERENCES customers(id),
    unit_id             TEXT REFERENCES units(id),
    staff_id            TEXT REFERENCES staff(id),
    created_by          TEXT REFERENCES users(id),
    priority_score      INTEGER NOT NULL,
    priority_segment    TEXT NOT NULL CHECK (priority_segment IN ('high','medium','low')),
    urgency_level       TEXT NOT NULL CHECK (urgency_level IN ('urgent','soon','upcoming')),
    monetary_level      TEXT NOT NULL CHECK (monetary_level IN ('vip','premium','regular')),
    updated_priority_at TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
) STRICT;
-- List indexes end in the sort column; ties break by rowid, which every
-- index carries, so ORDER BY col, rowid never needs a sort step.
CREATE INDEX bookings_priority ON bookings(priority_score);
CREATE INDEX bookings_segment_priority ON bookings(priority_segment, priority_score);
CREATE INDEX bookings_payment ON bookings(payment_status, priority_score);
-- The priority board lists open bookings only: these read no closed row.
CREATE INDEX bookings_open_priority ON bookings(priority_score)
    WHERE booking_status IN ('pending','active');
CREATE INDEX bookings_open_segment_priority ON bookings(priority_segment, priority_score)
    WHERE booking_status IN ('pending','active');
CREATE INDEX bookings_customer ON bookings(customer_id, booking_date);
CREATE INDEX bookings_unit ON bookings(unit_id) WHERE unit_id IS NOT NULL;
CREATE INDEX bookings_staff ON bookings(staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX bookings_date ON bookings(booking_date);
CREATE INDEX bookings_event ON bookings(event_at);
CREATE INDEX bookings_created ON bookings(created_at);

-- Risk flags as rows so `risk_flag=` filters through an index.
CREATE TABLE booking_risk_flags (
    booking_id TEXT NOT NULL REFERENCES bookings(id),
    flag       TEXT NOT NULL,
    PRIMARY KEY (booking_id, flag)
) STRICT, WITHOUT ROWID;
CREATE INDEX booking_risk_flags_flag ON booking_risk_flags(flag, booking_id);

CREATE TABLE booking_segment_history (
    id           INTEGER PRIMARY KEY,
    booking_id   TEXT NOT NULL REFERENCES bookings(id),
    from_segment TEXT,
    to_segment   TEXT NOT NULL,
    score        INTEGER NOT NULL,
    changed_at   TEXT NOT NULL
) STRICT;
CREATE INDEX booking_segment_history_booking ON booking_segment_history(booking_id, id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     TEXT,
    username    TEXT NOT NULL,        -- 'system' for background jobs
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
) STRICT;
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, id);

-- Every mutation, in commit order, for the sync with head office.
CREATE TABLE change_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('insert','update','delete')),
    snapshot  TEXT NOT NULL,           -- JSON of the row after the change (before, for delete)
    at        TEXT NOT NULL
) STRICT;

CREATE TABLE job_runs (
    name        TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL,
    last_result TEXT NOT NULL
) STRICT;
