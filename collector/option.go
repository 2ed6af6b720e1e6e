package collector

import (
	"fmt"
	"slices"
)

// OptionError is one bad option of a source, found when its kind checks
// [source.options] as the config loads. Problem is the id of its words in the command
// line's catalogue (internal/msg), which says them in Vietnamese; Error() is the
// English, with the kind and the source for the log.
type OptionError struct {
	Kind, Source string
	// Key is the option ("charset"); "" for the options as a whole.
	Key     string
	Problem string
	Args    []any
}

func (e *OptionError) Error() string {
	s := fmt.Sprintf("source %q: %s: %s", e.Source, e.Where(), fmt.Sprintf(OptionProblemText(e.Problem), e.Args...))
	if e.Kind != "" {
		s = e.Kind + ": " + s
	}
	return s
}

// Where is the key as the config file has it: "options.charset", or "options".
func (e *OptionError) Where() string {
	if e.Key == "" {
		return "options"
	}
	return "options." + e.Key
}

// OptionProblemText is the English words of an option problem id.
func OptionProblemText(id string) string {
	if s, ok := optionProblems[id]; ok {
		return s
	}
	return id
}

// OptionProblemIDs lists the option problem ids, for the catalogue's test.
func OptionProblemIDs() []string {
	ids := make([]string, 0, len(optionProblems))
	for id := range optionProblems {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// optionProblems are the problems most kinds share; a kind's own keep their English.
var optionProblems = map[string]string{
	"config.option_unknown":  "unknown option %q (the %s kind has: %s)",
	"config.option_known":    "unknown option %q (known: %s)",
	"config.option_none":     "unknown option %q (the %s kind has none)",
	"config.option_string":   "must be a string",
	"config.option_bool":     "must be true or false",
	"config.option_range":    "must be a whole number from %d to %d",
	"config.option_selector": "must be a CSS selector (text)",
}
