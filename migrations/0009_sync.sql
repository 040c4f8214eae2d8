-- The branch side of head-office sync.

-- One row: how far the change log is pushed, how far head office's feed is
-- pulled, and the last run's outcome.
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    -- Every change_log.seq up to this one head office has applied or refused.
    pushed_seq      INTEGER NOT NULL DEFAULT 0,
    -- The last cursor of head office's feed applied here (in the same
    -- transaction as the changes it covers).
    pull_cursor     INTEGER NOT NULL DEFAULT 0,
    branch_id       TEXT,
    branch_name     TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error      TEXT,
    -- Runs failed in a row since the last success: automatic sync backs off.
    failures        INTEGER NOT NULL DEFAULT 0,
    -- A run's lease: another run is refused while it lies in the future; a
    -- run that died with its process lets go when it passes.
    running_until   TEXT
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

-- What head office refused, with its reason, kept for staff to see.
CREATE TABLE sync_rejections (
    seq         INTEGER PRIMARY KEY,   -- the change_log.seq refused
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    rejected_at TEXT NOT NULL,
    resolved_at TEXT
) STRICT;

-- Where a service comes from: this desk, or head office's catalogue (pulled).
ALTER TABLE services ADD COLUMN origin TEXT NOT NULL DEFAULT 'branch' CHECK (origin IN ('branch', 'hq'));
