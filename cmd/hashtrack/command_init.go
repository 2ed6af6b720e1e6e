package main

import (
	"context"
	"errors"
	"os"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
)

// initCommand is `hashtrack init`.
func initCommand() *command { return &command{name: "init", run: runInit} }

func runInit(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	created := false
	info, err := os.Stat(e.configPath)
	if errors.Is(err, os.ErrNotExist) {
		// The form tokens live in this file: only its owner reads it.
		if err := config.Create(e.configPath, hashtrack.ExampleConfig); err != nil {
			return &exitError{code: exitUsage, err: msg.Errorf("app.write", e.configPath, err)}
		}
		created = true
	} else if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if !created && len(c.Token) > 0 && info.Mode().Perm()&0o077 != 0 {
		e.warn("init.readable", term.Clean(e.configPath), info.Mode().Perm(), term.Clean(e.configPath))
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	if created {
		e.say("init.created", term.Clean(e.configPath))
	} else {
		e.say("init.kept", term.Clean(e.configPath))
	}
	e.say("init.database", term.Clean(c.DatabasePath()))
	return nil
}
