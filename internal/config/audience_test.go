package config

import (
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestUnitAudience: `audience` of a [[unit]] is its followers outside connected
// accounts; absent stays unknown, never 0; a negative number is refused.
func TestUnitAudience(t *testing.T) {
	text := testConfig + "\n[[unit]]\nid = \"ea-kar\"\nname = \"Huyện Đoàn Ea Kar\"\naudience = 1500\n" +
		"\n[[unit]]\nid = \"y-duoc\"\nname = \"Trường Đại học Y Dược\"\naudience = 0\n"
	c, err := Parse("x.toml", text, testKinds())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]collector.Count{"tan-loi": {}, "ea-kar": collector.Known(1500), "y-duoc": collector.Known(0)}
	for _, u := range c.Units() {
		if u.Audience != want[u.ID] {
			t.Errorf("unit %s: audience %+v, want %+v", u.ID, u.Audience, want[u.ID])
		}
	}
	_, err = Parse("x.toml", testConfig+"\n[[unit]]\nid = \"ea-kar\"\nname = \"Ea Kar\"\naudience = -5\n", testKinds())
	if err == nil || !strings.Contains(err.Error(), "unit[1] (ea-kar).audience") {
		t.Errorf("negative audience: %v", err)
	}
}
