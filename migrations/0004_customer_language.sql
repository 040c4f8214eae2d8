-- The language a customer receives WhatsApp messages in; NULL follows the
-- business's `message_language` setting.
ALTER TABLE customers ADD COLUMN language TEXT CHECK (language IN ('id','en'));
