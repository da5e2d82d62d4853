package ingest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// ReportsConfig wires Reports.
type ReportsConfig struct {
	Log   eventstore.Log
	State projections.StateReader
	// Commands registers servers a fleet token reports for first.
	Commands *Service
	// FleetToken may report for any server id; empty disables it.
	FleetToken string
	// Format is how reports are written on the log; the zero value is
	// the binary form.
	Format domain.ReportFormat
	Now    func() time.Time
	Logger *slog.Logger
}

// Reports authorizes agents and appends their reports to the reports
// topic, keyed by server id so one server's reports stay in order.
type Reports struct {
	cfg       ReportsConfig
	fleetHash [sha256.Size]byte
	// hashes caches each server's agent token hash; a hash never changes
	// once the server is registered.
	hashes sync.Map // server id -> []byte
	// known holds server ids seen registered, for the fleet token path; a
	// batch checks all its ids under one read lock.
	knownMu sync.RWMutex
	known   map[string]struct{}
}

// NewReports builds the report path.
func NewReports(cfg ReportsConfig) (*Reports, error) {
	if cfg.Log == nil || cfg.State == nil || cfg.Commands == nil {
		return nil, errors.New("ingest: reports need log, state and commands")
	}
	if _, err := cfg.Format.MarshalText(); err != nil {
		return nil, fmt.Errorf("ingest: reports: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Reports{cfg: cfg, known: map[string]struct{}{}}
	if cfg.FleetToken != "" {
		r.fleetHash = sha256.Sum256([]byte(cfg.FleetToken))
	}
	return r, nil
}

// Agent is who holds an authenticated agent token: the fleet, which may
// report for any server, or one server. The zero Agent may report for
// none.
type Agent struct {
	Fleet  bool
	Server string // the server a per-server token belongs to
}

// Authenticate checks an agent's bearer token: the fleet token or a
// server's own. Comparisons are constant-time over hashes.
func (r *Reports) Authenticate(ctx context.Context, token string) (Agent, error) {
	if token == "" {
		return Agent{}, ErrUnauthenticated
	}
	if r.cfg.FleetToken != "" {
		h := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(h[:], r.fleetHash[:]) == 1 {
			return Agent{Fleet: true}, nil
		}
	}
	claimed, ok := tokenServer(token)
	if !ok {
		return Agent{}, ErrUnauthenticated
	}
	want, err := r.tokenHash(ctx, claimed)
	if err != nil {
		return Agent{}, err
	}
	if want == nil || subtle.ConstantTimeCompare(domain.HashAgentToken(token), want) != 1 {
		return Agent{}, ErrUnauthenticated
	}
	return Agent{Server: claimed}, nil
}

// Authorize checks that a may report for every server id in reports: a
// server's token for its own id only. The fleet may report for any, and
// registers the servers it names first.
func (r *Reports) Authorize(ctx context.Context, a Agent, remoteIP string, reports []domain.ServerReported) error {
	if a.Fleet {
		return r.registerUnknown(ctx, remoteIP, reports)
	}
	for _, rep := range reports {
		if a.Server == "" || rep.ServerID != a.Server {
			return fmt.Errorf("%w: token of %q used for %q", ErrForbidden, a.Server, rep.ServerID)
		}
	}
	return nil
}

// tokenHash returns the stored token hash of a server, nil when the server
// is unknown or was registered without one.
func (r *Reports) tokenHash(ctx context.Context, id string) ([]byte, error) {
	if h, ok := r.hashes.Load(id); ok {
		return h.([]byte), nil
	}
	srv, err := r.cfg.State.Server(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("authorize agent: %w", err)
	}
	if srv == nil || len(srv.AgentTokenHash) == 0 {
		return nil, nil
	}
	r.hashes.Store(id, srv.AgentTokenHash)
	return srv.AgentTokenHash, nil
}

// registerUnknown registers servers a fleet token reports for first. Their
// endpoint is a guess, the agent's address and WireGuard port. A batch may
// name hundreds of new servers: they are registered registerChunk at a
// time, each chunk one read of the read model, one append and one wait
// for the projection.
func (r *Reports) registerUnknown(ctx context.Context, remoteIP string, reports []domain.ServerReported) error {
	unknown := r.unknown(reports)
	for len(unknown) > 0 {
		n := min(len(unknown), registerChunk)
		cmds := make([]domain.RegisterServer, n)
		for i, rep := range unknown[:n] {
			cmds[i] = implicitRegistration(remoteIP, rep)
		}
		added, err := r.cfg.Commands.registerImplicitly(ctx, remoteIP, cmds)
		if err != nil {
			return fmt.Errorf("register servers on their first report: %w", err)
		}
		for _, cmd := range added {
			r.cfg.Logger.Info("registered server on its first report", "server_id", cmd.ID, "endpoint", cmd.Endpoint)
		}
		r.knownMu.Lock()
		for _, cmd := range cmds {
			r.known[cmd.ID] = struct{}{}
		}
		r.knownMu.Unlock()
		unknown = unknown[n:]
	}
	return nil
}

// registerChunk bounds the registrations appended in one write: about
// 0.5 KB each as JSON, so a write stays well under a broker's 1 MiB
// request limit.
const registerChunk = 500

// unknown returns the first report of each server id not known to be
// registered.
func (r *Reports) unknown(reports []domain.ServerReported) []domain.ServerReported {
	var out []domain.ServerReported
	var seen map[string]bool
	r.knownMu.RLock()
	defer r.knownMu.RUnlock()
	for _, rep := range reports {
		if _, ok := r.known[rep.ServerID]; ok || seen[rep.ServerID] {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[rep.ServerID] = true
		out = append(out, rep)
	}
	return out
}

// implicitRegistration is the registration of the server of rep on its
// first report.
func implicitRegistration(remoteIP string, rep domain.ServerReported) domain.RegisterServer {
	port := 51820
	if rep.Interface != nil && rep.Interface.ListenPort > 0 {
		port = rep.Interface.ListenPort
	}
	return domain.RegisterServer{ID: rep.ServerID, Endpoint: net.JoinHostPort(remoteIP, strconv.Itoa(port))}
}

// Submit appends validated reports in one write and returns once the log
// acknowledged all of them.
func (r *Reports) Submit(ctx context.Context, reports []domain.ServerReported) error {
	msgs, err := r.encode(reports)
	if err != nil {
		return err
	}
	if _, err := r.cfg.Log.Append(ctx, eventstore.TopicReports, msgs...); err != nil {
		return fmt.Errorf("submit reports: %w", err)
	}
	return nil
}

// encode makes the log messages of reports: every key and event in one
// buffer, sized after the first report (written on the stack first) with
// a quarter to spare for the rest. A larger report only grows the
// buffer; the messages before it keep the old one.
func (r *Reports) encode(reports []domain.ServerReported) ([]eventstore.Message, error) {
	if len(reports) == 0 {
		return nil, nil
	}
	now := r.cfg.Now()
	var first [512]byte
	head, err := r.appendMessage(first[:0], reports[0], now)
	if err != nil {
		return nil, fmt.Errorf("report 0: %w", err)
	}
	rest := len(head) * (len(reports) - 1)
	buf := append(make([]byte, 0, len(head)+rest+rest/4), head...)
	msgs := make([]eventstore.Message, len(reports))
	k := 0
	for i := range reports {
		if i > 0 {
			k = len(buf)
			if buf, err = r.appendMessage(buf, reports[i], now); err != nil {
				return nil, fmt.Errorf("report %d: %w", i, err)
			}
		}
		v := k + len(reports[i].ServerID)
		msgs[i] = eventstore.Message{Key: buf[k:v:v], Value: buf[v:len(buf):len(buf)]}
	}
	return msgs, nil
}

// appendMessage appends rep's key, then its event.
func (r *Reports) appendMessage(b []byte, rep domain.ServerReported, now time.Time) ([]byte, error) {
	b = append(b, rep.ServerID...)
	return domain.AppendReportEvent(b, rep, "", now, r.cfg.Format)
}
