package inbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

var (
	loc      = collector.DefaultLocation()
	campaign = collector.Campaign{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Location: loc}
	units    = collector.Units{{ID: "tan-loi", Name: "Đoàn phường Tân Lợi", Aliases: []string{"Tân Lợi"}}}
)

const goodCSV = "\ufeffDấu thời gian,Đơn vị,Đường dẫn bài viết,Lượt thích\r\n" +
	"29/03/2023 8:14:05,Tân Lợi,https://zalo.me/p/1,10\r\n" +
	"29/03/2023 9:00:00,Tân Lợi,https://zalo.me/p/2,\"1,2K\"\r\n" +
	"29/03/2023 9:30:00,Tân Lộc,https://zalo.me/p/3,1\r\n"

func write(t *testing.T, path, text string, mod time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// tree lists every file under dir, relative, sorted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func TestInboxImportsSettledFilesAndMovesThemAfterCommit(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2023, 4, 1, 7, 0, 0, 0, loc)
	old := now.Add(-time.Hour)
	write(t, filepath.Join(dir, "don-vi-tan-loi.csv"), goodCSV, old)
	write(t, filepath.Join(dir, "dang-ghi.csv"), "Link\nhttps://zalo.me/p/9\n", now.Add(-5*time.Second)) // still being written
	write(t, filepath.Join(dir, "hong.xlsx"), "this is not a workbook", old)
	write(t, filepath.Join(dir, "khong-co-link.csv"), "Tên,Ghi chú\nA,B\n", old)
	write(t, filepath.Join(dir, "ghi-chu.docx"), "ignored", old)
	write(t, filepath.Join(dir, "~$bang.xlsx"), "office lock file", old)

	src := collector.Source{Name: "hop-thu", Kind: "inbox", URL: dir, Campaigns: []string{"cds"}, Options: map[string]any{"settle": "30s"}}
	col, err := New(src)
	if err != nil {
		t.Fatal(err)
	}
	req := collector.Request{Source: src, Campaigns: []collector.Campaign{campaign}, Units: units, Now: now}
	res, err := col.Collect(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Posts) != 2 || res.ItemsSeen != 3 {
		t.Fatalf("%d posts, %d rows; want 2 and 3", len(res.Posts), res.ItemsSeen)
	}
	var probs []string
	for _, p := range res.Problems {
		probs = append(probs, p.String())
	}
	wantProbs := []string{
		`don-vi-tan-loi.csv:4: unknown unit "Tân Lộc"; closest: Đoàn phường Tân Lợi (tan-loi)`,
		`hong.xlsx: cannot be read: not a readable .xlsx workbook`,
		`khong-co-link.csv: cannot be read: khong-co-link.csv:1: no link column`,
	}
	if len(probs) != len(wantProbs) {
		t.Fatalf("problems %q", probs)
	}
	for i := range wantProbs {
		if !strings.HasPrefix(probs[i], wantProbs[i]) {
			t.Errorf("problem %d %q; want prefix %q", i, probs[i], wantProbs[i])
		}
	}
	if p := res.Posts[0]; p.Sources[0] != "hop-thu" || p.Unit != "tan-loi" || p.ObservedAt.Format(time.RFC3339) != "2023-03-29T08:14:05+07:00" {
		t.Errorf("post %+v", p)
	}
	before := tree(t, dir)
	if len(before) != 6 {
		t.Fatalf("collect moved files before commit: %v", before)
	}

	// Storing failed: the readable file stays for the next run; the unreadable ones go.
	if err := res.Commit(false); err != nil {
		t.Fatal(err)
	}
	want := []string{"dang-ghi.csv", "don-vi-tan-loi.csv", "failed/hong.xlsx", "failed/hong.xlsx.receipt.txt",
		"failed/khong-co-link.csv", "failed/khong-co-link.csv.receipt.txt", "ghi-chu.docx", "~$bang.xlsx"}
	if got := tree(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after failed store:\n got %v\nwant %v", got, want)
	}

	res, err = col.Collect(context.Background(), req)
	if err != nil || len(res.Posts) != 2 {
		t.Fatalf("second run %d posts %v", len(res.Posts), err)
	}
	if err := res.Commit(true); err != nil {
		t.Fatal(err)
	}
	want = []string{"dang-ghi.csv", "failed/hong.xlsx", "failed/hong.xlsx.receipt.txt",
		"failed/khong-co-link.csv", "failed/khong-co-link.csv.receipt.txt", "ghi-chu.docx",
		"processed/don-vi-tan-loi.csv", "processed/don-vi-tan-loi.csv.receipt.txt", "~$bang.xlsx"}
	if got := tree(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after commit:\n got %v\nwant %v", got, want)
	}
	receipt, _ := os.ReadFile(filepath.Join(dir, "processed", "don-vi-tan-loi.csv.receipt.txt"))
	for _, w := range []string{"Tệp: don-vi-tan-loi.csv", "Số dòng dữ liệu: 3", "Đã nhập: 2 dòng", "Bị từ chối: 1 dòng",
		`don-vi-tan-loi.csv:4: unknown unit "Tân Lộc"`, "dòng 2: https://zalo.me/p/1", "dòng 3: https://zalo.me/p/2", "Xử lý lúc: 01/04/2023 07:00:00"} {
		if !strings.Contains(string(receipt), w) {
			t.Errorf("receipt lacks %q:\n%s", w, receipt)
		}
	}
	failed, _ := os.ReadFile(filepath.Join(dir, "failed", "hong.xlsx.receipt.txt"))
	if !strings.Contains(string(failed), "KHÔNG ĐỌC ĐƯỢC TỆP") || !strings.Contains(string(failed), "not a readable .xlsx workbook") {
		t.Errorf("failed receipt:\n%s", failed)
	}

	// The half-written file has settled by the next run; a file of a name already
	// processed is kept under a new name, never overwriting the first.
	write(t, filepath.Join(dir, "dang-ghi.csv"), "Link\nhttps://zalo.me/p/9\nhttps://zalo.me/p/10\n", old)
	write(t, filepath.Join(dir, "don-vi-tan-loi.csv"), goodCSV, old)
	res, err = col.Collect(context.Background(), req)
	if err != nil || len(res.Posts) != 4 {
		t.Fatalf("third run %d posts %v", len(res.Posts), err)
	}
	if err := res.Commit(true); err != nil {
		t.Fatal(err)
	}
	got := tree(t, dir)
	for _, w := range []string{"processed/dang-ghi.csv", "processed/don-vi-tan-loi-20230401-070000.csv",
		"processed/don-vi-tan-loi-20230401-070000.csv.receipt.txt", "processed/don-vi-tan-loi.csv"} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in %v", w, got)
		}
	}
	if len(got) != 12 { // 7 files dropped + 5 receipts
		t.Errorf("%d files; nothing may be deleted: %v", len(got), got)
	}
}

func TestInboxOptions(t *testing.T) {
	for _, tc := range []struct {
		opts map[string]any
		want string
	}{
		{map[string]any{"settle": "soon"}, `options.settle: "soon" is not a duration`},
		{map[string]any{"settle": int64(-1)}, "must not be negative"},
		{map[string]any{"wait": "1s"}, `options: unknown option "wait" (known: columns, settle, sheet)`},
		{map[string]any{"sheet": 3}, "options.sheet"},
	} {
		if _, err := New(collector.Source{Name: "i", URL: "x", Options: tc.opts}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v; want %q", tc.opts, err, tc.want)
		}
	}
	in, err := NewInbox(collector.Source{Name: "i", URL: "x", Options: map[string]any{"settle": int64(5)}})
	if err != nil || in.settle != 5*time.Second {
		t.Errorf("settle in seconds: %v %v", in, err)
	}
	if _, err := New(collector.Source{Name: "i", URL: "/nonexistent/inbox"}); err != nil {
		t.Fatal(err)
	}
	col, _ := New(collector.Source{Name: "i", URL: filepath.Join(t.TempDir(), "missing")})
	if _, err := col.Collect(context.Background(), collector.Request{Now: time.Now()}); err == nil || !strings.Contains(err.Error(), "inbox: folder") {
		t.Errorf("missing folder: %v", err)
	}
}
