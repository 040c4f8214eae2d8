-- A slot a canceled booking still points to cannot be deleted (the booking's
-- history names it), so deleting it marks it removed instead: gone from every
-- list, check and booking, still joined by the booking that held it.
ALTER TABLE slots ADD COLUMN deleted_at TEXT;
