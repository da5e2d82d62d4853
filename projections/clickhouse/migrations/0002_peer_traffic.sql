-- Per-peer counters from each report, kept 72h like reports.
CREATE TABLE IF NOT EXISTS peer_traffic (
    server_id           String,
    public_key          String,
    recorded_at         DateTime,
    latest_handshake_at DateTime,
    transfer_rx         UInt64,
    transfer_tx         UInt64,
    kafka_partition     UInt16,
    kafka_offset        UInt64
) ENGINE = ReplacingMergeTree()
PARTITION BY toDate(recorded_at)
ORDER BY (server_id, public_key, recorded_at, kafka_partition, kafka_offset)
