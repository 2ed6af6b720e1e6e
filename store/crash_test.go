package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// The crash test imports crashPosts posts in a child process and kills it with SIGKILL
// at random moments. `go test ./store -run Crash -crash.long` imports 100,000 (the
// issue's figure, about a minute on two cores); the default keeps `go test ./...` short.
var crashLong = flag.Bool("crash.long", false, "crash test: import 100,000 posts with 20 kills (and 20,000 decisions with 10) instead of 2,000 with 8 (1,000 with 5)")

const crashBatch = 1000

// crashPost is post number i as import run `run` sends it: each run spells the link
// differently (host, tracking parameters) and observes newer metrics, so a retried
// batch must merge into the posts already there, moving their rollups.
func crashPost(i, run int) collector.Post {
	hosts := []string{"www.facebook.com", "m.facebook.com", "facebook.com"}
	p := collector.Post{
		URL:         fmt.Sprintf("https://%s/permalink.php?story_fbid=%d&id=777&utm_source=run%d", hosts[run%3], i, run),
		Campaigns:   []string{"cds"},
		Unit:        fmt.Sprintf("unit-%02d", i%40),
		PublishedAt: time.Date(2023, 3, 1, 0, 0, 0, 0, hcm).Add(time.Duration(i) * 97 * time.Second),
		ObservedAt:  time.Date(2023, 4, 1, 0, 0, 0, 0, hcm).Add(time.Duration(run) * time.Hour),
		Title:       fmt.Sprintf("Bài số %d #TuoitreDakLakTienphongChuyendoiso", i),
		Sources:     []string{"import"},
		Metrics:     collector.Metrics{Likes: collector.Known(int64(i%100 + run))},
	}
	if i%5 == 0 {
		p.Metrics = collector.Metrics{} // unknown stays unknown through every retry
	}
	return p
}

// crashIDs are the ids of the posts, from their canonical links.
func crashIDs(total int) []string {
	ids := make([]string, total)
	for i := range ids {
		p := crashPost(i, 0)
		if err := p.Normalize(); err != nil {
			panic(err)
		}
		ids[i] = p.ID
	}
	return ids
}

// TestCrashChild is the child process of TestCrashSafety; it does nothing unless the
// parent set HASHTRACK_CRASH_DB (the way os/exec's tests run helper processes).
func TestCrashChild(t *testing.T) {
	path := os.Getenv("HASHTRACK_CRASH_DB")
	if path == "" {
		return
	}
	from, _ := strconv.Atoi(os.Getenv("HASHTRACK_CRASH_FROM"))
	total, _ := strconv.Atoi(os.Getenv("HASHTRACK_CRASH_TOTAL"))
	run, _ := strconv.Atoi(os.Getenv("HASHTRACK_CRASH_RUN"))
	s, err := Open(path, Options{Locations: map[string]*time.Location{"cds": hcm}, LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if os.Getenv("HASHTRACK_CRASH_MODE") == "decide" {
		decideChild(s, from, total, run)
	}
	for b := from; b < total/crashBatch; b++ {
		ps := make([]collector.Post, 0, crashBatch)
		for i := b * crashBatch; i < (b+1)*crashBatch; i++ {
			p := crashPost(i, run)
			if err := p.Normalize(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			ps = append(ps, p)
		}
		if _, err := s.Upsert(context.Background(), ps); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		// Only now, after the commit returned, is the batch reported.
		fmt.Printf("committed %d\n", b)
	}
	s.Close()
	fmt.Println("done")
	os.Exit(0)
}

type crashChild struct {
	cmd       *exec.Cmd
	began     time.Time // just before it was started
	committed chan int
	// at[i] is when the i-th commit was reported; read after collect.
	at   []time.Time
	done chan bool // true if the child said "done"
}

func startCrashChild(t *testing.T, path string, from, total, run int, env ...string) *crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HASHTRACK_CRASH_DB="+path,
		"HASHTRACK_CRASH_FROM="+strconv.Itoa(from), "HASHTRACK_CRASH_TOTAL="+strconv.Itoa(total), "HASHTRACK_CRASH_RUN="+strconv.Itoa(run))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &crashChild{cmd: cmd, began: began, committed: make(chan int, total/decideBatch+1), done: make(chan bool, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "committed "); ok {
				b, _ := strconv.Atoi(n)
				c.at = append(c.at, time.Now())
				c.committed <- b
			} else if line == "done" {
				said = true
			}
		}
		close(c.committed)
		c.done <- said
	}()
	return c
}

// collect waits for the child to end and returns the batches it reported committed.
func (c *crashChild) collect(t *testing.T) (batches []int, finished bool) {
	t.Helper()
	for b := range c.committed {
		batches = append(batches, b)
	}
	finished = <-c.done
	err := c.cmd.Wait()
	if finished && err != nil && !killedBySignal(err) {
		// The kill timer may fire between the child's "done" and its exit: that run
		// finished. Any other failure after "done" is a bug.
		t.Fatalf("child said done but exited with %v", err)
	}
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		t.Fatalf("child failed on its own: %v", err)
	}
	return batches, finished
}

func TestCrashSafety(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	// The default keeps `go test ./...` within its minute; -crash.long is the thorough
	// run. Two batches of the runner's size still put kills inside a first and a later
	// batch, between them, and (after the import completes) inside re-imports.
	total, kills := 2_000, 8
	if *crashLong || os.Getenv("HASHTRACK_CRASH_LONG") != "" {
		total, kills = 100_000, 20
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 8))
	path := filepath.Join(t.TempDir(), "crash.db")
	batches := total / crashBatch
	ids := crashIDs(total)

	// A short clean import into another file tells how long a batch and the child's
	// start-up take here, so kills can be spread over the rest of an import, commits
	// included.
	startup, perBatch := calibrate(t, func() *crashChild {
		return startCrashChild(t, filepath.Join(t.TempDir(), "calibrate.db"), 0, 3*crashBatch, 0)
	})
	t.Logf("importing %d posts, seed %d, about %s a batch after %s of start-up", total, seed, perBatch.Round(time.Millisecond), startup.Round(time.Millisecond))

	committed := map[int]bool{}
	next, run := 0, 0
	killed := 0
	var verified [sha256.Size]byte // the file's bytes when last found consistent (none yet)
	unchanged := 0
	for killed < kills {
		if next >= batches {
			// The import is complete: start over as a re-import with other link
			// spellings and newer metrics, so kills also land in updates.
			next = 0
			run++
		}
		c := startCrashChild(t, path, next, total, run)
		// Up to the time the rest of the import takes, start-up included, plus a batch's
		// time for its last steps after the last commit. (A run that ends before its kill
		// is a clean re-import, the next one's starting point.)
		delay := time.Duration(rng.Int64N(int64(startup+perBatch*time.Duration(batches-next+1)) + 1))
		timer := time.AfterFunc(delay, func() { c.cmd.Process.Signal(syscall.SIGKILL) })
		got, finished := c.collect(t)
		stopped := timer.Stop()
		startup, perBatch = c.learn(startup, perBatch)
		for _, b := range got {
			committed[b] = true
			next = b + 1
		}
		if !finished && !stopped {
			killed++
		}
		// Every restart must find the file consistent, committed batches there. A child
		// killed before it wrote (in its start-up) left the very bytes checked last
		// time: checking them again would prove nothing new.
		if len(got) > 0 || fileSum(t, path) != verified {
			verifyCrashDB(t, path, committed, ids)
			verified = fileSum(t, path)
		} else {
			unchanged++
		}
	}
	t.Logf("%d kills over %d import runs (%d before the child wrote); %d of %d batches committed before the final run", killed, run+1, unchanged, len(committed), batches)

	// Running the import again completes it.
	c := startCrashChild(t, path, 0, total, run+1)
	got, finished := c.collect(t)
	if !finished || len(got) != batches {
		t.Fatalf("final import: finished %v, %d batches of %d", finished, len(got), batches)
	}
	for b := range batches {
		committed[b] = true
	}
	s := verifyCrashDB(t, path, committed, ids)
	if s != total {
		t.Fatalf("%d posts after the final import, want %d", s, total)
	}
}

// verifyCrashDB reopens the database after a kill: bbolt consistency, schema and
// every index equal to a recount (Check), every committed post present, no post
// stored twice. It returns the number of posts.
func verifyCrashDB(t *testing.T, path string, committed map[int]bool, ids []string) int {
	t.Helper()
	s, err := Open(path, Options{Locations: map[string]*time.Location{"cds": hcm}, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	r, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("check after kill:\n%s", r)
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	// No duplicates: every stored post is one of the posts imported, under its own id,
	// with its one canonical link; the posts bucket holds each key once.
	stored := 0
	have := make(map[string]bool, len(ids))
	err = s.Posts(context.Background(), Query{}, func(p collector.Post) error {
		stored++
		have[p.ID] = true
		if !want[p.ID] {
			return fmt.Errorf("stored post %s (%s) is not one of the imported posts", p.ID, p.URL)
		}
		if !strings.HasPrefix(p.URL, "https://facebook.com/permalink.php?") || strings.Contains(p.URL, "utm_") {
			return fmt.Errorf("post %s kept a non-canonical link %s", p.ID, p.URL)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stored != r.Posts {
		t.Fatalf("iterated %d posts, check counted %d", stored, r.Posts)
	}
	// Check compared every index with a recount; the rollups must also add up to the
	// number of posts.
	var rolled int64
	s.Rollups("cds", time.Time{}, time.Time{}, func(row RollupRow) error { rolled += row.Posts; return nil })
	if rolled != int64(stored) {
		t.Fatalf("rollups count %d posts, %d stored", rolled, stored)
	}
	for b := range committed {
		for i := b * crashBatch; i < (b+1)*crashBatch; i++ {
			if !have[ids[i]] {
				t.Fatalf("post %d of committed batch %d is missing", i, b)
			}
		}
	}
	return stored
}

// The decision crash test applies batches of decideBatch staff decisions to posts
// imported first, killing the child at random moments, in rounds that each decide
// every post again with other values: every batch must then be in the file whole
// (each of its posts carrying the round's mark, one audit entry each) or not at all.
const decideBatch = 250

// crashDecision is the decision batch b makes on post i in a round: four kinds in
// turn, each leaving a mark that tells which round it came from. Applying a batch
// again in the same round changes nothing and writes nothing.
func crashDecision(id string, i, b, round int) Decision {
	d := Decision{Post: id, Reason: fmt.Sprintf("batch %d round %d", b, round)}
	switch i % 4 {
	case 0:
		d.Action, d.Unit = ActionAssign, fmt.Sprintf("batch-%d-%d", b, round)
	case 1:
		d.Action = ActionReject
	case 2:
		d.Action, d.Metrics = ActionCorrect, collector.Metrics{Likes: collector.Known(int64(1_000_000 + b*1000 + round))}
	default:
		d.Action, d.PublishedAt = ActionCorrect, crashDecidedAt.Add(time.Duration(b)*time.Hour+time.Duration(round)*time.Second)
	}
	return d
}

var crashDecidedAt = time.Date(2024, 1, 1, 0, 0, 0, 0, hcm)

// crashRound returns the round of batch b's decision whose mark post p carries, or -1.
func crashRound(p collector.Post, i, b int) int {
	r := -1
	switch i % 4 {
	case 0:
		fmt.Sscanf(p.Unit, fmt.Sprintf("batch-%d-%%d", b), &r)
	case 1:
		if p.Review == collector.ReviewRejected {
			fmt.Sscanf(p.Reason, fmt.Sprintf("batch %d round %%d", b), &r)
		}
	case 2:
		if n := p.Metrics.Likes.N - 1_000_000; p.Metrics.Likes.Known && n >= 0 && n/1000 == int64(b) {
			r = int(n % 1000)
		}
	default:
		if d := p.PublishedAt.Sub(crashDecidedAt); d >= 0 && d/time.Hour == time.Duration(b) {
			r = int(d % time.Hour / time.Second)
		}
	}
	return r
}

// decideChild applies the decision batches of a round from `from` on, reporting each
// commit.
func decideChild(s *Store, from, total, round int) {
	ids := crashIDs(total)
	for b := from; b < total/decideBatch; b++ {
		ds := make([]Decision, 0, decideBatch)
		for i := b * decideBatch; i < (b+1)*decideBatch; i++ {
			ds = append(ds, crashDecision(ids[i], i, b, round))
		}
		if _, err := s.Decide(context.Background(), "crash-test", ds); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("committed %d\n", b)
	}
	s.Close()
	fmt.Println("done")
	os.Exit(0)
}

// importForDecisions stores posts 0…total-1 in a new file at path, in this process.
func importForDecisions(t *testing.T, path string, total int) {
	t.Helper()
	s, err := Open(path, Options{Locations: map[string]*time.Location{"cds": hcm}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for b := 0; b*crashBatch < total; b++ {
		var ps []collector.Post
		for i := b * crashBatch; i < min((b+1)*crashBatch, total); i++ {
			p := crashPost(i, 0)
			if err := p.Normalize(); err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
		if _, err := s.Upsert(context.Background(), ps); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCrashDecisions(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	t.Parallel() // mostly waiting for fsync and child processes, as TestCrashSafety

	total, kills := 1_000, 5
	if *crashLong || os.Getenv("HASHTRACK_CRASH_LONG") != "" {
		total, kills = 20_000, 10
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 9))
	dir := t.TempDir()
	path := filepath.Join(dir, "decide.db")
	batches := total / decideBatch
	ids := crashIDs(total)
	mode := "HASHTRACK_CRASH_MODE=decide"

	importForDecisions(t, path, total)
	// Three batches decided clean on a copy of the file tell how long a batch and the
	// child's start-up take here.
	calibPath := filepath.Join(dir, "calibrate.db")
	copyFile(t, path, calibPath)
	startup, perBatch := calibrate(t, func() *crashChild { return startCrashChild(t, calibPath, 0, 3*decideBatch, 0, mode) })
	t.Logf("%d decisions in batches of %d, seed %d, about %s a batch after %s of start-up", total, decideBatch, seed, perBatch.Round(time.Millisecond), startup.Round(time.Millisecond))

	// committed[b] is the last round of batch b a child reported committed.
	committed := map[int]int{}
	next, round, killed := 0, 0, 0
	var verified [sha256.Size]byte // the file's bytes when last found consistent…
	verifiedRound := -1            // …in this round
	unchanged := 0
	for killed < kills {
		if next >= batches {
			next = 0
			round++
		}
		c := startCrashChild(t, path, next, total, round, mode)
		delay := time.Duration(rng.Int64N(int64(startup+perBatch*time.Duration(batches-next+1)) + 1))
		timer := time.AfterFunc(delay, func() { c.cmd.Process.Signal(syscall.SIGKILL) })
		got, finished := c.collect(t)
		stopped := timer.Stop()
		startup, perBatch = c.learn(startup, perBatch)
		for _, b := range got {
			committed[b] = round
			next = b + 1
		}
		if !finished && !stopped {
			killed++
		}
		// As in TestCrashSafety, the very bytes checked last time, in the same round,
		// are not checked again.
		if len(got) > 0 || round != verifiedRound || fileSum(t, path) != verified {
			verifyDecisionsDB(t, path, committed, ids, round)
			verified, verifiedRound = fileSum(t, path), round
		} else {
			unchanged++
		}
	}
	t.Logf("%d kills over %d rounds (%d before the child wrote)", killed, round+1, unchanged)
	// Running the rest of the round completes it.
	c := startCrashChild(t, path, next, total, round, mode)
	if _, finished := c.collect(t); !finished {
		t.Fatal("final run did not finish")
	}
	for b := range batches {
		committed[b] = round
	}
	verifyDecisionsDB(t, path, committed, ids, round)
}

// verifyDecisionsDB reopens the file after a kill: Check is clean; every batch carries
// one round's decisions on all of its posts (or none yet), that round no older than
// the last one reported committed and no newer than the round running; and the audit
// trail holds one entry per post for each round up to it and none after.
func verifyDecisionsDB(t *testing.T, path string, committed map[int]int, ids []string, running int) {
	t.Helper()
	s, err := Open(path, Options{Locations: map[string]*time.Location{"cds": hcm}, LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	r, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("check after kill:\n%s", r)
	}
	entries := map[string]int{} // reason → audit entries
	err = s.AuditTrail(context.Background(), func(e AuditEntry) error {
		if e.Who == "crash-test" {
			entries[e.Reason]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for b := range len(ids) / decideBatch {
		rounds := map[int]int{}
		for i := b * decideBatch; i < (b+1)*decideBatch; i++ {
			p, ok, err := s.Get(ids[i])
			if err != nil || !ok {
				t.Fatalf("post %d: %v %v", i, ok, err)
			}
			rounds[crashRound(p, i, b)]++
		}
		if len(rounds) != 1 {
			t.Fatalf("batch %d: posts carry the marks of rounds %v: a batch must be whole or absent", b, rounds)
		}
		var at int
		for r := range rounds {
			at = r
		}
		if last, ok := committed[b]; ok && at < last || at > running {
			t.Fatalf("batch %d at round %d; reported committed in round %d (ok %v), running %d", b, at, last, ok, running)
		}
		for r := 0; r <= running; r++ {
			want := 0
			if r <= at {
				want = decideBatch
			}
			if n := entries[fmt.Sprintf("batch %d round %d", b, r)]; n != want {
				t.Fatalf("batch %d round %d: %d audit entries, want %d", b, r, n, want)
			}
		}
	}
	// Rejected posts left the rollups: they count every post but the rejected ones.
	var rolled int64
	s.Rollups("cds", time.Time{}, time.Time{}, func(row RollupRow) error { rolled += row.Posts; return nil })
	lo, err := s.LeftOut("cds")
	if err != nil {
		t.Fatal(err)
	}
	if rolled+lo.Rejected != int64(len(ids)) {
		t.Fatalf("rollups count %d posts and %d are rejected, %d stored", rolled, lo.Rejected, len(ids))
	}
}

// calibrate runs a clean child of three or more batches and returns how long it took
// to its first commit, less one batch (start-up: exec, opening the file), and how long
// a batch took, from the commits after the first: a first estimate, which every
// child's own commits then correct (learn). Timing the whole run instead counted
// the start-up, which load slows far more than the batches, as batches: the kills then
// came after most runs had finished.
func calibrate(t *testing.T, start func() *crashChild) (startup, perBatch time.Duration) {
	t.Helper()
	c := start()
	got, finished := c.collect(t)
	if !finished || len(got) < 3 || len(c.at) != len(got) {
		t.Fatalf("calibration run: finished %v, %d commits", finished, len(got))
	}
	perBatch = c.at[len(c.at)-1].Sub(c.at[0]) / time.Duration(len(c.at)-1)
	return max(c.at[0].Sub(c.began)-perBatch, 0), perBatch
}

// learn moves the estimates of start-up and batch time halfway to what a child's own
// commits show, measured as calibrate measures them: the load changes while the test
// runs (the other crash test, other packages' tests), and estimates left too long by
// one busy moment let child after child finish before its kill (a whole re-import and
// its check each), too short put every kill in the start-up. Halfway: one idle or busy
// moment does not swing them. A child that committed nothing tells nothing.
func (c *crashChild) learn(startup, perBatch time.Duration) (time.Duration, time.Duration) {
	if len(c.at) >= 2 {
		perBatch = (perBatch + c.at[len(c.at)-1].Sub(c.at[0])/time.Duration(len(c.at)-1)) / 2
	}
	if len(c.at) >= 1 {
		startup = (startup + max(c.at[0].Sub(c.began)-perBatch, 0)) / 2
	}
	return startup, perBatch
}

// fileSum is a digest of the file's bytes, read through a small buffer: a copy of a
// whole database would cost its pages. A file not there yet (the first child killed
// before it created it) is all zeros, as the digest of nothing checked yet.
func fileSum(t *testing.T, path string) (sum [sha256.Size]byte) {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return sum
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	h.Sum(sum[:0])
	return sum
}

// copyFile copies the closed database at from to a new file at to, file to file (the
// kernel copies; no buffer of the database's size).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// killedBySignal says whether a child's exit error is our SIGKILL.
func killedBySignal(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
