package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// meterKind is a kind on an official API for the command tests: it measures YouTube
// links, checks its token and may refuse it.
type meterKind struct {
	mu      sync.Mutex
	views   int64
	gone    bool
	refused bool
}

func (m *meterKind) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	return collector.Result{Usage: collector.Usage{Calls: 1, QuotaUnits: 100}}, nil
}

func (m *meterKind) Refreshable(p collector.Post) bool { return p.Platform == "youtube" }

func (m *meterKind) Refresh(ctx context.Context, req collector.Request, posts []collector.Post) (collector.RefreshResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res := collector.RefreshResult{Usage: collector.Usage{Calls: 1, QuotaUnits: 1}}
	for _, p := range posts {
		res.Readings = append(res.Readings, collector.Reading{PostID: p.ID, At: req.Now, Gone: m.gone,
			Metrics: collector.Metrics{Views: collector.Known(m.views), From: collector.Measured}})
	}
	return res, nil
}

func (m *meterKind) Check(ctx context.Context, req collector.Request) (collector.CheckResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refused {
		return collector.CheckResult{}, &collector.Fault{Kind: collector.FaultToken, Code: 190, Message: "token đã hết hạn"}
	}
	return collector.CheckResult{Account: "Kênh Tỉnh Đoàn Đắk Lắk", Can: []string{"thống kê video"}, Cannot: []string{"bình luận"},
		Expires: time.Date(2023, 5, 29, 8, 0, 0, 0, collector.DefaultLocation())}, nil
}

type plainCollector struct{}

func (plainCollector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	return collector.Result{}, nil
}

// TestMeasuredPostsOnTheCommandLine: a branch's YouTube link with typed views 100 is
// measured by `collect` (250, the typed 100 kept in `posts --history`), the quota spent
// shows in `sources`, `sources --check` says what the token may read or flags it, and
// a post deleted on the platform is marked in `posts`.
func TestMeasuredPostsOnTheCommandLine(t *testing.T) {
	t.Parallel()
	m := &meterKind{views: 250}
	now := time.Date(2023, 3, 30, 7, 0, 0, 0, collector.DefaultLocation())
	opts := []func(*env){func(e *env) {
		e.kinds = collector.Kinds{
			"meter": func(collector.Source) (collector.Collector, error) { return m, nil },
			"plain": func(collector.Source) (collector.Collector, error) { return plainCollector{}, nil },
		}
		e.now = func() time.Time { return now }
	}}
	cfg := writeConfig(t, testConfig+`
[[source]]
name = "yt"
kind = "meter"
url = "https://api.example/yt"
campaigns = ["cds"]
options = { daily_quota = 50000 }

[[source]]
name = "plain"
kind = "plain"
url = "https://x.example/plain"
campaigns = ["cds"]
`)
	const link = "https://www.youtube.com/watch?v=AbCdEfGhIj1"
	if r := runCmdWith(t, opts, cfg, "submit", link, "--views", "100", "--unit", "tan-loi", "--published", "29/03/2023 10:00"); r.code != 0 {
		t.Fatalf("submit: %+v", r)
	}
	now = now.Add(time.Hour) // the refresh comes after the submission
	r := runCmdWith(t, opts, cfg, "collect")
	if r.code != 0 || !strings.Contains(r.stdout, "✓ yt: đo lại 1/1 bài đến lượt, 1 bài có số liệu mới") {
		t.Fatalf("collect: %+v", r)
	}
	r = runCmdWith(t, opts, cfg, "posts", "--history", link)
	if r.code != 0 || !strings.Contains(r.stdout, "Số liệu theo thời gian") {
		t.Fatalf("history: %+v", r)
	}
	_, numbers, _ := strings.Cut(r.stdout, "Số liệu theo thời gian")
	lines := strings.Split(strings.TrimSpace(numbers), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "100") || !strings.Contains(lines[2], "đơn vị nhập") ||
		!strings.Contains(lines[3], "250") || !strings.Contains(lines[3], "đo qua API của nền tảng") {
		t.Errorf("numbers through time:\n%s", numbers)
	}
	r = runCmdWith(t, opts, cfg, "sources")
	if r.code != 0 || !strings.Contains(r.stdout, "đã dùng 101/50.000 đơn vị hạn mức hôm nay") {
		t.Errorf("sources: %+v", r)
	}

	r = runCmdWith(t, opts, cfg, "sources", "--check", "yt")
	if r.code != 0 || !strings.Contains(r.stdout, "✓ yt: token dùng được") || !strings.Contains(r.stdout, "Của: Kênh Tỉnh Đoàn Đắk Lắk") ||
		!strings.Contains(r.stdout, "Còn thiếu quyền: bình luận") || !strings.Contains(r.stdout, "Hết hạn: 29/05/2023 08:00 (còn 60 ngày)") {
		t.Errorf("check: %+v", r)
	}
	if r := runCmdWith(t, opts, cfg, "sources", "--check", "plain"); r.code != 0 || !strings.Contains(r.stdout, "nguồn này không dùng token") {
		t.Errorf("check plain: %+v", r)
	}
	if r := runCmdWith(t, opts, cfg, "sources", "--check", "nope"); r.code != 2 {
		t.Errorf("check nope: %+v", r)
	}
	m.mu.Lock()
	m.refused = true
	m.mu.Unlock()
	r = runCmdWith(t, opts, cfg, "sources", "--check", "yt")
	if r.code != 1 || !strings.Contains(r.stdout, "token không dùng được: token đã hết hạn (mã lỗi 190)") || !strings.Contains(r.stdout, "cần cấp lại token (từ 30/03/2023)") {
		t.Errorf("refused: %+v", r)
	}
	if r := runCmdWith(t, opts, cfg, "sources"); !strings.Contains(r.stdout, "⚠ cần cấp lại token (từ 30/03/2023)") {
		t.Errorf("sources after refusal: %+v", r)
	}

	// Day 2: the platform says the video is gone.
	now = now.Add(24 * time.Hour)
	m.mu.Lock()
	m.refused, m.gone = false, true
	m.mu.Unlock()
	if r := runCmdWith(t, opts, cfg, "sources", "--check", "yt"); r.code != 0 {
		t.Fatalf("check again: %+v", r)
	}
	if r := runCmdWith(t, opts, cfg, "collect"); r.code != 0 || !strings.Contains(r.stdout, "1 bài đã bị xoá trên nền tảng") {
		t.Fatalf("collect day 2: %+v", r)
	}
	r = runCmdWith(t, opts, cfg, "posts")
	if r.code != 0 || !strings.Contains(r.stdout, "đã bị xoá trên nền tảng (31/03/2023); được tính") || !strings.Contains(r.stdout, "250") {
		t.Errorf("posts: %+v", r)
	}
}
