package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// commands is the command list, written out in one place (no init() registration);
// `hashtrack help` prints them in this order.
func commands() []*command {
	return []*command{
		initCommand(), submitCommand(), importCommand(), collectCommand(), sourcesCommand(), remapCommand(),
		postsCommand(), reportCommand(), sendCommand(), runCommand(), serveCommand(), tokensCommand(), staffCommand(), backupCommand(),
		reviewCommand(), checkCommand(), demoCommand(), benchCommand(), versionCommand(),
	}
}

// findCommand returns the command called name.
func findCommand(name string) (*command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return nil, false
}

// run is the whole command line: main passes the process's arguments and streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, kinds: defaultKinds()}
	return e.run(ctx, args)
}

// run parses the global flags and runs the named command. Its error reads in the
// user's language.
func (e *env) run(ctx context.Context, args []string) error {
	err := e.runCommand(ctx, args)
	if err == nil || isSilent(err) {
		return err
	}
	return &shownError{text: e.msg().Error(err), err: err}
}

func (e *env) runCommand(ctx context.Context, args []string) error {
	global := flag.NewFlagSet("hashtrack", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	e.commonFlags(global)
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = append([]string{"version"}, args[1:]...) // the flag everyone tries first
	}
	global.Usage = func() { e.printHelp(e.stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		fmt.Fprintln(e.stderr, e.msg().FlagError(err))
		return &exitError{code: exitUsage, err: err, silent: true}
	}
	if err := e.checkLang(); err != nil {
		return err
	}
	rest := global.Args()
	if len(rest) == 0 {
		e.printHelp(e.stderr)
		return &exitError{code: exitUsage, err: errors.New("no command"), silent: true}
	}
	name := rest[0]
	if name == "help" || name == "-h" || name == "--help" {
		if len(rest) > 1 {
			if c, ok := findCommand(rest[1]); ok {
				e.cmd = c
				return c.run(ctx, e, []string{"--help"})
			}
		}
		e.printHelp(e.stdout)
		return nil
	}
	c, ok := findCommand(name)
	if !ok {
		return usageError("app.unknown_command", name)
	}
	e.cmd = c
	e.setupLog()
	err := c.run(ctx, e, rest[1:])
	if store.DiskFull(err) {
		err = &exitError{code: exitUsage, err: msg.Wrap(err, "app.disk_full", err)}
	}
	if err != nil && !isSilent(err) {
		// Prefix with the command so the one line on stderr says where it came from.
		var ee *exitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.code, err: fmt.Errorf("%s: %w", name, ee.err), silent: ee.silent}
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return err
}

func (e *env) printHelp(w io.Writer) {
	p := e.msg()
	fmt.Fprintln(w, p.T("help.intro"))
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, p.T("cmd."+c.name))
	}
	fmt.Fprintln(w, p.T("help.more"))
}
