// Command sentrazone is the Sentrazone control plane: `sentrazone serve`
// runs the API and projections; other subcommands administer it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: sentrazone <command> [flags]

commands:
  serve         run the control plane (API, projections; embedded broker
                and in-memory read models unless configured otherwise)
  user add      add a user: --email, --password, --role admin|user
  rebuild       replay the log into fresh read models (stop serve first)
  audit verify  check the audit log's hash chain

Every flag has an environment twin: --kafka-brokers is SENTRAZONE_KAFKA_BROKERS.
Run 'sentrazone <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "serve":
		err = cmdServe(ctx, rest, getenv, stderr)
	case cmd == "rebuild":
		err = cmdRebuild(ctx, rest, getenv, stdout, stderr)
	case cmd == "user" && len(rest) > 0 && rest[0] == "add":
		err = cmdUserAdd(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "audit" && len(rest) > 0 && rest[0] == "verify":
		err = cmdAuditVerify(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "sentrazone: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "sentrazone: %v\n", err)
		return 1
	}
	return 0
}
