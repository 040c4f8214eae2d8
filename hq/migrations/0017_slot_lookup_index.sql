-- A booking names its slot by id alone (the bot's "YA", the booking page's
-- request): without this, finding the slot among every branch's rows read
-- them all (the primary key starts with the branch). Measured by
-- `cargo bench -p loket-hq --bench online` (BENCHMARKS.md).
CREATE INDEX branch_rows_slot_id ON branch_rows (entity_id) WHERE entity = 'slot' AND NOT deleted;
