package msg

import (
	"errors"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// sentinels are the library errors a person meets at the command line, by the
// catalogue id of their Vietnamese text.
var sentinels = []struct {
	err error
	id  string
}{
	{collector.ErrTooLarge, "err.too_large"},
	{collector.ErrNegative, "err.negative"},
	{collector.ErrNoURL, "err.no_url"},
	{canon.ErrScheme, "err.canon_scheme"},
	{canon.ErrCredentials, "err.canon_credentials"},
	{canon.ErrNoHost, "err.canon_no_host"},
	{canon.ErrMalformed, "err.canon_malformed"},
	{store.ErrLocked, "err.locked"},
	{store.ErrSchema, "err.schema"},
	{store.ErrDamaged, "err.damaged"},
	{config.ErrNotFound, "err.config_not_found"},
	{config.ErrUnknownKey, "err.config_unknown_key"},
	{review.ErrNothingToCorrect, "err.nothing_to_correct"},
	{review.ErrNoReason, "review.no_reason"},
	{review.ErrNoUnit, "review.no_unit"},
}

// Error is err's text in the printer's language. It walks err's chain: a catalogue
// Error renders itself; a library sentinel or typed error the catalogue knows becomes
// its Vietnamese text; any other wrapper keeps its own words around its translated
// causes. English is the libraries' own text.
func (p Printer) Error(err error) string {
	if err == nil {
		return ""
	}
	var me *Error
	if errors.As(err, &me) && me == err {
		return p.T(me.ID, clone(me.Args)...)
	}
	if p.lang == "en" {
		var ce *config.Error
		if errors.As(err, &ce) {
			if s, ok := p.configProblems(ce); ok {
				return strings.Replace(err.Error(), ce.Error(), s, 1)
			}
		}
		return err.Error()
	}
	if s, ok := p.typed(err); ok {
		return s
	}
	for _, s := range sentinels {
		if err == s.err {
			return p.T(s.id)
		}
	}
	s := err.Error()
	var inner []error
	switch w := err.(type) {
	case interface{ Unwrap() error }:
		inner = []error{w.Unwrap()}
	case interface{ Unwrap() []error }:
		inner = w.Unwrap()
	}
	for _, in := range inner {
		if in == nil {
			continue
		}
		if t := p.Error(in); t != in.Error() {
			s = strings.Replace(s, in.Error(), t, 1)
		}
	}
	return s
}

// typed renders the library errors that carry data.
func (p Printer) typed(err error) (string, bool) {
	switch e := err.(type) {
	case *collector.ValueError:
		return p.T("err.value_"+e.Want, e.Value), true
	case *collector.UnknownUnitError:
		if len(e.Closest) == 0 {
			return p.T("err.unit_unknown", e.Given), true
		}
		names := make([]string, len(e.Closest))
		for i, u := range e.Closest {
			names[i] = u.Name + " (" + u.ID + ")"
		}
		if e.Ambiguous {
			return p.T("err.unit_ambiguous", e.Given, strings.Join(names, ", ")), true
		}
		return p.T("err.unit_closest", e.Given, strings.Join(names, ", ")), true
	case *config.Error:
		if s, ok := p.configProblems(e); ok {
			return s, true
		}
		if e.Err != nil {
			return p.T("err.config", e.Path, p.Error(e.Err)), true
		}
		return p.T("err.config", e.Path, e.Msg), true
	case *config.FieldError:
		return p.field(e), true
	case config.Problems:
		lines := make([]string, len(e))
		for i, fe := range e {
			lines[i] = p.field(fe)
		}
		return strings.Join(lines, "; "), true
	case *collector.OptionError:
		return p.T("err.option", e.Source, e.Where(), p.T(e.Problem, clone(e.Args)...)), true
	case *config.CampaignError:
		if e.Given == "" {
			return p.T("config.campaign_choose", strings.Join(e.Known, ", ")), true
		}
		return p.T("config.campaign_unknown", e.Given, e.Path, strings.Join(e.Known, ", ")), true
	case *config.SyntaxError:
		return p.T("err.config_syntax", e.Line, e.Message), true
	case *ingest.UnknownSourceError:
		return p.T("err.no_source", e.Name, e.ConfigPath), true
	case *review.PlatformError:
		return p.T("posts.platform", e.Given, strings.Join(canon.Platforms, ", ")), true
	}
	return "", false
}

// field is one problem of the config file: its key, then the catalogue's words.
func (p Printer) field(e *config.FieldError) string {
	return e.Key + ": " + p.T(e.Problem, clone(e.Args)...)
}

// configProblems renders a config file with several problems one per line, in both
// languages: a person reads the list and fixes every key before running again.
func (p Printer) configProblems(e *config.Error) (string, bool) {
	var probs config.Problems
	if !errors.As(e.Err, &probs) || len(probs) < 2 {
		return "", false
	}
	var b strings.Builder
	b.WriteString(p.T("err.config", e.Path, p.T("err.config_problems", len(probs))))
	for _, fe := range probs {
		b.WriteString("\n  - " + p.field(fe))
	}
	return b.String(), true
}
