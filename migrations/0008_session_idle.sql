-- When a session was last used, for the idle timeout (setting
-- `session_idle_minutes`). Written at most about once a minute per session.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
UPDATE sessions SET last_seen_at = created_at;
