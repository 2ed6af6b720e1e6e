package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func TestRemapWithoutFetching(t *testing.T) {
	t.Parallel()
	site := newFixtureSite(t)
	cfg := writeConfig(t, fmt.Sprintf(collectConfig, site.URL))
	if r := runCmd(t, cfg, "collect"); r.code != 0 {
		t.Fatalf("collect: %+v", r)
	}
	site.Close()
	// A second campaign whose tag only the first video's description carries: the raw
	// items kept are enough to file that video under it.
	two := strings.Replace(fmt.Sprintf(collectConfig, site.URL), "[[unit]]", `[[campaign]]
id = "cds2"
hashtag = "#ChuyenDoiSo"
start = 2023-03-01

[[unit]]`, 1)
	if err := os.WriteFile(cfg, []byte(two), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, cfg, "remap", "--source", "yt")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "✓ yt (youtube): 2 mục gốc, 0 bài mới, 1 bài cập nhật, 1 không đổi" {
		t.Fatalf("remap: %+v", r)
	}
	posts := postsByURL(t, cfg, "--campaign", "cds2")
	p, ok := posts["https://youtube.com/watch?v=AbCdEfGhIj1"]
	if len(posts) != 1 || !ok || !slices.Equal(p.Campaigns, []string{"cds", "cds2"}) || p.Metrics.Views != collector.Known(15873) {
		t.Fatalf("after remap: %+v", posts)
	}
	r = runCmd(t, cfg, "remap")
	if r.code != 0 || strings.Count(r.stdout, "✓ ") != 7 {
		t.Fatalf("remap all: %+v", r)
	}
	if r := runCmd(t, cfg, "remap", "--source", "nope"); r.code != 2 || !strings.Contains(r.stderr, `không có nguồn nào tên "nope"`) {
		t.Errorf("unknown source: %+v", r)
	}
}
