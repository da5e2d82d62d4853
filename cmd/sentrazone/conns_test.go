package main

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A connection a client opened and never used must not hold shutdown:
// fasthttp counts it busy until the read timeout (30 s), past the 10 s
// shutdown deadline.
func TestShutdownClosesConnectionsThatSentNothing(t *testing.T) {
	srv := start(t, embeddedConfig(t))
	res, err := http.Get("http://" + srv.Addr() + "/healthz") // leaves an idle keep-alive connection
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	spare, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer spare.Close()
	time.Sleep(1100 * time.Millisecond) // past the grace for a first request

	began := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("close took %v", took)
	}
	_ = spare.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := spare.Read(make([]byte, 1)); err == nil {
		t.Fatalf("the spare connection is still open: read %d bytes", n)
	}
}
