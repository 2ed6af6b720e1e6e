package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

// TestHostileTextStoredAsText submits hostile text through the CLI and reads it back
// with `posts --json`: it is stored as plain text (clipped, cleaned), the JSON carries
// no raw < > or line separators, and the next submission is unaffected.
func TestHostileTextStoredAsText(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	i := 0
	want := map[string]string{} // url → title expected back
	urlOf := map[string]string{}
	for name, text := range testkit.HostileTexts() {
		i++
		url := "https://www.tiktok.com/@doan/video/" + strings.Repeat("9", i)
		r := runCmd(t, cfg, "submit", url, "--title", text, "--author", text, "--note", text, "--text", text)
		if r.code != 0 {
			t.Fatalf("%s: %+v", name, r)
		}
		if strings.ContainsAny(r.stdout, "<>\u202e\u2028") {
			t.Errorf("%s: submit echoed hostile text: %q", name, r.stdout)
		}
		stored, err := canon.URL(url)
		if err != nil {
			t.Fatal(err)
		}
		want[strings.TrimPrefix(stored, "https://")] = collector.CleanText(text, collector.MaxTitle)
		urlOf[name] = strings.TrimPrefix(stored, "https://")
	}
	r := runCmd(t, cfg, "posts", "--json")
	if r.code != 0 {
		t.Fatal(r)
	}
	if strings.ContainsAny(r.stdout, "<>\u2028\u2029") {
		t.Errorf("posts --json carries raw < > U+2028 U+2029:\n%s", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(testkit.HostileTexts()) {
		t.Fatalf("%d posts, want %d", len(lines), len(testkit.HostileTexts()))
	}
	for _, line := range lines {
		var p collector.Post
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("line does not decode: %v\n%s", err, line)
		}
		w, ok := want[strings.TrimPrefix(p.URL, "https://")]
		if !ok {
			t.Fatalf("unexpected post %s", p.URL)
		}
		if p.Title != w {
			t.Errorf("%s: title %q, want %q", p.URL, p.Title, w)
		}
		if n := utf8.RuneCountInString(p.Title); n > collector.MaxTitle+1 {
			t.Errorf("%s: title of %d characters", p.URL, n)
		}
		if strings.TrimPrefix(p.URL, "https://") == urlOf["long"] {
			// Exactly MaxTitle characters and an ellipsis.
			if utf8.RuneCountInString(p.Title) != collector.MaxTitle+1 || !strings.HasSuffix(p.Title, "…") {
				t.Errorf("long title stored with %d characters", utf8.RuneCountInString(p.Title))
			}
		}
		if strings.ContainsRune(p.Title, 0) || !utf8.ValidString(p.Title) || strings.ContainsAny(p.Title+p.Author+p.Note+p.Text, "\u202e\u2028\u2029") {
			t.Errorf("%s: title %q is not clean text", p.URL, p.Title)
		}
		if utf8.RuneCountInString(p.Author) > collector.MaxShort+1 {
			t.Errorf("%s: author of %d characters", p.URL, utf8.RuneCountInString(p.Author))
		}
	}
	if r := runCmd(t, cfg, "check"); r.code != 0 {
		t.Errorf("check: %+v", r)
	}
}

func TestHostileLinksRejectedAtSubmission(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	for _, u := range []string{
		"javascript:alert(1)",
		"JaVaScRiPt:alert(document.cookie)",
		"file:///etc/passwd",
		"data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)",
		"ftp://example.com/x",
		"",
		"   ",
	} {
		r := runCmd(t, cfg, "submit", u, "--likes", "1")
		if r.code != exitUsage {
			t.Errorf("submit %q: code %d, want 2 (%s)", u, r.code, r.stderr)
		}
	}
	// The rest of the run goes on: a good link right after is stored, and it is the
	// only post.
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/ok"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	r := runCmd(t, cfg, "posts", "--json")
	if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.Contains(r.stdout, `"url":"https://zalo.me/p/ok"`) {
		t.Errorf("%d posts stored:\n%s", n, r.stdout)
	}
}

// TestHugeFieldIsClipped: a 10 MB text argument is stored as MaxText characters.
func TestHugeFieldIsClipped(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	huge := strings.Repeat("x", 10<<20)
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/huge", "--text", huge, "--title", huge); r.code != 0 {
		t.Fatalf("%+v", r.stderr)
	}
	r := runCmd(t, cfg, "posts", "--json")
	var p collector.Post
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(p.Text); n != collector.MaxText+1 {
		t.Errorf("text stored with %d characters, want %d", n, collector.MaxText+1)
	}
	if n := utf8.RuneCountInString(p.Title); n != collector.MaxTitle+1 {
		t.Errorf("title stored with %d characters, want %d", n, collector.MaxTitle+1)
	}
	if len(r.stdout) > 200<<10 {
		t.Errorf("posts --json wrote %d bytes for one post", len(r.stdout))
	}
}

// TestHostileTextThroughReport submits hostile titles and authors and writes the report
// in every format: nothing runs as HTML or JavaScript, no spreadsheet cell starts a
// formula, the JSON is valid, and no direction override reaches a reader.
func TestHostileTextThroughReport(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	for i, h := range []struct{ title, author string }{
		{`</script><script>alert("xss")</script>`, `<img src=x onerror=alert(1)>`},
		{`__f__function(){alert(1)}__f__`, `=HYPERLINK("http://evil.example","bấm vào")`},
		{"Dòng một\u2028Dòng hai \u202egnp.exe", "@SUM(1+1)"},
		{strings.Repeat("Đắk Lắk ", 1250), "+84 912 345 678"},
	} {
		r := runCmd(t, cfg, "submit", fmt.Sprintf("https://www.tiktok.com/@doan/video/%d", 70+i), "--unit", "tan-loi",
			"--published", "29/03/2023 08:00", "--likes", fmt.Sprint(10*(i+1)), "--title", h.title, "--author", h.author)
		if r.code != 0 {
			t.Fatalf("submit %d: %+v", i, r)
		}
	}
	out := map[string]string{}
	for _, f := range []string{"html", "text", "csv", "json"} {
		r := runCmd(t, cfg, "report", "--from", "01/03/2023", "--to", "31/03/2023", "--format", f, "--out", "-")
		if r.code != 0 {
			t.Fatalf("report --format %s: %+v", f, r.stderr)
		}
		out[f] = r.stdout
		if strings.ContainsAny(r.stdout, "\u202e\u2066") {
			t.Errorf("%s report carries a direction override", f)
		}
	}
	for _, raw := range []string{`<script>alert("xss")`, `</script><script>`, `<img src=x onerror`} {
		if strings.Contains(out["html"], raw) {
			t.Errorf("HTML report contains %q unescaped", raw)
		}
	}
	// go-echarts turns "__f__…__f__" into live JavaScript by stripping the markers: the
	// function may only appear with its markers around it, as text.
	if n, m := strings.Count(out["html"], "function(){alert(1)}"), strings.Count(out["html"], "__f__function(){alert(1)}__f__"); n != m {
		t.Errorf("HTML report has %d copies of the function, only %d with their __f__ markers", n, m)
	}
	if !json.Valid([]byte(out["json"])) {
		t.Error("JSON report is not valid JSON")
	}
	rows, err := csv.NewReader(strings.NewReader(out["csv"])).ReadAll()
	if err != nil {
		t.Fatalf("CSV report: %v", err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("CSV cell %q would start a formula", cell)
			}
		}
	}
}
