package main

import (
	"strings"
	"testing"
)

// TestConfigProblemsInBothLanguages: a configuration with five mistakes is refused with
// five lines, each naming its key, in Vietnamese by default and in English with
// --lang en (issue 15, deliverable 5).
func TestConfigProblemsInBothLanguages(t *testing.T) {
	t.Parallel()
	text := "timezone = \"Asia/Hanoi\"\n" + strings.Replace(testConfig, "target = 300", "target = -5", 1) + `
[report]
schedule = "mỗi sáng"

[[source]]
name = "tin"
kind = "feed"
url = "https://example.org/rss"
unit = "khong-co"

[[source]]
name = "rss2"
kind = "feed"
url = "https://example.org/rss2"
[source.options]
charset = 5
`
	cfg := writeConfig(t, text)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"vi", []string{
			"tệp cấu hình " + cfg + ": 5 lỗi, hãy sửa hết rồi chạy lại:",
			`  - timezone: không biết múi giờ "Asia/Hanoi"`,
			`  - report.schedule: "mỗi sáng" không phải lịch chạy: viết năm trường`,
			`  - campaign "cds".target: không được là số âm`,
			`  - source "tin".unit: không có [[unit]] nào có mã "khong-co"`,
			`  - source "rss2".options.charset: phải là một chuỗi ký tự`,
		}},
		{"en", []string{
			"config " + cfg + ": 5 problems; fix them all, then run again:",
			`  - timezone: unknown time zone "Asia/Hanoi"`,
			`  - report.schedule: "mỗi sáng" is not a schedule`,
			`  - campaign "cds".target: must not be negative`,
			`  - source "tin".unit: no [[unit]] has id "khong-co"`,
			`  - source "rss2".options.charset: must be a string`,
		}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			r := runCmd(t, cfg, "--lang", tc.lang, "check")
			if r.code != exitUsage {
				t.Fatalf("code %d, want %d; stderr %q", r.code, exitUsage, r.stderr)
			}
			// The first line may carry the command's own prefix ("check: ").
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tc.want), r.stderr)
			}
			for i, w := range tc.want {
				if i == 0 && !strings.HasSuffix(lines[0], w) || i > 0 && !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d: %q, want %q…", i, lines[i], w)
				}
			}
			if tc.lang == "vi" && strings.Contains(r.stderr, "must") {
				t.Errorf("English in the Vietnamese:\n%s", r.stderr)
			}
		})
	}
}
