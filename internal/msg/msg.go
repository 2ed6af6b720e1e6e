// Package msg is the command line's message catalogue: every text hashtrack prints on a
// terminal — messages, errors, table headers, `--help` — in Vietnamese (the default:
// the users are the province's communications staff) and English (`--lang en`, or
// `language = "en"` in the config). Texts are keyed by id in one table (catalogue.go) so
// a translation is checked in one place; a Printer renders them in one language.
//
// Library packages keep their English errors (they also reach logs and the JSON API);
// a Printer translates the ones that reach a person by sentinel or type when it prints
// them (errors.go), never by rewriting their strings.
package msg

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/report"
)

// text is one message in both languages; fmt verbs as in fmt.Sprintf.
type text struct{ vi, en string }

// Printer renders catalogue messages in one language.
type Printer struct{ lang string }

// New returns a Printer for lang ("en"; anything else is Vietnamese).
func New(lang string) Printer {
	if lang == "en" {
		return Printer{lang: "en"}
	}
	return Printer{lang: "vi"}
}

// Lang is the printer's language, "vi" or "en".
func (p Printer) Lang() string { return p.lang }

// Has reports whether the catalogue has id.
func Has(id string) bool { _, ok := catalogue[id]; return ok }

// IDs lists every message id, for tests that check the catalogue.
func IDs() []string {
	ids := make([]string, 0, len(catalogue))
	for id := range catalogue {
		ids = append(ids, id)
	}
	return ids
}

// Text is id's text in lang, without arguments applied.
func Text(lang, id string) string {
	t, ok := catalogue[id]
	if !ok {
		return "!(" + id + ")"
	}
	if lang == "en" {
		return t.en
	}
	return t.vi
}

// T is message id with args, in the printer's language. Error arguments are translated
// too. A missing id shows as !(id), which the help test looks for.
func (p Printer) T(id string, args ...any) string {
	s := Text(p.lang, id)
	if len(args) == 0 {
		return s
	}
	for i, a := range args {
		if err, ok := a.(error); ok {
			args[i] = p.Error(err)
		}
	}
	return fmt.Sprintf(s, args...)
}

// Int is n with the language's thousands separator (1.234 / 1,234).
func (p Printer) Int(n int64) string { return report.FormatInt(n, p.lang) }

// Count is a count that may be unknown: a number, or "n/a".
func (p Printer) Count(c collector.Count) string {
	if !c.Known {
		return "n/a"
	}
	return p.Int(c.N)
}

// Time is a moment as dd/mm/yyyy HH:MM in loc, or "—".
func (p Printer) Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("02/01/2006 15:04")
}

// Error is a catalogue message as an error: code builds it where the problem is known
// and the command line renders it in the user's language when it prints it. Its
// Error() is the English text (logs); Unwrap gives the cause and any error argument,
// so errors.Is and errors.As see through it.
type Error struct {
	ID    string
	Args  []any
	Cause error // wrapped but not shown: the message says it in its own words
}

// Errorf is the catalogue message id with args, as an error.
func Errorf(id string, args ...any) error { return &Error{ID: id, Args: args} }

// Wrap is message id with args as an error that wraps cause without quoting it.
func Wrap(cause error, id string, args ...any) error { return &Error{ID: id, Args: args, Cause: cause} }

func (e *Error) Error() string { return New("en").T(e.ID, clone(e.Args)...) }

func (e *Error) Unwrap() []error {
	var out []error
	if e.Cause != nil {
		out = append(out, e.Cause)
	}
	for _, a := range e.Args {
		if err, ok := a.(error); ok {
			out = append(out, err)
		}
	}
	return out
}

// Join is every error of errs on one line, separated by "; " (every wrong field at once).
func Join(errs []error) error { return joined(errs) }

type joined []error

func (j joined) Error() string {
	parts := make([]string, len(j))
	for i, e := range j {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (j joined) Unwrap() []error { return j }

func clone(args []any) []any { return append([]any(nil), args...) }

// Clip shortens s to n characters with an ellipsis.
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
