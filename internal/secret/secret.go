// Package secret holds the one type for a password, signing key or API token read
// from the configuration or the environment. It prints, logs and marshals as "[ẩn]",
// so a secret never reaches a log line, an error message, a report or the database;
// the one call that needs the value asks for it with Reveal.
package secret

import "log/slog"

// Secret is a password, a signing key or an access token.
type Secret string

const hidden = "[ẩn]"

func (s Secret) String() string   { return hidden }
func (s Secret) GoString() string { return hidden }

// MarshalText hides the value from JSON, TOML and slog's text and JSON handlers.
func (s Secret) MarshalText() ([]byte, error) { return []byte(hidden), nil }

// UnmarshalText reads the value from the configuration file.
func (s *Secret) UnmarshalText(b []byte) error { *s = Secret(b); return nil }

// LogValue hides the value from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(hidden) }

// Reveal returns the secret itself, for the one call that needs it.
func (s Secret) Reveal() string { return string(s) }
