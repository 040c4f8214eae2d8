-- A booking made here that its customer cancelled through the bot before
-- the branch pushed it back (its slot hold is let go in the same
-- transaction; the cancellation goes to the branch through the pull feed).
ALTER TABLE hq_bookings ADD COLUMN canceled_at timestamptz;
