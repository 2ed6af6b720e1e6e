package card

// labels are the card's words. The report package keeps its own table unexported; the
// card says less, in shorter words, so it keeps a small one.
type labels struct {
	ReportOf, Progress, Posts, Reached, NotReached, NoTarget string
	Today, Total, UnitsPosted                                string
	Leaders, NoLeaders                                       string
	WithoutPosts, Units, AllPosted, More                     string
	Daily, Peak                                              string
}

var vi = labels{
	ReportOf: "Báo cáo ngày", Progress: "Tiến độ chỉ tiêu", Posts: "bài",
	Reached: "Đạt chỉ tiêu ngày", NotReached: "Chưa đạt chỉ tiêu", NoTarget: "Chưa đặt chỉ tiêu",
	Today: "Hôm nay", Total: "Tổng cộng", UnitsPosted: "Đơn vị đã đăng",
	Leaders: "Đơn vị dẫn đầu", NoLeaders: "Chưa có đơn vị nào đăng bài.",
	WithoutPosts: "Chưa có bài", Units: "đơn vị", AllPosted: "Tất cả đơn vị đã có bài đăng.", More: "và %d đơn vị khác",
	Daily: "Bài đăng theo ngày", Peak: "cao nhất",
}

var en = labels{
	ReportOf: "Report of", Progress: "Progress to target", Posts: "posts",
	Reached: "Target reached on", NotReached: "Target not reached yet", NoTarget: "No target set",
	Today: "Today", Total: "In total", UnitsPosted: "Units posted",
	Leaders: "Leading units", NoLeaders: "No unit has posted yet.",
	WithoutPosts: "No post yet", Units: "units", AllPosted: "Every unit has posted.", More: "and %d more",
	Daily: "Posts per day", Peak: "peak",
}

func labelsFor(lang string) *labels {
	if lang == "en" {
		return &en
	}
	return &vi
}
