package ingest

import (
	"errors"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestTally: a file that could not be read counts as unreadable only; the rest add up.
func TestTally(t *testing.T) {
	t.Parallel()
	var total Tally
	total.Add(FileResult{Rows: 5, Problems: make([]collector.Problem, 2), Upsert: store.UpsertResult{New: 2, Updated: 1}}.Tally())
	total.Add(FileResult{ReadErr: errors.New("not a sheet"), Rows: 9}.Tally())
	total.Add(Outcome{Seen: 4, Upsert: store.UpsertResult{New: 3, Unchanged: 1}}.Tally())
	total.Add(Outcome{Err: errors.New("timeout"), Seen: 7}.Tally())
	if total.Rows != 9 || total.Rejected != 2 || total.Unreadable != 2 || total.Upsert.New != 5 || total.Upsert.Updated != 1 || total.Upsert.Unchanged != 1 {
		t.Errorf("total %+v", total)
	}
}
