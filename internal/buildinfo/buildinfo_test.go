package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/internal/msg"
)

func TestDescribe(t *testing.T) {
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
		{"english", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"hashtrack built from source (devel) · commit unknown · go1.26.8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lang := "vi"
			if tc.name == "english" {
				lang = "en"
			}
			if got := Describe(msg.New(lang), tc.info); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestRunning: a test binary has build information, so the line names hashtrack and
// the Go version.
func TestRunning(t *testing.T) {
	got := Running(msg.New("vi"))
	if !strings.HasPrefix(got, "hashtrack ") || !strings.Contains(got, "go1.") {
		t.Errorf("Running = %q", got)
	}
}
