package review

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/cells"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// ErrNothingToCorrect is a correction that names no value.
var ErrNothingToCorrect = errors.New("nothing to correct: give --published, --campaign or a number (--likes, --comments, --shares, --views)")

// Correction fills d from a correction as typed against the configured campaigns
// (loc reads dates when no campaign is named; the command line's flags: published,
// campaigns comma-separated, counts by name), naming every wrong value at once.
func Correction(camps []collector.Campaign, loc *time.Location, d *store.Decision, published, campaigns string, counts map[string]string) []error {
	var bad []error
	if campaigns != "" {
		for _, id := range strings.Split(campaigns, ",") {
			id = strings.TrimSpace(id)
			i := slices.IndexFunc(camps, func(k collector.Campaign) bool { return k.ID == id })
			if i < 0 {
				bad = append(bad, fmt.Errorf("--campaign: no campaign %q", id))
				continue
			}
			loc = camps[i].Loc()
			d.Campaigns = append(d.Campaigns, id)
		}
	}
	if published != "" {
		t, err := collector.ParseTime(published, loc)
		if err != nil {
			bad = append(bad, fmt.Errorf("--published: %w", err))
		}
		d.PublishedAt = t
	}
	for _, f := range []struct {
		name string
		dst  *collector.Count
	}{{"likes", &d.Metrics.Likes}, {"comments", &d.Metrics.Comments}, {"shares", &d.Metrics.Shares}, {"views", &d.Metrics.Views}} {
		raw := counts[f.name]
		if raw == "" {
			continue
		}
		n, ok, err := collector.ParseCount(raw)
		if err == nil && !ok {
			err = &collector.ValueError{Value: raw, Want: "number"}
		}
		if err != nil {
			bad = append(bad, fmt.Errorf("--%s: %w", f.name, err))
			continue
		}
		*f.dst = collector.Known(n)
	}
	if len(bad) == 0 && d.PublishedAt.IsZero() && d.Campaigns == nil && !d.Metrics.AnyKnown() {
		bad = append(bad, ErrNothingToCorrect)
	}
	return bad
}

// ChangesText shows an audit entry's changes as "field: old → new; …".
func ChangesText(cs []store.Change) string {
	parts := make([]string, len(cs))
	for i, ch := range cs {
		parts[i] = fmt.Sprintf("%s: %s → %s", ch.Field, orDash(ch.Old), orDash(ch.New))
	}
	return strings.Join(parts, "; ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ExportAudit writes the whole audit trail: "json" as JSON lines, "csv" with a row per
// changed field (cells people typed defused against spreadsheet formulas).
func ExportAudit(ctx context.Context, st *store.Store, w0 io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w0)
		return st.AuditTrail(ctx, func(en store.AuditEntry) error { return enc.Encode(en) })
	}
	w := csv.NewWriter(w0)
	if err := w.Write([]string{"seq", "post", "at", "who", "action", "field", "old", "new", "reason", "url"}); err != nil {
		return err
	}
	err := st.AuditTrail(ctx, func(en store.AuditEntry) error {
		row := func(f, o, n string) []string {
			return []string{fmt.Sprint(en.Seq), en.Post, en.At.Format(time.RFC3339), cells.Neutralize(en.Who), string(en.Action), f, cells.Neutralize(o), cells.Neutralize(n), cells.Neutralize(en.Reason), cells.Neutralize(en.URL)}
		}
		if len(en.Changes) == 0 {
			return w.Write(row("", "", ""))
		}
		for _, ch := range en.Changes {
			if err := w.Write(row(ch.Field, ch.Old, ch.New)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}
