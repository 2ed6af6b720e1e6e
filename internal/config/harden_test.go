package config

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
)

// TestWeakTokensRefused: the example's placeholders and repeated characters are not
// secrets; the error names the token's index and never its value (issue 17, item 8).
func TestWeakTokensRefused(t *testing.T) {
	good := "\n[[token]]\ntoken = \"k3J9xQ2vL8mN4pR7sT1w\"\n"
	for _, tc := range []struct{ token, want string }{
		{"thay-bang-chuoi-ngau-nhien-1", "placeholder"},
		{"THAY-BANG-CHUOI-NGAU-NHIEN-2-xyz", "placeholder"},
		{"aaaaaaaaaaaaaaaa", "only 1 different characters"},
		{"abababababababababababab", "only 2 different characters"},
		{"abcdefghabcdefgh", "about 48 bits of entropy, fewer than 50"},
	} {
		t.Run(tc.token, func(t *testing.T) {
			_, err := Parse("x.toml", testConfig+good+"\n[[token]]\ntoken = \""+tc.token+"\"\n", testKinds())
			if err == nil || !strings.Contains(err.Error(), "token[1].token: too easy to guess") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want token[1] and %q", err, tc.want)
			}
			if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.token)) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	for _, tok := range []string{"k3J9xQ2vL8mN4pR7sT1w", "tanloi-0123456789abcdef"} {
		if w := WeakToken(tok); w != "" {
			t.Errorf("WeakToken(%q) = %q", tok, w)
		}
	}
}

// TestAllowNetworksPorts: allow_networks reads addresses with ports, and becomes the
// fetch client's Intranet, not its treated-as-public list (issue 17, item 5).
func TestAllowNetworksPorts(t *testing.T) {
	c, err := Parse("x.toml", testConfig+"\n[fetch]\nallow_networks = [\"10.20.0.0/16\", \"10.20.0.5:8080\", \"[fd00::5]:8443\"]\n", testKinds())
	if err != nil {
		t.Fatal(err)
	}
	opts := c.FetchOptions(netip.MustParsePrefix("127.0.0.0/8"))
	want := []fetch.Allowed{{Prefix: netip.MustParsePrefix("10.20.0.0/16")}, {Prefix: netip.MustParsePrefix("10.20.0.5/32"), Port: 8080},
		{Prefix: netip.MustParsePrefix("fd00::5/128"), Port: 8443}}
	if len(opts.Intranet) != 3 || opts.Intranet[0] != want[0] || opts.Intranet[1] != want[1] || opts.Intranet[2] != want[2] {
		t.Errorf("intranet %v, want %v", opts.Intranet, want)
	}
	if len(opts.Allow) != 1 || opts.Allow[0] != netip.MustParsePrefix("127.0.0.0/8") {
		t.Errorf("allow %v", opts.Allow)
	}
	for _, bad := range []string{"10.20.0.5:0", "intranet:80", "10.20.0.0/16:port"} {
		_, err := Parse("x.toml", testConfig+"\n[fetch]\nallow_networks = [\"10.0.0.0/8\", \""+bad+"\"]\n", testKinds())
		if err == nil || !strings.Contains(err.Error(), "fetch.allow_networks[1]") {
			t.Errorf("%s: err %v", bad, err)
		}
	}
}
