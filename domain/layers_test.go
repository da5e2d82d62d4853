package domain

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sentrazone/sentrazone/"

// forbidden lists, per layer (a package tree of this module), the trees of
// this module it must not import (see ARCHITECTURE.md's layout table).
// The projections root package holds only read interfaces and row types;
// its store packages (projections/...) are adapters.
var forbidden = map[string][]string{
	"eventstore":  {"projections", "ingest", "api", "agent", "cmd"},
	"projections": {"ingest", "api", "agent", "cmd"},
	"ingest":      {"projections/", "api", "agent", "cmd"},
	"api":         {"eventstore", "projections/", "agent", "cmd"},
	"agent":       {"eventstore", "projections", "ingest", "api", "cmd"},
}

// layerViolations checks "pkg imp imp ..." lines of go list.
func layerViolations(lines string) []string {
	var bad []string
	for line := range strings.Lines(lines) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(fields[0], module)
		layer, _, _ := strings.Cut(pkg, "/")
		for _, imp := range fields[1:] {
			rel, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			for _, f := range forbidden[layer] {
				if within(rel, f) {
					bad = append(bad, fmt.Sprintf("%s imports %s", pkg, rel))
				}
			}
		}
	}
	return bad
}

// within reports whether rel is the tree f ("x" = x and below; "x/" = only
// below x).
func within(rel, f string) bool {
	if strings.HasSuffix(f, "/") {
		return strings.HasPrefix(rel, f)
	}
	return rel == f || strings.HasPrefix(rel, f+"/")
}

func TestLayersImportOnlyWhatTheyMay(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if bad := layerViolations(string(out)); len(bad) > 0 {
		t.Fatalf("layering broken:\n%s", strings.Join(bad, "\n"))
	}
}

func TestLayerCheckCanFail(t *testing.T) {
	lines := module + "agent " + module + "api fmt\n" +
		module + "api " + module + "projections " + module + "projections/postgres\n" +
		module + "ingest " + module + "eventstore " + module + "projections\n"
	bad := layerViolations(lines)
	want := []string{"agent imports api", "api imports projections/postgres"}
	if strings.Join(bad, ";") != strings.Join(want, ";") {
		t.Fatalf("violations %q, want %q", bad, want)
	}
}
