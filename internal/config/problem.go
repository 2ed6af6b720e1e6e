package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// FieldError is one problem with one key of the file. Key is the key as the user finds
// it in the file (`source "tin".unit`); Problem is the id of the words in the command
// line's message catalogue (internal/msg), which says them in Vietnamese; Args fill
// them in. Error() is the English text, for logs and the JSON API.
type FieldError struct {
	Key     string
	Problem string
	Args    []any
}

func (e *FieldError) Error() string {
	return e.Key + ": " + fmt.Sprintf(ProblemText(e.Problem), e.Args...)
}

// Unwrap gives the errors among Args (a kind's option error, a schedule's parse
// error), so a printer can translate them too.
func (e *FieldError) Unwrap() []error {
	var out []error
	for _, a := range e.Args {
		if err, ok := a.(error); ok {
			out = append(out, err)
		}
	}
	return out
}

// Problems is every field error of a file at once, in the file's order: a person fixes
// them in one go instead of reloading once per mistake.
type Problems []*FieldError

// Error is the problems on one line, separated by "; " (a log line).
func (p Problems) Error() string {
	parts := make([]string, len(p))
	for i, e := range p {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (p Problems) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

// add records one problem.
func (p *Problems) add(key, problem string, args ...any) {
	*p = append(*p, &FieldError{Key: key, Problem: problem, Args: args})
}

// kindError records what a source's kind said of its options: a collector.OptionError
// keeps its problem id, under the option's key; any other error is quoted whole.
func (p *Problems) kindError(where string, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var oe *collector.OptionError
		if errors.As(e, &oe) {
			p.add(where+"."+oe.Where(), oe.Problem, oe.Args...)
		} else {
			p.add(where, "config.kind_options", e)
		}
	}
}

// err is p as an error, nil without problems (never a typed nil).
func (p Problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

// ProblemText is the English words of a problem id (collector.OptionProblemText's for
// the options of a source's kind), fmt verbs as in fmt.Sprintf.
// The catalogue's English for the same id is this text (a test in internal/msg
// checks it), so the log and the English command line say the same.
func ProblemText(id string) string {
	if s, ok := problemTexts[id]; ok {
		return s
	}
	return collector.OptionProblemText(id)
}

// ProblemIDs lists every problem id, for the catalogue's test.
func ProblemIDs() []string {
	ids := make([]string, 0, len(problemTexts))
	for id := range problemTexts {
		ids = append(ids, id)
	}
	ids = append(ids, collector.OptionProblemIDs()...)
	slices.Sort(ids)
	return ids
}

// problemTexts are the English words of each problem; the key comes before them.
var problemTexts = map[string]string{
	"config.duration":           "%q is not a duration (write it like \"30s\", \"2h\")",
	"config.date":               "%q is not a date (write 2023-03-01 or \"01/03/2023\")",
	"config.missing":            "missing",
	"config.negative":           "must not be negative",
	"config.not_one_of":         "%q is not one of %s",
	"config.timezone":           "unknown time zone %q (for Việt Nam write \"Asia/Ho_Chi_Minh\")",
	"config.language":           "%q is not vi or en",
	"config.schedule":           "%q is not a schedule: write five fields like \"0 7 * * *\" (minute hour day month weekday) or \"@every 30m\"",
	"config.network":            "%q is not a network or address (write 192.168.1.0/24, or 192.168.1.5:8080 for a port other than 80 and 443)",
	"config.id_pattern":         "%q must be lower-case letters, digits, - or _ (like \"tan-loi\")",
	"config.duplicate_unit":     "duplicate unit id %q",
	"config.duplicate_campaign": "duplicate campaign id %q",
	"config.duplicate_source":   "duplicate source name %q",
	"config.duplicate_staff":    "duplicate staff name %q",
	"config.duplicate_token":    "duplicate token",
	"config.audience":           "%d is not a number of followers",
	"config.no_campaign":        "at least one [[campaign]] is needed",
	"config.hashtag":            "%q is not a single hashtag",
	"config.start_missing":      "missing (write start = 2023-03-01)",
	"config.end_before_start":   "%s is before start %s",
	"config.review":             "%q is not \"auto\" or \"manual\"",
	"config.no_unit_id":         "no [[unit]] has id %q",
	"config.no_campaign_id":     "no [[campaign]] has id %q",
	"config.env_name":           "%q is not an environment variable name",
	"config.kind_options":       "%v",
	"config.token_short":        "must be at least 16 characters (run `hashtrack tokens --new` for a random one)",
	"config.token_placeholder":  "too easy to guess: it is the example configuration's placeholder (run `hashtrack tokens --new` for a random one)",
	"config.token_few_chars":    "too easy to guess: only %d different characters (run `hashtrack tokens --new` for a random one)",
	"config.token_entropy":      "too easy to guess: about %.0f bits of entropy, fewer than %d (run `hashtrack tokens --new` for a random one)",
	"config.empty_word":         "empty word",
	"config.empty_author":       "empty author",
	"config.host":               "%q is not a host name (write \"example.com\")",
	"config.staff_name":         "missing, or with spaces around it",
	"config.bcrypt":             "not a bcrypt hash (run `hashtrack staff add %s` to make one)",
	"config.public_url":         "%q is not an http(s) address (write \"https://hashtrack.example.vn/\")",
	"config.retries":            "%d is not between 0 and 10",
	"config.email_host":         "missing (the mail server, like \"smtp.gmail.com\")",
	"config.security":           "%q is not starttls, tls or none",
	"config.port":               "%d is not a port",
	"config.email_from":         "missing (the sender, like \"Tỉnh Đoàn Đắk Lắk <baocao@example.vn>\")",
	"config.address":            "%q is not an address",
	"config.no_recipient":       "no recipient (write to = [\"lanhdao@example.vn\"])",
	"config.password_both":      "give password or password_env, not both",
	"config.needs_password":     "username %q needs a password (name the environment variable that holds it)",
	"config.username_missing":   "missing (a password is given)",
	"config.webhook_url":        "not an http(s) address",
	"config.secret_both":        "give secret or secret_env, not both",
	"config.secret_missing":     "missing (the receiver checks the signature made with this shared secret)",
	"config.env_unset":          "the environment variable %s is not set or empty",
	"config.ca_file":            "%v",
	"config.ca_file_pem":        "%s holds no PEM certificate",
}
