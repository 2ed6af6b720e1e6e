package ingest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestOpenTarget: a real import writes the database; a dry run writes a copy that
// starts with the database's posts (or with none when there is no file yet), and
// leaves the database as it was.
func TestOpenTarget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "t.db")
	var opened []bool
	open := func(readOnly bool) (*store.Store, error) {
		opened = append(opened, readOnly)
		return store.Open(path, store.Options{ReadOnly: readOnly})
	}
	post := func(id string) collector.Post {
		return collector.Post{ID: id, URL: "https://example.vn/" + id, Platform: "web", Campaigns: []string{"cds"}}
	}
	count := func(st *store.Store) int {
		n, err := st.Count()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// No database yet: the dry run's copy is empty and no file is made.
	st, cleanup, err := OpenTarget(true, path, open, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(st); n != 0 || len(opened) != 0 {
		t.Errorf("dry run without a file: %d posts, opened %v", n, opened)
	}
	cleanup()

	st, cleanup, err = OpenTarget(false, path, open, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Upsert(ctx, []collector.Post{post("a")}); err != nil {
		t.Fatal(err)
	}
	cleanup()

	st, cleanup, err = OpenTarget(true, path, open, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Upsert(ctx, []collector.Post{post("b")}); err != nil {
		t.Fatal(err)
	}
	if n := count(st); n != 2 {
		t.Errorf("dry run copy holds %d posts, want the database's 1 and the new one", n)
	}
	cleanup()
	if len(opened) != 2 || opened[0] || !opened[1] {
		t.Errorf("opened %v, want read-write for the import, read-only for the dry run's copy", opened)
	}

	real, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(real); n != 1 {
		t.Errorf("database holds %d posts after the dry run, want 1", n)
	}
	real.Close()

	// The caller's error for its database comes back as it is.
	locked := errors.New("locked")
	if _, _, err := OpenTarget(true, path, func(bool) (*store.Store, error) { return nil, locked }, store.Options{}); !errors.Is(err, locked) {
		t.Errorf("err %v, want the caller's", err)
	}
}
