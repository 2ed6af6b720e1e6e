package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// sourcesCommand is `hashtrack sources`.
func sourcesCommand() *command {
	return &command{
		name:    "sources",
		usage:   "[--json]",
		summary: "tình trạng các nguồn thu thập: lần chạy cuối, lỗi, lần tới",
		run:     runSources,
	}
}

// sourceStatus is one row of `hashtrack sources`.
type sourceStatus struct {
	Name                string    `json:"name"`
	Kind                string    `json:"kind"`
	URL                 string    `json:"url"`
	Unit                string    `json:"unit,omitempty"`
	Schedule            string    `json:"schedule,omitempty"`
	NeverRun            bool      `json:"never_run"`
	LastAttempt         time.Time `json:"last_attempt,omitzero"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	ItemsSeen           int       `json:"items_seen"`
	ItemsStored         int       `json:"items_stored"`
	NextDue             time.Time `json:"next_due"`
	Failing             bool      `json:"failing"` // failingAfter or more consecutive failures
}

// sourceStatuses joins the configured sources with their recorded health (st nil: no
// database yet, nothing ran).
func sourceStatuses(c *config.Config, st *store.Store, now time.Time) ([]sourceStatus, error) {
	var out []sourceStatus
	for _, src := range c.Sources() {
		var h store.SourceHealth
		var ok bool
		if st != nil {
			var err error
			if h, ok, err = st.Source(src.Name); err != nil {
				return nil, err
			}
		}
		due := nextDue(c, src, h)
		if due.IsZero() || due.Before(now) {
			due = now
		}
		out = append(out, sourceStatus{
			Name: src.Name, Kind: src.Kind, URL: src.URL, Unit: src.Unit, Schedule: src.Schedule, NeverRun: !ok,
			LastAttempt: h.LastAttempt, LastSuccess: h.LastSuccess, LastError: h.LastError,
			ConsecutiveFailures: h.ConsecutiveFailures, ItemsSeen: h.ItemsSeen, ItemsStored: h.ItemsStored,
			NextDue: due, Failing: h.Failing(),
		})
	}
	return out, nil
}

func runSources(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "JSON array with every field")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	var st *store.Store
	if _, err := os.Stat(c.DatabasePath()); err == nil {
		if st, err = e.openStore(c, true); err != nil {
			return err
		}
		defer st.Close()
	}
	now := e.now()
	rows, err := sourceStatuses(c, st, now)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []sourceStatus{}
		}
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(e.stdout, "Chưa có nguồn nào trong %s (thêm [[source]], xem README, phần “Sources”).\n", c.Path())
		return nil
	}
	loc := c.Location()
	when := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(loc).Format("02/01/2006 15:04")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NGUỒN\tLOẠI\tLẦN CHẠY CUỐI\tTHÀNH CÔNG CUỐI\tLỖI LIÊN TIẾP\tMỤC/BÀI\tLẦN TỚI\tTÌNH TRẠNG")
	failing := 0
	for _, r := range rows {
		state := "tốt"
		switch {
		case r.NeverRun:
			state = "chưa chạy"
		case r.Failing:
			state = "⚠ CẦN KIỂM TRA: " + r.LastError
			failing++
		case r.LastError != "":
			state = "lỗi: " + r.LastError
		}
		next := when(r.NextDue)
		if !r.NextDue.After(now) {
			next = "ngay"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d/%d\t%s\t%s\n", r.Name, r.Kind, when(r.LastAttempt), when(r.LastSuccess),
			r.ConsecutiveFailures, r.ItemsSeen, r.ItemsStored, next, state)
	}
	tw.Flush()
	if failing > 0 {
		fmt.Fprintf(e.stdout, "\n%d nguồn lỗi từ %d lần liên tiếp trở lên: kiểm tra địa chỉ và cấu hình của chúng.\n", failing, failingAfter)
	}
	return nil
}
