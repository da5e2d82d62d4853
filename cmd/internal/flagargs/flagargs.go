// Package flagargs checks what the binaries' flag sets leave over.
package flagargs

import (
	"flag"
	"fmt"
)

// None fails when fs, parsed, left positional arguments: no command takes
// any. The arguments are not echoed: when a flag is given without its
// value, the next flag's value (a token, a password) ends up among them.
func None(fs *flag.FlagSet) error {
	if fs.NArg() == 0 {
		return nil
	}
	return fmt.Errorf("%d unexpected argument(s) after the flags; every flag takes its value as the next argument, so check for one given without a value", fs.NArg())
}
