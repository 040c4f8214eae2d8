-- Head office's address as customers reach it (issue 15): the confirmation
-- link an online booking's WhatsApp message carries starts with it. Set by
-- an hq_admin, never taken from a request's Host header (which anyone can
-- write: a booking made for someone else's phone would send them a link to
-- another site). NULL: the message asks for "YA" only.
ALTER TABLE bot_settings ADD COLUMN public_url text;
