-- The business the bot speaks for (issue 14): named in its greeting and in
-- the confirmation (a Meta template's `business_name`). NULL: "Loket".
ALTER TABLE bot_settings ADD COLUMN business_name text;
