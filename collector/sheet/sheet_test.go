package sheet

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var testCampaign = collector.Campaign{ID: "cds", Name: "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số",
	Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Start: time.Date(2023, 3, 1, 0, 0, 0, 0, collector.DefaultLocation()),
	Location: collector.DefaultLocation()}

var testUnits = collector.Units{
	{ID: "tan-loi", Name: "Đoàn phường Tân Lợi", Aliases: []string{"Tân Lợi"}},
	{ID: "dh-y-duoc-bmt", Name: "Trường Đại học Y Dược Buôn Ma Thuột", Aliases: []string{"ĐH Y Dược BMT"}},
}

// observed is the modification time the tests give their files.
var observed = time.Date(2023, 4, 1, 0, 0, 0, 0, collector.DefaultLocation())

func testMapper(file string) *Mapper {
	return &Mapper{File: file, Source: "import:" + file, Campaigns: []collector.Campaign{testCampaign}, Units: testUnits, Observed: observed}
}

type golden struct {
	Posts    []goldenPost `json:"posts"`
	Problems []string     `json:"problems"`
}

type goldenPost struct {
	Line int            `json:"line"`
	Post collector.Post `json:"post"`
}

func mapFile(t *testing.T, name string, b []byte) golden {
	t.Helper()
	tab, err := Read(name, b, "")
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	entries, problems, err := testMapper("google_forms.csv").Map(tab)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	for _, e := range entries {
		g.Posts = append(g.Posts, goldenPost(e))
	}
	for _, p := range problems {
		g.Problems = append(g.Problems, p.String())
	}
	return g
}

func TestGoogleFormsExportGolden(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/google_forms.csv")
	if err != nil {
		t.Fatal(err)
	}
	g := mapFile(t, "google_forms.csv", b)
	got, _ := json.MarshalIndent(g, "", "  ")
	got = append(got, '\n')
	path := filepath.Join("testdata", "google_forms.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("mapping differs from %s:\n%s", path, got)
	}
	// The facts the golden file must keep, spelled out.
	if len(g.Posts) != 4 || len(g.Problems) != 3 {
		t.Fatalf("%d posts, %d problems; want 4 and 3", len(g.Posts), len(g.Problems))
	}
	wantProblems := []string{
		`google_forms.csv:6: no link (column "Đường dẫn bài viết" is empty)`,
		`google_forms.csv:7: unknown unit "Đoàn phường Tân Lộc"; closest: Đoàn phường Tân Lợi (tan-loi)`,
		`google_forms.csv:9: column "Ngày đăng": "hôm qua" is not a date or time`,
	}
	for i, w := range wantProblems {
		if !strings.HasPrefix(g.Problems[i], w) {
			t.Errorf("problem %d = %q; want prefix %q", i, g.Problems[i], w)
		}
	}
	first, multi := g.Posts[0].Post, g.Posts[1].Post
	if first.URL != "https://facebook.com/permalink.php?id=222&story_fbid=111" || first.Unit != "tan-loi" || first.Platform != "facebook" ||
		first.Metrics.Likes != collector.Known(1234) || first.Metrics.Views.Known || first.Author != "Nguyễn Văn An" {
		t.Errorf("first post %+v", first)
	}
	if got := first.ObservedAt.Format(time.RFC3339); got != "2023-03-29T08:14:05+07:00" {
		t.Errorf("timestamp read as %s", got)
	}
	if multi.Text != "Dòng một của bài,\nDòng hai \"trích dẫn\"\n#TuoitreDakLakTienphongChuyendoiso" || multi.Metrics.Likes.N != 1200 || multi.Metrics.Views.N != 2000 ||
		multi.Unit != "dh-y-duoc-bmt" || multi.PublishedAt.Format("02/01/2006 15:04") != "28/03/2023 20:30" {
		t.Errorf("multi-line post %+v", multi)
	}
}

func TestGoldenLines(t *testing.T) {
	t.Parallel()
	b, _ := os.ReadFile("testdata/google_forms.csv")
	g := mapFile(t, "google_forms.csv", b)
	var lines []int
	for _, p := range g.Posts {
		lines = append(lines, p.Line)
	}
	if !slices.Equal(lines, []int{2, 3, 8, 10}) {
		t.Errorf("good rows on lines %v; want [2 3 8 10]", lines)
	}
}
