package contract

import (
	"context"
	"testing"

	"github.com/sentrazone/sentrazone/projections"
)

// StateHarness is one projections.StateStore under test and the hooks the
// suite needs around it.
type StateHarness struct {
	// Store is a fresh, empty store.
	Store projections.StateStore
	// Replica is a second store over the same data, as a second API replica
	// would open it; nil means Store itself (an in-memory store).
	Replica projections.StateStore
	// Keys creates the data keys the store shreds when it applies
	// wg_client_deleted, and tells whether they still exist.
	Keys StateKeys
}

// StateKeys gives the suite access to the data keys a store shreds.
type StateKeys interface {
	// AddKey creates the data key keyID.
	AddKey(ctx context.Context, keyID string) error
	// KeyExists reports whether keyID has not been shredded.
	KeyExists(ctx context.Context, keyID string) (bool, error)
}

// RunStateStore runs the projections.StateStore contract against the
// stores newStore returns; every subtest gets a fresh harness with an
// empty store.
//
// Event times are whole seconds, except where a test is about precision:
// the Postgres store keeps times to the microsecond.
func RunStateStore(t *testing.T, newStore func(t *testing.T) StateHarness) {
	t.Helper()
	tests := []struct {
		name string
		run  func(f *stateFeed)
	}{
		{"ServersAndPeers", stateServersAndPeers},
		{"PeerAuditTargetsUseNames", statePeerAuditTargets},
		{"StaleVersionSkipped", stateStaleVersion},
		{"InvalidEventSkipped", stateInvalidEvent},
		{"RedeliveryIsNoop", stateRedelivery},
		{"TwoReplicas", stateTwoReplicas},
		{"ReplicaReadsFollow", stateReplicaReadsFollow},
		{"StatusNewestWins", stateStatusNewestWins},
		{"StatusListsRegisteredOnly", stateStatusRegisteredOnly},
		{"PeerStats", statePeerStats},
		{"ServerInterface", stateServerInterface},
		{"ReportOffsets", stateReportOffsets},
		{"Users", stateUsers},
		{"Settings", stateSettings},
		{"Observations", stateObservations},
		{"AuditFilters", stateAuditFilters},
		{"AuditPaging", stateAuditPaging},
		{"ExportAudit", stateExportAudit},
		{"AuditChain", stateAuditChain},
		{"ResetAndRebuild", stateResetRebuild},
		{"KeyShredding", stateKeyShredding},
		{"RegistrationRun", stateRegistrationRun},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newStore(t)
			if h.Replica == nil {
				h.Replica = h.Store
			}
			tc.run(newStateFeed(t, h))
		})
	}
}
