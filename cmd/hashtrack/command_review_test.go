package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReviewCommands walks staff through the queue at the command line: submissions
// told why they wait, the list, decisions from arguments and stdin (a wrong one changes
// nothing, exit 2), the history and the export, and `check` clean at the end.
func TestReviewCommands(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	const (
		a       = "https://www.facebook.com/permalink.php?story_fbid=111&id=222"
		aOther  = "https://m.facebook.com/permalink.php?id=222&story_fbid=111&fbclid=IwAR0"
		noUnit  = "https://zalo.me/p/khong-don-vi"
		outside = "https://zalo.me/p/ngoai-thoi-gian"
	)
	r := runCmd(t, cfg, "submit", a, "--unit", "Tân Lợi", "--published", "02/04/2023", "--author", "TacGiaTanLoi", "--note", "GhiChuTanLoi")
	if r.code != 0 || !strings.Contains(r.stdout, "Đã ghi nhận bài đăng mới.") {
		t.Fatalf("owner: %+v", r)
	}
	r = runCmd(t, cfg, "submit", noUnit, "--published", "02/04/2023")
	if r.code != 0 || !strings.Contains(r.stdout, "chờ ban tổ chức duyệt trước khi được tính (lý do: chưa rõ đơn vị)") {
		t.Errorf("no unit: %+v", r)
	}
	r = runCmd(t, cfg, "submit", outside, "--unit", "Tân Lợi", "--published", "29/03/2030")
	if r.code != 0 || !strings.Contains(r.stdout, "(lý do: ngày đăng ngoài thời gian chiến dịch)") {
		t.Errorf("outside the dates: %+v", r)
	}
	r = runCmd(t, cfg, "submit", aOther, "--unit", "dh-y-duoc-bmt", "--likes", "7")
	if r.code != 0 || !strings.Contains(r.stdout, "đã được một đơn vị khác ghi nhận trước") ||
		strings.Contains(r.stdout, "Tân Lợi") || strings.Contains(r.stdout, "TacGiaTanLoi") || strings.Contains(r.stdout, "GhiChuTanLoi") {
		t.Errorf("claim: %+v", r)
	}
	r = runCmd(t, cfg, "posts")
	if !strings.Contains(r.stdout, "3 bài đăng (2 bài chưa được tính") || !strings.Contains(r.stdout, "chờ duyệt: chưa rõ đơn vị") {
		t.Errorf("posts:\n%s", r.stdout)
	}
	r = runCmd(t, cfg, "review", "list", "--json")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 3 || !strings.Contains(r.stdout, `"claims":["dh-y-duoc-bmt"]`) || !strings.Contains(r.stdout, `"reason":"no_unit"`) {
		t.Fatalf("review list --json: %+v", r)
	}
	r = runCmd(t, cfg, "review", "reject", noUnit, "--reason", "=HYPERLINK(\"x\")", "--from", filepath.Join(t.TempDir(), "khong-co.txt"))
	if r.code != 2 || !strings.Contains(r.stderr, "--from") {
		t.Errorf("missing --from file: %+v", r)
	}
	r = runCmd(t, cfg, "review", "reject", noUnit)
	if r.code != 2 || !strings.Contains(r.stderr, "--reason") {
		t.Errorf("reject without a reason: %+v", r)
	}
	r = runCmd(t, cfg, "review", "approve", noUnit, "https://zalo.me/p/khong-co")
	if r.code != 2 || !strings.Contains(r.stderr, "https://zalo.me/p/khong-co") {
		t.Errorf("approve an unknown link: %+v", r)
	}
	if r = runCmd(t, cfg, "review", "list", "--json"); strings.Count(r.stdout, "\n") != 3 {
		t.Errorf("a refused batch changed the queue:\n%s", r.stdout)
	}
	var out, errb bytes.Buffer
	err := runTest(context.Background(), []string{"--config", cfg, "review", "approve", "--from", "-"},
		strings.NewReader("# đợt 1\n"+noUnit+"?utm_source=zalo\n"+outside+"\n"), &out, &errb)
	if exitCode(err) != 0 || !strings.Contains(out.String(), "Đã ghi 2 quyết định") {
		t.Errorf("approve --from -: %v %s %s", err, out.String(), errb.String())
	}
	r = runCmd(t, cfg, "review", "assign", "--unit", "Tân Lợi", aOther)
	if r.code != 0 || !strings.Contains(r.stdout, "Đã ghi 1 quyết định") {
		t.Errorf("assign: %+v", r)
	}
	// The approved post dated 2030 lies outside every report period until its date is
	// corrected.
	r = runCmd(t, cfg, "review", "correct", "--published", "03/04/2023 10:00", outside)
	if r.code != 0 || !strings.Contains(r.stdout, "Đã ghi 1 quyết định") {
		t.Errorf("correct the date: %+v", r)
	}
	r = runCmd(t, cfg, "review", "correct", "--likes", "40", a)
	if r.code != 0 || !strings.Contains(r.stdout, "Đã ghi 1 quyết định") {
		t.Errorf("correct: %+v", r)
	}
	if r = runCmd(t, cfg, "review", "list"); r.code != 0 || !strings.Contains(r.stdout, "Không có bài nào chờ duyệt.") {
		t.Errorf("empty queue: %+v", r)
	}
	r = runCmd(t, cfg, "posts", "--history", aOther)
	for _, want := range []string{"recorded", "claim", "assign", "correct", "likes: 7 → 40", "conflict dh-y-duoc-bmt: open → closed", "4 mục"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("history lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCmd(t, cfg, "review", "export", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || r.code != 0 {
		t.Fatalf("export: %v %+v", err, r)
	}
	actions := map[string]int{}
	for _, row := range rows[1:] {
		actions[row[4]]++
	}
	// recorded: a unit change for the 2 posts with one, a review change for the 2 held;
	// claim 1; approve 2 (review and reason each); assign 1 (claim closed); correct 2.
	if actions["recorded"] != 4 || actions["claim"] != 1 || actions["approve"] != 4 || actions["assign"] != 1 || actions["correct"] != 2 {
		t.Errorf("export rows by action %v:\n%s", actions, r.stdout)
	}
	if r = runCmd(t, cfg, "check"); r.code != 0 {
		t.Errorf("check: %+v", r)
	}
	r = runCmd(t, cfg, "report", "--format", "json", "--out", "-")
	if r.code != 0 || !strings.Contains(r.stdout, `"posts_total": 3`) || !strings.Contains(r.stdout, `"pending": 0`) {
		t.Errorf("report after the decisions: %+v", r)
	}
}

// TestImportSaysWhatWaits: rows held for staff are named per reason in the import's
// summary.
func TestImportSaysWhatWaits(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	file := filepath.Join(t.TempDir(), "gui-bai.csv")
	body := "url,unit,published\nhttps://zalo.me/p/1,Tân Lợi,02/04/2023\nhttps://zalo.me/p/2,,02/04/2023\nhttps://zalo.me/p/3,Tân Lợi,29/03/2030\nhttps://zalo.me/p/4,,03/04/2023\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, cfg, "import", file)
	if r.code != 0 || !strings.Contains(r.stdout, "4 mới") || !strings.Contains(r.stdout, "2 bài chờ duyệt, chưa được tính: chưa rõ đơn vị") ||
		!strings.Contains(r.stdout, "1 bài chờ duyệt, chưa được tính: ngày đăng ngoài thời gian chiến dịch") {
		t.Errorf("import: %+v", r)
	}
	r = runCmd(t, cfg, "report", "--format", "text", "--out", "-")
	if !strings.Contains(r.stdout, "3 bài chờ duyệt") {
		t.Errorf("digest:\n%s", r.stdout)
	}
}
