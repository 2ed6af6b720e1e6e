package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitConfigPermissions: init writes the config (where the form tokens live)
// readable by its owner only, and warns when an existing one with tokens is readable
// by others (issue 17, item 8).
func TestInitConfigPermissions(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hashtrack.toml")
	if r := runCmd(t, cfg, "init"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if fi, err := os.Stat(cfg); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new config mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	for _, tc := range []struct {
		name   string
		text   string
		mode   os.FileMode
		warned bool
	}{
		{"tokens, readable by all", testConfig + testTokens, 0o644, true},
		{"tokens, readable by the group", testConfig + testTokens, 0o640, true},
		{"tokens, owner only", testConfig + testTokens, 0o600, false},
		{"no tokens", testConfig, 0o644, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeConfig(t, tc.text)
			if err := os.Chmod(cfg, tc.mode); err != nil {
				t.Fatal(err)
			}
			r := runCmd(t, cfg, "init")
			warned := strings.Contains(r.stderr, "chứa mã [[token]] của biểu mẫu nhưng người khác trên máy đọc được") && strings.Contains(r.stderr, "chmod 600 "+cfg)
			if r.code != 0 || warned != tc.warned {
				t.Errorf("warned %v, want %v: %+v", warned, tc.warned, r)
			}
			if fi, _ := os.Stat(cfg); fi.Mode().Perm() != tc.mode {
				t.Errorf("init changed an existing config's mode to %v", fi.Mode().Perm())
			}
		})
	}
}
