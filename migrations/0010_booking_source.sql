-- Where a booking came from: made at this desk, or made at head office for
-- this branch (the WhatsApp bot's, later the public booking page's) and
-- pulled. Every booking before this migration was made at a desk.
ALTER TABLE bookings ADD COLUMN source TEXT NOT NULL DEFAULT 'desk'
    CHECK (source IN ('desk', 'whatsapp', 'online'));

-- A slot is never held by two open bookings made at this desk (the
-- database refuses the second, whatever the race). A booking head office
-- made for a slot this desk booked meanwhile, offline, is kept beside the
-- desk's own, both flagged `double_booking` for staff to resolve: head
-- office holds each slot once on its side, so at most one such booking
-- joins a desk booking on a slot.
DROP INDEX bookings_open_slot;
CREATE UNIQUE INDEX bookings_open_slot ON bookings(slot_id)
    WHERE slot_id IS NOT NULL AND booking_status IN ('pending','active') AND source = 'desk';
