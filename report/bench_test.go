package report

import (
	"context"
	"io"
	"strconv"
	"testing"
)

// BenchmarkAggregate shows the cost follows days × units, not posts: the two sizes
// cover the same 30 days and 14 units.
func BenchmarkAggregate(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n)+"posts", func(b *testing.B) {
			in := demoInput()
			st := openFixtureAt(b, demoPosts(n), in.Now)
			ctx := context.Background()
			for b.Loop() {
				if _, err := Aggregate(ctx, st, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRenderHTML(b *testing.B) {
	in := demoInput()
	st := openFixtureAt(b, demoPosts(1000), in.Now)
	r := mustAggregate(b, st, in)
	for b.Loop() {
		if err := r.RenderHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
