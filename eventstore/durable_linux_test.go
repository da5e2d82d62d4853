package eventstore

import "testing"

func TestDirSyncerSyncsTheFileSystem(t *testing.T) {
	syncFS, release, err := dirSyncer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := syncFS(); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if err := release(); err != nil {
		t.Fatalf("release: %v", err)
	}
}
