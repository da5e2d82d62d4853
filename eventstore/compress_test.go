package eventstore

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// Appends are compressed: a thousand JSON-like events of 1 KiB take a
// fraction of their size on the embedded broker's disk, and read back
// exactly.
func TestAppendsAreCompressedOnDisk(t *testing.T) {
	b := startBroker(t)
	ctx := context.Background()
	if err := b.log.EnsureTopics(ctx, DefaultTopics(1, 0)); err != nil {
		t.Fatal(err)
	}
	const n, size = 1000, 1024
	msgs := make([]Message, n)
	raw := 0
	for i := range msgs {
		v := fmt.Sprintf(`{"v":1,"type":"server_reported","payload":{"server_id":"srv-%05d","ping_ms":%d.5,%s}}`,
			i, i%50, strings.Repeat(`"pad":"x",`, 120))
		msgs[i] = Message{Key: []byte(fmt.Sprintf("srv-%05d", i)), Value: []byte(v[:size])}
		raw += size
	}
	if _, err := b.log.Append(ctx, TopicReports, msgs...); err != nil {
		t.Fatal(err)
	}
	onDisk := int64(0)
	err := filepath.WalkDir(filepath.Join(b.dir, "log"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, TopicReports) {
			return err
		}
		info, err := d.Info()
		if err == nil {
			onDisk += info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if onDisk == 0 || onDisk > int64(raw/4) {
		t.Fatalf("%d bytes of events take %d bytes on disk, want under a quarter", raw, onDisk)
	}
	got := readAll(t, b.log, TopicReports)[0]
	if len(got) != n {
		t.Fatalf("read back %d records, want %d", len(got), n)
	}
	for i, r := range got {
		if string(r.Value) != string(msgs[i].Value) {
			t.Fatalf("record %d differs after the round trip", i)
		}
	}
}
