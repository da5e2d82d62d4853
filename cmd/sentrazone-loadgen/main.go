// Command sentrazone-loadgen measures a running Sentrazone control plane: it
// simulates a fleet of agents reporting, measures how fast reports become
// visible, times the read endpoints, seeds history and audit logs for the
// query figures, and runs the ceilings our figures are compared with.
// Every load it generates is bounded in count and time.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: sentrazone-loadgen <mode> [flags]

modes:
  report        N agents POSTing /api/report (paced or as fast as possible,
                single reports or batches); prints reports/s, latency
                percentiles, errors by status, freshness to /api/statuses
                and /api/history from sampled probe servers, and CPU per
                report (the server's with --pid)
  query         GET one endpoint (e.g. /api/statuses, /api/history) under
                concurrency; prints requests/s and latency percentiles
  export        stream GET /api/audit/export; prints rows/s and the server's
                peak RSS growth (--pid)
  seed-history  N servers x H hours of reports with explicit reported_at,
                in batches, through the report API
  seed-audit    append valid login_failed events straight to the events
                topic (not through the API): to --kafka-brokers, or to the
                embedded broker's --data-dir while serve is stopped
  ceiling       a bare fiber server whose POST /api/report only decodes the
                same JSON and answers 202: the ingest ceiling
  broker        the embedded Kafka-protocol broker alone, to run serve
                against it as an external Kafka
  agent-rss     the built sentrazone-agent with N desired peers against a
                fake control plane, in its own network and mount namespaces
                (root); the device is the agent's own (--userspace) or a
                wireguard-go process (--wireguard-go); prints the VmRSS and
                VmHWM of each

Run 'sentrazone-loadgen <mode> -h' for a mode's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches one mode and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	modes := map[string]func(context.Context, *flag.FlagSet, []string, io.Writer) error{
		"report":       cmdReport,
		"query":        cmdQuery,
		"export":       cmdExport,
		"seed-history": cmdSeedHistory,
		"seed-audit":   cmdSeedAudit,
		"ceiling":      cmdCeiling,
		"broker":       cmdBroker,
		"agent-rss":    cmdAgentRSS,
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	mode, ok := modes[name]
	if !ok {
		fmt.Fprintf(stderr, "sentrazone-loadgen: unknown mode %q\n\n%s", name, usage)
		return 2
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := mode(ctx, fs, args[1:], stdout); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "sentrazone-loadgen %s: %v\n", name, err)
		return 1
	}
	return 0
}
