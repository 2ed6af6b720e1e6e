package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// DemoConfig is the configuration `hashtrack demo` works in: the example configuration
// (its campaign and units, which the sample is written for) placed in dir, with a
// database of its own, demo.db, started afresh so a second demo counts the same, and
// its reports in dir/reports. A user's configuration and database are never read.
func DemoConfig(dir string, kinds collector.Kinds) (*config.Config, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("ingest: demo: %w", err)
	}
	c, err := config.Parse(filepath.Join(dir, "hashtrack.toml"), hashtrack.ExampleConfig, kinds)
	if err != nil {
		return nil, err
	}
	c.Database = "demo.db"
	c.ReportDir = "reports"
	if err := os.Remove(c.DatabasePath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("ingest: demo: %w", err)
	}
	return c, nil
}
