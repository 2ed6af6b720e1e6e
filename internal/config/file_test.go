package config

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

// TestNewTokenEntropy: `tokens --new` makes tokens of at least 96 random bits that
// the config's entropy check accepts.
func TestNewTokenEntropy(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		tok := NewToken()
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b)*8 < 96 {
			t.Fatalf("token %q: %d random bits (%v)", tok, len(b)*8, err)
		}
		if why := WeakToken(tok); why != "" {
			t.Fatalf("a new token is refused: %s", why)
		}
		if seen[tok] {
			t.Fatalf("token %q twice", tok)
		}
		seen[tok] = true
	}
}

// TestCreateKeepsExisting: Create writes a file only its owner reads and never
// replaces one.
func TestCreateKeepsExisting(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hashtrack.toml")
	if err := Create(path, "a = 1\n"); err != nil {
		t.Fatal(err)
	}
	if err := Create(path, "b = 2\n"); !os.IsExist(err) {
		t.Errorf("second create: %v, want an exists error", err)
	}
	b, _ := os.ReadFile(path)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "a = 1\n" || info.Mode().Perm() != 0o600 {
		t.Errorf("file %q mode %v, want the first text, 0600", b, info.Mode().Perm())
	}
}
