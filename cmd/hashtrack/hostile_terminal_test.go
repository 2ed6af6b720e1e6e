package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestTerminalEscapesInNames: file names, sheet names and cell text from outside
// reach the operator's terminal escaped (issue 17, item 7): `import --source`,
// `collect` and `import FILE` print them, and a raw ESC or BEL could erase lines or
// retitle the terminal.
func TestTerminalEscapesInNames(t *testing.T) {
	base := t.TempDir()
	inboxDir := filepath.Join(base, "hop-thu")
	os.MkdirAll(inboxDir, 0o755)
	cfg := filepath.Join(base, "hashtrack.toml")
	os.WriteFile(cfg, []byte(importConfig+"\n[[source]]\nname = \"hop-thu\"\nkind = \"inbox\"\nurl = \"hop-thu\"\n[source.options]\nsettle = \"1s\"\n"), 0o644)
	old := time.Now().Add(-time.Hour)
	placeFile(t, inboxDir, "\x1b]0;owned\x07ten.xlsx", []byte("not a workbook"), old)
	placeFile(t, inboxDir, "bad\x1b[2K\x1b[1A.csv", []byte("Link,Đơn vị\nhttps://zalo.me/p/1,Tân\x1b[31mLộc\n"), old)
	raw := func(name string, r result) {
		t.Helper()
		out := r.stdout + r.stderr
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("%s printed a raw control character:\n%q", name, out)
		}
	}
	r := runCmd(t, cfg, "import", "--source", "hop-thu")
	raw("import --source", r)
	for _, want := range []string{`\x1b]0;owned\x07ten.xlsx: cannot be read`, `bad\x1b[2K\x1b[1A.csv:2: unknown unit "Tân\x1b[31mLộc"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("import --source: stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	placeFile(t, inboxDir, "lan-2\x1b[2J.csv", []byte("Link,Đơn vị\nhttps://zalo.me/p/2,Tân\x1b[31mLộc\n"), old)
	r = runCmd(t, cfg, "collect", "--source", "hop-thu")
	raw("collect", r)
	if !strings.Contains(r.stdout+r.stderr, `lan-2\x1b[2J.csv:2: unknown unit "Tân\x1b[31mLộc"`) {
		t.Errorf("collect:\n%+v", r)
	}

	// `run` runs the sources that are due: a fresh configuration's inbox.
	base2 := t.TempDir()
	os.MkdirAll(filepath.Join(base2, "hop-thu"), 0o755)
	cfg2 := filepath.Join(base2, "hashtrack.toml")
	cfgText, _ := os.ReadFile(cfg)
	os.WriteFile(cfg2, cfgText, 0o644)
	placeFile(t, filepath.Join(base2, "hop-thu"), "lan-3\x1b[2J.csv", []byte("Link,Đơn vị\nhttps://zalo.me/p/3,Tân\x1b[31mLộc\n"), old)
	r = runCmd(t, cfg2, "run")
	raw("run", r)
	if !strings.Contains(r.stderr, `lan-3\x1b[2J.csv:2: unknown unit "Tân\x1b[31mLộc"`) {
		t.Errorf("run:\n%+v", r)
	}

	// A workbook whose sheets' names carry escapes, named in the "no such sheet" error.
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Tháng 4\u202e")
	f.SetCellStr("Tháng 4\u202e", "A1", "Link")
	wb := filepath.Join(base, "bao-cao\x1b[1m.xlsx")
	if err := f.SaveAs(wb); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, cfg, "import", wb, "--sheet", "Tháng 5")
	raw("import FILE", r)
	if !strings.Contains(r.stderr, `bao-cao\x1b[1m.xlsx: không đọc được tệp`) || !strings.Contains(r.stderr, `Tháng 4\u202e`) || strings.Contains(r.stderr, "\u202e") {
		t.Errorf("import FILE --sheet:\n%s", r.stderr)
	}
}
