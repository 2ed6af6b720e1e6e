package bench

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestDiskPlan: the estimate comes from the constants until a size of the run has been
// measured, then from that size's files; a second run keeps two store files at once.
func TestDiskPlan(t *testing.T) {
	p := planDisk(t.TempDir(), 3_000_000, 1, nil)
	// 3M × (2,547 + 1,794) × 1.1
	if p.Need != 14_325_300_000 || p.From != 0 {
		t.Errorf("3M from the constants: need %d from %d, want 14325300000 from 0", p.Need, p.From)
	}
	measured := []*SizeResult{{N: 10_000, DBBytes: 34_000_000, BareBytes: 10_000_000}, {N: 100_000, DBBytes: 200_000_000, BareBytes: 100_000_000}}
	p = planDisk(t.TempDir(), 1_000_000, 3, measured)
	// 1M × (2,000 × 2 + 1,000) × 1.1, from the 100k figures
	if p.Need != 5_500_000_000 || p.From != 100_000 || p.ConcurrentStoreFile != 2 {
		t.Errorf("1M after 100k: need %d from %d with %d store files, want 5500000000 from 100000 with 2", p.Need, p.From, p.ConcurrentStoreFile)
	}
	p.Free = p.Need - 1
	if !p.Short() {
		t.Error("one byte short is not short")
	}
	p.Free = -1
	if p.Short() {
		t.Error("unknown free space refused")
	}
}

// TestDiskRefusal: a size the folder has no room for is refused before anything is
// written, with a Vietnamese message that says what is needed and what to do.
func TestDiskRefusal(t *testing.T) {
	dir := t.TempDir()
	var progress strings.Builder
	_, err := Run(context.Background(), Options{Sizes: []int{10_000}, Runs: 1, Dir: dir, Kinds: testKinds, Progress: &progress,
		freeDisk: func(string) int64 { return 1 << 20 }})
	if !errors.Is(err, ErrDisk) {
		t.Fatalf("err %v, want ErrDisk", err)
	}
	for _, want := range []string{"không đủ chỗ trên đĩa", "10k bài cần khoảng 46 MiB", "chỉ còn trống 1 MiB", "--dir", "bỏ cỡ 10k"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q lacks %q", err, want)
		}
	}
	if !strings.Contains(progress.String(), "bench: 10k bài cần khoảng") {
		t.Errorf("the disk needed was not printed first:\n%s", progress.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files written before the refusal", len(entries))
	}
}
