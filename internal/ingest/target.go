package ingest

import (
	"os"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// OpenTarget opens the store an import writes to: the database itself, or for a dry
// run a scratch copy of it (OpenScratch; an empty one when the file does not exist
// yet), so the dry run's outcome (new, updated, unchanged) is exactly what the real
// import would do. open is how the caller opens the configured database at path (its
// lock wait, its words for a locked file); opts are the scratch copy's options.
// cleanup closes the store, and deletes a scratch copy.
func OpenTarget(dryRun bool, path string, open func(readOnly bool) (*store.Store, error), opts store.Options) (st *store.Store, cleanup func(), err error) {
	if !dryRun {
		if st, err = open(false); err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	var orig *store.Store
	if _, err := os.Stat(path); err == nil {
		if orig, err = open(true); err != nil {
			return nil, nil, err
		}
		defer orig.Close()
	}
	return OpenScratch(orig, opts)
}
