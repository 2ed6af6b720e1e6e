package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// seedReport writes a few posts of campaign cds into the configured database.
func seedReport(t *testing.T, cfg string) {
	t.Helper()
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := (&env{now: time.Now}).openStore(c, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hcm := collector.DefaultLocation()
	posts := []collector.Post{
		{URL: "https://www.facebook.com/tanloi/posts/1", Unit: "tan-loi", PublishedAt: time.Date(2023, 3, 4, 23, 30, 0, 0, hcm),
			Metrics: collector.Metrics{Likes: collector.Known(1200)}},
		{URL: "https://www.facebook.com/tanloi/posts/2", Unit: "tan-loi", PublishedAt: time.Date(2023, 3, 5, 0, 30, 0, 0, hcm),
			Title: "=cmd|' /C calc'!A0", Metrics: collector.Metrics{Likes: collector.Known(10), Comments: collector.Known(2)}},
		{URL: "https://www.tiktok.com/@ydbmt/video/3", Unit: "dh-y-duoc-bmt", PublishedAt: time.Date(2023, 3, 6, 12, 0, 0, 0, hcm)},
	}
	for i := range posts {
		posts[i].Campaigns = []string{"cds"}
		if err := posts[i].Normalize(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Upsert(context.Background(), posts); err != nil {
		t.Fatal(err)
	}
}

func TestReportDigestToStdout(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	seedReport(t, cfg)
	r := runCmd(t, cfg, "report", "--from", "05/03/2023", "--to", "2023-03-07", "--format", "text", "--out", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := []string{
		"Chiến dịch Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số (#TuoitreDakLakTienphongChuyendoiso), kỳ 05/03/2023 – 07/03/2023:",
		"• Bài đăng: 2 bài mới trong kỳ (+1 so với kỳ trước), tổng cộng 3 bài.",
		"• Tiến độ chỉ tiêu: 3 / 300 = 1 %, chưa đạt chỉ tiêu.",
		"• Đơn vị đã đăng: 2/2; tương tác 12; lượt xem ghi nhận không có số liệu.",
		"• Đơn vị dẫn đầu: 1. Đoàn phường Tân Lợi (1 bài), 2. Trường Đại học Y Dược Buôn Ma Thuột (1 bài).",
		"• Tất cả đơn vị đã có bài đăng trong kỳ.",
		"• Số liệu: 1 bài không có số liệu, 2 bài chưa xác minh; chưa cấu hình nguồn tự động.",
	}
	got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines:\n%s", len(got), r.stdout)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
}

func TestReportFormatsToFile(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	seedReport(t, cfg)
	dir := filepath.Dir(cfg)
	tests := []struct {
		format string
		want   []string
	}{
		{"csv", []string{"\uFEFFNgày đăng,", "'=cmd|' /C calc'!A0", "05/03/2023 00:30", "n/a"}},
		{"json", []string{`"posts_in_period": 2`, `"views": null`, `"units_without_posts": []`}},
		{"html", []string{"<!DOCTYPE html>", "05/03/2023 – 07/03/2023", "echarts.init("}},
		// A zip: the sheet parts' names are stored plain (the cells are tested in report).
		{"xlsx", []string{"PK\x03\x04", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml"}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			out := filepath.Join(dir, "out."+tc.format)
			r := runCmd(t, cfg, "report", "--campaign", "cds", "--from", "05/03/2023", "--to", "07/03/2023", "--format", tc.format, "--out", out)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s lacks %q", out, w)
				}
			}
			if !strings.Contains(r.stdout, "Đã ghi "+out) {
				t.Errorf("stdout %q does not name the file", r.stdout)
			}
		})
	}
}

// TestReportCSVSeparator: --csv-separator ';' writes the CSV Vietnamese Excel splits
// correctly, with the formula in the seeded title still defused.
func TestReportCSVSeparator(t *testing.T) {
	cfg := writeConfig(t, testConfig)
	seedReport(t, cfg)
	for _, sep := range []string{";", "tab"} {
		r := runCmd(t, cfg, "report", "--campaign", "cds", "--from", "05/03/2023", "--to", "07/03/2023", "--format", "csv", "--csv-separator", sep, "--out", "-")
		want := map[string]string{";": "\uFEFFNgày đăng;Nền tảng;Đơn vị;", "tab": "\uFEFFNgày đăng\tNền tảng\tĐơn vị\t"}[sep]
		if r.code != 0 || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, "'=cmd|' /C calc'!A0") {
			t.Errorf("%s: %+v", sep, r)
		}
	}
}

func TestReportFolderAndIndex(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	seedReport(t, cfg)
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// 16:30 UTC on 07/03 is 23:30 on 07/03 in Việt Nam; 17:30 UTC is already 08/03.
	for _, tc := range []struct {
		now  time.Time
		name string
	}{{time.Date(2023, 3, 7, 16, 30, 0, 0, time.UTC), "2023-03-07"}, {time.Date(2023, 3, 7, 17, 30, 0, 0, time.UTC), "2023-03-08"}} {
		e := &env{now: func() time.Time { return tc.now }, stdout: &bytes.Buffer{}}
		paths, err := report.WriteArchive(context.Background(), st, c.ArchiveOptions(e.now()))
		if err != nil {
			t.Fatal(err)
		}
		root := c.ReportPath()
		want := []string{
			filepath.Join(root, "cds", tc.name+".html"), filepath.Join(root, "cds", "latest.html"), filepath.Join(root, "cds", tc.name+".txt"),
			filepath.Join(root, "cds", tc.name+".png"), // the summary card, beside the page
			filepath.Join(root, "index.html"), filepath.Join(root, "ECHARTS-LICENSE.txt"), filepath.Join(root, "ECHARTS-NOTICE.txt"),
		}
		if strings.Join(paths, "\n") != strings.Join(want, "\n") {
			t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
		}
	}
	index, err := os.ReadFile(filepath.Join(c.ReportPath(), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`href="cds/latest.html"`, `href="cds/2023-03-08.html"`, `href="cds/2023-03-07.html"`, "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số"} {
		if !strings.Contains(string(index), w) {
			t.Errorf("index lacks %s", w)
		}
	}
	if i, j := strings.Index(string(index), "2023-03-08.html"), strings.Index(string(index), "2023-03-07.html"); i > j {
		t.Errorf("index lists the older report first")
	}
}

func TestReportUsageErrors(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "pdf"}, `--format: "pdf" không phải một trong html, text, csv, json`},
		{[]string{"--lang", "fr"}, `--lang: "fr" không phải vi hoặc en`},
		{[]string{"--from", "31/02/2023"}, `--from: "31/02/2023" không phải là ngày`},
		{[]string{"--from", "07/03/2023", "--to", "05/03/2023"}, "--to 05/03/2023 ở trước --from 07/03/2023"},
		{[]string{"--campaign", "nope"}, `không có chiến dịch "nope"`},
		{[]string{"--format", "csv", "--csv-separator", "|"}, `--csv-separator: "|" không dùng được`},
	} {
		r := runCmd(t, cfg, append([]string{"report"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
