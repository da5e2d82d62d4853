-- Rollups of reports per server and fixed-width bucket (width in seconds:
-- 60 and 600), so that History at a step that is a multiple of a width
-- reads one row per bucket instead of every report. A row is always
-- computed from reports (FINAL) for its whole bucket, never added to; n,
-- the number of reports it covers, only grows for a bucket, so the row
-- with the largest n is the newest and merges and FINAL keep it.
CREATE TABLE IF NOT EXISTS report_rollups (
    width     UInt32,
    server_id String,
    bucket    DateTime,
    n         UInt64,
    pings     UInt64,
    ping_sum  Float64,
    last_at   DateTime,
    rx        UInt64,
    tx        UInt64
) ENGINE = ReplacingMergeTree(n)
PARTITION BY toDate(bucket)
ORDER BY (width, server_id, bucket);

-- How far the rollups of each width are complete: every bucket that ends
-- at or before closed_to has its row (a bucket without reports has none).
-- Only max(closed_to) of a width counts.
CREATE TABLE IF NOT EXISTS rollup_progress (
    width      UInt32,
    closed_to  DateTime,
    updated_at DateTime
) ENGINE = ReplacingMergeTree(closed_to)
ORDER BY width;
