package wording

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/store"
)

var vi = msg.New("vi")

func TestOutcomeAndSummary(t *testing.T) {
	t.Parallel()
	boom := errors.New("HTTP 500")
	done := ingest.Outcome{Source: "web", Kind: "feed", Seen: 7, Upsert: store.UpsertResult{New: 3, Updated: 2, Unchanged: 2}, Problems: make([]collector.Problem, 1)}
	for _, tc := range []struct {
		name          string
		o             ingest.Outcome
		line, summary string
	}{
		{"done", done, "✓ web (feed): 7 mục, 3 bài mới, 2 bài cập nhật, 1 mục lỗi", "Nguồn web: 7 mục đã đọc, 3 bài mới, 2 cập nhật, 2 không đổi, 1 lỗi"},
		{"failed", ingest.Outcome{Source: "web", Kind: "feed", Err: boom, Health: store.SourceHealth{ConsecutiveFailures: 1}}, "✗ web (feed): LỖI: HTTP 500", "Nguồn web: lỗi (1 lần liên tiếp)"},
		{"failing", ingest.Outcome{Source: "web", Kind: "feed", Err: boom, Health: store.SourceHealth{ConsecutiveFailures: store.FailingAfter}},
			"✗ web (feed): LỖI: HTTP 500 [lỗi 3 lần liên tiếp — cần kiểm tra]", "Nguồn web: lỗi (3 lần liên tiếp)"},
		{"skipped", ingest.Outcome{Source: "web", Kind: "feed", Skipped: "chưa đến lịch"}, "– web (feed): bỏ qua, chưa đến lịch", "Nguồn web: bỏ qua lần này (chưa đến lịch)"},
		{"not modified", ingest.Outcome{Source: "web", Kind: "feed", NotModified: true}, "✓ web (feed): không có gì mới (304)", "Nguồn web: không có gì mới"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Outcome(vi, tc.o); got != tc.line {
				t.Errorf("Outcome = %q, want %q", got, tc.line)
			}
			if got := Summary(vi, tc.o); got != tc.summary {
				t.Errorf("Summary = %q, want %q", got, tc.summary)
			}
		})
	}
}

func TestCheckedAndHeld(t *testing.T) {
	t.Parallel()
	if got := Checked(vi, ingest.Checked{}); len(got) != 0 {
		t.Errorf("nothing checked: %q", got)
	}
	c := ingest.Checked{
		Pages:   ingest.PageTally{Verified: 4, NotFound: 1, Unverifiable: 2, NotRead: 1},
		Held:    ingest.Held{Queued: map[string]int{"outside_dates": 2, "hashtag_not_found": 1}, UnderReview: 3, Conflicts: 1},
		Waiting: 5,
	}
	got := Checked(vi, c)
	if len(got) != 6 {
		t.Fatalf("%d lines, want pages, 2 reasons, under review, conflicts, waiting:\n%s", len(got), strings.Join(got, "\n"))
	}
	if !strings.HasPrefix(got[0], "Kiểm tra hashtag trên trang của 8 đường dẫn mới: 4 có hashtag, 1 không thấy, 2 không kiểm tra được") {
		t.Errorf("pages line %q", got[0])
	}
	// Reasons in a fixed (sorted) order, indented under the pages line.
	if !strings.HasPrefix(got[1], "  1 bài chờ duyệt") || !strings.HasPrefix(got[2], "  2 bài chờ duyệt") {
		t.Errorf("held lines %q", got[1:3])
	}
	if !strings.HasPrefix(got[3], "  3 bài đã gửi trước đó") || !strings.HasPrefix(got[4], "  1 bài đã được đơn vị khác") || !strings.HasPrefix(got[5], "5 bài còn chờ") {
		t.Errorf("lines %q", got[3:])
	}
	if h := Held(vi, c.Held); len(h) != 4 || strings.HasPrefix(h[0], " ") {
		t.Errorf("Held %q", h)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		u     collector.Usage
		quota int
		want  string
	}{
		{collector.Usage{QuotaUnits: 312}, 10_000, "đã dùng 312/10.000 đơn vị hạn mức hôm nay"},
		{collector.Usage{QuotaUnits: 312, Calls: 4}, 0, "đã dùng 312 đơn vị hạn mức hôm nay"},
		{collector.Usage{Calls: 1200}, 0, "1.200 lần gọi API hôm nay"},
		{collector.Usage{}, 10_000, ""},
	} {
		if got := Usage(vi, tc.u, tc.quota); got != tc.want {
			t.Errorf("Usage(%+v, %d) = %q, want %q", tc.u, tc.quota, got, tc.want)
		}
	}
}

func TestSourceState(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2023, 3, 29, 8, 0, 0, 0, loc)
	later := now.Add(2 * time.Hour)
	for _, tc := range []struct {
		name        string
		r           ingest.SourceStatus
		state, next string
		alerts      int
	}{
		{"good", ingest.SourceStatus{Status: store.SourceOK, NextDue: later}, "tốt", "29/03/2023 10:00", 0},
		{"pending, due now", ingest.SourceStatus{Status: store.SourcePending, NextDue: now}, "chưa chạy", "ngay", 0},
		{"error once", ingest.SourceStatus{Status: store.SourceOK, LastError: "HTTP 500", NextDue: later}, "lỗi: HTTP 500", "29/03/2023 10:00", 0},
		{"failing", ingest.SourceStatus{Status: store.SourceFailing, LastError: "HTTP 500", NextDue: later}, "⚠ CẦN KIỂM TRA: HTTP 500", "29/03/2023 10:00", 1},
		{"stale", ingest.SourceStatus{Status: store.SourceStale, LastSuccess: now.AddDate(0, 0, -3), LastError: "timeout", NextDue: now},
			"quá hạn: không thu thập được từ 26/03/2023 08:00; lỗi: timeout", "ngay", 0},
		{"token refused and failing", ingest.SourceStatus{Status: store.SourceFailing, LastError: "cần cấp lại token (từ 28/03/2023)", NeedsToken: now.AddDate(0, 0, -1), NextDue: later},
			"⚠ cần cấp lại token (từ 28/03/2023)", "—", 2},
		{"waiting for the platform, with usage", ingest.SourceStatus{Status: store.SourceOK, Waiting: collector.FaultQuota, NextDue: later, UsageToday: collector.Usage{QuotaUnits: 10_000}, DailyQuota: 10_000},
			"chờ đến 29/03/2023 10:00: đã hết hạn mức gọi API trong ngày; đã dùng 10.000/10.000 đơn vị hạn mức hôm nay", "29/03/2023 10:00", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state, next, alerts := SourceState(vi, tc.r, now, loc)
			if state != tc.state || next != tc.next || alerts != tc.alerts {
				t.Errorf("got %q, %q, %d\nwant %q, %q, %d", state, next, alerts, tc.state, tc.next, tc.alerts)
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	var lines []string
	var failed []bool
	for _, s := range []ingest.SourceRefresh{
		{Source: "yt", Due: 0},
		{Source: "yt", Due: 5, Measured: 5, Changed: 2, Gone: 1},
		{Source: "fb", Due: 3, Skipped: "chưa có token"},
		{Source: "ig", Due: 4, Measured: 1, Err: errors.New("HTTP 403")},
	} {
		l, f := Refresh(vi, s)
		lines, failed = append(lines, l), append(failed, f)
	}
	want := []string{"", "✓ yt: đo lại 5/5 bài đến lượt, 2 bài có số liệu mới, 1 bài đã bị xoá trên nền tảng", "– fb: không đo lại 3 bài, chưa có token", "✗ ig: đo lại 1/4 bài đến lượt, 0 bài có số liệu mới; LỖI: HTTP 403"}
	if !slices.Equal(lines, want) || !slices.Equal(failed, []bool{false, false, false, true}) {
		t.Errorf("got %q %v\nwant %q", lines, failed, want)
	}
}
