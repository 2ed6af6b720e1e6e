package main

import (
	"context"
	"fmt"

	"github.com/tinhdoandaklak/hashtrack/internal/buildinfo"
)

// versionCommand is `hashtrack version` (and `hashtrack --version`).
func versionCommand() *command { return &command{name: "version", run: runVersion} }

func runVersion(_ context.Context, e *env, args []string) error {
	fs := e.flags()
	if err := e.parseOnly(fs, args, "app.arg"); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, buildinfo.Running(e.msg()))
	return nil
}
