package memstate_test

import (
	"testing"

	"github.com/sentrazone/sentrazone/projections/contract"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

func TestStateStoreContract(t *testing.T) {
	contract.RunStateStore(t, func(*testing.T) contract.StateHarness {
		keys := contract.NewMemoryKeys()
		return contract.StateHarness{Store: memstate.New(keys), Keys: keys}
	})
}
