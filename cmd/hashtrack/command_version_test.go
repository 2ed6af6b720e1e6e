package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/internal/msg"
)

func TestDescribeBuild(t *testing.T) {
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"released", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "e7a037c0a1b2c3d4e5f60718293a4b5c6d7e8f90"}, {Key: "vcs.time", Value: "2026-03-01T08:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			"hashtrack v1.4.0 · commit e7a037c0a1b2 (2026-03-01T08:00:00Z) · go1.26.8"},
		{"checkout with changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			"hashtrack bản dựng từ mã nguồn (devel) · commit abc, có thay đổi chưa commit · go1.26.8"},
		{"no vcs stamp", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260301080000-e7a037c0a1b2"}},
			"hashtrack v0.0.0-20260301080000-e7a037c0a1b2 · không rõ commit · go1.26.8"},
		{"no build info", nil, "hashtrack (không rõ phiên bản: chương trình được dựng không kèm thông tin phiên bản)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := describeBuild(msg.New("vi"), tc.info); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		var out, errb bytes.Buffer
		if err := runTest(context.Background(), args, strings.NewReader(""), &out, &errb); err != nil {
			t.Fatalf("%v: %v (%s)", args, err, errb.String())
		}
		if !strings.HasPrefix(out.String(), "hashtrack ") || !strings.Contains(out.String(), "go1.") || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("%v printed %q, want one line naming hashtrack and the Go version", args, out.String())
		}
	}
}
