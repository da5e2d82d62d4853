package memhistory_test

import (
	"testing"

	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/contract"
	"github.com/sentrazone/sentrazone/projections/memhistory"
)

func TestHistoryStoreContract(t *testing.T) {
	contract.RunHistoryStore(t, func(*testing.T) projections.HistoryStore { return memhistory.New() })
}
