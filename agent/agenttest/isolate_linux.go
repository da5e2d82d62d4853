package agenttest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// childEnv marks the re-executed test binary and names the test it runs.
const childEnv = "SENTRAZONE_AGENTTEST_ISOLATED"

// Isolated runs the calling top-level test in fresh network and mount
// namespaces, so that TUN devices, addresses, UDP ports and the UAPI
// sockets in /var/run/wireguard are the test's own and vanish with it.
//
// In the test process it re-executes the test binary for this one test
// inside new namespaces (unshare CLONE_NEWNET|CLONE_NEWNS, mounts private),
// logs the child's output, fails when the child fails, and returns false:
// the caller must return at once. In the child it brings loopback up,
// mounts a private tmpfs on /run and returns true: the caller runs the real
// test. It needs root and /dev/net/tun: without them the test skips, or
// fails when the CI environment variable is set.
//
//	func TestX(t *testing.T) {
//		if !agenttest.Isolated(t) {
//			return
//		}
//		... // runs in the namespaces
//	}
func Isolated(t *testing.T) bool {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		if err := prepareChild(); err != nil {
			t.Fatalf("prepare namespaces: %v", err)
		}
		return true
	}
	if err := Requirements(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("this test needs root and /dev/net/tun in CI: %v", err)
		}
		t.Skipf("needs root and /dev/net/tun: %v", err)
	}
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-5*time.Second))
		defer cancel()
	}
	// No -test.v: the child prints only when it fails, and its lines are
	// prefixed so that test2json does not mistake them for ours.
	args := []string{"-test.run=^" + regexp.QuoteMeta(t.Name()) + "$", "-test.count=1"}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Unshareflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS,
		Pdeathsig:    syscall.SIGKILL,
	}
	out, err := cmd.CombinedOutput()
	if s := strings.TrimSpace(string(out)); s != "" && s != "PASS" {
		t.Logf("isolated run:\n%s", prefixLines(s))
	}
	if err != nil {
		t.Fatalf("isolated run of %s failed: %v", t.Name(), err)
	}
	return false
}

// Requirements reports why isolated tests cannot run here, or nil.
func Requirements() error {
	if os.Geteuid() != 0 {
		return errors.New("not root")
	}
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("open /dev/net/tun: %w", err)
	}
	_ = f.Close()
	// Namespaces may be forbidden even to root (a restricted container).
	bin, err := exec.LookPath("true")
	if err != nil {
		return fmt.Errorf("find true: %w", err)
	}
	probe := exec.Command(bin)
	probe.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS}
	if out, err := probe.CombinedOutput(); err != nil {
		return fmt.Errorf("cannot create network and mount namespaces: %w: %s", err, out)
	}
	return nil
}

// prepareChild brings loopback up and hides the host's /run behind a
// private tmpfs (the mount namespace is private, so nothing leaks back).
func prepareChild() error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find lo: %w", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("set lo up: %w", err)
	}
	if err := syscall.Mount("tmpfs", "/run", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount tmpfs on /run: %w", err)
	}
	return nil
}

func prefixLines(s string) string {
	return "| " + strings.ReplaceAll(s, "\n", "\n| ")
}
