package main

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/tinhdoandaklak/hashtrack/internal/msg"
)

// vietnameseLetters are letters only Vietnamese text has (vowels with diacritics, đ).
var vietnameseLetters = regexp.MustCompile(`[À-ỹĐđ]`)

// TestHelpInBothLanguages walks every command's --help (and the review actions') in
// Vietnamese and English: every option has a text, the Vietnamese help holds no English
// sentence of the catalogue, and the English help no Vietnamese word.
func TestHelpInBothLanguages(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	// English sentences of the catalogue: ASCII-only texts of three words or more that
	// the Vietnamese text does not share.
	var english []string
	for _, id := range msg.IDs() {
		en, vi := msg.Text("en", id), msg.Text("vi", id)
		for _, s := range regexp.MustCompile(`[A-Za-z][A-Za-z' ,()/-]*[A-Za-z)]`).FindAllString(en, -1) {
			if strings.Count(s, " ") >= 2 && !strings.Contains(vi, s) {
				english = append(english, s)
			}
		}
	}
	if len(english) < 100 {
		t.Fatalf("only %d English sentences in the catalogue: the test would prove nothing", len(english))
	}
	var helps [][]string
	for _, c := range commands() {
		helps = append(helps, []string{c.name, "--help"})
	}
	for _, sub := range []string{"list", "approve", "reject", "assign", "correct", "history", "export"} {
		helps = append(helps, []string{"review", sub, "--help"})
	}
	helps = append(helps, []string{"help"})
	for _, args := range helps {
		for _, lang := range []string{"vi", "en"} {
			t.Run(lang+" "+strings.Join(args, " "), func(t *testing.T) {
				r := runCmd(t, cfg, append([]string{"--lang", lang}, args...)...)
				out := r.stdout + r.stderr
				if r.code != 0 || len(out) < 40 {
					t.Fatalf("code %d, output %q", r.code, out)
				}
				if strings.Contains(out, "!(") {
					t.Errorf("a message id is missing from the catalogue:\n%s", out)
				}
				if strings.Contains(out, "    \t\n") {
					t.Errorf("an option has no text:\n%s", out)
				}
				switch lang {
				case "vi":
					if !strings.Contains(out, "Cách dùng: hashtrack") && args[0] != "help" {
						t.Errorf("no Vietnamese usage line:\n%s", out)
					}
					for _, s := range english {
						if strings.Contains(out, s) {
							t.Errorf("the Vietnamese help holds the English %q:\n%s", s, out)
						}
					}
				case "en":
					if args[0] == "help" {
						out = out[strings.Index(out, "\n"):] // the title names the province
					}
					if w := vietnameseLetters.FindString(out); w != "" {
						t.Errorf("the English help holds Vietnamese (%q):\n%s", w, out)
					}
				}
			})
		}
	}
}

// TestCatalogue: every message has both languages with the same fmt verbs, so a
// translation cannot drop or reorder an argument.
func TestCatalogue(t *testing.T) {
	t.Parallel()
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	ids := msg.IDs()
	if len(ids) < 200 {
		t.Fatalf("%d messages", len(ids))
	}
	for _, id := range ids {
		vi, en := msg.Text("vi", id), msg.Text("en", id)
		if (vi == "" || en == "") && !strings.HasPrefix(id, "usage.") {
			t.Errorf("%s: vi %q en %q", id, vi, en)
		}
		if a, b := verbs.FindAllString(vi, -1), verbs.FindAllString(en, -1); strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%s: verbs %v in vi, %v in en", id, a, b)
		}
		if strings.TrimRightFunc(vi, unicode.IsSpace) != vi && !strings.HasSuffix(vi, ": ") {
			t.Errorf("%s: trailing space in %q", id, vi)
		}
	}
}
