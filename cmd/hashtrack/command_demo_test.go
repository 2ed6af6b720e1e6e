package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoCommandTwice runs `hashtrack demo` end to end twice into one folder: the same
// counts, a report file, and no configuration needed.
func TestDemoCommandTwice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var first string
	for i := range 2 {
		r := runCmd(t, filepath.Join(dir, "absent.toml"), "demo", "--out", dir)
		if r.code != 0 {
			t.Fatalf("run %d: %+v", i, r)
		}
		if !strings.Contains(r.stdout, "312 bài đăng mới, 26 lượt gửi lại đã cập nhật số liệu") ||
			!strings.Contains(r.stdout, "(312 bài đăng)") {
			t.Fatalf("run %d output:\n%s", i, r.stdout)
		}
		if i == 0 {
			first = r.stdout
		} else if r.stdout != first {
			t.Errorf("second run differs:\n%s\nvs\n%s", r.stdout, first)
		}
	}
	latest := filepath.Join(dir, "reports", "cds2023", "latest.html")
	b, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Đoàn phường Tân Lợi") || !strings.Contains(string(b), "Huyện Đoàn Krông Bông") {
		t.Error("report lacks the leading unit or the units without posts")
	}
}
