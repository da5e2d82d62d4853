package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// Two `sentrazone serve` processes on one Kafka + Postgres + ClickHouse,
// 50 concurrent peer creations split across them: 50 distinct addresses,
// no 500, and each POST's result is visible at once on the other replica.
func TestTwoReplicasCreatePeersConcurrently(t *testing.T) {
	c := externalConfig(t)
	shared := []string{"--kafka-brokers", c.KafkaBrokers, "--postgres-url", c.PostgresURL,
		"--clickhouse-url", c.ClickHouseURL, "--jwt-secret", c.JWTSecret, "--master-key", c.MasterKey}
	addrA := startProcess(t, append(shared, "--data-dir", t.TempDir(),
		"--admin-email", adminEmail, "--admin-password", adminPassword)...)
	addrB := startProcess(t, append(shared, "--data-dir", t.TempDir())...)
	apiA := newClient(t, "http://"+addrA)
	apiB := newClient(t, "http://"+addrB)
	adminA := apiA.as(apiA.login(adminEmail, adminPassword))
	adminB := apiB.as(adminA.token) // both replicas share the JWT secret
	adminA.expect(201, "POST", "/api/servers", map[string]string{"id": "paris", "endpoint": "paris.example.com:51820"})
	adminB.expect(200, "GET", "/api/wg-clients/paris", nil) // read your writes on the other replica

	const n = 50
	addrs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := adminA
			if i%2 == 1 {
				c = adminB
			}
			r := c.do("POST", "/api/wg-clients/paris", map[string]string{"name": fmt.Sprintf("peer-%02d", i)})
			if r.status != 201 {
				t.Errorf("create peer-%02d: %d %s", i, r.status, r.body)
				return
			}
			var p struct {
				Address string `json:"address"`
			}
			r.json(t, &p)
			addrs[i] = p.Address
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, addr := range addrs {
		if addr == "" || seen[addr] {
			t.Fatalf("peer-%02d got address %q (duplicate or missing): %v", i, addr, addrs)
		}
		seen[addr] = true
	}
	for _, c := range []*client{adminA, adminB} {
		var list []map[string]any
		c.expect(200, "GET", "/api/wg-clients/paris", nil).json(t, &list)
		if len(list) != n {
			t.Fatalf("replica lists %d peers, want %d", len(list), n)
		}
	}
}

// rebuild replays the log into fresh read models: the audit log comes out
// identical, ids and hashes included; audit verify accepts the chain.
func TestRebuildReproducesAuditChain(t *testing.T) {
	c := externalConfig(t)
	srv := start(t, c)
	api := newClient(t, "http://"+srv.Addr())
	admin := api.as(api.login(adminEmail, adminPassword))
	admin.expect(201, "POST", "/api/servers", map[string]string{"id": "rome", "endpoint": "rome.example.com:51820"})
	var p struct {
		ID string `json:"id"`
	}
	admin.expect(201, "POST", "/api/wg-clients/rome", map[string]string{"name": "anna"}).json(t, &p)
	admin.expect(200, "POST", "/api/wg-clients/rome/"+p.ID+"/disable", nil)
	admin.expect(204, "DELETE", "/api/wg-clients/rome/"+p.ID, nil)
	api.expect(401, "POST", "/api/login", map[string]string{"email": adminEmail, "password": "nope-nope"})
	before := auditChain(t, srv.p.state)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	args := []string{"--data-dir", c.DataDir, "--kafka-brokers", c.KafkaBrokers, "--postgres-url", c.PostgresURL,
		"--clickhouse-url", c.ClickHouseURL, "--master-key", c.MasterKey, "--log-level", "warn"}
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if code := run(ctx, append([]string{"rebuild"}, args...), noEnv, &out, &errOut); code != 0 {
		t.Fatalf("rebuild exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("audit chain ok: %d rows", len(before))) {
		t.Fatalf("rebuild said %q", out.String())
	}
	out.Reset()
	if code := run(ctx, append([]string{"audit", "verify"}, args...), noEnv, &out, &errOut); code != 0 {
		t.Fatalf("audit verify exited %d: %s", code, errOut.String())
	}

	srv = start(t, c)
	after := auditChain(t, srv.p.state)
	if len(after) != len(before) {
		t.Fatalf("%d audit rows after rebuild, %d before", len(after), len(before))
	}
	for i := range before {
		if before[i].ID != after[i].ID || !bytes.Equal(before[i].Hash, after[i].Hash) || before[i].Target != after[i].Target {
			t.Fatalf("audit row %d differs after rebuild:\n%+v\n%+v", i, before[i], after[i])
		}
	}
}

func noEnv(string) string { return "" }

func auditChain(t *testing.T, r projections.AuditReader) []projections.AuditRow {
	t.Helper()
	var rows []projections.AuditRow
	err := r.AuditChain(context.Background(), func(row projections.AuditRow) error {
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
