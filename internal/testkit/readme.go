package testkit

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

var tomlBlock = regexp.MustCompile("(?s)```toml\n(.*?)```")

// READMEBlocks returns the TOML examples of the README section under heading (a line
// "## heading…", up to the next "## "), so a test can load what a user would copy. It
// fails the test when the section is missing or holds other than want blocks. readme is
// the README's path from the test's package.
func READMEBlocks(t testing.TB, readme, heading string, want int) []string {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	_, doc, ok := strings.Cut(string(b), "\n## "+heading)
	if !ok {
		t.Fatalf("README has no section %q", heading)
	}
	doc, _, _ = strings.Cut(doc, "\n## ")
	var out []string
	for _, m := range tomlBlock.FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	if len(out) != want {
		t.Fatalf("%d toml blocks in the README's section %q, want %d", len(out), heading, want)
	}
	return out
}
