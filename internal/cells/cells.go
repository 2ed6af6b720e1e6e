// Package cells keeps the spreadsheet cells hashtrack writes (the report's CSV, the
// review audit export) from running as formulas. It is its own package because report
// imports review, so neither can hold the one rule for both.
package cells

import "strings"

// Neutralize defuses a cell a spreadsheet would run as a formula (= + - @, or a tab or
// carriage return in front of one) by prefixing a single quote, at the start and after
// every separator a spreadsheet may split on: Vietnamese Excel splits a CSV on ';',
// so a title "Bài viết;=1+1;x" written unquoted in a comma-separated file would
// otherwise become a formula cell.
func Neutralize(s string) string {
	var b strings.Builder
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if start && strings.IndexByte("=+-@\t\r", c) >= 0 {
			b.WriteByte('\'')
		}
		b.WriteByte(c)
		// A part after a separator (or a line break) is a cell of its own to a
		// spreadsheet that splits there.
		start = strings.IndexByte(",;\t\r\n", c) >= 0
	}
	return b.String()
}
