package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// sourcesCommand is `hashtrack sources`.
func sourcesCommand() *command {
	return &command{
		name:    "sources",
		usage:   "[--json] | --check TÊN",
		summary: "tình trạng các nguồn thu thập: lần chạy cuối, lỗi, lần tới, hạn mức API; --check thử token của một nguồn",
		run:     runSources,
	}
}

func runSources(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var asJSON bool
	var check string
	fs.BoolVar(&asJSON, "json", false, "JSON array with every field")
	fs.StringVar(&check, "check", "", "make one cheap call with the token of the source `name` and say what it may read")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if check != "" {
		return runSourceCheck(ctx, e, c, check)
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
		switch {
		case !r.NeedsToken.IsZero():
			state, next = "⚠ "+r.LastError, "—" // it begins "cần cấp lại token (từ …)"
			failing++
		case r.Waiting != "" && r.NextDue.After(now):
			state = ingest.WaitingText(r.Waiting, r.NextDue, loc)
		}
		if u := usageText(r.UsageToday, r.DailyQuota); u != "" {
			state += "; " + u
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d/%d\t%s\t%s\n", term.Clean(r.Name), term.Clean(r.Kind), when(r.LastAttempt), when(r.LastSuccess),
			r.ConsecutiveFailures, r.ItemsSeen, r.ItemsStored, next, term.Clean(state))
	}
	tw.Flush()
	if failing > 0 {
		fmt.Fprintf(e.stdout, "\n%d nguồn lỗi từ %d lần liên tiếp trở lên hoặc cần cấp lại token: kiểm tra địa chỉ, cấu hình và token của chúng (hashtrack sources --check TÊN).\n", failing, store.FailingAfter)
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

// usageText is what a source spent of its API today: "đã dùng 312/10.000 đơn vị hạn
// mức hôm nay" where the API counts quota units, the calls otherwise; "" for none.
func usageText(u collector.Usage, quota int) string {
	switch {
	case u.QuotaUnits > 0 && quota > 0:
		return fmt.Sprintf("đã dùng %s/%s đơn vị hạn mức hôm nay", viNumber(int64(u.QuotaUnits)), viNumber(int64(quota)))
	case u.QuotaUnits > 0:
		return fmt.Sprintf("đã dùng %s đơn vị hạn mức hôm nay", viNumber(int64(u.QuotaUnits)))
	case u.Calls > 0:
		return fmt.Sprintf("%s lần gọi API hôm nay", viNumber(int64(u.Calls)))
	}
	return ""
}

// runSourceCheck is `hashtrack sources --check NAME`: whether the source's token works,
// whose it is, what it may read and lacks, when it expires. Exit 1 when it does not work.
func runSourceCheck(ctx context.Context, e *env, c *config.Config, name string) error {
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := e.runner(c, st).CheckSource(ctx, name)
	switch {
	case errors.Is(err, ingest.ErrNoToken):
		fmt.Fprintf(e.stdout, "%s: nguồn này không dùng token.\n", term.Clean(name))
		return nil
	case err != nil:
		return sourceError(err)
	}
	if o.Err != nil {
		fmt.Fprintf(e.stdout, "✗ %s: token không dùng được: %s\n", term.Clean(name), term.Clean(o.Err.Error()))
		if !o.Health.NeedsToken.IsZero() {
			fmt.Fprintf(e.stdout, "  Nguồn được đánh dấu %s và không chạy theo lịch cho đến khi token mới được kiểm tra thành công.\n",
				ingest.NeedsTokenText(o.Health.NeedsToken, c.Location()))
		}
		return &exitError{code: exitPartial, err: fmt.Errorf("source %s: the token does not work", name), silent: true}
	}
	res := o.Result
	fmt.Fprintf(e.stdout, "✓ %s: token dùng được.\n", term.Clean(name))
	if res.Account != "" {
		fmt.Fprintf(e.stdout, "  Của: %s\n", term.Clean(res.Account))
	}
	if len(res.Can) > 0 {
		fmt.Fprintf(e.stdout, "  Được đọc: %s\n", term.Clean(strings.Join(res.Can, "; ")))
	}
	if len(res.Cannot) > 0 {
		fmt.Fprintf(e.stdout, "  Còn thiếu quyền: %s\n", term.Clean(strings.Join(res.Cannot, "; ")))
	}
	if res.Expires.IsZero() {
		fmt.Fprintln(e.stdout, "  Hết hạn: không hết hạn hoặc nền tảng không cho biết")
	} else {
		days := int(res.Expires.Sub(e.now()).Hours() / 24)
		fmt.Fprintf(e.stdout, "  Hết hạn: %s (còn %d ngày)\n", res.Expires.In(c.Location()).Format("02/01/2006 15:04"), days)
	}
	return nil
}

// refreshKnownPosts re-measures the known posts whose turn has come (after `collect`
// and `run`) and says what it did: each source with posts due on a line, or — quiet,
// for cron — only its failures, on stderr. It returns how many sources failed.
func refreshKnownPosts(ctx context.Context, e *env, r *ingest.Runner, quiet bool) (failed int, err error) {
	o, err := r.Refresh(ctx)
	if err != nil {
		return 0, err
	}
	for _, s := range o.Sources {
		if s.Due == 0 {
			continue
		}
		line := fmt.Sprintf("%s: đo lại %d/%d bài đến lượt, %d bài có số liệu mới", term.Clean(s.Source), s.Measured, s.Due, s.Changed)
		if s.Gone > 0 {
			line += fmt.Sprintf(", %d bài đã bị xoá trên nền tảng", s.Gone)
		}
		switch {
		case s.Skipped != "":
			line = fmt.Sprintf("– %s: không đo lại %d bài, %s", term.Clean(s.Source), s.Due, term.Clean(s.Skipped))
		case s.Err != nil:
			failed++
			line = "✗ " + line + "; LỖI: " + term.Clean(s.Err.Error())
		default:
			line = "✓ " + line
		}
		switch {
		case s.Err != nil && quiet:
			fmt.Fprintf(e.stderr, "hashtrack: %s\n", line)
		case !quiet:
			fmt.Fprintln(e.stdout, line)
		}
		printProblems(e.stderr, s.Source, s.Problems)
	}
	return failed, nil
}
