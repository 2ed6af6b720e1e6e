package review

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRefsFrom(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "links.txt")
	if err := os.WriteFile(file, []byte("# hôm nay\nhttps://zalo.me/b\n\n  p-3  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		from  string
		stdin string
		want  []string
		err   error
	}{
		{"arguments", []string{"https://zalo.me/a", "p-1"}, "", "", []string{"https://zalo.me/a", "p-1"}, nil},
		{"arguments then the file", []string{"https://zalo.me/a"}, file, "", []string{"https://zalo.me/a", "https://zalo.me/b", "p-3"}, nil},
		{"stdin", nil, "-", "p-9\n#x\np-8\n", []string{"p-9", "p-8"}, nil},
		{"none", nil, "", "", nil, ErrNoRefs},
		{"empty file", nil, "-", "# only a comment\n", nil, ErrNoRefs},
		{"missing file", []string{"p-1"}, filepath.Join(t.TempDir(), "absent.txt"), "", nil, os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RefsFrom(tc.args, tc.from, strings.NewReader(tc.stdin))
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("refs %q, want %q", got, tc.want)
			}
		})
	}
}
