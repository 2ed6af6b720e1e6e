package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
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
	a := config.StaffConfig{Name: name, PasswordHash: hash}
	if !appendTo {
		fmt.Fprint(e.stdout, e.msg().T("app.paste", c.Path())+a.TOML())
		return nil
	}
	if err := config.AppendStaff(c.Path(), a); err != nil {
		return err
	}
	e.say("staff.added", name, c.Path())
	return nil
}
