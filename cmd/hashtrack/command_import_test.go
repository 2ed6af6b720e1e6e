package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// importConfig is testConfig's campaign with the units the Google Forms fixture names.
const importConfig = `
database = "data/test.db"

[fetch]
enrich = false

[[campaign]]
id = "cds"
name = "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2023-03-01
end = 2023-12-31
target = 300

[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"
aliases = ["Tân Lợi"]

[[unit]]
id = "dh-y-duoc-bmt"
name = "Trường Đại học Y Dược Buôn Ma Thuột"
aliases = ["ĐH Y Dược BMT"]
`

var fileTime = time.Date(2023, 4, 1, 7, 0, 0, 0, collector.DefaultLocation())

// placeFile writes data to dir/name with a fixed modification time.
func placeFile(t *testing.T, dir, name string, data []byte, mod time.Time) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
	return p
}

func formsFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/google_forms.csv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// storedPosts reads `posts --json`.
func storedPosts(t *testing.T, cfg string) []collector.Post {
	t.Helper()
	r := runCmd(t, cfg, "posts", "--json")
	if r.code != 0 {
		t.Fatalf("posts: %+v", r)
	}
	var out []collector.Post
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var p collector.Post
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b collector.Post) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func TestImportGoogleFormsExport(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, importConfig)
	dir := t.TempDir()
	file := placeFile(t, dir, "google_forms.csv", formsFixture(t), fileTime)

	r := runCmd(t, cfg, "import", file)
	if r.code != 1 {
		t.Fatalf("exit %d; want 1 (rows rejected): %+v", r.code, r)
	}
	wantErr := []string{
		file + `:6: no link (column "Đường dẫn bài viết" is empty)`,
		file + `:7: unknown unit "Đoàn phường Tân Lộc"; closest: Đoàn phường Tân Lợi (tan-loi)`,
		file + `:9: column "Ngày đăng": "hôm qua" is not a date or time`,
	}
	errLines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(errLines) != 4 {
		t.Fatalf("stderr:\n%s", r.stderr)
	}
	for i, w := range wantErr {
		if !strings.HasPrefix(errLines[i], w) {
			t.Errorf("stderr line %d %q; want prefix %q", i+1, errLines[i], w)
		}
	}
	if want := file + ": 7 dòng — 4 mới, 0 cập nhật, 0 không đổi, 3 bị từ chối\n"; r.stdout != want {
		t.Errorf("stdout %q; want %q", r.stdout, want)
	}
	posts := storedPosts(t, cfg)
	if len(posts) != 4 {
		t.Fatalf("%d posts stored; want 4", len(posts))
	}
	for _, p := range posts {
		if !slices.Equal(p.Sources, []string{"import:google_forms.csv"}) || !slices.Equal(p.Campaigns, []string{"cds"}) {
			t.Errorf("post %s sources %v campaigns %v", p.URL, p.Sources, p.Campaigns)
		}
	}

	// Importing the same file again changes nothing.
	r = runCmd(t, cfg, "import", file)
	if want := file + ": 7 dòng — 0 mới, 0 cập nhật, 4 không đổi, 3 bị từ chối\n"; r.code != 1 || r.stdout != want {
		t.Errorf("re-import: %+v; want stdout %q", r, want)
	}
	again := storedPosts(t, cfg)
	a, _ := json.Marshal(posts)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Errorf("re-import changed posts:\n%s\n%s", a, b)
	}

	// A later file with grown numbers (no timestamp column: its modification time is
	// when the numbers were true) updates the metrics and adds a snapshot.
	grown := "Đường dẫn bài viết;Lượt thích;Bình luận\r\nhttps://m.facebook.com/permalink.php?id=222&story_fbid=111;2.500;60\r\nhttps://zalo.me/p/abc123;1,2K;3\r\n"
	later := placeFile(t, dir, "bao-cao-tuan-2.csv", []byte(grown), fileTime.Add(7*24*time.Hour))
	r = runCmd(t, cfg, "import", later)
	// Both rows are updates: the Facebook post's numbers grew, the Zalo post gains the
	// file as a source (its numbers did not change, so it gets no snapshot).
	if want := later + ": 2 dòng — 0 mới, 2 cập nhật, 0 không đổi, 0 bị từ chối\n"; r.code != 0 || r.stdout != want {
		t.Errorf("grown: %+v; want %q", r, want)
	}
	c, _ := loadConfig(cfg)
	st, err := (&env{now: time.Now}).openStore(c, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var fb, zalo collector.Post
	for _, p := range storedPosts(t, cfg) {
		switch p.Platform {
		case "facebook":
			fb = p
		case "zalo":
			zalo = p
		}
	}
	if zs, _ := st.Snapshots(zalo.ID); len(zs) != 1 || !slices.Equal(zalo.Sources, []string{"import:google_forms.csv", "import:bao-cao-tuan-2.csv"}) {
		t.Errorf("zalo post %+v, %d snapshots", zalo, len(zs))
	}
	snaps, err := st.Snapshots(fb.ID)
	if err != nil || len(snaps) != 2 || snaps[0].Metrics.Likes.N != 1234 || snaps[1].Metrics.Likes.N != 2500 || snaps[1].Metrics.Comments.N != 60 ||
		!snaps[1].At.Equal(fileTime.Add(7*24*time.Hour)) {
		t.Errorf("snapshots %+v %v", snaps, err)
	}
	if fb.Metrics.Shares != collector.Known(7) || fb.Unit != "tan-loi" {
		t.Errorf("a later file without shares or unit must not erase them: %+v", fb)
	}
}

// formsWorkbook is the fixture as Google Sheets exports it to Excel: the timestamp
// as a date cell, the rest as typed, on the sheet "Câu trả lời biểu mẫu 1".
func formsWorkbook(t *testing.T) []byte {
	t.Helper()
	tab, err := sheet.ReadCSV(formsFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	name := "Câu trả lời biểu mẫu 1"
	f.SetSheetName("Sheet1", name)
	f.NewSheet("Tổng hợp")
	f.SetCellStr("Tổng hợp", "A1", "Không phải danh sách")
	rows := append([][]string{tab.Header}, nil)
	rows = rows[:1]
	for _, r := range tab.Rows {
		rows = append(rows, r.Cells)
	}
	for i, cells := range rows {
		for j, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if i > 0 && j == 0 {
				ts, err := collector.ParseTime(v, collector.DefaultLocation())
				if err != nil {
					t.Fatal(err)
				}
				f.SetCellValue(name, cell, time.Date(ts.Year(), ts.Month(), ts.Day(), ts.Hour(), ts.Minute(), ts.Second(), 0, time.UTC))
				continue
			}
			f.SetCellStr(name, cell, v)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportExcelGivesTheSamePosts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvCfg, xlsxCfg := writeConfig(t, importConfig), writeConfig(t, importConfig)
	runCmd(t, csvCfg, "import", placeFile(t, dir, "google_forms.csv", formsFixture(t), fileTime))
	xlsx := placeFile(t, dir, "google_forms.xlsx", formsWorkbook(t), fileTime)
	r := runCmd(t, xlsxCfg, "import", xlsx, "--sheet", "Câu trả lời biểu mẫu 1")
	if r.code != 1 || !strings.Contains(r.stdout, "4 mới") || strings.Count(r.stderr, xlsx+":") != 3 {
		t.Fatalf("xlsx import: %+v", r)
	}
	fromCSV, fromXLSX := storedPosts(t, csvCfg), storedPosts(t, xlsxCfg)
	if len(fromCSV) != 4 || len(fromXLSX) != 4 {
		t.Fatalf("%d and %d posts", len(fromCSV), len(fromXLSX))
	}
	for i := range fromCSV {
		c, x := fromCSV[i], fromXLSX[i]
		x.Sources, x.LastUpdated, c.LastUpdated = c.Sources, time.Time{}, time.Time{}
		cj, _ := json.Marshal(c)
		xj, _ := json.Marshal(x)
		if !bytes.Equal(cj, xj) {
			t.Errorf("post %d differs:\ncsv  %s\nxlsx %s", i, cj, xj)
		}
	}
	// The first sheet is the default; another sheet without a link column is an error
	// naming the file.
	r = runCmd(t, xlsxCfg, "import", xlsx, "--sheet", "Tổng hợp")
	if r.code != 1 || !strings.Contains(r.stderr, xlsx+": không đọc được tệp (cannot read): "+xlsx+":1: no link column") {
		t.Errorf("wrong sheet: %+v", r)
	}
}

func TestImportDryRun(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, importConfig)
	file := placeFile(t, t.TempDir(), "f.csv", formsFixture(t), fileTime)
	r := runCmd(t, cfg, "import", "--dry-run", file)
	if r.code != 1 || !strings.Contains(r.stdout, "7 dòng — sẽ thêm 4 bài mới, sẽ cập nhật 0 bài, 0 không đổi, 3 bị từ chối") ||
		!strings.Contains(r.stdout, "Chạy thử (--dry-run)") {
		t.Fatalf("dry run on an empty database: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "data", "test.db")); !os.IsNotExist(err) {
		t.Fatalf("dry run created the database: %v", err)
	}
	runCmd(t, cfg, "import", file)
	before := storedPosts(t, cfg)
	grown := placeFile(t, t.TempDir(), "g.csv", []byte("Link,Lượt thích\nhttps://zalo.me/p/abc123,5000\nhttps://zalo.me/p/moi,1\n"), fileTime.Add(time.Hour))
	r = runCmd(t, cfg, "import", grown, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "2 dòng — sẽ thêm 1 bài mới, sẽ cập nhật 1 bài, 0 không đổi, 0 bị từ chối") {
		t.Fatalf("dry run on a filled database: %+v", r)
	}
	after := storedPosts(t, cfg)
	a, _ := json.Marshal(before)
	b, _ := json.Marshal(after)
	if !bytes.Equal(a, b) {
		t.Error("dry run changed the database")
	}
}

func TestImportFilesAndUsage(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, importConfig)
	dir := t.TempDir()
	good := placeFile(t, dir, "good.csv", []byte("Link;Đơn vị\r\nhttps://zalo.me/p/1;Tân Lợi\r\n"), fileTime)
	missing := filepath.Join(dir, "missing.csv")
	latin := placeFile(t, dir, "latin.csv", []byte("Link,Đơn vị\nhttps://zalo.me/p/2,T\xe2n L\xf4\xefi\n"), fileTime)
	r := runCmd(t, cfg, "import", good, missing, latin)
	if r.code != 1 {
		t.Fatalf("%+v", r)
	}
	for _, w := range []string{
		missing + ": không đọc được tệp (cannot read): không có tệp này",
		latin + `: không đọc được tệp (cannot read): the file is not UTF-8 or UTF-16 text (in Excel choose "CSV UTF-8" or save as .xlsx)`,
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, good+": 1 dòng — 1 mới") || !strings.Contains(r.stdout, "Tổng cộng 3 tệp: 1 dòng — 1 mới, 0 cập nhật, 0 không đổi, 0 bị từ chối; 2 tệp không đọc được") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "hãy nêu ít nhất một tệp"},
		{[]string{"import", good, "--source", "x"}, "chỉ dùng tệp hoặc --source"},
		{[]string{"import", "--source", "nope"}, `không có nguồn nào tên "nope"`},
		{[]string{"import", good, "--campaign", "nope"}, `không có chiến dịch "nope"`},
	} {
		if r := runCmd(t, cfg, tc.args...); r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: %+v; want exit 2 and %q", tc.args, r, tc.want)
		}
	}
	// Output to a file or pipe carries no progress (no carriage returns).
	if strings.Contains(r.stderr, "\r") || strings.Contains(r.stdout, "\r") {
		t.Error("progress written to a non-terminal")
	}
}

// pageServer serves an OpenGraph page with the tag, a login wall, and counts requests.
func pageServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	og, err := os.ReadFile("../../collector/enrich/testdata/og.html")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/bai-viet":
			w.Write(og)
		case "/login/":
			w.Write([]byte(`<html><body><form action="/login/"><input type="password" name="pass"></form></body></html>`))
		default:
			http.Redirect(w, r, "/login/", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestImportEnrichesNewLinks(t *testing.T) {
	t.Parallel()
	srv, hits := pageServer(t)
	cfg := writeConfig(t, strings.Replace(importConfig, "enrich = false", `enrich = true`, 1))
	csv := fmt.Sprintf("Link bài viết,Tiêu đề\n%s/bai-viet,\n%s/story.php?id=1,Tiêu đề tự nhập\nhttp://169.254.169.254/latest/meta-data/,\n", srv.URL, srv.URL)
	file := placeFile(t, t.TempDir(), "links.csv", []byte(csv), fileTime)
	runCmd := func(t *testing.T, cfg string, args ...string) result {
		return runCmdPublic(t, cfg, "127.0.0.0/8", args...)
	}
	r := runCmd(t, cfg, "import", file)
	if r.code != 0 {
		t.Fatalf("enrichment problems must not reject rows: %+v", r)
	}
	if !strings.Contains(r.stdout, "3 dòng — 3 mới") ||
		!strings.Contains(r.stdout, "Kiểm tra hashtag trên trang của 3 đường dẫn mới: 1 có hashtag, 0 không thấy, 1 không kiểm tra được (cần đăng nhập), 1 không tải được") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, file+":4: cảnh báo: không đọc được trang, bài vẫn được nhập") || !strings.Contains(r.stderr, "169.254.169.254") || !strings.Contains(r.stderr, "link-local address") {
		t.Errorf("the refused link is not reported:\n%s", r.stderr)
	}
	byPath := map[string]collector.Post{}
	for _, p := range storedPosts(t, cfg) {
		byPath[strings.TrimPrefix(strings.TrimPrefix(p.URL, srv.URL), "http://169.254.169.254")] = p // canonical links lose the trailing slash
	}
	og := byPath["/bai-viet"]
	if og.Verification != collector.Verified || og.Title != "Tuổi trẻ Tân Lợi ra quân chuyển đổi số" || og.Author != "Ngọc Anh" ||
		og.PublishedAt.Format("02/01/2006 15:04") != "29/03/2023 08:14" {
		t.Errorf("enriched post %+v", og)
	}
	if p := byPath["/story.php?id=1"]; p.Verification != collector.Unverifiable || p.Title != "Tiêu đề tự nhập" {
		t.Errorf("login-walled post %+v", p)
	}
	if p := byPath["/latest/meta-data"]; p.Verification != collector.Unverified || p.ID == "" {
		t.Errorf("refused post must be kept, unverified: %+v", p)
	}
	n := hits.Load()
	if n != 3 { // /bai-viet, /story.php, /login/
		t.Errorf("%d requests; want 3", n)
	}
	// Links already known are not fetched again; --no-fetch fetches nothing.
	runCmd(t, cfg, "import", file)
	other := placeFile(t, t.TempDir(), "other.csv", []byte("Link\n"+srv.URL+"/bai-viet-2\n"), fileTime)
	r = runCmd(t, cfg, "import", other, "--no-fetch")
	if hits.Load() != n || r.code != 0 || !strings.Contains(r.stdout, "1 mới") {
		t.Errorf("re-import or --no-fetch fetched: %d requests, %+v", hits.Load(), r)
	}
	// The link --no-fetch stored waits for a check, which the next import does.
	if !strings.Contains(r.stdout, "1 bài còn chờ kiểm tra đường dẫn") {
		t.Errorf("--no-fetch does not say the link waits:\n%s", r.stdout)
	}
	r = runCmd(t, cfg, "import", file)
	if hits.Load() == n || !strings.Contains(r.stdout, "Kiểm tra hashtag trên trang của 1 đường dẫn mới: 0 có hashtag, 0 không thấy, 1 không kiểm tra được") ||
		strings.Contains(r.stdout, "còn chờ kiểm tra") {
		t.Errorf("the waiting link is not checked by the next import: %d requests\n%s", hits.Load(), r.stdout)
	}
}

// runCmdPublic is runCmd with the networks in public (comma-separated) treated as the
// internet by the fetch guard: loopback servers play public sites.
func runCmdPublic(t *testing.T, cfg, public string, args ...string) result {
	t.Helper()
	var nets []netip.Prefix
	for _, n := range strings.Split(public, ",") {
		nets = append(nets, netip.MustParsePrefix(n))
	}
	var out, errb bytes.Buffer
	full := append([]string{"--config", cfg}, args...)
	err := runTest(context.Background(), full, strings.NewReader(""), &out, &errb, func(e *env) { e.fetchAllow = nets })
	if err != nil && !isSilent(err) {
		errb.WriteString("hashtrack: " + err.Error() + "\n")
	}
	return result{out.String(), errb.String(), exitCode(err), err}
}

func TestSubmitEnrichesAndKeepsRefusedLinks(t *testing.T) {
	t.Parallel()
	srv, _ := pageServer(t)
	var conns atomic.Int64
	forbidden := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	forbidden.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	forbidden.Start()
	defer forbidden.Close()
	// The page server plays a public site: loopback is treated as the internet for the
	// first part, then only 127.0.0.2 for the refusal.
	open := writeConfig(t, strings.Replace(importConfig, "enrich = false", ``, 1))
	r := runCmdPublic(t, open, "127.0.0.0/8", "submit", srv.URL+"/bai-viet", "--unit", "Tân Lợi")
	if r.code != 0 || !strings.Contains(r.stdout, "Đã ghi nhận bài đăng mới") || !strings.Contains(r.stdout, "Hashtag:   đã thấy hashtag của chiến dịch trên trang (verified)") {
		t.Fatalf("submit with enrichment: %+v", r)
	}
	p := storedPosts(t, open)[0]
	if p.Title != "Tuổi trẻ Tân Lợi ra quân chuyển đổi số" || p.Image != srv.URL+"/images/ra-quan.jpg" {
		t.Errorf("submitted post %+v", p)
	}
	r = runCmdPublic(t, open, "127.0.0.0/8", "submit", srv.URL+"/bai-viet-khac", "--no-fetch")
	if r.code != 0 || strings.Contains(r.stdout, "Hashtag:") {
		t.Errorf("--no-fetch: %+v", r)
	}

	// allow_networks opens loopback to configured sources only: submitted links stay
	// refused (issue 17, item 5).
	closed := writeConfig(t, strings.Replace(importConfig, "enrich = false", `allow_networks = ["127.0.0.0/8:*"]`, 1))
	for _, link := range []string{forbidden.URL + "/", strings.Replace(forbidden.URL, "127.0.0.1", "[::ffff:127.0.0.1]", 1) + "/", "http://169.254.169.254/", "http://[::1]/",
		strings.Replace(forbidden.URL, "127.0.0.1", "[::127.0.0.1]", 1) + "/", strings.Replace(forbidden.URL, "127.0.0.1", "[::ffff:0:127.0.0.1]", 1) + "/"} {
		r := runCmdPublic(t, closed, "127.0.0.2/32", "submit", link, "--unit", "Tân Lợi")
		if r.code != 0 || !strings.Contains(r.stdout, "Đã ghi nhận bài đăng mới") || !strings.Contains(r.stderr, "bài vẫn được ghi nhận") || !strings.Contains(r.stderr, "refused to connect") {
			t.Errorf("%s: %+v", link, r)
		}
	}
	if n := len(storedPosts(t, closed)); n != 6 {
		t.Errorf("%d submissions kept; want 6", n)
	}
	if conns.Load() != 0 {
		t.Errorf("%d connections reached the forbidden server", conns.Load())
	}
	for _, link := range []string{"ftp://x.vn/a", "https://user:pass@x.vn/a", "javascript:alert(1)"} {
		if r := runCmd(t, closed, "submit", link); r.code != 2 {
			t.Errorf("%s accepted: %+v", link, r)
		}
	}
}

func TestImportInboxSource(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	inboxDir := filepath.Join(base, "hop-thu")
	os.MkdirAll(inboxDir, 0o755)
	cfgText := importConfig + `
[[source]]
name = "hop-thu"
kind = "inbox"
url = "hop-thu"
[source.options]
settle = "10m"
`
	cfg := filepath.Join(base, "hashtrack.toml")
	os.WriteFile(cfg, []byte(cfgText), 0o644)
	now := time.Now()
	placeFile(t, inboxDir, "tuan-1.csv", formsFixture(t), now.Add(-time.Hour))
	placeFile(t, inboxDir, "dang-chep.xlsx", []byte("PK half a workbook"), now.Add(-time.Minute))
	r := runCmd(t, cfg, "import", "--source", "hop-thu")
	if r.code != 1 || !strings.Contains(r.stdout, "hop-thu: 7 dòng — 4 mới, 0 cập nhật, 0 không đổi, 3 bị từ chối") ||
		!strings.Contains(r.stderr, "tuan-1.csv:7: unknown unit") {
		t.Fatalf("inbox import: %+v", r)
	}
	var files []string
	filepath.WalkDir(inboxDir, func(p string, d os.DirEntry, err error) error {
		if !d.IsDir() {
			rel, _ := filepath.Rel(inboxDir, p)
			files = append(files, rel)
		}
		return nil
	})
	slices.Sort(files)
	if want := []string{"dang-chep.xlsx", "processed/tuan-1.csv", "processed/tuan-1.csv.receipt.txt"}; !slices.Equal(files, want) {
		t.Errorf("inbox files %v; want %v", files, want)
	}
	posts := storedPosts(t, cfg)
	if len(posts) != 4 || posts[0].Sources[0] != "hop-thu" {
		t.Errorf("posts %+v", posts)
	}
	h := sourceHealth(t, cfg, "hop-thu")
	if h.ItemsSeen != 7 || h.ItemsStored != 4 || h.LastSuccess.IsZero() {
		t.Errorf("health %+v", h)
	}
	// The next run finds only the file still being written, and leaves it.
	r = runCmd(t, cfg, "import", "--source", "hop-thu")
	if r.code != 0 || !strings.Contains(r.stdout, "hop-thu: 0 dòng") {
		t.Errorf("second run: %+v", r)
	}
}

func sourceHealth(t *testing.T, cfg, name string) store.SourceHealth {
	t.Helper()
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := (&env{now: time.Now}).openStore(c, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, _, err := st.Source(name)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestImportSheetSource(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	// "Địa chỉ bài" and "Số like" are not known headers: [import.columns] and the
	// source's own options.columns map them.
	body := "Đơn vị,Địa chỉ bài,Số like\nTân Lợi,https://zalo.me/p/1,10\nTân Lợi,https://zalo.me/p/2,3\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Write([]byte(body))
	}))
	defer srv.Close()
	cfg := writeConfig(t, strings.Replace(importConfig, "enrich = false", `enrich = false
allow_networks = ["127.0.0.0/8:*"]`, 1)+fmt.Sprintf(`
[[source]]
name = "bang-tinh"
kind = "sheet"
url = "%s/pub?output=csv"
[source.options.columns]
"Số like" = "likes"

[import.columns]
"Địa chỉ bài" = "url"
`, srv.URL))
	r := runCmd(t, cfg, "import", "--source", "bang-tinh")
	if r.code != 0 || !strings.Contains(r.stdout, "bang-tinh: 2 dòng — 2 mới, 0 cập nhật, 0 không đổi, 0 bị từ chối") {
		t.Fatalf("%+v", r)
	}
	mu.Lock()
	body = strings.Replace(body, ",10\n", ",40\n", 1)
	mu.Unlock()
	r = runCmd(t, cfg, "import", "--source", "bang-tinh")
	if r.code != 0 || !strings.Contains(r.stdout, "bang-tinh: 2 dòng — 0 mới, 1 cập nhật, 1 không đổi, 0 bị từ chối") {
		t.Fatalf("edited row: %+v", r)
	}
	for _, p := range storedPosts(t, cfg) {
		if p.URL == "https://zalo.me/p/1" && p.Metrics.Likes != collector.Known(40) {
			t.Errorf("edited row not applied: %+v", p)
		}
	}
}

func TestInboxAndSheetOptionsAreCheckedWithTheConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ source, want string }{
		{"name = \"i\"\nkind = \"inbox\"\nurl = \"in\"\n[source.options]\nsettle = \"soon\"", `source "i": options.settle: "soon" is not a duration`},
		{"name = \"i\"\nkind = \"inbox\"\nurl = \"in\"\n[source.options]\nsetle = \"30s\"", `source "i".options: không có tùy chọn "setle" (các tùy chọn: columns, settle, sheet)`},
		{"name = \"s\"\nkind = \"sheet\"\nurl = \"https://x.vn/a.csv\"\n[source.options.columns]\n\"Số like\" = \"like\"", `source "s": options.columns."Số like": like is not one of url,`},
	} {
		cfg := writeConfig(t, importConfig+"\n[[source]]\n"+tc.source+"\n")
		r := runCmd(t, cfg, "import", "x.csv")
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%+v; want exit 2 and %q", r, tc.want)
		}
	}
	bad := writeConfig(t, importConfig+"\n[import.columns]\n\"Số like\" = \"thich\"\n")
	if r := runCmd(t, bad, "import", "x.csv"); r.code != 2 || !strings.Contains(r.stderr, `import.columns."Số like": "thich" không phải một trong: url, unit`) {
		t.Errorf("bad import.columns: %+v", r)
	}
}

// TestImportSourceGoesThroughTheRunner: `import --source` takes only sources of
// people's submissions, runs them now whatever their backoff, and records their health
// like `collect` does — failures included.
func TestImportSourceGoesThroughTheRunner(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer srv.Close()
	cfg := writeConfig(t, strings.Replace(importConfig, "enrich = false", `enrich = false
allow_networks = ["127.0.0.0/8:*"]`, 1)+fmt.Sprintf(`
[[source]]
name = "bang-tinh"
kind = "sheet"
url = "%s/pub?output=csv"

[[source]]
name = "tin"
kind = "feed"
url = "%s/feed"
`, srv.URL, srv.URL))
	if r := runCmd(t, cfg, "import", "--source", "tin"); r.code != 2 || !strings.Contains(r.stderr, `nguồn "tin" (loại feed) không chứa bài gửi của mọi người`) || hits.Load() != 0 {
		t.Errorf("feed source: %+v, %d requests", r, hits.Load())
	}
	for run := 1; run <= 2; run++ {
		r := runCmd(t, cfg, "import", "--source", "bang-tinh")
		if r.code != 1 || !strings.Contains(r.stderr, "bang-tinh: ") || !strings.Contains(r.stderr, "500") {
			t.Fatalf("run %d: %+v", run, r)
		}
		h := sourceHealth(t, cfg, "bang-tinh")
		if h.ConsecutiveFailures != run || h.NextAttempt.IsZero() || !strings.Contains(h.LastError, "500") {
			t.Errorf("run %d: health %+v", run, h)
		}
	}
	if hits.Load() != 2 {
		t.Errorf("%d requests; the backoff must not hold a forced run", hits.Load())
	}
}
