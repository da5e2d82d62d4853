package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/domain"
)

// agentRSSChildEnv marks the re-executed load generator running inside its
// own network and mount namespaces.
const agentRSSChildEnv = "SENTRAZONE_LOADGEN_AGENT_RSS_CHILD"

const agentRSSToken = "agent-rss-token-0123456789"

// rssOptions are the agent-rss flags.
type rssOptions struct {
	agent    string
	peers    int
	interval time.Duration
	duration time.Duration
	at       durationList
	env      envList
	heap     string
	// wgGo, when set, is a wireguard-go binary that hosts the device in
	// its own process; the agent then reads it through wgctrl.
	wgGo string
}

// rssPprofAddr is where the agent serves pprof when --heap-profile is set;
// the network namespace is the run's own, so the port is free.
const rssPprofAddr = "127.0.0.1:6061"

// durationList is a comma-separated list of durations.
type durationList []time.Duration

func (l *durationList) String() string {
	s := make([]string, len(*l))
	for i, d := range *l {
		s[i] = d.String()
	}
	return strings.Join(s, ",")
}

func (l *durationList) Set(v string) error {
	for f := range strings.SplitSeq(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil || d <= 0 {
			return fmt.Errorf("want positive durations, got %q", f)
		}
		*l = append(*l, d)
	}
	slices.Sort(*l)
	return nil
}

// envList collects repeated KEY=VALUE flags.
type envList []string

func (l *envList) String() string { return strings.Join(*l, " ") }

func (l *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*l = append(*l, v)
	return nil
}

// cmdAgentRSS runs the built sentrazone-agent against a fake control plane
// whose desired config has --peers peers, in fresh network and mount
// namespaces, lets it report for --duration and prints the agent process's
// VmRSS and VmHWM. The device is the agent's own (--userspace) unless
// --wireguard-go names a binary to host it, as a kernel module or a
// separate wireguard-go would on a server; then that process's figures are
// printed too. It needs root and /dev/net/tun.
func cmdAgentRSS(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	var o rssOptions
	fs.StringVar(&o.agent, "agent", "", "path of the built sentrazone-agent binary (required)")
	fs.IntVar(&o.peers, "peers", 1000, "peers in the desired config")
	fs.DurationVar(&o.interval, "interval", time.Second, "the agent's --interval")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long the agent reports before RSS is read")
	fs.Var(&o.at, "at", "also print the memory figures at these times since start, e.g. 10s,30s (they end the run if later than --duration)")
	fs.Var(&o.env, "agent-env", "KEY=VALUE added to the agent's environment, e.g. GODEBUG=gctrace=1 (repeatable)")
	fs.StringVar(&o.heap, "heap-profile", "", "write the agent's heap profile (after a GC) to this file at the end; runs the agent with --pprof "+rssPprofAddr+
		" (build it with -tags pprof)")
	fs.StringVar(&o.wgGo, "wireguard-go", "", "host the device in this wireguard-go binary (`go build golang.zx2c4.com/wireguard`) instead of in the agent, which then reads it through wgctrl")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.agent == "" {
		return errors.New("--agent is required")
	}
	if o.peers < 0 || o.peers > 60000 {
		return errors.New("--peers must be 0..60000")
	}
	if os.Getenv(agentRSSChildEnv) == "" {
		return reexecIsolated(ctx, args, out)
	}
	return agentRSS(ctx, o, out)
}

// reexecIsolated runs this command again in new network and mount
// namespaces; the TUN device and UAPI socket vanish with them.
func reexecIsolated(ctx context.Context, args []string, out io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{"agent-rss"}, args...)...)
	cmd.Env = append(os.Environ(), agentRSSChildEnv+"=1")
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Unshareflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS,
		Pdeathsig:    syscall.SIGKILL,
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("isolated run (needs root and /dev/net/tun): %w", err)
	}
	return nil
}

// agentRSS is the isolated part: loopback up, a private /run, the fake
// control plane, the agent, then its memory figures.
func agentRSS(ctx context.Context, o rssOptions, out io.Writer) error {
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
	cfg, err := rssConfig(o.peers)
	if err != nil {
		return err
	}
	body, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var reports, applied atomic.Int64
	srv := &http.Server{Handler: rssHandler(body, cfg.Version, &reports, &applied), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	state, err := os.MkdirTemp("", "sentrazone-agent-rss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	args := []string{"--control-plane", "http://" + ln.Addr().String(),
		"--server-id", "agent-rss", "--interface", rssInterface,
		"--interval", o.interval.String(), "--state-dir", state, "--log-level", "warn"}
	var device *exec.Cmd
	if o.wgGo == "" {
		args = append(args, "--userspace")
	} else {
		if device, err = startWireguardGo(ctx, o.wgGo); err != nil {
			return err
		}
		defer func() {
			_ = device.Process.Signal(syscall.SIGTERM)
			_ = device.Wait()
		}()
		args = append(args, "--private-key-file", filepath.Join(state, rssInterface+".key"))
	}
	if o.heap != "" {
		args = append(args, "--pprof", rssPprofAddr)
	}
	agent := exec.CommandContext(ctx, o.agent, args...)
	agent.Env = append(append(os.Environ(), "SENTRAZONE_AGENT_TOKEN="+agentRSSToken), o.env...)
	agent.Stdout, agent.Stderr = os.Stderr, os.Stderr
	if err := agent.Start(); err != nil {
		return fmt.Errorf("start agent: %w", err)
	}
	defer func() {
		_ = agent.Process.Signal(syscall.SIGTERM)
		_ = agent.Wait()
	}()

	end := o.duration
	if len(o.at) > 0 {
		end = max(end, o.at[len(o.at)-1])
	}
	points := slices.DeleteFunc(slices.Clone(o.at), func(d time.Duration) bool { return d >= end })
	where := "in the agent (--userspace)"
	if device != nil {
		where = "in " + o.wgGo + ", read through wgctrl"
	}
	fmt.Fprintf(out, "agent-rss: %d peers desired, interval %s, agent env %q, device %s\n", o.peers, o.interval, o.env, where)
	resident, err := readFaultsResident()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  reads of untouched memory on this kernel: %s\n", describeReadFaults(resident))
	start := time.Now()
	var peak, devPeak int64
	show := func(at time.Duration, m procMem) error {
		printMemory(out, "agent", at, m, peak)
		fmt.Fprintf(out, "    %d reports, %d peers in the last\n", reports.Load(), applied.Load())
		if device == nil {
			return nil
		}
		d, err := procMemory(device.Process.Pid)
		if err != nil {
			return fmt.Errorf("wireguard-go exited early: %w", err)
		}
		devPeak = max(devPeak, d.rss)
		printMemory(out, "wireguard-go", at, d, devPeak)
		return nil
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < end {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		m, err := procMemory(agent.Process.Pid)
		if err != nil {
			return fmt.Errorf("agent exited early: %w", err)
		}
		peak = max(peak, m.rss)
		if len(points) > 0 && time.Since(start) >= points[0] {
			if err := show(points[0], m); err != nil {
				return err
			}
			points = points[1:]
		}
	}
	m, err := procMemory(agent.Process.Pid)
	if err != nil {
		return err
	}
	peak = max(peak, m.rss)
	if err := show(end, m); err != nil {
		return err
	}
	if o.heap != "" {
		if err := fetchHeapProfile(ctx, o.heap); err != nil {
			return err
		}
		fmt.Fprintf(out, "  heap profile written to %s\n", o.heap)
	}
	return nil
}

// printMemory prints one line of a process's figures taken at the given
// time.
func printMemory(out io.Writer, who string, at time.Duration, m procMem, peak int64) {
	fmt.Fprintf(out, "  at %s, %s: VmRSS %.1f MiB (anon %.1f, file %.1f), highest sampled %.1f MiB, VmHWM %.1f MiB; CPU %.2f s\n",
		at, who, mib(m.rss), mib(m.anon), mib(m.file), mib(peak), mib(m.hwm), m.cpu.Seconds())
}

// rssInterface is the WireGuard interface of the run, in its own network
// namespace.
const rssInterface = "wgrss0"

// startWireguardGo runs the wireguard-go binary in the foreground on
// rssInterface and waits for its UAPI socket, where wgctrl finds it.
func startWireguardGo(ctx context.Context, bin string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, bin, "-f", rssInterface)
	// WG_PROCESS_FOREGROUND also quiets its banner about the kernel module.
	cmd.Env = append(os.Environ(), "LOG_LEVEL=error", "WG_PROCESS_FOREGROUND=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	sock := filepath.Join("/var/run/wireguard", rssInterface+".sock")
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := os.Stat(sock); err == nil {
			return cmd, nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("%s made no socket %s in 10 s", bin, sock)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fetchHeapProfile saves the agent's heap profile, taken after a GC.
func fetchHeapProfile(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+rssPprofAddr+"/debug/pprof/heap?gc=1", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("heap profile: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return os.WriteFile(path, b, 0o644)
}

// mib converts kB (KiB, as /proc writes them) to MiB.
func mib(kb int64) float64 { return float64(kb) / 1024 }

// rssHandler serves the desired config (holding long polls that already
// have it) and accepts reports, counting them and remembering how many
// peers the last one saw.
func rssHandler(cfg []byte, version int64, reports, peers *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+agentRSSToken {
			http.Error(w, `{"error":"bad token"}`, http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/agent/config":
			have, _ := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
			if have >= version {
				select {
				case <-time.After(25 * time.Second):
				case <-r.Context().Done():
					return
				}
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(cfg)
		case r.Method == http.MethodPost && r.URL.Path == "/api/report":
			var batch []domain.ReportWire
			b, _ := io.ReadAll(r.Body)
			var err error
			if len(b) > 0 && b[0] == '[' {
				err = json.Unmarshal(b, &batch)
			} else {
				var one domain.ReportWire
				err = json.Unmarshal(b, &one)
				batch = append(batch, one)
			}
			if err != nil {
				http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
				return
			}
			reports.Add(int64(len(batch)))
			peers.Store(int64(batch[len(batch)-1].Peers))
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"accepted":%d}`, len(batch))
		default:
			http.NotFound(w, r)
		}
	})
}

// rssConfig is a desired config of n peers with fresh keys in 10.8.0.0/16.
func rssConfig(n int) (domain.AgentConfig, error) {
	cfg := domain.AgentConfig{ServerID: "agent-rss", Version: 1, Address: "10.8.0.1/16"}
	for i := range n {
		priv, err := wgtypes.GeneratePrivateKey()
		if err != nil {
			return cfg, err
		}
		psk, err := wgtypes.GenerateKey()
		if err != nil {
			return cfg, err
		}
		host := i + 2
		cfg.Peers = append(cfg.Peers, domain.AgentPeer{
			PublicKey:    priv.PublicKey().String(),
			PresharedKey: psk.String(),
			AllowedIPs:   []string{fmt.Sprintf("10.8.%d.%d/32", host/256, host%256)},
		})
	}
	// The control plane sends peers sorted by public key.
	slices.SortFunc(cfg.Peers, func(a, b domain.AgentPeer) int { return strings.Compare(a.PublicKey, b.PublicKey) })
	return cfg, nil
}

// procMem are memory figures of a process, in kB.
type procMem struct {
	rss, hwm   int64 // VmRSS, VmHWM
	anon, file int64 // RssAnon, RssFile
	cpu        time.Duration
}

// procMemory reads the memory figures of pid from /proc/<pid>/status.
func procMemory(pid int) (procMem, error) {
	var m procMem
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return m, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			m.rss = n
		case "VmHWM":
			m.hwm = n
		case "RssAnon":
			m.anon = n
		case "RssFile":
			m.file = n
		case "State":
			if f[0] == "Z" {
				return m, errors.New("agent is a zombie")
			}
		}
	}
	m.cpu, err = procCPU(pid)
	return m, err
}

// procCPU reads the user and system time of pid from /proc/<pid>/stat,
// in USER_HZ (100 per second on Linux).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc/<pid>/stat")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
