package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
)

// cmdSeedHistory posts hours of reports for servers, oldest first, with
// explicit reported_at values, in batches through the report API.
func cmdSeedHistory(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	var t target
	t.bind(fs)
	token := fs.String("token", "", "fleet agent token (serve --agent-token)")
	servers := fs.Int("servers", 100, "servers (ids --prefix000000...)")
	prefix := fs.String("prefix", "lg-", "server id prefix")
	hours := fs.Duration("span", 72*time.Hour, "how far back the history goes from now")
	every := fs.Duration("every", 60*time.Second, "one report per server every this long")
	batch := fs.Int("batch", 500, "reports per request")
	conc := fs.Int("concurrency", 4, "requests in flight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" || *servers < 1 || *every < time.Second || *batch < 1 || *conc < 1 || *hours <= 0 {
		return errors.New("need --token, positive --servers, --batch, --concurrency, --span and --every of at least 1s")
	}
	c, err := newClient(t.url, *conc)
	if err != nil {
		return err
	}
	end := time.Now().Truncate(time.Second)
	steps := int64(*hours / *every)
	total := steps * int64(*servers)
	var next, sent atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range *conc {
		wg.Go(func() {
			var body []byte
			for ctx.Err() == nil {
				k := next.Add(int64(*batch)) - int64(*batch)
				if k >= total {
					return
				}
				body = append(body[:0], '[')
				for i := k; i < min(k+int64(*batch), total); i++ {
					if i > k {
						body = append(body, ',')
					}
					step, s := i/int64(*servers), int(i%int64(*servers))
					at := end.Add(-*hours + time.Duration(step+1)**every)
					v := uint64(step)*1000 + uint64(s)
					body = appendReport(body, fmt.Sprintf("%s%06d", *prefix, s), float64(5+(step+int64(s))%50), 3, v, v/2, at)
				}
				body = append(body, ']')
				st, b, err := c.do("POST", "/api/report", *token, body, nil)
				if err == nil && st != 202 {
					err = fmt.Errorf("status %d: %s", st, b)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				sent.Add(min(int64(*batch), total-k))
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Fprintf(out, "seed-history: %d reports (%d servers x %s every %s) in %s, %.0f reports/s\n",
		sent.Load(), *servers, *hours, *every, el.Round(time.Millisecond), float64(sent.Load())/el.Seconds())
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// cmdSeedAudit appends login_failed events straight to the events topic:
// each becomes one audit row when projected. This bypasses the API (one
// command per event would take hours for a million), but the records are
// exactly what the API writes.
func cmdSeedAudit(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	brokers := fs.String("kafka-brokers", "", "comma-separated brokers of the control plane's Kafka")
	dataDir := fs.String("data-dir", "", "instead: the embedded default's data dir (stop serve first; its broker is started here)")
	events := fs.Int("events", 1_000_000, "events to append")
	batch := fs.Int("batch", 1000, "events per append")
	conc := fs.Int("concurrency", 4, "appends in flight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*brokers == "") == (*dataDir == "") {
		return errors.New("give exactly one of --kafka-brokers and --data-dir")
	}
	if *events < 1 || *batch < 1 || *conc < 1 {
		return errors.New("--events, --batch and --concurrency must be positive")
	}
	addrs := strings.Split(*brokers, ",")
	if *dataDir != "" {
		emb, err := eventstore.StartEmbedded(*dataDir, 0, nil)
		if err != nil {
			return err
		}
		defer emb.Close()
		addrs = []string{emb.Addr()}
	}
	kl, err := eventstore.NewKafkaLog(eventstore.Config{Brokers: addrs})
	if err != nil {
		return err
	}
	defer kl.Close()
	if err := kl.EnsureTopics(ctx, eventstore.DefaultTopics(12, 0)); err != nil {
		return err
	}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range *conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				k := int(next.Add(int64(*batch))) - *batch
				if k >= *events {
					return
				}
				msgs, err := loginFailures(k, min(*batch, *events-k))
				if err == nil {
					_, err = kl.Append(ctx, eventstore.TopicEvents, msgs...)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Fprintf(out, "seed-audit: %d events in %s, %.0f events/s\n", *events, el.Round(time.Millisecond), float64(*events)/el.Seconds())
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// loginFailures encodes n login_failed events, numbered from first.
func loginFailures(first, n int) ([]eventstore.Message, error) {
	msgs := make([]eventstore.Message, n)
	now := time.Now()
	for i := range msgs {
		email := fmt.Sprintf("user%d@example.com", first+i)
		env, err := domain.NewEvent(domain.LoginFailed{Email: email, Reason: "bad_password"}, email, 0, email, "127.0.0.1", now)
		if err != nil {
			return nil, err
		}
		b, err := domain.Encode(env)
		if err != nil {
			return nil, err
		}
		msgs[i] = eventstore.Message{Key: []byte(email), Value: b}
	}
	return msgs, nil
}
