-- One row per agent report, kept 72h: old daily partitions are dropped
-- (ClickHouse 18.16 has no TTL). ReplacingMergeTree collapses a report
-- delivered twice, since the Kafka position is part of the key.
CREATE TABLE IF NOT EXISTS reports (
    server_id       String,
    reported_at     DateTime,
    ping_ms         Float64,
    ping_ok         UInt8,
    peers           UInt32,
    transfer_rx     UInt64,
    transfer_tx     UInt64,
    kafka_partition UInt16,
    kafka_offset    UInt64
) ENGINE = ReplacingMergeTree()
PARTITION BY toDate(reported_at)
ORDER BY (server_id, reported_at, kafka_partition, kafka_offset)
