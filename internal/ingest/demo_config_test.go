package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDemoConfig: the demo's configuration lives in its folder, with its own database
// (an earlier demo's removed) and report folder, and the example's campaign.
func TestDemoConfig(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	c, err := DemoConfig(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabasePath() != filepath.Join(dir, "demo.db") || c.ReportPath() != filepath.Join(dir, "reports") {
		t.Errorf("database %s, reports %s; want both in %s", c.DatabasePath(), c.ReportPath(), dir)
	}
	if ids := c.CampaignIDs(); len(ids) != 1 || ids[0] != "cds2023" {
		t.Errorf("campaigns %v, want the example's cds2023", ids)
	}
	if err := os.WriteFile(c.DatabasePath(), []byte("an earlier demo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := DemoConfig(dir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.DatabasePath()); !os.IsNotExist(err) {
		t.Errorf("the earlier demo's database is still there: %v", err)
	}
	// A folder that cannot be made is an error, not a demo elsewhere.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := DemoConfig(filepath.Join(file, "demo"), nil); err == nil {
		t.Error("a folder under a file: no error")
	}
}
