package memstate_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

// benchLog decides n peer creations on one /16 server.
func benchLog(b *testing.B, n int) []projections.Decoded {
	b.Helper()
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	var agg domain.Server
	var log []projections.Decoded
	add := func(p domain.Payload) {
		env, err := domain.NewEvent(p, "srv", agg.Version, "admin@example.com", "203.0.113.5", now)
		if err != nil {
			b.Fatal(err)
		}
		if err := agg.Apply(env); err != nil {
			b.Fatal(err)
		}
		log = append(log, projections.Decoded{Offset: int64(len(log)), Event: env})
	}
	reg, err := domain.DecideRegisterServer(nil, domain.RegisterServer{ID: "srv", Endpoint: "vpn.example.com:51820", Subnet: "10.0.0.0/16"})
	if err != nil {
		b.Fatal(err)
	}
	add(reg)
	for i := range n {
		sum := sha256.Sum256(fmt.Appendf(nil, "key-%d", i))
		p, err := agg.DecideCreatePeer(domain.CreatePeer{ClientID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("peer-%d", i),
			PublicKey: base64.StdEncoding.EncodeToString(sum[:]), KeyID: fmt.Sprintf("dk-%d", i), PrivateKeySealed: []byte("x")})
		if err != nil {
			b.Fatal(err)
		}
		add(p)
	}
	return log
}

// BenchmarkApplyEvents measures a boot-time rebuild: events per second
// applied in batches of 500.
func BenchmarkApplyEvents(b *testing.B) {
	log := benchLog(b, 10000)
	ctx := b.Context()
	for b.Loop() {
		s := memstate.New(nil)
		for i := 0; i < len(log); i += 500 {
			if err := s.ApplyEvents(ctx, 0, log[i:min(i+500, len(log))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(log)*b.N)/b.Elapsed().Seconds(), "events/s")
}
