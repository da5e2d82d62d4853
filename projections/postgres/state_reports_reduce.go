package postgres

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sentrazone/sentrazone/domain"
)

// statKey identifies one peer's statistics.
type statKey struct{ serverID, publicKey string }

// statRow is the newest statistics of one peer in a batch.
type statRow struct {
	stat domain.PeerStat
	at   time.Time
}

// reduced holds the winners of a reports batch: the newest report per
// server, the newest report with an interface per server and the newest
// statistics per peer. Records come in log order, so a tie goes to the
// later one.
type reduced struct {
	status map[string]domain.ServerReported
	iface  map[string]domain.ServerReported
	stats  map[statKey]statRow
}

// add folds one report into the winners.
func (r *reduced) add(rep domain.ServerReported) {
	if r.status == nil {
		r.status = make(map[string]domain.ServerReported)
		r.iface = make(map[string]domain.ServerReported)
		r.stats = make(map[statKey]statRow)
	}
	if old, ok := r.status[rep.ServerID]; !ok || !rep.ReportedAt.Before(old.ReportedAt) {
		r.status[rep.ServerID] = rep
	}
	if rep.Interface != nil {
		if old, ok := r.iface[rep.ServerID]; !ok || !rep.ReportedAt.Before(old.ReportedAt) {
			r.iface[rep.ServerID] = rep
		}
	}
	for _, ps := range rep.PeerStats {
		k := statKey{serverID: rep.ServerID, publicKey: ps.PublicKey}
		if old, ok := r.stats[k]; !ok || !rep.ReportedAt.Before(old.at) {
			r.stats[k] = statRow{stat: ps, at: rep.ReportedAt}
		}
	}
}

// queue adds the statements writing the winners to b, rows sorted by key
// so that concurrent transactions lock them in the same order.
func (r *reduced) queue(b *pgx.Batch) {
	if len(r.status) == 0 {
		return
	}
	ids := slices.Sorted(maps.Keys(r.status))
	var st struct {
		ping    []float64
		ok      []bool
		peers   []int32
		rx, tx  []int64
		at      []time.Time
		applied []int64
	}
	for _, id := range ids {
		rep := r.status[id]
		st.ping = append(st.ping, rep.PingMS)
		st.ok = append(st.ok, rep.PingOK)
		st.peers = append(st.peers, int32(rep.Peers))
		st.rx = append(st.rx, int64(rep.TransferRx))
		st.tx = append(st.tx, int64(rep.TransferTx))
		st.at = append(st.at, rep.ReportedAt)
		st.applied = append(st.applied, rep.AppliedVersion)
	}
	b.Queue(upsertStatusSQL, ids, st.ping, st.ok, st.peers, st.rx, st.tx, st.at, st.applied)
	if len(r.iface) > 0 {
		var keys []string
		var ports []int32
		var at []time.Time
		ifIDs := slices.Sorted(maps.Keys(r.iface))
		for _, id := range ifIDs {
			rep := r.iface[id]
			keys = append(keys, rep.Interface.PublicKey)
			ports = append(ports, int32(rep.Interface.ListenPort))
			at = append(at, rep.ReportedAt)
		}
		b.Queue(updateInterfaceSQL, ifIDs, keys, ports, at)
	}
	if len(r.stats) > 0 {
		r.queueStats(b)
	}
}

// queueStats adds the peer statistics upsert to b.
func (r *reduced) queueStats(b *pgx.Batch) {
	keys := slices.SortedFunc(maps.Keys(r.stats), func(a, b statKey) int {
		if c := strings.Compare(a.serverID, b.serverID); c != 0 {
			return c
		}
		return strings.Compare(a.publicKey, b.publicKey)
	})
	var (
		servers, pubKeys, endpoints []string
		handshakes                  []pgtype.Timestamptz
		rx, tx                      []int64
		at                          []time.Time
	)
	for _, k := range keys {
		row := r.stats[k]
		servers = append(servers, k.serverID)
		pubKeys = append(pubKeys, k.publicKey)
		endpoints = append(endpoints, row.stat.Endpoint)
		hs := row.stat.LatestHandshakeAt
		handshakes = append(handshakes, pgtype.Timestamptz{Time: hs, Valid: !hs.IsZero()})
		rx = append(rx, int64(row.stat.TransferRx))
		tx = append(tx, int64(row.stat.TransferTx))
		at = append(at, row.at)
	}
	b.Queue(upsertPeerStatsSQL, servers, pubKeys, endpoints, handshakes, rx, tx, at)
}
