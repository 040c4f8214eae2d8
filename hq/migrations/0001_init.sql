-- Head office, first schema: branches and their push cursor, what each branch
-- pushed (one generic row per record), what head office refused, head-office
-- users, and the catalogue head office owns with the feed branches pull.

-- A branch is known by its token only; the token is stored hashed.
CREATE TABLE branches (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    -- The push cursor: every change-log seq up to it is applied or rejected.
    -- Locked (SELECT … FOR UPDATE) by each push, so pushes of one branch are
    -- serialised whichever loket-hq process takes them.
    last_seq     bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    last_push_at timestamptz
);

-- The latest state of every record a branch pushed, whatever its kind. Generic
-- on purpose for the first slice: it converges and is comparable per record;
-- typed tables per kind (customers, bookings, …) come with the reports and
-- the customer master, filled from these rows.
CREATE TABLE branch_rows (
    branch_id   uuid NOT NULL REFERENCES branches(id),
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    data        jsonb NOT NULL,
    version     bigint NOT NULL DEFAULT 1,   -- how many changes head office applied to it
    deleted     boolean NOT NULL DEFAULT false,
    updated_seq bigint NOT NULL,             -- the change that wrote it last
    changed_at  text NOT NULL,               -- when the branch made that change (its clock)
    PRIMARY KEY (branch_id, entity, entity_id)
);

-- Changes head office refused on business grounds; the cursor moved past them.
CREATE TABLE sync_rejections (
    branch_id   uuid NOT NULL REFERENCES branches(id),
    seq         bigint NOT NULL,
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    op          text NOT NULL,
    data        jsonb NOT NULL,
    reason      text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch_id, seq)
);

CREATE TABLE hq_users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    password_hash text NOT NULL,             -- argon2id
    role          text NOT NULL CHECK (role IN ('hq_admin', 'hq_viewer')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hq_sessions (
    token_hash text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES hq_users(id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);

-- The service catalogue head office owns (branches receive it by pull).
CREATE TABLE services (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    description  text,
    duration_min integer NOT NULL CHECK (duration_min > 0),
    price        numeric(17, 2) NOT NULL CHECK (price >= 0),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint NOT NULL DEFAULT 1
);

-- The pull cursor's source. Every transaction that writes head-office-owned
-- data takes the next value by updating this one row, which it then holds
-- locked until it commits: a later writer waits, gets a higher number and
-- commits later, so a reader never sees cursor N+1 before N (a plain
-- sequence would hand out numbers in start order, not commit order).
CREATE TABLE outbound_counter (
    id    boolean PRIMARY KEY DEFAULT true CHECK (id),
    value bigint NOT NULL
);
INSERT INTO outbound_counter (id, value) VALUES (true, 0);

-- What branches pull, in cursor order. `branch_id` NULL: for every branch.
CREATE TABLE outbound_changes (
    cursor     bigint PRIMARY KEY,
    branch_id  uuid REFERENCES branches(id),
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    op         text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    data       jsonb NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_changes_branch ON outbound_changes (branch_id, cursor);
