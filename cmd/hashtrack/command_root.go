package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
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

// run parses the global flags and runs the named command.
func (e *env) run(ctx context.Context, args []string) error {
	global := flag.NewFlagSet("hashtrack", flag.ContinueOnError)
	global.SetOutput(e.stderr)
	e.commonFlags(global)
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = append([]string{"version"}, args[1:]...) // the flag everyone tries first
	}
	global.Usage = func() { printHelp(e.stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: exitUsage, err: err, silent: true}
	}
	rest := global.Args()
	if len(rest) == 0 {
		printHelp(e.stderr)
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
		printHelp(e.stdout)
		return nil
	}
	c, ok := findCommand(name)
	if !ok {
		return usageError("unknown command %q; run `hashtrack help` for the list", name)
	}
	e.cmd = c
	e.setupLog()
	err := c.run(ctx, e, rest[1:])
	if diskFull(err) {
		err = &exitError{code: exitUsage, err: fmt.Errorf("%w\nthe disk is full (or a file size limit was reached): the failed step was not saved and the database keeps everything saved before; free some space, then run `hashtrack check`", err)}
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

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "hashtrack — theo dõi bài đăng của chiến dịch hashtag (Tỉnh Đoàn Đắk Lắk)")
	fmt.Fprintln(w, "\nCách dùng: hashtrack [--config FILE] LỆNH [tùy chọn]\n\nCác lệnh:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n`hashtrack LỆNH --help` cho chi tiết từng lệnh.")
}
