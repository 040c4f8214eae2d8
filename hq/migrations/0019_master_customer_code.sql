-- Customers head office itself meets first (the booking page, the bot)
-- get a code of head office's own series, `CS-HQ-000001`, which never
-- collides with a desk's `CS-000001`; and which studio and channel brought
-- them (issue 15; the seed's `jenis_cs`). Customers first pushed by a
-- branch keep their branch's code and have neither here.
CREATE SEQUENCE master_customer_code_seq;
ALTER TABLE master_customers
    ADD COLUMN code text UNIQUE,
    ADD COLUMN customer_type text;
