-- A pin's nearby search reads the providers in a box around the pin through
-- a GiST index on their coordinates, instead of every provider of the
-- chain (measured in BENCHMARKS.md, "Head office bot").
--
-- A branch's push must never fail on one malformed row, so the index reads
-- a coordinate through a function that answers NULL for anything but a
-- plausible number (a text, a missing field, 1e400), never an error.
CREATE FUNCTION loket_coordinate(value jsonb) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE WHEN jsonb_typeof(value) = 'number'
                    THEN CASE WHEN abs(value::numeric) <= 180 THEN value::numeric::float8 END
               END
    $$;

CREATE INDEX branch_rows_provider_location ON branch_rows
    USING gist (point(loket_coordinate(data->'longitude'), loket_coordinate(data->'latitude')))
    WHERE entity = 'provider' AND NOT deleted;
