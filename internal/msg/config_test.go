package msg

import (
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// TestConfigProblems: every problem of the config file has its Vietnamese in the
// catalogue, and the catalogue's English is config's own, so logs and `--lang en` say
// the same words.
func TestConfigProblems(t *testing.T) {
	ids := config.ProblemIDs()
	if len(ids) < 40 {
		t.Fatalf("only %d problem ids", len(ids))
	}
	for _, id := range ids {
		if !Has(id) {
			t.Errorf("%s: not in the catalogue", id)
			continue
		}
		if en := Text("en", id); en != config.ProblemText(id) {
			t.Errorf("%s: catalogue English %q, config's %q", id, en, config.ProblemText(id))
		}
		if vi := Text("vi", id); vi == Text("en", id) && vi != "%v" {
			t.Errorf("%s: not translated: %q", id, vi)
		}
	}
}

// TestConfigErrorEveryProblem: a file with several mistakes is one error listing them
// one per line, each naming its key, in Vietnamese and in English.
func TestConfigErrorEveryProblem(t *testing.T) {
	text := `
language = "fr"
[report]
schedule = "mỗi sáng"
[[campaign]]
id = "cds"
hashtag = "#a #b"
start = 2023-03-01
target = -1
[[token]]
token = "ngắn"
unit = "khong-co"
`
	_, err := config.Parse("x.toml", text, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	vi, en := New("vi").Error(err), New("en").Error(err)
	wantVI := []string{
		"tệp cấu hình x.toml: 6 lỗi, hãy sửa hết rồi chạy lại:",
		`  - language: "fr" không phải vi hoặc en`,
		`  - report.schedule: "mỗi sáng" không phải lịch chạy: viết năm trường`,
		`  - campaign "cds".hashtag: "#a #b" không phải là đúng một hashtag`,
		`  - campaign "cds".target: không được là số âm`,
		"  - token[0].token: mã phải dài ít nhất 16 ký tự",
		`  - token[0].unit: không có [[unit]] nào có mã "khong-co"`,
	}
	wantEN := []string{
		"config x.toml: 6 problems; fix them all, then run again:",
		`  - language: "fr" is not vi or en`,
		`  - report.schedule: "mỗi sáng" is not a schedule: write five fields`,
		`  - campaign "cds".hashtag: "#a #b" is not a single hashtag`,
		`  - campaign "cds".target: must not be negative`,
		"  - token[0].token: must be at least 16 characters",
		`  - token[0].unit: no [[unit]] has id "khong-co"`,
	}
	for _, tc := range []struct {
		lang, got string
		want      []string
	}{{"vi", vi, wantVI}, {"en", en, wantEN}} {
		lines := strings.Split(tc.got, "\n")
		if len(lines) != len(tc.want) {
			t.Fatalf("%s: %d lines, want %d:\n%s", tc.lang, len(lines), len(tc.want), tc.got)
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s line %d: %q, want %q…", tc.lang, i, lines[i], w)
			}
		}
	}
	// The log line is the English on one line.
	if s := err.Error(); strings.Contains(s, "\n") || !strings.Contains(s, `language: "fr" is not vi or en; report.schedule:`) {
		t.Errorf("Error() = %q", s)
	}
	// One problem stays on one line.
	_, err = config.Parse("x.toml", "[[campaign]]\nid = \"a\"\nhashtag = \"#a\"\n", nil)
	if got := New("vi").Error(err); got != `tệp cấu hình x.toml: campaign "a".start: chưa có ngày bắt đầu (viết start = 2023-03-01)` {
		t.Errorf("one problem: %q", got)
	}
}

// TestConfigTypedErrors: the config's other typed errors, and a kind's option error met
// outside a config load, in both languages.
func TestConfigTypedErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		vi, en string
	}{
		{"unknown campaign", &config.CampaignError{Given: "nope", Known: []string{"cds", "stem"}, Path: "h.toml"},
			`không có chiến dịch "nope" trong h.toml (có: cds, stem)`, `no campaign "nope" in h.toml (known: cds, stem)`},
		{"choose a campaign", &config.CampaignError{Known: []string{"cds", "stem"}, Path: "h.toml"},
			"tệp cấu hình có nhiều chiến dịch; hãy chọn một bằng --campaign (cds, stem)", "several campaigns are configured; choose one with --campaign (cds, stem)"},
		{"kind option", &collector.OptionError{Kind: "feed", Source: "tin", Key: "charset", Problem: "config.option_string"},
			`nguồn "tin": options.charset: phải là một chuỗi ký tự (viết trong dấu ngoặc kép)`, `feed: source "tin": options.charset: must be a string`},
		{"option range", &collector.OptionError{Kind: "html", Source: "w", Key: "follow_max", Problem: "config.option_range", Args: []any{1, 1000}},
			`nguồn "w": options.follow_max: phải là số nguyên từ 1 đến 1000`, `html: source "w": options.follow_max: must be a whole number from 1 to 1000`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := New("vi").Error(tc.err); got != tc.vi {
				t.Errorf("vi\n got %q\nwant %q", got, tc.vi)
			}
			if got := New("en").Error(tc.err); got != tc.en {
				t.Errorf("en\n got %q\nwant %q", got, tc.en)
			}
		})
	}
}
