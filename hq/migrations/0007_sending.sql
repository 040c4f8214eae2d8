-- Head office sends what the bot queued (issue 14): its WhatsApp gateway,
-- and each queued reply's delivery state.

-- One row: the gateway, as the desk stores its own (`StoredGateway` of
-- loket::messaging::gateway, as JSON) with the token sealed to head
-- office's public key, so a copy of the database opens none of it.
CREATE TABLE gateway_settings (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    stored     jsonb NOT NULL,
    version    bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by uuid REFERENCES hq_users(id)
);

-- A reply goes queued → sending → sent (→ delivered → read, from Meta's
-- status callbacks), or back to queued for a retry, or failed. One left
-- `sending` by a process that died mid-call is `unknown`: the gateway may
-- have delivered it, so it is never sent again by itself.
ALTER TABLE hq_outbox DROP CONSTRAINT hq_outbox_status_check;
ALTER TABLE hq_outbox
    ADD CONSTRAINT hq_outbox_status_check
        CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown')),
    ADD COLUMN attempts           integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN sending_at         timestamptz,
    ADD COLUMN sent_at            timestamptz,
    ADD COLUMN gateway            text,
    ADD COLUMN gateway_message_id text,
    ADD COLUMN last_error         text;

-- The sender takes, per phone, the oldest reply not yet sent: replies reach
-- a customer in the order the bot wrote them.
DROP INDEX hq_outbox_queued;
CREATE INDEX hq_outbox_pending ON hq_outbox (to_phone, id) WHERE status IN ('queued', 'sending');
CREATE INDEX hq_outbox_due ON hq_outbox (next_attempt_at, id) WHERE status = 'queued';
-- Meta's status callbacks name a message by the id Meta gave it.
CREATE INDEX hq_outbox_gateway_message ON hq_outbox (gateway_message_id)
    WHERE gateway_message_id IS NOT NULL;
