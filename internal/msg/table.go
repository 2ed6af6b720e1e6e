package msg

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tinhdoandaklak/hashtrack/internal/term"
)

// Table prints aligned columns: the one table printer of the command line (posts,
// sources, the review queue, a post's history, tokens). Cells from outside are escaped
// so that a name cannot drive the terminal or break the columns.
type Table struct {
	tw     *tabwriter.Writer
	indent string
}

// Table starts a table on w under the header id, a tab-separated catalogue text ("" for
// none; an indented table's header starts with a tab).
func (p Printer) Table(w io.Writer, header string) *Table {
	t := &Table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	if header != "" {
		h := Text(p.lang, header)
		if rest, ok := strings.CutPrefix(h, "\t"); ok {
			t.indent, h = "  ", rest
		}
		fmt.Fprintln(t.tw, t.indent+h)
	}
	return t
}

// Row adds a row; each cell is printed with %v.
func (t *Table) Row(cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = strings.ReplaceAll(term.Clean(fmt.Sprint(c)), "\t", " ")
	}
	fmt.Fprintln(t.tw, t.indent+strings.Join(s, "\t"))
}

// Indent indents every row by two spaces (a table under a heading line).
func (t *Table) Indent() *Table { t.indent = "  "; return t }

// Flush writes the aligned table.
func (t *Table) Flush() error { return t.tw.Flush() }
