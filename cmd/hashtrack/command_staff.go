package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/internal/web"
)

// staffCommand is `hashtrack staff add NAME`.
func staffCommand() *command { return &command{name: "staff", run: runStaff} }

func runStaff(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var appendTo bool
	fs.BoolVar(&appendTo, "append", false, "")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 || rest[0] != "add" {
		return usageError("staff.usage")
	}
	name := strings.TrimSpace(rest[1])
	if name == "" || strings.ContainsAny(name, "\"\\\n") {
		return usageError("staff.bad_name")
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if _, ok := c.StaffByName(name); ok {
		return usageError("staff.exists", c.Path(), name)
	}
	pw, err := term.ReadSecretTwice(e.stdin, e.stderr, e.msg().T("staff.password"), e.msg().T("staff.again"))
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	block := fmt.Sprintf("\n[[staff]]\nname = %q\npassword_hash = %q\n", name, hash)
	if !appendTo {
		fmt.Fprint(e.stdout, e.msg().T("app.paste", c.Path())+block)
		return nil
	}
	f, err := os.OpenFile(c.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	if _, err := f.WriteString(block); err != nil {
		f.Close()
		return fmt.Errorf("staff: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	e.say("staff.added", name, c.Path())
	return nil
}
