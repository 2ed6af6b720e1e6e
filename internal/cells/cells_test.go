package cells

import (
	"strings"
	"testing"
)

func TestNeutralize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"=1+1": "'=1+1", "+84 912": "'+84 912", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Tân Lợi": "Tân Lợi", "": "", "1=1": "1=1",
		// After any separator a spreadsheet may split on (issue 17, item 6).
		"Bài viết;=1+1;x": "Bài viết;'=1+1;x", "a,@SUM(A1)": "a,'@SUM(A1)", "a\t-2+3": "a\t'-2+3", "dòng 1\n=cmd": "dòng 1\n'=cmd",
		"a;;=1": "a;;'=1", "Tân Lợi - Krông Pắc; 5": "Tân Lợi - Krông Pắc; 5", "x;\t=1": "x;'\t'=1"} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNeutralize: whatever a member types, no part of the cell a spreadsheet may split
// off (at the start, after , ; tab or a line break) starts with a character it reads
// as a formula, and nothing but quotes is added.
func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"=1+1", "+84", "-", "@x", "\tx", "\r=", "Tân Lợi", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Neutralize(s)
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Fatalf("Neutralize(%q) = %q starts with a formula character", s, got)
		}
		for i := 0; i+1 < len(got); i++ {
			if strings.IndexByte(",;\t\r\n", got[i]) >= 0 && strings.IndexByte("=+-@", got[i+1]) >= 0 {
				t.Fatalf("Neutralize(%q) = %q: a formula character after a separator at %d", s, got, i)
			}
		}
		// Only quotes were added: taking each added one out gives s back.
		j := 0
		for i := 0; i < len(got); i++ {
			if j < len(s) && got[i] == s[j] {
				j++
			} else if got[i] != '\'' {
				t.Fatalf("Neutralize(%q) = %q changed more than quotes", s, got)
			}
		}
		if j != len(s) {
			t.Fatalf("Neutralize(%q) = %q lost text", s, got)
		}
	})
}
