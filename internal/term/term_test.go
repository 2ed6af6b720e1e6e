package term

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Đoàn phường Tân Lợi.xlsx":   "Đoàn phường Tân Lợi.xlsx",
		"bad\x1b[2K\x1b[1Aname.csv":  `bad\x1b[2K\x1b[1Aname.csv`,
		"\x1b]0;hacked\x07title.csv": `\x1b]0;hacked\x07title.csv`,
		"a\nb\rc\td":                 `a\nb\rc\td`,
		"x\u009b2Jy":                 `x\u009b2Jy`,
		"hoa-don\u202Egpj.exe":       `hoa-don\u202egpj.exe`,
		"del\x7f":                    `del\x7f`,
		"bad utf-8 \xff\xfe":         `bad utf-8 \xff\xfe`,
		"emoji 👍🏽 and ZWJ 👩‍💻 stay":  "emoji 👍🏽 and ZWJ 👩‍💻 stay",
		"": "",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	if got := CleanLines("dòng 1\ndòng 2\x1b[K\r\n"); got != "dòng 1\ndòng 2\\x1b[K\\r\n" {
		t.Errorf("CleanLines: %q", got)
	}
}

// FuzzClean: nothing a terminal acts on survives, and clean text is left alone.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"Tân Lợi", "\x1b[2J", "a\u202eb", "\xff", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q is not UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, got, r)
			}
		}
		if !needsCleaning(s, false) && got != s {
			t.Fatalf("Clean changed clean text %q to %q", s, got)
		}
		if strings.ContainsRune(CleanLines(s), '\r') {
			t.Fatalf("CleanLines(%q) keeps a carriage return", s)
		}
	})
}
