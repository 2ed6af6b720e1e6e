package main

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestHostileFilesInOneImport imports hostile files together with a good one in one
// run: each bad row is reported with its file and line, each unreadable file with its
// reason, every usable row is stored, and the exit code says the run was partial.
func TestHostileFilesInOneImport(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, importConfig)
	dir := t.TempDir()
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 1 << 40})
	w.Write([]byte{3, 0})
	zw.Close()
	files := []string{
		placeFile(t, dir, "good.csv", []byte("Link,Đơn vị\nhttps://zalo.me/p/good,Tân Lợi\n"), fileTime),
		placeFile(t, dir, "nul.csv", []byte("Link,Đơn vị,Lượt thích\nhttps://zalo.me/p/nul,Tân\x00 Lợi,5\x00\n"), fileTime),
		placeFile(t, dir, "ragged.csv", []byte("Link,Đơn vị,Lượt thích\nhttps://zalo.me/p/short\nhttps://zalo.me/p/long,Tân Lợi,3,thừa,thừa\nTân Lợi,https://zalo.me/p/shifted\n"), fileTime),
		placeFile(t, dir, "formula.csv", []byte("Link,Đơn vị,Lượt thích\n=HYPERLINK(\"http://evil.example\"),Tân Lợi,1\nhttps://zalo.me/p/f,Tân Lợi,=1+1\nhttps://zalo.me/p/text,Tân Lợi,2\n"), fileTime),
		placeFile(t, dir, "bomb.xlsx", bomb.Bytes(), fileTime),
		placeFile(t, dir, "notzip.xlsx", []byte("Link\nhttps://zalo.me/p/x\n"), fileTime),
	}
	r := runCmd(t, cfg, append([]string{"import"}, files...)...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (partial):\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	all := r.stdout + r.stderr
	for _, want := range []string{
		files[2] + `:4: link "Tân Lợi" is not usable: the link is malformed`,
		files[3] + `:2: link "=HYPERLINK(\"http://evil.example\")" is not usable: the link is malformed`,
		files[3] + `:3: column "Lượt thích": "=1+1" is not a whole number`,
		files[4] + ": không đọc được tệp (cannot read): not a readable .xlsx workbook: it would unpack to more than 256 MiB (a zip bomb?)",
		files[5] + ": không đọc được tệp (cannot read): not a readable .xlsx workbook: zip: not a valid zip file",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
	posts := postsByURL(t, cfg)
	for _, u := range []string{"https://zalo.me/p/good", "https://zalo.me/p/nul", "https://zalo.me/p/short", "https://zalo.me/p/long", "https://zalo.me/p/text"} {
		if _, ok := posts[u]; !ok {
			t.Errorf("%s not stored", u)
		}
	}
	if len(posts) != 5 {
		t.Errorf("%d posts stored, want 5", len(posts))
	}
	if p := posts["https://zalo.me/p/nul"]; p.Unit != "tan-loi" || p.Metrics.Likes != collector.Known(5) {
		t.Errorf("the row with NUL bytes: unit %q likes %+v", p.Unit, p.Metrics.Likes)
	}
}
