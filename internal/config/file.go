package config

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
)

// Create writes text as a new configuration file at path, readable by its owner only
// (the form tokens and staff password hashes live in it). An existing file is never
// replaced, so its permissions are never widened either.
func Create(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// NewToken is a random form token: 18 bytes, 24 URL-safe characters, which WeakToken
// accepts.
func NewToken() string {
	b := make([]byte, 18)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TOML is the [[token]] table of t, to paste into the configuration file.
func (t TokenConfig) TOML() string {
	s := fmt.Sprintf("[[token]]\ntoken = %q\n", t.Token)
	if t.Unit != "" {
		s += fmt.Sprintf("unit = %q\n", t.Unit)
	}
	if t.Campaign != "" {
		s += fmt.Sprintf("campaign = %q\n", t.Campaign)
	}
	return s
}

// TOML is the [[staff]] table of a, after a blank line, to paste into or append to
// the configuration file.
func (a StaffConfig) TOML() string {
	return fmt.Sprintf("\n[[staff]]\nname = %q\npassword_hash = %q\n", a.Name, a.PasswordHash)
}

// AppendStaff adds a's [[staff]] table at the end of the configuration file at path.
func AppendStaff(path string, a StaffConfig) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if _, err := f.WriteString(a.TOML()); err != nil {
		f.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// UnitName is the name of the configured unit id, the id itself when no unit has it
// any longer, and "" for no unit.
func (c *Config) UnitName(id string) string {
	if u, ok := c.Units().ByID(id); ok {
		return u.Name
	}
	return id
}
