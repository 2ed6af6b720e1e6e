package graph

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

// Every TOML example in the README's section on Meta's API loads: a user copying one
// gets a valid config.
func TestDocsExamplesLoad(t *testing.T) {
	t.Parallel()
	blocks := testkit.READMEBlocks(t, "../../README.md", "Facebook Page and Instagram through Meta's API", 2)
	text := `database = "data/t.db"
[[campaign]]
id = "cds2026"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2026-11-01
[[unit]]
id = "tinh-doan"
name = "Tỉnh Đoàn Đắk Lắk"
`
	for _, b := range blocks {
		text += b
	}
	kinds := collector.Kinds{"facebook_page": NewFacebookPage, "instagram_hashtag": NewInstagramHashtag}
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "hashtrack.toml"), text, kinds)
	if err != nil {
		t.Fatal(err)
	}
	srcs := cfg.Sources()
	if len(srcs) != 2 || srcs[0].Kind != "facebook_page" || srcs[0].TokenEnv != "FB_PAGE_TOKEN_TINH_DOAN" || srcs[1].Kind != "instagram_hashtag" {
		t.Fatalf("%+v", srcs)
	}
	// The README's warning holds: a weekday schedule leaves the weekend unread.
	bad := strings.Replace(text, `schedule = "0 */4 * * *"`, `schedule = "0 7 * * 1-5"`, 1)
	if _, err := config.Parse(filepath.Join(t.TempDir(), "hashtrack.toml"), bad, kinds); err == nil || !strings.Contains(err.Error(), "only the last 24 hours") {
		t.Fatalf("%v", err)
	}
}
