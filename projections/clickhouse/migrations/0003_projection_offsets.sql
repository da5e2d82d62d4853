-- Checkpoints of the ClickHouse projections: the row with the newest
-- updated_at wins; read it with FINAL (or argMax) since merges are lazy.
CREATE TABLE IF NOT EXISTS projection_offsets (
    projection  String,
    topic       String,
    partition   UInt16,
    next_offset UInt64,
    updated_at  DateTime
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (projection, topic, partition)
