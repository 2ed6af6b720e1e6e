// Package term makes text from outside safe to print on the operator's terminal. A
// file name, a sheet name, a page title or a source's error can carry control
// characters: printed raw, an escape sequence erases lines, moves the cursor or
// retitles the terminal, and a bidirectional override makes a name read backwards.
// Every command prints such text through Clean (or CleanLines).
package term

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean returns s with every control character written as an escape (\x1b, \n, \t,
// \u202e…) and every invalid UTF-8 byte as \xNN, on one line. Text without them comes
// back unchanged.
func Clean(s string) string { return clean(s, false) }

// CleanLines is Clean keeping line breaks, for messages of several lines.
func CleanLines(s string) string { return clean(s, true) }

func clean(s string, keepNewlines bool) string {
	if !needsCleaning(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports the characters above ASCII a terminal acts on or that reorder
// what follows: C1 controls (U+0080–U+009F, 0x9b is a one-byte CSI) and the
// bidirectional marks, embeddings, overrides and isolates.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func needsCleaning(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(c == '\n' && keepNewlines)) || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafeRune(r) {
			return true
		}
		i += n
	}
	return false
}
