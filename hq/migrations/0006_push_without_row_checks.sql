-- The tables every push writes a row per change into no longer carry foreign
-- keys: PostgreSQL checks a foreign key with a query and a row lock per
-- written row, and with twenty branches pushing at once those checks (and
-- the shared locks they take on one branch or one master customer row) cost
-- more than the rows themselves.
--
-- What the keys guarded is kept by the code that writes these rows, in the
-- push's own transaction (hq/src/sync_push.rs):
-- - branch_id is the branch the push's token names, whose row the push holds
--   locked (SELECT … FOR UPDATE); branches are revoked, never deleted.
-- - master_id is a master customer read or created in that same
--   transaction; master customers are never deleted. Whatever comes to merge
--   or delete them must move their links in its own transaction.
ALTER TABLE branch_rows DROP CONSTRAINT branch_rows_branch_id_fkey;
ALTER TABLE branch_sealed DROP CONSTRAINT branch_sealed_branch_id_fkey;
ALTER TABLE master_customer_links DROP CONSTRAINT master_customer_links_branch_id_fkey;
ALTER TABLE master_customer_links DROP CONSTRAINT master_customer_links_master_id_fkey;
