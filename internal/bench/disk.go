package bench

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrDisk means the working folder lacks the disk a size needs: nothing of that size
// was written.
var ErrDisk = errors.New("bench: không đủ chỗ trên đĩa")

// Disk one post costs, before this run measured any: at 1M posts the store file was
// 2,429 MiB (schema 3, BENCHMARKS.md "Re-measured at the end of the session": the
// rollups keep measured engagement, reach and impressions, the posts their
// provenance) and the bare bbolt file written beside it during ingest 1,711 MiB. Once a
// size has been measured, its own figures replace these.
const (
	storeBytesPerPost = 2547
	bareBytesPerPost  = 1794
)

// diskPlan is what one size needs on disk, estimated before it is written.
type diskPlan struct {
	N                   int
	StorePerPost        float64 // file bytes per post the estimate uses
	BarePerPost         float64
	From                int   // the measured size the estimate comes from; 0 = the constants above
	Need, Free          int64 // bytes; Free -1 = unknown
	ConcurrentStoreFile int   // store files on disk at once (runs after the first keep the first run's)
}

// planDisk estimates the disk a size of n posts needs in dir from the largest size of
// this run measured so far (or the constants), with a tenth more for bbolt's growth
// steps and the report files.
func planDisk(dir string, n, runs int, measured []*SizeResult) diskPlan {
	p := diskPlan{N: n, StorePerPost: storeBytesPerPost, BarePerPost: bareBytesPerPost, Free: freeDisk(dir), ConcurrentStoreFile: min(max(runs, 1), 2)}
	for _, s := range measured {
		if s.DBBytes > 0 && s.BareBytes > 0 && s.N >= p.From {
			p.From, p.StorePerPost, p.BarePerPost = s.N, float64(s.DBBytes)/float64(s.N), float64(s.BareBytes)/float64(s.N)
		}
	}
	p.Need = int64(float64(n) * (p.StorePerPost*float64(p.ConcurrentStoreFile) + p.BarePerPost) * 1.1)
	return p
}

// Short reports whether the folder is known to lack the disk.
func (p diskPlan) Short() bool { return p.Free >= 0 && p.Free < p.Need }

// line is the plan as the bench prints it before ingesting (Vietnamese, for whoever
// runs it).
func (p diskPlan) line(dir string) string {
	from := "ước theo số đo 1M trong BENCHMARKS.md"
	if p.From > 0 {
		from = fmt.Sprintf("ước theo số đo %s bài của lần chạy này", human(p.From))
	}
	free := "không rõ dung lượng còn trống"
	if p.Free >= 0 {
		free = "còn trống " + diskSize(p.Free)
	}
	return fmt.Sprintf("bench: %s bài cần khoảng %s đĩa trong %s (%s: %.0f byte mỗi bài trong tệp dữ liệu, %.0f byte trong tệp bbolt đối chứng); %s",
		human(p.N), diskSize(p.Need), dir, from, p.StorePerPost, p.BarePerPost, free)
}

// refusal is the error when the disk is short.
func (p diskPlan) refusal(dir string) error {
	return fmt.Errorf("%w: đo %s bài cần khoảng %s trong %s nhưng chỉ còn trống %s; hãy giải phóng chỗ trống, chọn thư mục khác bằng --dir, hoặc bỏ cỡ %s khỏi --sizes",
		ErrDisk, human(p.N), diskSize(p.Need), dir, diskSize(p.Free), strings.ToLower(human(p.N)))
}

// diskSize writes bytes in GiB, or in MiB below one GiB.
func diskSize(b int64) string {
	if b < 1<<30 {
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
}

// fileSize is the size of a file, 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
