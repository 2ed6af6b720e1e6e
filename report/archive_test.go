package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// archiveOptions is the day's archive of the fixture campaign, written on 08/03/2023.
func archiveOptions(dir string) ArchiveOptions {
	return ArchiveOptions{
		Dir: dir, Campaigns: []collector.Campaign{fixtureCampaign}, Units: fixtureUnits,
		Sources: map[string][]string{"cds": fixtureSources}, Now: fixtureNow, Location: hcm,
		StaleAfter: 48 * time.Hour, TopN: 3,
	}
}

func TestWriteArchiveFolder(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	dir := t.TempDir()
	// A campaign that starts after today has no period yet: it fails, the other is
	// still written, and the index too.
	later := collector.Campaign{ID: "later", Name: "Chiến dịch sau", Hashtag: "#Sau", Start: at(1, 4, 0, 0), Location: hcm}
	o := archiveOptions(dir)
	o.Campaigns = append(o.Campaigns, later)
	paths, err := WriteArchive(context.Background(), st, o)
	if err == nil || !strings.Contains(err.Error(), "campaign later") || errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("err = %v, want the failure of campaign later alone", err)
	}
	want := []string{
		filepath.Join(dir, "cds", "2023-03-08.html"), filepath.Join(dir, "cds", "latest.html"), filepath.Join(dir, "cds", "2023-03-08.txt"),
		filepath.Join(dir, "index.html"), filepath.Join(dir, "ECHARTS-LICENSE.txt"), filepath.Join(dir, "ECHARTS-NOTICE.txt"),
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range want {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	digest, err := os.ReadFile(filepath.Join(dir, "cds", "2023-03-08.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The whole campaign up to today: 9 posts; 3 of the 4 configured sources are stale.
	for _, w := range []string{"tổng cộng 9 bài", "3/4 nguồn quá hạn"} {
		if !strings.Contains(string(digest), w) {
			t.Errorf("digest lacks %q:\n%s", w, digest)
		}
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`href="cds/latest.html"`, `href="cds/2023-03-08.html"`, fixtureCampaign.Name} {
		if !strings.Contains(string(index), w) {
			t.Errorf("index lacks %s", w)
		}
	}
	if strings.Contains(string(index), "later/") {
		t.Error("the index lists the campaign that failed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("%d entries in the report folder, want cds/ and 3 files", len(entries))
	}
}

func TestWriteArchiveOneReport(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		o := archiveOptions(dir)
		o.From, o.To, o.Format, o.File = at(5, 3, 0, 0), at(7, 3, 0, 0), "json", filepath.Join(dir, "out", "cds.json")
		paths, err := WriteArchive(context.Background(), st, o)
		if err != nil || len(paths) != 1 || paths[0] != o.File {
			t.Fatalf("paths %v, err %v", paths, err)
		}
		b, err := os.ReadFile(o.File)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			PostsInPeriod int64  `json:"posts_in_period"`
			Engagement    *int64 `json:"engagement"`
			Views         *int64 `json:"views"`
			Sources       []struct {
				Name  string `json:"name"`
				Stale bool   `json:"stale"`
			} `json:"sources"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.PostsInPeriod != 5 || doc.Engagement == nil || *doc.Engagement != 48 || doc.Views == nil || *doc.Views != 2000 {
			t.Errorf("posts %d engagement %v views %v, want 5, 48, 2000", doc.PostsInPeriod, doc.Engagement, doc.Views)
		}
		if len(doc.Sources) != len(fixtureSources) || doc.Sources[3].Name != "never" || !doc.Sources[3].Stale {
			t.Errorf("sources %+v, want the 4 configured, the last never ran", doc.Sources)
		}
		if _, err := os.Stat(filepath.Join(dir, "index.html")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("one file asked for, an index written too (%v)", err)
		}
	})
	t.Run("writer", func(t *testing.T) {
		dir := t.TempDir()
		var b bytes.Buffer
		o := archiveOptions(dir)
		o.From, o.To, o.Format, o.Out, o.Campaign = at(5, 3, 0, 0), at(7, 3, 0, 0), "text", &b, "cds"
		paths, err := WriteArchive(context.Background(), st, o)
		if err != nil || len(paths) != 0 {
			t.Fatalf("paths %v, err %v", paths, err)
		}
		if !strings.HasPrefix(b.String(), "Chiến dịch "+fixtureCampaign.Name) || strings.Count(b.String(), "\n") != 7 {
			t.Errorf("digest:\n%s", b.String())
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%d files written besides the writer", len(entries))
		}
	})
}

func TestWriteArchiveInvalidOptions(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	two := []collector.Campaign{fixtureCampaign, {ID: "b", Name: "B", Hashtag: "#B", Start: at(1, 3, 0, 0), Location: hcm}}
	for _, tc := range []struct {
		name string
		edit func(o *ArchiveOptions)
		want string
	}{
		{"format", func(o *ArchiveOptions) { o.Format = "pdf" }, `format "pdf" is not one of html, text, csv, json`},
		{"campaign", func(o *ArchiveOptions) { o.Campaign = "nope" }, `no campaign "nope" (known: cds)`},
		{"one file, two campaigns", func(o *ArchiveOptions) { o.Campaigns, o.File = two, "x.html" }, "choose one of cds, b"},
		{"one writer, two campaigns", func(o *ArchiveOptions) { o.Campaigns, o.Out = two, &bytes.Buffer{} }, "choose one of cds, b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := archiveOptions(dir)
			tc.edit(&o)
			paths, err := WriteArchive(context.Background(), st, o)
			if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrInvalidOptions saying %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(paths) != 0 || len(entries) != 0 {
				t.Errorf("wrote %v (%d entries) on invalid options", paths, len(entries))
			}
		})
	}
}

// TestIndexListsEveryRendering: the index lists each day with links to every rendering
// written for it, newest first, whichever format the last run wrote.
func TestIndexListsEveryRendering(t *testing.T) {
	st := openFixture(t, fixturePosts())
	dir := t.TempDir()
	for _, f := range []string{"html", "csv", "json", "xlsx"} {
		o := archiveOptions(dir)
		o.Format = f
		if _, err := WriteArchive(context.Background(), st, o); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	o := archiveOptions(dir)
	o.To, o.Format = at(7, 3, 0, 0), "json" // an earlier day, JSON only
	if _, err := WriteArchive(context.Background(), st, o); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cds", "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	o.Format = "text"
	o.To = time.Time{}
	if _, err := WriteArchive(context.Background(), st, o); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(index)
	want := `<tr><td>08/03/2023</td><td><a href="cds/2023-03-08.html">HTML</a> <a href="cds/2023-03-08.txt">Bản tin</a> <a href="cds/2023-03-08.csv">CSV</a> <a href="cds/2023-03-08.json">JSON</a> <a href="cds/2023-03-08.xlsx">Excel</a></td></tr>`
	if !strings.Contains(html, want) {
		t.Errorf("index lacks the row\n%s\nin\n%s", want, html)
	}
	older := `<tr><td>07/03/2023</td><td><a href="cds/2023-03-07.json">JSON</a> </td></tr>`
	if !strings.Contains(html, older) || strings.Index(html, older) < strings.Index(html, want) {
		t.Errorf("index lacks %s after the newer day", older)
	}
	if strings.Contains(html, "notes.txt") {
		t.Error("the index lists a file that is not a report")
	}
	body, err := os.ReadFile(filepath.Join(dir, "cds", "2023-03-08.xlsx"))
	if err != nil || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("the xlsx report is not a workbook (%v)", err)
	}
}
