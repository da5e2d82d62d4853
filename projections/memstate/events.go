package memstate

import (
	"context"
	"fmt"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// ApplyEvents applies a batch of the events topic. Records below the stored
// next offset are skipped. A versioned event that does not apply (stale
// version, unknown server or peer, ...) changes nothing and gets no audit
// row; every other event gets one. Data keys of deleted peers are shredded
// after the batch is applied; a failed shred is returned and retried with
// the next batch.
func (s *Store) ApplyEvents(ctx context.Context, partition int, batch []projections.Decoded) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstate: apply events: %w", err)
	}
	s.mu.Lock()
	var shred []string
	for _, rec := range batch {
		if rec.Offset < s.nextOffset(eventstore.TopicEvents, partition) {
			continue
		}
		if keyID := s.applyEvent(rec.Event); keyID != "" {
			shred = append(shred, keyID)
		}
		s.advance(eventstore.TopicEvents, partition, rec.Offset)
	}
	s.mu.Unlock()
	return s.shred(ctx, shred)
}

// applyEvent applies one event and writes its audit row. It returns the
// data key to shred, if the event deleted a peer that had one. mu is held.
func (s *Store) applyEvent(env domain.Envelope) (shredKey string) {
	var (
		target string
		ok     bool
	)
	switch domain.AggregateKindOf(env.Type) {
	case domain.AggregateServer:
		target, shredKey, ok = s.applyServerEvent(env)
	case domain.AggregateUser:
		target, ok = s.applyUserEvent(env)
	default:
		target, ok = s.applyObservation(env)
	}
	if ok {
		s.appendAudit(env, target)
	}
	return shredKey
}

// applyServerEvent applies a server or peer event. It returns the audit
// target, the data key to shred and whether the event applied.
func (s *Store) applyServerEvent(env domain.Envelope) (target, shredKey string, ok bool) {
	e := s.servers[env.AggregateID]
	if e == nil {
		e = &serverEntry{agg: &domain.Server{}, peerCreated: make(map[string]time.Time)}
	}
	target = env.AuditTarget()
	var peer domain.Peer
	if clientID, isPeerEvent := peerEventClient(env.Payload); isPeerEvent {
		peer, ok = e.agg.Peer(clientID)
		if ok {
			target = env.AggregateID + "/" + peer.Name
		}
	}
	if err := e.agg.Apply(env); err != nil {
		return "", "", false // stale or invalid: the domain refused it
	}
	switch p := env.Payload.(type) {
	case domain.ServerRegistered:
		e.registeredAt = env.OccurredAt
		s.servers[env.AggregateID] = e
		s.sortedIDs.Store(nil)
		s.statusValid = false
	case domain.WGClientCreated:
		e.peerCreated[p.ClientID] = env.OccurredAt
	case domain.WGClientDeleted:
		delete(e.peerCreated, p.ClientID)
		shredKey = peer.KeyID
	}
	return target, shredKey, true
}

// peerEventClient returns the client id of a peer event that acts on an
// existing peer (enable, disable, delete).
func peerEventClient(p domain.Payload) (string, bool) {
	switch p := p.(type) {
	case domain.WGClientEnabled:
		return p.ClientID, true
	case domain.WGClientDisabled:
		return p.ClientID, true
	case domain.WGClientDeleted:
		return p.ClientID, true
	}
	return "", false
}

// applyUserEvent applies a user event; see applyServerEvent.
func (s *Store) applyUserEvent(env domain.Envelope) (target string, ok bool) {
	e := s.users[env.AggregateID]
	if e == nil {
		e = &userEntry{createdAt: env.OccurredAt}
	}
	u := e.user
	if err := u.Apply(env); err != nil {
		return "", false
	}
	e.user = u
	s.users[env.AggregateID] = e
	return env.AuditTarget(), true
}

// applyObservation applies an unversioned event: always, except reports,
// which do not belong on the events topic, and an event whose id was
// applied before (a producer's retry appended it twice; versioned events
// need no such check, a second copy is stale).
func (s *Store) applyObservation(env domain.Envelope) (target string, ok bool) {
	if _, dup := s.seen[env.ID]; dup {
		return "", false
	}
	switch p := env.Payload.(type) {
	case domain.ServerReported:
		return "", false
	case domain.SettingsChanged:
		s.settings[p.Key] = p.Value
	}
	s.seen[env.ID] = struct{}{}
	return env.AuditTarget(), true
}

// appendAudit chains the audit row of env to the last one; mu is held.
func (s *Store) appendAudit(env domain.Envelope, target string) {
	s.audit.append(projections.NewAuditRow(s.audit.last(), env, target))
}
