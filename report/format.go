package report

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// labels are the words of every rendering, in Vietnamese and English.
type labels struct {
	Lang                                                             string
	Title, Period, Generated, TimeZone                               string
	Posts, PostsNew, PostsTotal, UnitsPosted, Engagement, Views      string
	Target, TargetReached, TargetNotReached, NoTarget, VsPrev        string
	PrevNA                                                           string
	DailyChart, PlatformChart, UnitChart, EngagementChart, HeatChart string
	Cumulative, TargetLine, Others, NoUnit                           string
	WithoutPosts, WithoutPostsNone, WithoutPostsHint                 string
	TopPosts, Unit, Platform, Date, Likes, Comments, Shares, Link    string
	Open, NoTopPosts                                                 string
	SourceHealth, Source, LastSuccess, Failures, LastError, Status   string
	Stale, OK, NeverRan, NoSources, Never                            string
	Notes, NotesPosts, NotesEngagement, NotesViews, NotesUnknown     string
	NotesUnverified, NotesNoUnit, NotesDays                          string
	NA                                                               string
	Weekdays                                                         [7]string
	Hour                                                             string
	IndexTitle, IndexLatest, IndexEmpty                              string
	// The first screen, the comparison that is left out, the hour heat map's note,
	// the top-posts table and the index page.
	Answer, NewToday, NewInPeriod, WithoutShort, WithoutMore, SeeList string
	NoPrev, NotesNoPrev, HourUnknown, Author, Numbers, Views2         string
	PeriodShown, Digest, Data, IndexDate, IndexFiles, AxisPosts       string
	AxisEngagement, AxisDays, NoSourcesShort                          string
	// Where numbers come from (issue 19): the measured share, the marks of the top
	// posts, potential reach and the measured reach beside it.
	MeasuredShare, MeasuredNone, MeasuredNoteShare, MeasuredNoteNone    string
	MeasuredPosts                                                       string
	FromMeasured, FromTyped, FromPage, Gone                             string
	ReachTitle, ReachChart, ReachFigure, ReachSub, AtLeast, ReachNone   string
	Audience, DaysPosted, Potential, UnknownAudience, ReachUnknownDays  string
	MeasuredReach, MeasuredReachNone, Impressions, ReachPosts           string
	NotesReach, NotesReachUnknown, NotesReachNoUnit, NotesMeasuredReach string
	AxisReach, Connected                                                string
}

var vi = labels{
	Lang:  "vi",
	Title: "Báo cáo chiến dịch", Period: "Kỳ báo cáo", Generated: "Lập lúc", TimeZone: "múi giờ",
	Posts: "Bài đăng", PostsNew: "mới trong kỳ", PostsTotal: "tổng cộng", UnitsPosted: "Đơn vị đã đăng",
	Engagement: "Tương tác", Views: "Lượt xem ghi nhận",
	Target: "Tiến độ chỉ tiêu", TargetReached: "đạt chỉ tiêu ngày", TargetNotReached: "chưa đạt chỉ tiêu", NoTarget: "chưa đặt chỉ tiêu",
	VsPrev: "so với kỳ trước", PrevNA: "kỳ trước: không có số liệu",
	DailyChart: "Bài đăng theo ngày", PlatformChart: "Bài đăng theo nền tảng", UnitChart: "Bảng xếp hạng đơn vị",
	EngagementChart: "Tương tác theo thời gian, theo nền tảng", HeatChart: "Thời điểm đăng bài (thứ × giờ)",
	Cumulative: "Lũy kế", TargetLine: "Chỉ tiêu", Others: "Các đơn vị khác", NoUnit: "(chưa rõ đơn vị)",
	WithoutPosts: "Đơn vị chưa có bài đăng", WithoutPostsNone: "Tất cả đơn vị đã có bài đăng trong kỳ.",
	WithoutPostsHint: "Danh sách để nhắc các Đoàn cơ sở",
	TopPosts:         "Bài đăng nổi bật (theo tương tác)", Unit: "Đơn vị", Platform: "Nền tảng", Date: "Ngày đăng",
	Likes: "Thích", Comments: "Bình luận", Shares: "Chia sẻ", Link: "Liên kết", Open: "Mở bài",
	NoTopPosts:   "Chưa có bài đăng nào có số liệu tương tác trong kỳ.",
	SourceHealth: "Tình trạng nguồn thu thập", Source: "Nguồn", LastSuccess: "Lần thành công gần nhất",
	Failures: "Lỗi liên tiếp", LastError: "Lỗi gần nhất", Status: "Trạng thái",
	Stale: "Quá hạn", OK: "Tốt", NeverRan: "Chưa chạy lần nào", NoSources: "Chưa cấu hình nguồn tự động (chỉ nhận bài gửi tay).", Never: "chưa lần nào",
	Notes:           "Ghi chú số liệu",
	NotesPosts:      "Bài đăng: số bài đã loại trùng (cùng một liên kết chỉ tính một lần).",
	NotesEngagement: "Tương tác: lượt thích + bình luận + chia sẻ, ở những nơi nền tảng công khai số liệu.",
	NotesViews:      "Lượt xem ghi nhận: chỉ tính ở những nền tảng hiển thị lượt xem.",
	NotesUnknown:    "%s bài không có số liệu tương tác hay lượt xem (hiển thị “không có số liệu”, không tính là 0).",
	NotesUnverified: "%s bài chưa được xác minh có gắn hashtag; %s bài đã xác minh; %s bài không xác minh được (trang cần đăng nhập).",
	NotesNoUnit:     "%s bài chưa rõ đơn vị.",
	NotesDays:       "Ngày được tính theo giờ Việt Nam (%s), từ 00:00 đến 24:00.",
	NA:              "không có số liệu",
	Weekdays:        [7]string{"Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"},
	Hour:            "Giờ",
	IndexTitle:      "Các báo cáo chiến dịch", IndexLatest: "Báo cáo mới nhất", IndexEmpty: "Chưa có báo cáo nào.",
	Answer: "Tóm tắt", NewToday: "hôm nay", NewInPeriod: "bài mới trong kỳ", WithoutShort: "Đơn vị chưa có bài",
	WithoutMore: "%d đơn vị chưa có bài đăng trong kỳ", SeeList: "xem danh sách",
	NoPrev:      "không so với kỳ trước (kỳ báo cáo bắt đầu từ đầu chiến dịch)",
	NotesNoPrev: "Kỳ báo cáo bắt đầu từ những ngày đầu chiến dịch nên không so sánh với kỳ trước: trước đó chưa có chiến dịch.",
	HourUnknown: "%s bài không rõ giờ đăng (chỉ ghi ngày) không có trong biểu đồ này.",
	Author:      "Tác giả", Numbers: "Số liệu", Views2: "lượt xem",
	PeriodShown: "Vùng tô nhạt là kỳ báo cáo.", Digest: "Bản tin", Data: "Dữ liệu", IndexDate: "Ngày", IndexFiles: "Tệp",
	AxisPosts: "Số bài", AxisEngagement: "Lượt tương tác", AxisDays: "Ngày", NoSourcesShort: "chưa cấu hình nguồn tự động",
	MeasuredShare:     "%d %% số liệu đo từ nền tảng",
	MeasuredNone:      "chưa có số liệu đo từ nền tảng",
	MeasuredPosts:     "%s bài có số liệu đo từ nền tảng (chưa có tương tác)",
	MeasuredNoteShare: "Tương tác đo từ nền tảng: %d %% (%s trên %s lượt, %s bài đo qua API chính thức của nền tảng); phần còn lại do đơn vị tự khai hoặc đọc từ trang bài đăng.",
	MeasuredNoteNone:  "Chưa có số liệu đo từ nền tảng: mọi số tương tác do đơn vị tự khai hoặc đọc từ trang bài đăng.",
	FromMeasured:      "đo từ nền tảng", FromTyped: "tự khai", FromPage: "đọc từ trang", Gone: "đã bị xoá trên nền tảng",
	ReachTitle:  "Tiếp cận tiềm năng (số người có thể đã thấy bài, không phải số người đã xem)",
	ReachChart:  "Tiếp cận tiềm năng theo ngày",
	ReachFigure: "Tiếp cận tiềm năng", ReachSub: "khán giả của các đơn vị đã đăng, theo ngày đăng",
	AtLeast: "ít nhất", ReachNone: "chưa rõ (chưa có số người theo dõi của đơn vị nào đã đăng)",
	Audience: "Người theo dõi", DaysPosted: "Số ngày đăng", Potential: "Tiếp cận tiềm năng", UnknownAudience: "chưa rõ",
	ReachUnknownDays: "Ngày có đơn vị chưa rõ số người theo dõi: cột chỉ là mức tối thiểu.",
	MeasuredReach:    "Tiếp cận đo từ Facebook Insights", MeasuredReachNone: "chưa có số liệu đo từ Facebook Insights (cần quyền pages_read_insights)",
	Impressions: "lượt hiển thị", ReachPosts: "bài",
	NotesReach:         "Tiếp cận tiềm năng: mỗi ngày, cộng số người theo dõi của các đơn vị có bài đăng ngày đó; của một đơn vị: số người theo dõi × số ngày đơn vị có bài trong kỳ. Số người theo dõi của đơn vị = số “audience” cấu hình cho đơn vị + số người theo dõi gần nhất của các trang, kênh đã kết nối. Đây là số người có thể đã thấy bài, không phải số người đã xem.",
	NotesReachUnknown:  "%s đơn vị có bài nhưng chưa rõ số người theo dõi (không tính là 0, tổng tiếp cận tiềm năng là mức tối thiểu): %s.",
	NotesReachNoUnit:   "bài chưa rõ đơn vị",
	NotesMeasuredReach: "Tiếp cận và lượt hiển thị đo từ Facebook Insights: %s bài của các trang đã cấp quyền đọc thống kê; tính riêng, không cộng vào tiếp cận tiềm năng.",
	AxisReach:          "Người", Connected: "trang đã kết nối",
}

var en = labels{
	Lang:  "en",
	Title: "Campaign report", Period: "Period", Generated: "Generated", TimeZone: "time zone",
	Posts: "Posts", PostsNew: "new in the period", PostsTotal: "in total", UnitsPosted: "Units that posted",
	Engagement: "Engagement", Views: "Recorded views",
	Target: "Progress to target", TargetReached: "target reached on", TargetNotReached: "target not reached yet", NoTarget: "no target set",
	VsPrev: "vs previous period", PrevNA: "previous period: n/a",
	DailyChart: "Posts per day", PlatformChart: "Posts by platform", UnitChart: "Unit leaderboard",
	EngagementChart: "Engagement over time by platform", HeatChart: "When people post (weekday × hour)",
	Cumulative: "Cumulative", TargetLine: "Target", Others: "Other units", NoUnit: "(no unit)",
	WithoutPosts: "Units with no post yet", WithoutPostsNone: "Every unit posted in the period.",
	WithoutPostsHint: "The list to remind branches",
	TopPosts:         "Top posts by engagement", Unit: "Unit", Platform: "Platform", Date: "Date",
	Likes: "Likes", Comments: "Comments", Shares: "Shares", Link: "Link", Open: "Open",
	NoTopPosts:   "No post with engagement figures in the period yet.",
	SourceHealth: "Source health", Source: "Source", LastSuccess: "Last success",
	Failures: "Consecutive failures", LastError: "Last error", Status: "Status",
	Stale: "Stale", OK: "OK", NeverRan: "Never ran", NoSources: "No automatic sources configured (manual submissions only).", Never: "never",
	Notes:           "Data notes",
	NotesPosts:      "Posts: de-duplicated posts (one link counts once).",
	NotesEngagement: "Engagement: likes + comments + shares, where the platform shows them publicly.",
	NotesViews:      "Recorded views: only where a platform shows view counts.",
	NotesUnknown:    "%s posts have no engagement or view figures (shown as “n/a”, never counted as 0).",
	NotesUnverified: "%s posts not yet verified to carry the hashtag; %s verified; %s cannot be verified (page behind a login).",
	NotesNoUnit:     "%s posts have no unit.",
	NotesDays:       "Days are counted in Vietnam time (%s), midnight to midnight.",
	NA:              "n/a",
	Weekdays:        [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
	Hour:            "Hour",
	IndexTitle:      "Campaign reports", IndexLatest: "Latest report", IndexEmpty: "No report yet.",
	Answer: "Summary", NewToday: "today", NewInPeriod: "new posts in the period", WithoutShort: "Units with no post",
	WithoutMore: "%d units have not posted in the period", SeeList: "see the list",
	NoPrev:      "no comparison (the period starts with the campaign)",
	NotesNoPrev: "The period starts in the campaign's first days, so it is not compared with a previous period: there was no campaign before.",
	HourUnknown: "%s posts with a date but no time are not in this chart.",
	Author:      "Author", Numbers: "Figures", Views2: "views",
	PeriodShown: "The shaded days are the report's period.", Digest: "Digest", Data: "Data", IndexDate: "Date", IndexFiles: "Files",
	AxisPosts: "Posts", AxisEngagement: "Engagement", AxisDays: "Day", NoSourcesShort: "no automatic sources configured",
	MeasuredShare:     "%d %% measured by the platforms",
	MeasuredNone:      "nothing measured by the platforms yet",
	MeasuredPosts:     "%s posts measured by the platforms (no engagement yet)",
	MeasuredNoteShare: "Engagement measured by the platforms: %d %% (%s of %s, %s posts measured through the platforms' official APIs); the rest was typed by units or read from the posts' pages.",
	MeasuredNoteNone:  "Nothing measured by the platforms yet: every engagement figure was typed by units or read from the posts' pages.",
	FromMeasured:      "measured", FromTyped: "self-reported", FromPage: "read from the page", Gone: "deleted on the platform",
	ReachTitle:  "Potential reach (people who could have seen the posts, not people reached)",
	ReachChart:  "Potential reach per day",
	ReachFigure: "Potential reach", ReachSub: "audiences of the units that posted, per day they posted",
	AtLeast: "at least", ReachNone: "unknown (no unit that posted has a known audience)",
	Audience: "Followers", DaysPosted: "Days posted", Potential: "Potential reach", UnknownAudience: "unknown",
	ReachUnknownDays: "Days with a unit of unknown audience: the bar is a lower bound.",
	MeasuredReach:    "Reach measured by Facebook Insights", MeasuredReachNone: "nothing measured by Facebook Insights yet (needs pages_read_insights)",
	Impressions: "impressions", ReachPosts: "posts",
	NotesReach:         "Potential reach: per day, the followers of the units that posted that day, summed; per unit, its followers × the days it posted in the period. A unit's followers = its configured “audience” + the last known followers of its connected pages and channels. It counts people who could have seen the posts, not people reached.",
	NotesReachUnknown:  "%s units posted with no known audience (not counted as 0; the potential reach is a lower bound): %s.",
	NotesReachNoUnit:   "posts without a unit",
	NotesMeasuredReach: "Reach and impressions measured by Facebook Insights: %s posts of pages that granted insights; shown apart, never added to the potential reach.",
	AxisReach:          "People", Connected: "connected pages",
}

func labelsFor(lang string) *labels {
	if lang == "en" {
		return &en
	}
	return &vi
}

func platformOrder(p string) int {
	if i := slices.Index(canon.Platforms, p); i >= 0 {
		return i
	}
	return len(canon.Platforms)
}

// FormatInt writes n with the thousands separator of lang: 1.234 in Vietnamese, 1,234
// in English. The command line uses it too, so every number a user reads looks alike.
func FormatInt(n int64, lang string) string { return formatInt(n, lang) }

func formatInt(n int64, lang string) string {
	sep := byte('.')
	if lang == "en" {
		sep = ','
	}
	s := strconv.FormatInt(n, 10)
	neg := false
	if n < 0 {
		neg, s = true, s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, sep)
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

// formatMetric writes a count, or the words for "unknown".
func formatMetric(m collector.Count, lang string) string {
	if !m.Known {
		return labelsFor(lang).NA
	}
	return formatInt(m.N, lang)
}

// formatDelta writes a change with its sign ("+12", "-3", "±0"), or the words for unknown.
func formatDelta(d collector.Count, lang string) string {
	if !d.Known {
		return labelsFor(lang).NA
	}
	switch {
	case d.N > 0:
		return "+" + formatInt(d.N, lang)
	case d.N < 0:
		return formatInt(d.N, lang)
	}
	return "±0"
}

// formatDate writes a day as dd/mm/yyyy (Vietnamese) or yyyy-mm-dd (English).
func formatDate(t time.Time, lang string) string {
	if t.IsZero() {
		return labelsFor(lang).NA
	}
	if lang == "en" {
		return t.Format("2006-01-02")
	}
	return t.Format("02/01/2006")
}

func formatDateTime(t time.Time, loc *time.Location, lang string) string {
	if t.IsZero() {
		return labelsFor(lang).Never
	}
	t = t.In(loc)
	if lang == "en" {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("15:04 02/01/2006")
}

// formatProgress writes "312 / 300 = 104 %".
func (r *Report) formatProgress() string {
	l := labelsFor(r.Lang)
	if r.Target <= 0 {
		return formatInt(r.PostsTotal, r.Lang) + " (" + l.NoTarget + ")"
	}
	return fmt.Sprintf("%s / %s = %d %%", formatInt(r.PostsTotal, r.Lang), formatInt(int64(r.Target), r.Lang), r.TargetPercent)
}

// formatReached says when the target was reached, or that it was not.
func (r *Report) formatReached() string {
	l := labelsFor(r.Lang)
	if r.Target <= 0 {
		return ""
	}
	if r.TargetReached.IsZero() {
		return l.TargetNotReached
	}
	return l.TargetReached + " " + formatDate(r.TargetReached, r.Lang)
}
