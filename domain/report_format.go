package domain

import "fmt"

// ReportFormat is the form EncodeAs gives server_reported events.
type ReportFormat uint8

const (
	// ReportsBinary is the binary form (report_binary.go), the default.
	ReportsBinary ReportFormat = iota
	// ReportsJSON is JSON, like every other event: what builds from
	// before the binary form wrote, and all they can read. For a rolling
	// upgrade from such a build: write JSON until no replica runs it.
	ReportsJSON
)

func (f ReportFormat) String() string {
	switch f {
	case ReportsBinary:
		return "binary"
	case ReportsJSON:
		return "json"
	}
	return fmt.Sprintf("ReportFormat(%d)", uint8(f))
}

// MarshalText implements encoding.TextMarshaler.
func (f ReportFormat) MarshalText() ([]byte, error) {
	if f > ReportsJSON {
		return nil, fmt.Errorf("unknown %v", f)
	}
	return []byte(f.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: "binary" or "json".
func (f *ReportFormat) UnmarshalText(b []byte) error {
	switch string(b) {
	case "binary":
		*f = ReportsBinary
	case "json":
		*f = ReportsJSON
	default:
		return fmt.Errorf("report format %q: want binary or json", b)
	}
	return nil
}
