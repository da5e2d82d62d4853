package eventstore

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// dirSyncer returns a function that syncs the file system holding dir
// (syncfs(2): one call for every file the broker wrote, where an fsync
// per file costs about twice the CPU), and a function that releases it.
func dirSyncer(dir string) (syncFS func() error, release func() error, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s to sync it: %w", dir, err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open %s to sync it: %w", dir, err)
	}
	syncFS = func() error {
		var serr error
		if err := rc.Control(func(fd uintptr) { serr = unix.Syncfs(int(fd)) }); err != nil {
			return err
		}
		return serr
	}
	return syncFS, f.Close, nil
}
