package canon

import (
	"os"
	"strings"
	"testing"
)

// TestLinksCorpus holds canon to testdata/links.txt: every link of a group gives the
// group's canonical form (and its short-link mark), and no two groups share one.
func TestLinksCorpus(t *testing.T) {
	b, err := os.ReadFile("testdata/links.txt")
	if err != nil {
		t.Fatal(err)
	}
	var (
		want     string
		short    bool
		owner    = map[string]string{} // canonical form → the group that declared it
		links    int
		declared int
	)
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "= "):
			want, short = strings.CutSuffix(strings.TrimPrefix(line, "= "), " short")
			if prev, dup := owner[want]; dup {
				t.Errorf("two groups declare %q (%s)", want, prev)
			}
			owner[want] = line
			declared++
		default:
			links++
			got, err := URL(line)
			if err != nil {
				t.Errorf("URL(%q): %v", line, err)
				continue
			}
			if got != want {
				t.Errorf("URL(%q)\n got %q\nwant %q", line, got, want)
			}
			if IsShortLink(line) != short || IsShortLink(got) != short {
				t.Errorf("IsShortLink(%q) = %v, IsShortLink(%q) = %v; want %v", line, IsShortLink(line), got, IsShortLink(got), short)
			}
			if again, err := URL(got); err != nil || again != got {
				t.Errorf("URL(%q) = %q, %v; not idempotent", got, again, err)
			}
		}
	}
	if declared < 25 || links < 60 {
		t.Fatalf("corpus too small: %d groups, %d links", declared, links)
	}
}
