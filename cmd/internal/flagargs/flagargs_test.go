package flagargs

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestNone(t *testing.T) {
	parse := func(args ...string) *flag.FlagSet {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("email", "", "")
		fs.String("password", "", "")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return fs
	}
	if err := None(parse("--email", "a@example.com", "--password", "pw")); err != nil {
		t.Fatalf("no stray arguments: %v", err)
	}
	err := None(parse("--email", "--password", "s3cret-value"))
	if err == nil || !strings.Contains(err.Error(), "1 unexpected argument") {
		t.Fatalf("err = %v, want one unexpected argument", err)
	}
	if strings.Contains(err.Error(), "s3cret-value") {
		t.Fatalf("the error repeats the stray value: %v", err)
	}
}
