//go:build !linux

package eventstore

import (
	"os"
	"syscall"
)

// syncFS falls back to sync(2) where syncfs(2) is missing: it covers the
// broker's new files and directory entries too, but some systems return
// from it before the writes end. Durable installs run on Linux.
func syncFS(*os.File) error {
	syscall.Sync()
	return nil
}
