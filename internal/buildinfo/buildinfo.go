// Package buildinfo says what a hashtrack binary knows of itself (its version, commit
// and Go version), in the user's language: the line staff paste when they report a
// problem. The command line prints it; the build information is not a flag.
package buildinfo

import (
	"runtime/debug"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/msg"
)

// Running describes the running binary (debug.ReadBuildInfo).
func Running(p msg.Printer) string {
	info, _ := debug.ReadBuildInfo()
	return Describe(p, info)
}

// Describe writes what info says of the binary: the module version (set by `go install
// …@vX`; "(devel)" for a build from a checkout), the commit and its time from the VCS
// stamp, whether the tree had uncommitted changes, and the Go version. A nil info (a
// binary built without it) is said so.
func Describe(p msg.Printer, info *debug.BuildInfo) string {
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
