package web

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// The staff console: /console/… pages over the same library functions as the command
// line (the review decisions, ingest.Runner, report.WriteArchive through the daemon's
// report function). Every page needs a staff session; every form carries its CSRF token.

// consoleRoutes adds the login and the console's pages to mux.
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.staffOnly(s.logout))
	mux.HandleFunc("GET /console/{$}", s.staffOnly(s.today))
	mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /console/queue", s.staffOnly(s.queuePage))
	mux.HandleFunc("POST /console/decide", s.staffOnly(s.decidePosts))
	mux.HandleFunc("GET /console/posts", s.staffOnly(s.postsPage))
	mux.HandleFunc("GET /console/posts/{id}", s.staffOnly(s.postPage))
	mux.HandleFunc("POST /console/posts/{id}", s.staffOnly(s.correctPost))
	mux.HandleFunc("GET /console/import", s.staffOnly(s.importPage))
	mux.HandleFunc("POST /console/import", s.staffOnly(s.importUpload))
	mux.HandleFunc("POST /console/import/confirm", s.staffOnly(s.importConfirm))
	mux.HandleFunc("GET /console/sources", s.staffOnly(s.sourcesPage))
	mux.HandleFunc("POST /console/sources/collect", s.staffOnly(s.collectNow))
	mux.HandleFunc("GET /console/links", s.staffOnly(s.linksPage))
	mux.HandleFunc("GET /console/links/print", s.staffOnly(s.linksPrint))
	mux.HandleFunc("GET /console/qr/{token}", s.staffOnly(s.qrPNG))
	mux.HandleFunc("POST /console/links/new", s.staffOnly(s.newLink))
	mux.HandleFunc("POST /console/links/revoke", s.staffOnly(s.revokeLink))
	mux.HandleFunc("GET /console/reports", s.staffOnly(s.reportsPage))
	mux.HandleFunc("POST /console/reports/make", s.staffOnly(s.makeReportNow))
}

// base is what every console page shows around its content.
type base struct {
	Title, Active, Staff, CSRF string
	Flash, Alert               string
}

func (s *Server) base(sess *session, r *http.Request, title, active string) base {
	return base{Title: title, Active: active, Staff: sess.name, CSRF: sess.csrf,
		Flash: r.URL.Query().Get("ok"), Alert: r.URL.Query().Get("err")}
}

// who names a staff member in the audit trail.
func who(sess *session) string { return "staff:" + sess.name }

// back redirects after an action with a message for the next page.
func back(w http.ResponseWriter, r *http.Request, to, key, msg string) {
	u, err := url.Parse(to)
	if err != nil || !strings.HasPrefix(to, "/console/") {
		u, _ = url.Parse("/console/")
	}
	q := u.Query()
	q.Set(key, msg)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

func (s *Server) consoleError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error("console: "+what, slog.Any("error", err))
	s.fail(w, r, http.StatusInternalServerError, "Lỗi máy chủ", "Máy chủ chưa làm được việc này ("+what+"). Hãy thử lại sau ít phút.")
}

func (s *Server) unitName(id string) string {
	if id == "" {
		return "(chưa rõ đơn vị)"
	}
	if u, ok := s.c.Units().ByID(id); ok {
		return u.Name
	}
	return id
}

func (s *Server) day(t time.Time) string {
	if t.IsZero() {
		return "(chưa rõ)"
	}
	return t.In(s.c.Location()).Format("02/01/2006")
}

func (s *Server) clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(s.c.Location()).Format("02/01/2006 15:04")
}

func stateLabel(r collector.ReviewState) string {
	switch r {
	case collector.ReviewPending:
		return "chờ duyệt"
	case collector.ReviewRejected:
		return "đã loại"
	}
	return "được tính"
}

// ── today ────────────────────────────────────────────────────────────────────────

type todayCampaign struct {
	Name, Posts, Engagement, Views, Target string
	UnitsActive, UnitsTotal                int
	NoPost                                 []string
}

type todayPage struct {
	base
	Campaigns []todayCampaign
	Queue     int
	Stale     []ingest.SourceStatus
}

func (s *Server) today(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	p := todayPage{base: s.base(sess, r, "Hôm nay", "today")}
	for _, k := range s.c.Campaigns() {
		rep, err := report.Aggregate(ctx, s.st, report.Input{Campaign: k, Units: s.c.Units(), Now: s.now(), Lang: "vi",
			StaleAfter: s.c.Report.StaleAfter.Duration, TopN: 1})
		if err != nil {
			s.consoleError(w, r, "tính số liệu", err)
			return
		}
		tc := todayCampaign{Name: k.Name, Posts: report.FormatInt(rep.PostsTotal, "vi"), Engagement: countLong(rep.Engagement),
			Views: countLong(rep.Views), UnitsActive: rep.UnitsActive, UnitsTotal: rep.UnitsTotal}
		if rep.Target > 0 {
			tc.Target = fmt.Sprintf("%d%% chỉ tiêu %s bài", rep.TargetPercent, report.FormatInt(int64(rep.Target), "vi"))
		}
		for _, u := range rep.UnitsWithoutPosts {
			tc.NoPost = append(tc.NoPost, u.Name)
		}
		p.Campaigns = append(p.Campaigns, tc)
	}
	q, err := s.review.queue(ctx)
	if err != nil {
		s.consoleError(w, r, "đọc hàng chờ duyệt", err)
		return
	}
	p.Queue = len(q)
	rows, err := ingest.Statuses(s.c, s.st, s.now())
	if err != nil {
		s.consoleError(w, r, "đọc tình trạng nguồn", err)
		return
	}
	for _, row := range rows {
		if row.Status.Degraded() {
			p.Stale = append(p.Stale, row)
		}
	}
	s.render(w, http.StatusOK, "console_today.html", p)
}

// ── review queue ─────────────────────────────────────────────────────────────────

type queueRow struct {
	ID, URL, Platform, Unit, Published, Since, Reason, Title string
}

type queuePage struct {
	base
	Rows  []queueRow
	Units collector.Units
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess *session) {
	items, err := s.review.queue(r.Context())
	if err != nil {
		s.consoleError(w, r, "đọc hàng chờ duyệt", err)
		return
	}
	p := queuePage{base: s.base(sess, r, "Duyệt bài", "queue"), Units: s.c.Units()}
	for _, it := range items {
		po := it.Post
		p.Rows = append(p.Rows, queueRow{ID: po.ID, URL: po.URL, Platform: canon.LongLabel(po.Platform, "vi"), Unit: s.unitName(po.Unit),
			Published: s.day(po.PublishedAt), Since: s.clock(it.Since), Reason: queueReason(po), Title: po.Title})
	}
	s.render(w, http.StatusOK, "console_queue.html", p)
}

// decidePosts applies one decision (a row's own button, "one" = ID:action) or the same
// decision to every ticked post (the bar's buttons, "action").
func (s *Server) decidePosts(w http.ResponseWriter, r *http.Request, sess *session) {
	ret := r.PostFormValue("back")
	var ds []store.Decision
	if one := r.PostFormValue("one"); one != "" {
		id, action, _ := strings.Cut(one, ":")
		ds = append(ds, store.Decision{Post: id, Action: store.Action(action),
			Reason: r.PostFormValue("reason-" + id), Unit: r.PostFormValue("unit-" + id)})
	} else {
		action := store.Action(r.PostFormValue("action"))
		for _, id := range r.PostForm["id"] {
			ds = append(ds, store.Decision{Post: id, Action: action, Reason: r.PostFormValue("reason"), Unit: r.PostFormValue("unit")})
		}
	}
	if len(ds) == 0 {
		back(w, r, ret, "err", "Chưa chọn bài nào.")
		return
	}
	for _, d := range ds {
		if !slices.Contains([]store.Action{store.ActionApprove, store.ActionReject, store.ActionAssign, store.ActionRestore}, d.Action) {
			back(w, r, ret, "err", "Thao tác không hợp lệ.")
			return
		}
		if d.Action == store.ActionAssign {
			if _, ok := s.c.Units().ByID(d.Unit); !ok {
				back(w, r, ret, "err", "Hãy chọn đơn vị để giao bài.")
				return
			}
		}
	}
	res, err := s.review.decide(r.Context(), who(sess), ds)
	if err != nil {
		if errors.Is(err, store.ErrBadDecision) || errors.Is(err, store.ErrUnknownPost) {
			msg := "Không thực hiện được: " + err.Error()
			if slices.ContainsFunc(ds, func(d store.Decision) bool {
				return d.Action == store.ActionReject && strings.TrimSpace(d.Reason) == ""
			}) {
				msg = "Hãy ghi lý do khi loại bài."
			}
			back(w, r, ret, "err", msg)
			return
		}
		s.consoleError(w, r, "ghi quyết định duyệt", err)
		return
	}
	s.log.Info("console: review decisions", slog.String("staff", sess.name), slog.Int("changed", res.Changed), slog.Int("unchanged", res.Unchanged))
	back(w, r, ret, "ok", fmt.Sprintf("Đã ghi %d quyết định (%d bài không cần đổi).", res.Changed, res.Unchanged))
}

// ── posts ────────────────────────────────────────────────────────────────────────

type postRow struct {
	ID, URL, Platform, Unit, Published, State, Reason string
}

type postsPage struct {
	base
	Q         url.Values
	Rows      []postRow
	More      bool
	Searched  bool
	Units     collector.Units
	Platforms []option
}

// maxPostRows bounds one page of search results.
const maxPostRows = 200

func (s *Server) postsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	p := postsPage{base: s.base(sess, r, "Bài đăng", "posts"), Q: q, Units: s.c.Units()}
	for _, pl := range canon.Platforms {
		p.Platforms = append(p.Platforms, option{pl, canon.LongLabel(pl, "vi")})
	}
	add := func(po collector.Post) {
		p.Rows = append(p.Rows, postRow{ID: po.ID, URL: po.URL, Platform: canon.LongLabel(po.Platform, "vi"), Unit: s.unitName(po.Unit),
			Published: s.day(po.PublishedAt), State: stateLabel(po.Review), Reason: review.ReasonText(po.Reason)})
	}
	if link := strings.TrimSpace(q.Get("link")); link != "" {
		p.Searched = true
		if u, err := canon.URL(link); err == nil {
			po, ok, err := s.st.Get(canon.PostID(u))
			if err != nil {
				s.consoleError(w, r, "tìm bài", err)
				return
			}
			if ok {
				add(po)
			}
		} else if po, ok, err := s.st.Get(link); err == nil && ok {
			add(po)
		}
		s.render(w, http.StatusOK, "console_posts.html", p)
		return
	}
	if len(q) > 0 {
		p.Searched = true
		qu := store.Query{Platform: q.Get("platform"), Unit: q.Get("unit"), AnyState: true}
		loc := s.c.Location()
		if t, err := collector.ParseDay(q.Get("from"), loc); err == nil && q.Get("from") != "" {
			qu.From = t
		}
		if t, err := collector.ParseDay(q.Get("to"), loc); err == nil && q.Get("to") != "" {
			qu.To = t.AddDate(0, 0, 1)
		}
		state := q.Get("state")
		errStop := errors.New("enough")
		err := s.st.Posts(r.Context(), qu, func(po collector.Post) error {
			if state != "" && po.Review.String() != state {
				return nil
			}
			if len(p.Rows) == maxPostRows {
				p.More = true
				return errStop
			}
			add(po)
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			s.consoleError(w, r, "tìm bài", err)
			return
		}
	}
	s.render(w, http.StatusOK, "console_posts.html", p)
}

type snapshotRow struct{ At, Likes, Comments, Shares, Views string }

type historyRow struct {
	At, Who, Action, Reason string
	Changes                 []store.Change
}

type postPage struct {
	base
	Post                             collector.Post
	Platform, Unit, Published, State string
	Likes, Comments, Shares, Views   string
	Snapshots                        []snapshotRow
	History                          []historyRow
	Units                            collector.Units
}

func (s *Server) postPage(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PathValue("id")
	po, ok, err := s.st.Get(id)
	if err != nil {
		s.consoleError(w, r, "đọc bài", err)
		return
	}
	if !ok {
		s.fail(w, r, http.StatusNotFound, "Không có bài này", "Không tìm thấy bài đăng này trong cơ sở dữ liệu.")
		return
	}
	p := postPage{base: s.base(sess, r, "Bài đăng", "posts"), Post: po, Platform: canon.LongLabel(po.Platform, "vi"),
		Unit: s.unitName(po.Unit), Published: s.day(po.PublishedAt), State: stateLabel(po.Review), Units: s.c.Units(),
		Likes: countLong(po.Metrics.Likes), Comments: countLong(po.Metrics.Comments), Shares: countLong(po.Metrics.Shares), Views: countLong(po.Metrics.Views)}
	snaps, err := s.st.Snapshots(id)
	if err != nil {
		s.consoleError(w, r, "đọc lịch sử số liệu", err)
		return
	}
	for _, sn := range snaps {
		m := sn.Metrics
		p.Snapshots = append(p.Snapshots, snapshotRow{At: s.clock(sn.At), Likes: countLong(m.Likes), Comments: countLong(m.Comments),
			Shares: countLong(m.Shares), Views: countLong(m.Views)})
	}
	hist, err := s.review.history(id)
	if err != nil {
		s.consoleError(w, r, "đọc nhật ký", err)
		return
	}
	for _, e := range hist {
		p.History = append(p.History, historyRow{At: s.clock(e.At), Who: e.Who, Action: string(e.Action), Reason: e.Reason, Changes: e.Changes})
	}
	s.render(w, http.StatusOK, "console_post.html", p)
}

// correctPost corrects a post's published date or numbers: fields left empty stay.
// The values are read by review.Correction, the reader of `hashtrack review correct`,
// so a value is refused by one rule, in the same words, in both places.
func (s *Server) correctPost(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PathValue("id")
	here := "/console/posts/" + url.PathEscape(id)
	d := store.Decision{Post: id, Action: store.ActionCorrect, Reason: r.PostFormValue("reason")}
	counts := map[string]string{}
	for _, name := range []string{"likes", "comments", "shares", "views"} {
		counts[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	if bad := review.Correction(s.c.Campaigns(), s.c.Location(), &d, strings.TrimSpace(r.PostFormValue("published")), "", counts); len(bad) > 0 {
		back(w, r, here, "err", correctionRefused(bad))
		return
	}
	res, err := s.review.decide(r.Context(), who(sess), []store.Decision{d})
	if err != nil {
		if errors.Is(err, store.ErrBadDecision) || errors.Is(err, store.ErrUnknownPost) {
			back(w, r, here, "err", "Không sửa được: "+err.Error())
			return
		}
		s.consoleError(w, r, "sửa bài", err)
		return
	}
	back(w, r, here, "ok", fmt.Sprintf("Đã sửa (%d thay đổi được ghi vào nhật ký).", len(res.Entries)))
}

// ── import ───────────────────────────────────────────────────────────────────────

// upload is a file a staff member sent for a dry run, kept until they import it or
// the server closes.
type upload struct {
	dir, path, name, campaign, owner string
}

// uploads are the files waiting between a dry run and their import.
type uploads struct {
	mu    sync.Mutex
	files map[string]upload
}

func (u *uploads) put(f upload) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	id := randomToken()
	u.files[id] = f
	return id
}

func (u *uploads) take(id, owner string) (upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	f, ok := u.files[id]
	if !ok || f.owner != owner {
		return upload{}, false
	}
	delete(u.files, id)
	return f, true
}

func (u *uploads) removeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, f := range u.files {
		os.RemoveAll(f.dir)
		delete(u.files, id)
	}
}

// uploadLimit is the largest request the import page takes: the sheet reader's own
// cap plus room for the form around the file.
const uploadLimit = sheet.MaxFileSize + 1<<20

type importPage struct {
	base
	Campaigns []collector.Campaign
	Result    *importResult
}

type importResult struct {
	DryRun         bool
	File, Campaign string
	Upload         string // the id to import after a dry run
	Line, Pages    string
	ReadErr        string
	Problems       []string
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.render(w, http.StatusOK, "console_import.html", importPage{base: s.base(sess, r, "Nhập tệp", "import"), Campaigns: s.c.Campaigns()})
}

// importUpload saves the file and runs the import on a scratch copy of the database:
// the same ImportFile as `hashtrack import --dry-run`.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, sess *session) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		back(w, r, "/console/import", "err", "Hãy chọn một tệp CSV hoặc Excel (.xlsx).")
		return
	}
	defer file.Close()
	k, err := s.c.PickCampaign(r.PostFormValue("campaign"))
	if err != nil {
		back(w, r, "/console/import", "err", "Hãy chọn chiến dịch.")
		return
	}
	f, problem, err := s.saveUpload(file, hdr, sess.name, k.ID)
	if err != nil {
		s.consoleError(w, r, "lưu tệp tải lên", err)
		return
	}
	if problem != "" {
		back(w, r, "/console/import", "err", problem)
		return
	}
	scratch, cleanup, err := ingest.OpenScratch(s.st, store.Options{Locations: s.c.Locations(), Now: s.now})
	if err != nil {
		os.RemoveAll(f.dir)
		s.consoleError(w, r, "chạy thử", err)
		return
	}
	defer cleanup()
	dry := &ingest.Runner{Config: s.c, Store: scratch, Fetcher: s.ingest.Fetcher, Now: s.ingest.Now, Log: s.log, DryRun: true}
	res, err := dry.ImportFile(r.Context(), f.path, ingest.FileOptions{Campaign: k})
	if err != nil {
		os.RemoveAll(f.dir)
		s.consoleError(w, r, "chạy thử", err)
		return
	}
	out := s.importResult(f, k, res, true)
	if res.ReadErr == nil {
		out.Upload = s.uploads.put(f)
	} else {
		os.RemoveAll(f.dir)
	}
	s.render(w, http.StatusOK, "console_import.html", importPage{base: s.base(sess, r, "Nhập tệp", "import"), Campaigns: s.c.Campaigns(), Result: out})
}

// importConfirm imports a file its dry run showed, with the daemon's runner.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request, sess *session) {
	f, ok := s.uploads.take(r.PostFormValue("upload"), sess.name)
	if !ok {
		back(w, r, "/console/import", "err", "Tệp đã chạy thử không còn trên máy chủ. Hãy tải lên lại.")
		return
	}
	defer os.RemoveAll(f.dir)
	k, ok := s.c.CampaignByID(f.campaign)
	if !ok {
		back(w, r, "/console/import", "err", "Chiến dịch không còn trong cấu hình.")
		return
	}
	res, err := s.ingest.ImportFile(r.Context(), f.path, ingest.FileOptions{Campaign: k})
	if err != nil {
		s.consoleError(w, r, "nhập tệp", err)
		return
	}
	s.log.Info("console: file imported", slog.String("staff", sess.name), slog.String("file", f.name), slog.Int("new", res.Upsert.New))
	s.render(w, http.StatusOK, "console_import.html", importPage{base: s.base(sess, r, "Nhập tệp", "import"), Campaigns: s.c.Campaigns(),
		Result: s.importResult(f, k, res, false)})
}

// saveUpload checks the upload's size and type before reading it, then writes it
// under its own name (the rows' problems and the audit trail name the file). A file
// refused comes back as problem, in Vietnamese for the page.
func (s *Server) saveUpload(file multipart.File, hdr *multipart.FileHeader, owner, campaign string) (f upload, problem string, err error) {
	if hdr.Size > sheet.MaxFileSize {
		return upload{}, fmt.Sprintf("Tệp quá lớn (tối đa %d MiB).", sheet.MaxFileSize>>20), nil
	}
	name := filepath.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".xlsx":
	default:
		return upload{}, "Chỉ nhận tệp .csv hoặc .xlsx (Google Forms: Tải xuống → .csv; Excel: Lưu thành .xlsx).", nil
	}
	dir, err := os.MkdirTemp("", "hashtrack-upload-")
	if err != nil {
		return upload{}, "", fmt.Errorf("web: upload: %w", err)
	}
	p := filepath.Join(dir, name)
	out, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = io.Copy(out, io.LimitReader(file, sheet.MaxFileSize+1))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return upload{}, "", fmt.Errorf("web: upload: %w", err)
	}
	return upload{dir: dir, path: p, name: name, campaign: campaign, owner: owner}, "", nil
}

func (s *Server) importResult(f upload, k collector.Campaign, res ingest.FileResult, dry bool) *importResult {
	out := &importResult{DryRun: dry, File: f.name, Campaign: k.Name}
	if res.ReadErr != nil {
		out.ReadErr = strings.ReplaceAll(res.ReadErr.Error(), f.dir+string(filepath.Separator), "")
		return out
	}
	for _, p := range res.Problems {
		out.Problems = append(out.Problems, strings.ReplaceAll(p.String(), f.dir+string(filepath.Separator), ""))
	}
	u := res.Upsert
	if dry {
		out.Line = fmt.Sprintf("%s: %d dòng — sẽ thêm %d bài mới, sẽ cập nhật %d bài, %d không đổi, %d bị từ chối",
			f.name, res.Rows, u.New, u.Updated, u.Unchanged, len(res.Problems))
	} else {
		out.Line = fmt.Sprintf("%s: %d dòng — %d mới, %d cập nhật, %d không đổi, %d bị từ chối",
			f.name, res.Rows, u.New, u.Updated, u.Unchanged, len(res.Problems))
	}
	if n := res.Pages.Queued; n > 0 {
		// Stored first: the daemon's check loop reads the pages in the background.
		out.Pages = fmt.Sprintf("%d đường dẫn mới đang chờ kiểm tra trang (tiêu đề, ngày đăng, hashtag); hệ thống sẽ tự kiểm tra trong ít phút.", n)
	}
	return out
}

// ── sources ──────────────────────────────────────────────────────────────────────

type sourceRow struct {
	ingest.SourceStatus
	LastSuccess, LastAttempt, State string
	Bad                             bool
}

type sourcesPage struct {
	base
	Rows []sourceRow
}

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request, sess *session) {
	rows, err := ingest.Statuses(s.c, s.st, s.now())
	if err != nil {
		s.consoleError(w, r, "đọc tình trạng nguồn", err)
		return
	}
	p := sourcesPage{base: s.base(sess, r, "Nguồn dữ liệu", "sources")}
	for _, row := range rows {
		sr := sourceRow{SourceStatus: row, LastSuccess: s.clock(row.LastSuccess), LastAttempt: s.clock(row.LastAttempt), Bad: row.Status.Degraded()}
		switch {
		case row.NeverRun:
			sr.State = "chưa chạy lần nào"
		case row.Status == store.SourceFailing:
			sr.State = "đang lỗi"
		case row.Status == store.SourceStale:
			sr.State = "quá hạn"
		default:
			sr.State = "bình thường"
		}
		p.Rows = append(p.Rows, sr)
	}
	s.render(w, http.StatusOK, "console_sources.html", p)
}

// collectNow runs one source at once, through the runner `collect NAME` uses.
func (s *Server) collectNow(w http.ResponseWriter, r *http.Request, sess *session) {
	src, ok := s.c.SourceByName(r.PostFormValue("name"))
	if !ok {
		back(w, r, "/console/sources", "err", "Không có nguồn này trong cấu hình.")
		return
	}
	o := s.ingest.RunSource(r.Context(), src, ingest.Selection{Names: []string{src.Name}, All: true})
	if o.Err != nil {
		back(w, r, "/console/sources", "err", fmt.Sprintf("%s: lỗi khi thu thập: %v", src.Name, o.Err))
		return
	}
	back(w, r, "/console/sources", "ok", fmt.Sprintf("%s: thấy %d bài — %d mới, %d cập nhật, %d không đổi.",
		src.Name, o.Seen, o.Upsert.New, o.Upsert.Updated, o.Upsert.Unchanged))
}

// ── form links ───────────────────────────────────────────────────────────────────

type linkRow struct {
	Token, Link, Unit, Campaign, Made string
	FromConfig, Revoked               bool
}

type linksPage struct {
	base
	Rows      []linkRow
	Units     collector.Units
	Campaigns []collector.Campaign
}

// links are the form links: the config's tokens, then the console's, revoked last.
func (s *Server) links() ([]linkRow, error) {
	var rows []linkRow
	camp := func(id string) string {
		if k, ok := s.c.CampaignByID(id); ok {
			return k.Name
		}
		return "mọi chiến dịch"
	}
	unit := func(id string) string {
		if id == "" {
			return "người gửi tự chọn đơn vị"
		}
		return s.unitName(id)
	}
	for _, t := range s.c.Token {
		rows = append(rows, linkRow{Token: t.Token, Link: s.c.FormLink(t.Token), Unit: unit(t.Unit), Campaign: camp(t.Campaign), Made: "tệp cấu hình", FromConfig: true})
	}
	made, err := s.st.Tokens()
	if err != nil {
		return nil, err
	}
	for _, t := range made {
		rows = append(rows, linkRow{Token: t.Token, Link: s.c.FormLink(t.Token), Unit: unit(t.Unit), Campaign: camp(t.Campaign),
			Made: t.CreatedBy + ", " + s.clock(t.CreatedAt), Revoked: t.Revoked()})
	}
	slices.SortStableFunc(rows, func(a, b linkRow) int {
		if a.Revoked != b.Revoked {
			if a.Revoked {
				return 1
			}
			return -1
		}
		return 0
	})
	return rows, nil
}

func (s *Server) linksPage(w http.ResponseWriter, r *http.Request, sess *session) {
	rows, err := s.links()
	if err != nil {
		s.consoleError(w, r, "đọc đường dẫn biểu mẫu", err)
		return
	}
	s.render(w, http.StatusOK, "console_links.html", linksPage{base: s.base(sess, r, "Đường dẫn biểu mẫu", "links"), Rows: rows,
		Units: s.c.Units(), Campaigns: s.c.Campaigns()})
}

// linksPrint is an A4 sheet of every live link's QR code, to print for a meeting.
func (s *Server) linksPrint(w http.ResponseWriter, r *http.Request, sess *session) {
	rows, err := s.links()
	if err != nil {
		s.consoleError(w, r, "đọc đường dẫn biểu mẫu", err)
		return
	}
	live := slices.DeleteFunc(rows, func(l linkRow) bool { return l.Revoked })
	s.render(w, http.StatusOK, "console_print.html", linksPage{base: s.base(sess, r, "Mã QR gửi bài", "links"), Rows: live})
}

// qrPNG draws a live form link's QR code. Unknown and revoked tokens get nothing, so
// the page cannot be used to draw arbitrary codes.
func (s *Server) qrPNG(w http.ResponseWriter, r *http.Request, sess *session) {
	tok := r.PathValue("token")
	if _, ok := s.lookupToken(tok); !ok {
		http.NotFound(w, r)
		return
	}
	png, err := qrcode.Encode(s.c.FormLink(tok), qrcode.Medium, 384)
	if err != nil {
		s.consoleError(w, r, "vẽ mã QR", err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(png)
}

func (s *Server) newLink(w http.ResponseWriter, r *http.Request, sess *session) {
	t := store.FormToken{Token: randomToken()[:24], Unit: r.PostFormValue("unit"), Campaign: r.PostFormValue("campaign"),
		CreatedAt: s.now(), CreatedBy: sess.name}
	if _, ok := s.c.Units().ByID(t.Unit); t.Unit != "" && !ok {
		back(w, r, "/console/links", "err", "Không có đơn vị này.")
		return
	}
	if _, ok := s.c.CampaignByID(t.Campaign); t.Campaign != "" && !ok {
		back(w, r, "/console/links", "err", "Không có chiến dịch này.")
		return
	}
	if err := s.st.PutToken(t); err != nil {
		s.consoleError(w, r, "tạo đường dẫn", err)
		return
	}
	s.log.Info("console: form token made", slog.String("staff", sess.name), slog.String("unit", t.Unit))
	back(w, r, "/console/links", "ok", "Đã tạo đường dẫn mới cho "+s.unitName(t.Unit)+".")
}

func (s *Server) revokeLink(w http.ResponseWriter, r *http.Request, sess *session) {
	tok := r.PostFormValue("token")
	if err := s.st.RevokeToken(tok, sess.name, s.now()); err != nil {
		if errors.Is(err, store.ErrUnknownToken) {
			back(w, r, "/console/links", "err", "Chỉ thu hồi được đường dẫn tạo trong trang quản trị; đường dẫn trong tệp cấu hình phải xoá ở đó.")
			return
		}
		s.consoleError(w, r, "thu hồi đường dẫn", err)
		return
	}
	s.log.Info("console: form token revoked", slog.String("staff", sess.name))
	back(w, r, "/console/links", "ok", "Đã thu hồi đường dẫn; biểu mẫu không nhận bài qua đường dẫn đó nữa.")
}

// storedToken finds a live console-made token, comparing each in constant time.
func (s *Server) storedToken(given string) (config.TokenConfig, bool) {
	made, err := s.st.Tokens()
	if err != nil {
		s.log.Error("form tokens: read the store", slog.Any("error", err))
		return config.TokenConfig{}, false
	}
	var found config.TokenConfig
	ok := false
	for _, t := range made {
		if !t.Revoked() && constantEqual(given, t.Token) {
			found, ok = config.TokenConfig{Token: t.Token, Unit: t.Unit, Campaign: t.Campaign}, true
		}
	}
	return found, ok
}

// ── reports ──────────────────────────────────────────────────────────────────────

type archiveDay struct {
	Day   string
	Files []archiveFile
}

type archiveFile struct{ Label, Href string }

type archiveCampaign struct {
	Name string
	Days []archiveDay
}

type reportsPage struct {
	base
	Campaigns []archiveCampaign
	CanMake   bool
}

var formatLabels = map[string]string{".html": "Trang HTML", ".txt": "Bản tin chữ", ".csv": "CSV", ".json": "JSON", ".xlsx": "Excel", ".png": "Ảnh"}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	p := reportsPage{base: s.base(sess, r, "Báo cáo", "reports"), CanMake: s.makeReport != nil}
	fsys := s.reports.FS()
	for _, k := range s.c.Campaigns() {
		ac := archiveCampaign{Name: k.Name}
		entries, _ := fs.ReadDir(fsys, k.ID)
		days := map[string]*archiveDay{}
		for _, e := range entries {
			name := e.Name()
			ext := path.Ext(name)
			day := strings.TrimSuffix(name, ext)
			label, ok := formatLabels[ext]
			if e.IsDir() || !ok || len(day) != len("2006-01-02") {
				continue
			}
			if _, err := time.Parse("2006-01-02", day); err != nil {
				continue
			}
			d := days[day]
			if d == nil {
				d = &archiveDay{Day: day}
				days[day] = d
			}
			d.Files = append(d.Files, archiveFile{Label: label, Href: "/reports/" + k.ID + "/" + name})
		}
		for _, day := range slices.Sorted(func(yield func(string) bool) {
			for k := range days {
				if !yield(k) {
					return
				}
			}
		}) {
			ac.Days = append([]archiveDay{*days[day]}, ac.Days...)
		}
		p.Campaigns = append(p.Campaigns, ac)
	}
	s.render(w, http.StatusOK, "console_reports.html", p)
}

// makeReportNow writes today's reports at once with the daemon's report function.
func (s *Server) makeReportNow(w http.ResponseWriter, r *http.Request, sess *session) {
	if s.makeReport == nil {
		back(w, r, "/console/reports", "err", "Máy chủ này chưa được cấu hình để tạo báo cáo.")
		return
	}
	files, err := s.makeReport(r.Context())
	if err != nil {
		s.log.Error("console: make report", slog.Any("error", err))
		back(w, r, "/console/reports", "err", "Chưa tạo được báo cáo: "+err.Error())
		return
	}
	s.log.Info("console: report made", slog.String("staff", sess.name), slog.Int("files", len(files)))
	back(w, r, "/console/reports", "ok", fmt.Sprintf("Đã tạo báo cáo mới (%d tệp).", len(files)))
}

// correctionRefused is the console's line for the values review.Correction refused,
// in the words the command line prints them (the message catalogue's Vietnamese).
func correctionRefused(bad []error) string {
	vi := msg.New("vi")
	parts := make([]string, len(bad))
	for i, b := range bad {
		parts[i] = vi.Error(b)
	}
	return "Không sửa được: " + strings.Join(parts, "; ")
}
