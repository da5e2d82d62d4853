package projections

import (
	"errors"
	"fmt"

	"github.com/sentrazone/sentrazone/domain"
)

// ErrInvalidBatch is returned, before anything is written, for a batch whose
// records do not all come from the partition it is applied for.
var ErrInvalidBatch = errors.New("invalid batch")

// CheckBatch validates that every record of batch is from partition and has
// a valid offset.
func CheckBatch(partition int, batch []Decoded) error {
	for _, d := range batch {
		switch {
		case d.Partition != partition:
			return fmt.Errorf("record at offset %d is from partition %d, not %d: %w", d.Offset, d.Partition, partition, ErrInvalidBatch)
		case d.Offset < 0:
			return fmt.Errorf("record offset %d is negative: %w", d.Offset, ErrInvalidBatch)
		}
	}
	return nil
}

// ReportOf returns the report an event carries, if it is one.
func ReportOf(e domain.Envelope) (domain.ServerReported, bool) {
	switch r := e.Payload.(type) {
	case domain.ServerReported:
		return r, true
	case *domain.ServerReported:
		if r != nil {
			return *r, true
		}
	}
	return domain.ServerReported{}, false
}
