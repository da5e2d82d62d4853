package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/cmd/internal/pprofserve"
	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
)

// cmdCeiling serves the ingest ceiling: the same fiber configuration and
// the same report JSON decoded into the same wire type, then 202. No
// validation, no auth, no log: what fiber and JSON alone cost.
func cmdCeiling(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	listen := fs.String("listen", "127.0.0.1:8081", "listen address")
	dur := fs.Duration("for", 30*time.Minute, "stop by itself after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	app := ceilingApp()
	fmt.Fprintf(out, "ceiling: bare fiber on http://%s/api/report\n", ln.Addr())
	return serveFor(ctx, *dur, func() error { return app.Listener(ln) }, app.Shutdown)
}

func ceilingApp() *fiber.App {
	app := fiber.New(fiber.Config{Immutable: true, CaseSensitive: true, BodyLimit: 4 << 20, DisableStartupMessage: true})
	app.Post("/api/report", func(c *fiber.Ctx) error {
		body := bytes.TrimLeft(c.Body(), " \t\r\n")
		n := 1
		if len(body) > 0 && body[0] == '[' {
			var batch []domain.ReportWire
			if err := json.Unmarshal(body, &batch); err != nil {
				return c.Status(400).SendString(err.Error())
			}
			n = len(batch)
		} else {
			var one domain.ReportWire
			if err := json.Unmarshal(body, &one); err != nil {
				return c.Status(400).SendString(err.Error())
			}
		}
		return c.Status(202).JSON(fiber.Map{"accepted": n})
	})
	return app
}

// cmdBroker runs the embedded broker alone, so serve can use it through
// --kafka-brokers exactly as it would use a Kafka cluster.
func cmdBroker(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	dir := fs.String("data-dir", "", "where the broker keeps its log (required)")
	port := fs.Int("port", 9092, "port on 127.0.0.1")
	dur := fs.Duration("for", 30*time.Minute, "stop by itself after this long")
	fsync := fs.Bool("fsync", true, "answer only once the writes are synced to disk, as the embedded default does; "+
		"false leaves writes to the page cache, as a Kafka broker does by default")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6061); empty: off")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--data-dir is required")
	}
	ctx, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	if *pprofAddr != "" {
		if err := pprofserve.Start(ctx, *pprofAddr, slog.New(slog.DiscardHandler)); err != nil {
			return err
		}
	}
	var opts []eventstore.EmbeddedOption
	if !*fsync {
		opts = append(opts, eventstore.WithoutFsync())
	}
	emb, err := eventstore.StartEmbedded(*dir, *port, nil, opts...)
	if err != nil {
		return err
	}
	defer emb.Close()
	fmt.Fprintf(out, "broker: Kafka protocol on %s (fsync %v)\n", emb.Addr(), *fsync)
	<-ctx.Done()
	return nil
}

// serveFor runs serve until ctx ends or d passes, then stops it.
func serveFor(ctx context.Context, d time.Duration, serve func() error, stop func() error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		_ = stop()
		<-errc
		return nil
	}
}
