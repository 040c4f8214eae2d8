-- Where a branch is (issue 15): the booking page shows each studio's
-- address and a map link, set by an hq_admin.
ALTER TABLE branches
    ADD COLUMN address text CHECK (length(address) <= 300),
    ADD COLUMN map_url text CHECK (map_url LIKE 'https://%' AND length(map_url) <= 500);
