package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
)

func TestServeConfigErrorsNameTheSetting(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"--jwt-secret", "short"}, want: "SENTRAZONE_JWT_SECRET"},
		{env: map[string]string{"SENTRAZONE_OFFLINE_AFTER": "soon"}, want: "SENTRAZONE_OFFLINE_AFTER"},
		{env: map[string]string{"SENTRAZONE_OFFLINE_AFTER": "-5s"}, want: "offline-after"},
		{args: []string{"--kafka-brokers", "no-port"}, want: "SENTRAZONE_KAFKA_BROKERS"},
		{args: []string{"--postgres-url", "mysql://x"}, want: "SENTRAZONE_POSTGRES_URL"},
		{args: []string{"--clickhouse-url", "http://x"}, want: "SENTRAZONE_CLICKHOUSE_URL"},
		{args: []string{"--admin-email", "a@example.com"}, want: "admin-password"},
		{args: []string{"--listen", "nowhere"}, want: "SENTRAZONE_LISTEN"},
		{args: []string{"--log-level", "loud"}, want: "SENTRAZONE_LOG_LEVEL"},
		{args: []string{"--report-partitions", "-1"}, want: "SENTRAZONE_REPORT_PARTITIONS"},
		{args: []string{"--report-partitions", "1001"}, want: "SENTRAZONE_REPORT_PARTITIONS"},
		{args: []string{"--report-format", "xml"}, want: "report-format"},
		{args: []string{"--produce-linger", "-1ms"}, want: "SENTRAZONE_PRODUCE_LINGER"},
		{env: map[string]string{"SENTRAZONE_PRODUCE_LINGER": "2s"}, want: "produce-linger"},
		{env: map[string]string{"SENTRAZONE_REPORT_FORMAT": "protobuf"}, want: "SENTRAZONE_REPORT_FORMAT"},
		{args: []string{"--master-key", "not-base64!", "--data-dir", "DATADIR"}, want: "SENTRAZONE_MASTER_KEY"},
		{args: []string{"--data-dir", "--agent-token"}, want: "SENTRAZONE_DATA_DIR"},
		{args: []string{"--log-level", "debug", "stray"}, want: "unexpected argument"},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		args := []string{"serve", "--data-dir", dir}
		for _, a := range tc.args {
			args = append(args, strings.ReplaceAll(a, "DATADIR", dir))
		}
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		code := run(ctx, args, func(k string) string { return tc.env[k] }, &out, &errOut)
		cancel()
		if code == 0 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want a message naming %s", tc.args, tc.env, code, errOut.String(), tc.want)
		}
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	var c config
	fs := newServeFlags(&c)
	env := map[string]string{"SENTRAZONE_LISTEN": ":9999", "SENTRAZONE_OFFLINE_AFTER": "2m", "SENTRAZONE_REPORT_FORMAT": "json"}
	if err := parseFlags(fs, []string{"--listen", ":7777"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":7777" || c.OfflineAfter != 2*time.Minute || c.ReportFormat != domain.ReportsJSON {
		t.Fatalf("listen %q offline-after %v report-format %v", c.Listen, c.OfflineAfter, c.ReportFormat)
	}
	var d config
	if err := parseFlags(newServeFlags(&d), nil, noEnv); err != nil || d.ReportFormat != domain.ReportsBinary {
		t.Fatalf("default report format %v (%v), want binary", d.ReportFormat, err)
	}
}

// user add on the embedded default, then audit verify: the CLI works on
// the data dir, and the user can log in to a control plane started on it.
func TestUserAddAndAuditVerifyCommands(t *testing.T) {
	c := embeddedConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	args := []string{"user", "add", "--data-dir", c.DataDir, "--email", "Ops@Example.com", "--password", "ops-password", "--role", "admin"}
	if code := run(ctx, args, noEnv, &out, &errOut); code != 0 {
		t.Fatalf("user add exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "created admin user ops@example.com") {
		t.Fatalf("user add said %q", out.String())
	}
	errOut.Reset()
	if code := run(ctx, args, noEnv, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "already exists") {
		t.Fatalf("second user add: exit %d, %q", code, errOut.String())
	}
	bad := []string{"user", "add", "--data-dir", c.DataDir, "--email", "x@example.com", "--password", "long-enough", "--role", "root"}
	if code := run(ctx, bad, noEnv, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "--role") {
		t.Fatalf("bad role: exit %d, %q", code, errOut.String())
	}

	srv := start(t, c)
	api := newClient(t, "http://"+srv.Addr())
	api.login("ops@example.com", "ops-password")
	api.expect(200, "GET", "/healthz", nil)
	api.expect(200, "GET", "/readyz", nil)
	// The data dir is locked while serve runs.
	errOut.Reset()
	if code := run(ctx, []string{"audit", "verify", "--data-dir", c.DataDir}, noEnv, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "in use") {
		t.Fatalf("audit verify while serving: exit %d, %q", code, errOut.String())
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(ctx, []string{"audit", "verify", "--data-dir", c.DataDir}, noEnv, &out, &errOut); code != 0 {
		t.Fatalf("audit verify exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "audit chain ok") {
		t.Fatalf("audit verify said %q", out.String())
	}
}

func TestReportPartitionsDefaultPerMode(t *testing.T) {
	for _, tc := range []struct {
		brokers string
		flag    int
		want    int
	}{
		{"", 0, 1}, {"kafka-1:9092", 0, 12}, {"", 6, 6}, {"kafka-1:9092", 3, 3},
	} {
		c := config{KafkaBrokers: tc.brokers, Partitions: tc.flag}
		if got := c.reportPartitions(); got != tc.want {
			t.Errorf("brokers %q, --report-partitions %d: %d partitions, want %d", tc.brokers, tc.flag, got, tc.want)
		}
	}
	// The embedded default creates the reports topic with one partition.
	srv := start(t, embeddedConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := srv.p.log.Partitions(ctx, eventstore.TopicReports)
	if err != nil || n != 1 {
		t.Fatalf("embedded default: %d report partitions (%v), want 1", n, err)
	}
}

// A flag given without its value shifts the next flag's value into the
// positional arguments; the refusal must not print that value.
func TestStrayArgumentIsRefusedWithoutEchoingIt(t *testing.T) {
	const secret = "hunter2-hunter2-hunter2"
	args := []string{"serve", "--data-dir", t.TempDir(), "--admin-email", "--admin-password", secret}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, noEnv, &out, &errOut); code == 0 {
		t.Fatalf("exit 0 with a stray argument; stderr %q", errOut.String())
	}
	if !strings.Contains(errOut.String(), "unexpected argument") {
		t.Errorf("stderr %q does not say what is wrong", errOut.String())
	}
	if strings.Contains(errOut.String()+out.String(), secret) {
		t.Errorf("output repeats the stray value: %q", errOut.String())
	}
}
