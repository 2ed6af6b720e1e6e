package ingest

import "github.com/tinhdoandaklak/hashtrack/store"

// Tally sums what an import did over its files, or a source of submissions run now.
type Tally struct {
	Rows       int // rows (or items) read
	Rejected   int // rows that could not be used, each a Problem
	Unreadable int // files or sources that could not be read at all
	Upsert     store.UpsertResult
	Pages      PageTally
	Held       Held
}

// Add adds u to t.
func (t *Tally) Add(u Tally) {
	t.Rows += u.Rows
	t.Rejected += u.Rejected
	t.Unreadable += u.Unreadable
	t.Upsert.Add(u.Upsert)
	t.Pages.Add(u.Pages)
	t.Held.Add(u.Held)
}

// Tally is what importing the file did, as one line of the total.
func (r FileResult) Tally() Tally {
	if r.ReadErr != nil {
		return Tally{Unreadable: 1}
	}
	return Tally{Rows: r.Rows, Rejected: len(r.Problems), Upsert: r.Upsert, Pages: r.Pages, Held: r.Held}
}

// Tally is what the source's run stored, as one line of an import's total.
func (o Outcome) Tally() Tally {
	if o.Err != nil {
		return Tally{Unreadable: 1}
	}
	return Tally{Rows: o.Seen, Rejected: len(o.Problems), Upsert: o.Upsert, Pages: o.Pages, Held: o.Held}
}
