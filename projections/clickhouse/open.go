// Package clickhouse holds the ClickHouse history store of the projections:
// 72h of reports and per-peer traffic.
//
// It must work on the ClickHouse Debian ships (18.16) and on current releases,
// which constrains the SQL: no DateTime64, no TTL, and inserts go through
// batches with an explicit column list (see Migrate).
package clickhouse

import (
	"context"
	"fmt"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Open connects to url over the native protocol, for example
// clickhouse://user:password@127.0.0.1:9000/sentrazone, and pings the server.
// The path names the database. The caller closes the returned conn.
func Open(ctx context.Context, url string) (driver.Conn, error) {
	opts, err := ch.ParseDSN(url)
	if err != nil {
		return nil, fmt.Errorf("clickhouse open: parse url: %w", err)
	}
	if opts.Protocol != ch.Native {
		return nil, fmt.Errorf("clickhouse open: want the native protocol (clickhouse://host:9000/db), got %s", opts.Protocol)
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("clickhouse open: %w", err)
	}
	if err := conn.Ping(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("clickhouse open: ping %v: %w", opts.Addr, err)
	}
	return conn, nil
}
