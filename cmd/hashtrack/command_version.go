package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

// versionCommand is `hashtrack version` (and `hashtrack --version`).
func versionCommand() *command {
	return &command{
		name:    "version",
		usage:   "",
		summary: "in phiên bản của chương trình (phiên bản mô-đun, commit, phiên bản Go)",
		run:     runVersion,
	}
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := e.flags()
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %q", pos[0])
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, describeBuild(info))
	return nil
}

// describeBuild writes what the binary knows of itself: the module version (set by
// `go install …@vX`; "(devel)" for a build from a checkout), the commit and its time
// from the VCS stamp, whether the tree had uncommitted changes, and the Go version.
// Staff paste this line when they report a problem.
func describeBuild(info *debug.BuildInfo) string {
	if info == nil {
		return "hashtrack (không rõ phiên bản: chương trình được dựng không kèm thông tin phiên bản)"
	}
	version := info.Main.Version
	if version == "" || version == "(devel)" {
		version = "bản dựng từ mã nguồn (devel)"
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
			c += ", có thay đổi chưa commit"
		}
		parts = append(parts, c)
	} else {
		parts = append(parts, "không rõ commit")
	}
	parts = append(parts, info.GoVersion)
	return strings.Join(parts, " · ")
}
