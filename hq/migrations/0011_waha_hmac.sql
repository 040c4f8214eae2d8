-- WAHA can sign its webhooks (HMAC-SHA512 of the raw body, header
-- X-Webhook-Hmac) with a key of its own: sealed like the other gateway
-- secrets. When set, a WAHA webhook must carry that signature.
ALTER TABLE bot_settings ADD COLUMN waha_hmac_key text;
