package eventstore

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS writes to disk everything cached for the file system holding
// dir: the broker's segments, indexes and new files with their directory
// entries, in one call and one journal commit. It also writes whatever
// other programs left on that file system: the data directory is best
// on a file system of its own.
func syncFS(dir *os.File) error { return unix.Syncfs(int(dir.Fd())) }
