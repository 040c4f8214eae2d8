-- The key file and the database belong together: the database records the
-- fingerprint of the vault key that sealed its KTP/NPWP numbers and the
-- gateway token, so a start with a missing or different key file is refused
-- instead of silently sealing new data with a new key.
CREATE TABLE vault_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;

-- Every backup attempt (by hand or scheduled): when, where, and whether it
-- worked; the dashboard warns when the last good one is too old.
CREATE TABLE backups (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    trigger     TEXT NOT NULL CHECK (trigger IN ('manual', 'scheduled', 'cli')),
    path        TEXT,
    size_bytes  INTEGER,
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error       TEXT
) STRICT;
CREATE INDEX backups_ok_finished ON backups (ok, finished_at);
