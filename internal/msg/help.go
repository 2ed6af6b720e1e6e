package msg

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// Help prints a command's `--help`: its usage line and summary ("usage.NAME",
// "cmd.NAME") and every option with its text from the catalogue ("NAME -FLAG", or
// "-FLAG" for the options every command has). An option the catalogue lacks shows the
// usage text it was defined with.
func (p Printer) Help(w io.Writer, fs *flag.FlagSet, name string) {
	fmt.Fprintln(w, p.T("help.usage", strings.TrimSpace(name+" "+Text(p.lang, "usage."+name)), Text(p.lang, "cmd."+name)))
	fmt.Fprintln(w, p.T("help.options"))
	sub := strings.TrimPrefix(fs.Name(), "hashtrack ")
	fs.VisitAll(func(f *flag.Flag) {
		usage := f.Usage
		for _, id := range []string{sub + " -" + f.Name, name + " -" + f.Name, "-" + f.Name} {
			if Has(id) {
				usage = Text(p.lang, id)
				break
			}
		}
		shown := &flag.Flag{Name: f.Name, Usage: usage, Value: f.Value, DefValue: f.DefValue}
		arg, text := flag.UnquoteUsage(shown)
		line := "  -" + f.Name
		if arg != "" {
			if vi, ok := typeNames[arg]; ok && p.lang == "vi" {
				arg = vi
			}
			line += " " + arg
		}
		line += "\n    \t" + strings.ReplaceAll(text, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.Name != "config" && f.Name != "lang" {
			line += p.T("help.default", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

// typeNames are the flag package's placeholders for options whose text names none.
var typeNames = map[string]string{"string": "GIÁ_TRỊ", "int": "N", "uint64": "N", "duration": "THỜI_GIAN", "value": "GIÁ_TRỊ"}

// FlagError is the flag package's complaint in the printer's language (the package has
// no sentinels: its few sentences are recognised by their start).
func (p Printer) FlagError(err error) string {
	s := err.Error()
	for _, f := range []struct{ prefix, id string }{
		{"flag provided but not defined: ", "flag.undefined"},
		{"flag needs an argument: ", "flag.needs_arg"},
		{"bad flag syntax: ", "flag.syntax"},
		{"invalid boolean value ", "flag.invalid"},
		{"invalid value ", "flag.invalid"},
		{"invalid boolean flag ", "flag.invalid"},
	} {
		if rest, ok := strings.CutPrefix(s, f.prefix); ok {
			// invalid value "x" for flag -n: parse error
			if value, name, ok := strings.Cut(rest, " for flag "); ok && f.id == "flag.invalid" {
				name, _, _ = strings.Cut(name, ":")
				return p.T("flag.invalid_value", value, name)
			}
			return p.T(f.id, rest)
		}
	}
	return s
}
