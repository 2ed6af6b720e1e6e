// Package hashtrack holds the files that ship inside the binary: the commented example
// configuration that `hashtrack init` writes.
package hashtrack

import _ "embed"

// ExampleConfig is config.example.toml.
//
//go:embed config.example.toml
var ExampleConfig string
