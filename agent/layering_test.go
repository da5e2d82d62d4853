package agent

import (
	"os/exec"
	"strings"
	"testing"
)

// allowedDeps are the non-standard package trees the agent (not its tests)
// may depend on: the domain's wire types, WireGuard, and small networking
// libraries. Never the control plane's own packages.
var allowedDeps = []string{
	"github.com/sentrazone/sentrazone/agent",
	"github.com/sentrazone/sentrazone/domain",
	"github.com/google/uuid",                        // via domain
	"github.com/segmentio/encoding",                 // via domain's event decoder
	"github.com/segmentio/asm",                      // via segmentio/encoding
	"google.golang.org/protobuf/encoding/protowire", // via domain's report codec
	"google.golang.org/protobuf/internal",           // protowire's own helpers
	"golang.zx2c4.com/wireguard",
	"golang.org/x",
	"github.com/vishvananda/netlink",
	"github.com/vishvananda/netns",
	"github.com/mdlayher",
	"github.com/josharian/native",
}

// forbiddenDeps may not appear even below an allowed tree.
var forbiddenDeps = []string{
	"github.com/sentrazone/sentrazone/agent/agenttest", // test helpers only
	"golang.zx2c4.com/wireguard/tun/netstack",          // pulls gVisor
}

// badDeps returns the packages in deps outside the allow-list.
func badDeps(deps []string) []string {
	var bad []string
	for _, d := range deps {
		if !under(d, allowedDeps) || under(d, forbiddenDeps) {
			bad = append(bad, d)
		}
	}
	return bad
}

func under(path string, trees []string) bool {
	for _, t := range trees {
		if path == t || strings.HasPrefix(path, t+"/") {
			return true
		}
	}
	return false
}

// TestLayering fails when the agent depends on a package it may not.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/sentrazone/sentrazone/agent").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list returned nothing")
	}
	if bad := badDeps(deps); len(bad) > 0 {
		t.Fatalf("the agent depends on packages outside its layer: %s", strings.Join(bad, ", "))
	}
}

func TestLayeringCheckCanFail(t *testing.T) {
	deps := []string{
		"golang.org/x/net/icmp",
		"github.com/sentrazone/sentrazone/domain",
		"github.com/sentrazone/sentrazone/api",
		"github.com/sentrazone/sentrazone/eventstore",
		"golang.zx2c4.com/wireguard/tun/netstack",
		"github.com/sentrazone/sentrazone/agentx",
	}
	bad := badDeps(deps)
	if strings.Join(bad, " ") != strings.Join(deps[2:], " ") {
		t.Fatalf("badDeps = %v", bad)
	}
}
