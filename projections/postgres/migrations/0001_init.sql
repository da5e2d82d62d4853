-- Read-model schema. Everything here can be rebuilt by replaying the log.
-- Append-only: never edit a migration once it has landed; add a new file.

-- +goose Up

-- Where each projection stands in each topic partition. The projection
-- writes its rows and its next offset in one transaction.
CREATE TABLE projection_offsets (
    projection  text        NOT NULL,
    topic       text        NOT NULL,
    partition   int         NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz,
    PRIMARY KEY (projection, topic, partition)
);

CREATE TABLE servers (
    id               text        PRIMARY KEY,
    name             text        NOT NULL,
    endpoint         text        NOT NULL,
    subnet           cidr        NOT NULL,
    dns              text        NOT NULL,
    agent_token_hash bytea,
    version          bigint      NOT NULL,
    registered_at    timestamptz NOT NULL
);

-- Private and preshared keys are sealed with the per-peer data key key_id
-- (see data_keys); they are never stored in plaintext.
CREATE TABLE peers (
    server_id            text        NOT NULL REFERENCES servers (id),
    id                   text        NOT NULL,
    name                 text        NOT NULL,
    address              inet        NOT NULL,
    public_key           text        NOT NULL,
    enabled              boolean     NOT NULL,
    private_key_sealed   bytea       NOT NULL,
    preshared_key_sealed bytea       NOT NULL,
    key_id               text        NOT NULL,
    created_at           timestamptz NOT NULL,
    PRIMARY KEY (server_id, id),
    UNIQUE (server_id, address),
    UNIQUE (server_id, public_key)
);

-- Peer names are unique per server regardless of case, as in the domain.
CREATE UNIQUE INDEX peers_server_name_idx ON peers (server_id, lower(name));

-- Newest per-peer counters reported for each public key; reported_at is the
-- report's time, so an older report never overwrites a newer one.
-- Counters are uint64 stored bit for bit in bigint.
CREATE TABLE peer_stats (
    server_id           text        NOT NULL,
    public_key          text        NOT NULL,
    endpoint            text        NOT NULL DEFAULT '',
    latest_handshake_at timestamptz,
    transfer_rx         bigint      NOT NULL DEFAULT 0,
    transfer_tx         bigint      NOT NULL DEFAULT 0,
    reported_at         timestamptz NOT NULL,
    PRIMARY KEY (server_id, public_key)
);

-- Newest report per server, registered or not (yet); online is derived at
-- read time from reported_at. The WireGuard interface comes from the newest
-- report that carried one (interface_at; NULL before any). Only the reports
-- projection writes here, so it never contends with the events projection.
CREATE TABLE server_status (
    server_id       text             PRIMARY KEY,
    ping_ms         double precision NOT NULL,
    ping_ok         boolean          NOT NULL,
    peers           int              NOT NULL,
    transfer_rx     bigint           NOT NULL,
    transfer_tx     bigint           NOT NULL,
    reported_at     timestamptz      NOT NULL,
    applied_version bigint           NOT NULL DEFAULT 0,
    public_key      text             NOT NULL DEFAULT '',
    listen_port     int              NOT NULL DEFAULT 0,
    interface_at    timestamptz
);

CREATE TABLE users (
    id                   text        PRIMARY KEY,
    email                text        NOT NULL UNIQUE,
    role                 text        NOT NULL,
    password_hash_sealed bytea       NOT NULL,
    key_id               text        NOT NULL,
    version              bigint      NOT NULL,
    created_at           timestamptz NOT NULL
);

CREATE TABLE settings (
    key        text        PRIMARY KEY,
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL
);

-- One row per event on sentrazone.events, hash-chained: hash covers the row
-- and prev_hash. id is the deterministic position in the log.
CREATE TABLE audit_log (
    id         bigint      PRIMARY KEY,
    event_id   uuid        NOT NULL UNIQUE,
    actor      text        NOT NULL,
    action     text        NOT NULL,
    target     text        NOT NULL,
    ip         text        NOT NULL,
    created_at timestamptz NOT NULL,
    details    jsonb,
    prev_hash  bytea       NOT NULL,
    hash       bytea       NOT NULL
);

CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, created_at);
CREATE INDEX audit_log_action_idx ON audit_log (action, created_at);

-- Wrapped data keys for crypto-shredding: deleting a row makes everything
-- sealed with that key unreadable, in every store and in the log.
CREATE TABLE data_keys (
    key_id      text        PRIMARY KEY,
    wrapped_key bytea       NOT NULL,
    created_at  timestamptz NOT NULL
);

-- +goose Down

DROP TABLE data_keys;
DROP TABLE audit_log;
DROP TABLE settings;
DROP TABLE users;
DROP TABLE server_status;
DROP TABLE peer_stats;
DROP TABLE peers;
DROP TABLE servers;
DROP TABLE projection_offsets;
