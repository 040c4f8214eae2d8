-- Which studio or channel brought a customer (issue 15; the seed's
-- `jenis_cs`): typed at the desk, or set by head office when the customer's
-- first booking came through its booking page or bot ("Studio Kemang
-- (online)"). Free text; NULL: not recorded.
ALTER TABLE customers ADD COLUMN customer_type TEXT;
