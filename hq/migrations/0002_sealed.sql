-- KTP and NPWP at head office: sealed to head office's public key by the
-- branch (a sealed box), stored sealed, opened only by the loket-hq process
-- holding the secret key file, for a role allowed to see them.

-- The public key this database's sealed values belong to. Recorded by the
-- first `loket-hq serve`; a process started with another key file is
-- refused, so two processes on one database never seal to different keys.
CREATE TABLE sealing_key (
    id         integer PRIMARY KEY CHECK (id = 1),
    public_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One sealed field of one branch record (a customer's ktp_number or
-- npwp_number), as the branch last pushed it.
CREATE TABLE branch_sealed (
    branch_id   uuid NOT NULL REFERENCES branches(id),
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    field       text NOT NULL CHECK (field IN ('ktp_number', 'npwp_number')),
    sealed      text NOT NULL,
    updated_seq bigint NOT NULL,
    PRIMARY KEY (branch_id, entity, entity_id, field)
);
