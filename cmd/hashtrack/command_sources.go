package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
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
	rows, err := ingest.Statuses(c, st, now)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []ingest.SourceStatus{}
		}
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(e.stdout, "Chưa có nguồn nào trong %s (thêm [[source]], xem README, phần “Sources”).\n", c.Path())
		return printFailedDeliveries(e, c, st)
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
		switch r.Status {
		case store.SourcePending:
			state = "chưa chạy"
		case store.SourceFailing:
			state = "⚠ CẦN KIỂM TRA: " + r.LastError
			failing++
		case store.SourceStale:
			state = "quá hạn: không thu thập được từ " + when(r.LastSuccess)
			if r.LastError != "" {
				state += "; lỗi: " + r.LastError
			}
		default:
			if r.LastError != "" {
				state = "lỗi: " + r.LastError
			}
		}
		next := when(r.NextDue)
		if !r.NextDue.After(now) {
			next = "ngay"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d/%d\t%s\t%s\n", term.Clean(r.Name), term.Clean(r.Kind), when(r.LastAttempt), when(r.LastSuccess),
			r.ConsecutiveFailures, r.ItemsSeen, r.ItemsStored, next, term.Clean(state))
	}
	tw.Flush()
	if failing > 0 {
		fmt.Fprintf(e.stdout, "\n%d nguồn lỗi từ %d lần liên tiếp trở lên: kiểm tra địa chỉ và cấu hình của chúng.\n", failing, store.FailingAfter)
	}
	return printFailedDeliveries(e, c, st)
}

// printFailedDeliveries adds a line per channel whose latest report did not get
// through (the delivery log), so the morning check sees it beside the sources.
func printFailedDeliveries(e *env, c *config.Config, st *store.Store) error {
	if st == nil {
		return nil
	}
	for _, k := range c.Campaigns() {
		failed, err := st.FailedDeliveries(k.ID)
		if err != nil {
			return err
		}
		for _, d := range failed {
			fmt.Fprintf(e.stdout, "⚠ Báo cáo %s ngày %s chưa gửi được qua %s (%d lần thử, lần cuối %s): %s\n", k.ID,
				d.Day.Format("02/01/2006"), d.Channel, d.Attempts, d.LastAttempt.In(c.Location()).Format("15:04 02/01/2006"), term.Clean(d.LastError))
		}
	}
	return nil
}
