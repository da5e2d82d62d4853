package main

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections/dbtest"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "correct horse battery"
	fleetToken    = "fleet-token-for-tests-0123456789"
)

// embeddedConfig is the embedded default: in-process broker, memory stores.
func embeddedConfig(t *testing.T) *config {
	return &config{
		Listen:        "127.0.0.1:0",
		DataDir:       t.TempDir(),
		AgentToken:    fleetToken,
		AdminEmail:    adminEmail,
		AdminPassword: adminPassword,
		OfflineAfter:  60 * time.Second,
		Partitions:    0, // the default: 1 on the embedded broker, 12 on Kafka
		LogLevel:      "warn",
	}
}

// externalConfig is Kafka (a broker of its own, as an external cluster
// would be) + Postgres + ClickHouse.
func externalConfig(t *testing.T) *config {
	c := embeddedConfig(t)
	broker, err := eventstore.StartEmbedded(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	c.KafkaBrokers = broker.Addr()
	c.PostgresURL = dbtest.PostgresURL(t)
	c.ClickHouseURL = dbtest.ClickHouseURL(t)
	c.JWTSecret = "a-shared-jwt-secret-of-at-least-32-bytes"
	c.MasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, base64
	return c
}

// start runs a control plane for the test and stops it at cleanup.
func start(t *testing.T, c *config) *server {
	t.Helper()
	if err := c.validateServe(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := startServer(ctx, c, logger)
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func wgPublicKey(t *testing.T) string {
	t.Helper()
	k, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey().String()
}
