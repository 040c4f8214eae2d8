-- The overlap check finds a customer's open bookings through bookings_customer
-- (a customer has a handful); a second index on the same customer column cost
-- every booking's commit a page.
DROP INDEX bookings_customer_event;
