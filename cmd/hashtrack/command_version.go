package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/msg"
)

// versionCommand is `hashtrack version` (and `hashtrack --version`).
func versionCommand() *command { return &command{name: "version", run: runVersion} }

func runVersion(_ context.Context, e *env, args []string) error {
	fs := e.flags()
	if err := e.parseOnly(fs, args, "app.arg"); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, describeBuild(e.msg(), info))
	return nil
}

// describeBuild writes what the binary knows of itself: the module version (set by
// `go install …@vX`; "(devel)" for a build from a checkout), the commit and its time
// from the VCS stamp, whether the tree had uncommitted changes, and the Go version.
// Staff paste this line when they report a problem.
func describeBuild(p msg.Printer, info *debug.BuildInfo) string {
	if info == nil {
		return p.T("version.unknown")
	}
	version := info.Main.Version
	if version == "" || version == "(devel)" {
		version = p.T("version.devel")
	}
	var commit, when string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	parts := []string{"hashtrack " + version}
	if commit != "" {
		c := "commit " + commit[:min(len(commit), 12)]
		if when != "" {
			c += " (" + when + ")"
		}
		if modified {
			c += p.T("version.modified")
		}
		parts = append(parts, c)
	} else {
		parts = append(parts, p.T("version.no_commit"))
	}
	parts = append(parts, info.GoVersion)
	return strings.Join(parts, " · ")
}
