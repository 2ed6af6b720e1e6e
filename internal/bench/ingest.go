package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/synth"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// storeNow is the clock of the benchmark stores: after the synthetic campaign, so
// every run writes the same bytes.
func storeNow(g *synth.Generator) time.Time { return g.Start.AddDate(0, 0, synth.Days+10) }

// batchOf returns records [from, to) of a campaign of n posts, normalized as the
// measureIngest runner hands them to the store.
func batchOf(g *synth.Generator, n, from, to int, buf []collector.Post) ([]collector.Post, error) {
	buf = buf[:0]
	for k := from; k < to; k++ {
		p := g.Record(n, k)
		if err := p.Normalize(); err != nil {
			return nil, fmt.Errorf("bench: synthetic record %d (%s): %w", k, p.URL, err)
		}
		buf = append(buf, p)
	}
	return buf, nil
}

// ingestResult is one run of ingest (with the bare Put of the same records beside it)
// followed by re-ingest of the same records.
type ingestResult struct {
	Ingest, Bare, Reingest time.Duration
	First, Again           store.UpsertResult
	PageWrites             int64 // page writes during the re-ingest
	FileBytes              int64
	BareBytes              int64 // the bare bbolt file, for the disk estimate of larger sizes
}

// measureIngest writes the records of a campaign of n posts through store.Upsert in batches
// of ingest.UpsertBatch, and each batch also with bare bbolt Put into a second, fresh file
// (see barePut) right after it, so both see the same load on a shared machine. Then it
// writes every record through Upsert again. Only the Upsert calls and the Put
// transactions are timed: making and normalizing the posts is the collector's work.
func measureIngest(ctx context.Context, path, barePath string, g *synth.Generator, n int) (ingestResult, error) {
	var r ingestResult
	now := storeNow(g)
	st, err := store.Open(path, store.Options{Locations: map[string]*time.Location{synth.CampaignID: g.Loc}, Now: func() time.Time { return now }})
	if err != nil {
		return r, err
	}
	defer st.Close()
	// The baseline is a bolt file of its own, not the store: the store's file is reached
	// only through its methods.
	bare, err := bolt.Open(barePath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return r, fmt.Errorf("bench: bare bbolt: %w", err)
	}
	defer os.Remove(barePath)
	defer bare.Close()
	if err := bare.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("posts")); return err }); err != nil {
		return r, fmt.Errorf("bench: bare bbolt: %w", err)
	}
	total := synth.Records(n)
	buf := make([]collector.Post, 0, ingest.UpsertBatch)
	upsert := func(batch []collector.Post, res *store.UpsertResult) (time.Duration, error) {
		start := time.Now()
		out, err := st.Upsert(ctx, batch)
		d := time.Since(start)
		if err != nil {
			return 0, err
		}
		out.Outcomes = nil
		res.Add(out)
		return d, nil
	}
	for from := 0; from < total; from += ingest.UpsertBatch {
		batch, err := batchOf(g, n, from, min(from+ingest.UpsertBatch, total), buf)
		if err != nil {
			return r, err
		}
		d, err := upsert(batch, &r.First)
		if err != nil {
			return r, err
		}
		r.Ingest += d
		if d, err = barePut(ctx, bare, batch, now); err != nil {
			return r, err
		}
		r.Bare += d
	}
	before := st.WriteStats()
	for from := 0; from < total; from += ingest.UpsertBatch {
		batch, err := batchOf(g, n, from, min(from+ingest.UpsertBatch, total), buf)
		if err != nil {
			return r, err
		}
		d, err := upsert(batch, &r.Again)
		if err != nil {
			return r, err
		}
		r.Reingest += d
	}
	r.PageWrites = st.WriteStats().PageWrites - before.PageWrites
	r.FileBytes, r.BareBytes = fileSize(path), fileSize(barePath)
	return r, nil
}

// barePut writes a batch encoded as the store encodes a post, under the same keys, with
// nothing but bbolt Put in one transaction: the fastest the store could possibly be.
// Only the transaction is timed.
func barePut(ctx context.Context, db *bolt.DB, batch []collector.Post, now time.Time) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	keys := make([][]byte, len(batch))
	vals := make([][]byte, len(batch))
	for i := range batch {
		p := batch[i]
		p.LastUpdated = now
		enc, err := json.Marshal(&p)
		if err != nil {
			return 0, fmt.Errorf("bench: bare bbolt: %w", err)
		}
		keys[i], vals[i] = []byte(p.ID), enc
	}
	start := time.Now()
	err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("posts"))
		for i := range keys {
			if err := b.Put(keys[i], vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("bench: bare bbolt: %w", err)
	}
	return d, nil
}
