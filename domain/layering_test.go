package domain

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

const domainPkg = "github.com/sentrazone/sentrazone/domain"

// allowedDeps are the non-standard packages (and package trees, ending in
// "/...") the domain may depend on.
var allowedDeps = []string{
	domainPkg,
	"github.com/google/uuid",
	"golang.org/x/crypto/...",
	// A pure JSON library: strict, one-pass decoding of events
	// (strictUnmarshal), several times faster than encoding/json's Decoder.
	// asm and x/sys/cpu are its own dependencies (SIMD helpers, CPU feature
	// detection); none of them touches infrastructure.
	"github.com/segmentio/encoding/...",
	"github.com/segmentio/asm/...",
	"golang.org/x/sys/cpu",
	// The Protocol Buffers wire format, for the binary form of reports
	// (report_binary.go); internal/... are protowire's own helpers.
	"google.golang.org/protobuf/encoding/protowire",
	"google.golang.org/protobuf/internal/...",
}

// dep is one line of `go list -deps`.
type dep struct {
	Path     string
	Standard bool
}

// checkDeps returns an error naming every non-standard dependency outside
// allowedDeps.
func checkDeps(deps []dep) error {
	var bad []string
	for _, d := range deps {
		if !d.Standard && !depAllowed(d.Path) {
			bad = append(bad, d.Path)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("domain must import only the standard library and %v; it depends on: %s",
			allowedDeps, strings.Join(bad, ", "))
	}
	return nil
}

func depAllowed(path string) bool {
	for _, a := range allowedDeps {
		if tree, ok := strings.CutSuffix(a, "/..."); ok {
			if path == tree || strings.HasPrefix(path, tree+"/") {
				return true
			}
		} else if path == a {
			return true
		}
	}
	return false
}

func parseDeps(out string) ([]dep, error) {
	var deps []dep
	for line := range strings.Lines(out) {
		path, std, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || (std != "true" && std != "false") {
			return nil, fmt.Errorf("unexpected go list line %q", line)
		}
		deps = append(deps, dep{Path: path, Standard: std == "true"})
	}
	return deps, nil
}

// TestLayering fails when domain (not its tests) depends on a package
// outside the allow-list.
func TestLayering(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", domainPkg)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	deps, err := parseDeps(string(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) == 0 || deps[len(deps)-1].Path != domainPkg {
		t.Fatalf("go list output does not end with %s:\n%s", domainPkg, out)
	}
	if err := checkDeps(deps); err != nil {
		t.Fatal(err)
	}
}

// TestLayeringCheckCanFail feeds checkDeps a forbidden dependency, so we know
// TestLayering is not vacuous.
func TestLayeringCheckCanFail(t *testing.T) {
	deps := []dep{
		{"fmt", true},
		{"github.com/google/uuid", false},
		{"golang.org/x/crypto/argon2", false},
		{"github.com/jackc/pgx/v5", false},
		{"github.com/google/uuidx", false},
		{domainPkg, false},
	}
	err := checkDeps(deps)
	if err == nil {
		t.Fatal("checkDeps accepted github.com/jackc/pgx/v5")
	}
	for _, want := range []string{"github.com/jackc/pgx/v5", "github.com/google/uuidx"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "argon2") {
		t.Errorf("error names an allowed package: %v", err)
	}
	if err := checkDeps(deps[:3]); err != nil {
		t.Errorf("allowed deps rejected: %v", err)
	}
}
