package canon

import (
	"net/url"
	"slices"
	"strings"
)

// This file is everything canon knows about particular platforms: which hosts are one
// site, which links only wrap another link, which spellings of a path are one post, and
// — the rule the rest follows — which query parameters name the content on each host.
// The README's "Links we recognise" table is written from it; change both together.

// hostFold maps a family of host names to the one a platform's posts are
// canonically filed under.
type hostFold struct {
	base     string
	prefixes []string // subdomain labels that reach the same content
	to       string
	// locales folds language subdomains ("vi-vn.facebook.com"), which show the
	// same post in another interface language.
	locales bool
}

var hostFolds = []hostFold{
	// d. (desktop), free. (Free Basics), mtouch. and the locale hosts are old or
	// regional entry points that still serve every post.
	{"facebook.com", []string{"www", "m", "mobile", "web", "touch", "mbasic", "business", "d", "free", "mtouch", "upload"}, "facebook.com", true},
	{"fb.com", []string{"www", "m"}, "facebook.com", false},
	{"instagram.com", []string{"www", "m"}, "instagram.com", false},
	{"instagr.am", []string{"www"}, "instagram.com", false},
	// vt. and vm. are short-link hosts, not mirrors: they are resolved, not folded.
	{"tiktok.com", []string{"www", "m"}, "tiktok.com", false},
	{"youtube.com", []string{"www", "m", "music"}, "youtube.com", false},
	{"youtube-nocookie.com", []string{"www"}, "youtube.com", false},
	{"twitter.com", []string{"www", "m", "mobile"}, "x.com", false},
	{"x.com", []string{"www", "m", "mobile"}, "x.com", false},
	{"threads.net", []string{"www", "m"}, "threads.net", false},
	// Threads moved to threads.com in 2025 and both serve the same posts;
	// filing them under one host keeps old and new shares one post.
	{"threads.com", []string{"www", "m"}, "threads.net", false},
	{"zalo.me", []string{"www", "m"}, "zalo.me", false},
}

func foldHost(host string) string {
	for _, f := range hostFolds {
		if host == f.base {
			return f.to
		}
		sub, ok := strings.CutSuffix(host, "."+f.base)
		if !ok {
			continue
		}
		// Every label must be foldable ("www.m.facebook.com" included), or a
		// second pass would fold what the first left behind.
		all := true
		for label := range strings.SplitSeq(sub, ".") {
			if !slices.Contains(f.prefixes, label) && !(f.locales && isLocaleLabel(label)) {
				all = false
				break
			}
		}
		if all {
			return f.to
		}
	}
	// News sites serve the same article with and without "www."; "m." may
	// be a different site, so it stays. A dot must remain so "www.vn" is
	// not reduced to a top-level domain.
	for {
		rest, ok := strings.CutPrefix(host, "www.")
		if !ok || !strings.Contains(rest, ".") {
			return host
		}
		host = rest
	}
}

// isLocaleLabel reports whether label looks like "vi-vn" or "en-gb".
func isLocaleLabel(label string) bool {
	if len(label) != 5 || label[2] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if label[i] < 'a' || label[i] > 'z' {
			return false
		}
	}
	return true
}

// wrapper is a link whose only content is another link in one of its parameters: a
// click-tracking redirect, a login page that returns to the post, an embed.
type wrapper struct {
	host  string   // folded host
	paths []string // lower-case paths after canonPath
	keys  []string // the parameters that may carry the target, in order of preference
}

var wrappers = []wrapper{
	{"l.facebook.com", []string{"/l.php"}, []string{"u"}},
	{"lm.facebook.com", []string{"/l.php"}, []string{"u"}},
	{"facebook.com", []string{"/l.php"}, []string{"u"}},
	{"facebook.com", []string{"/login", "/login.php", "/login/device-based/regular/login"}, []string{"next"}},
	{"facebook.com", []string{"/plugins/post.php", "/plugins/video.php", "/plugins/comment_embed.php"}, []string{"href"}},
	{"l.instagram.com", []string{"/"}, []string{"u"}},
	{"instagram.com", []string{"/accounts/login"}, []string{"next"}},
	{"youtube.com", []string{"/redirect"}, []string{"q"}},
	{"google.com", []string{"/url"}, []string{"q", "url"}},
	{"google.com.vn", []string{"/url"}, []string{"q", "url"}},
}

// innermost returns the link l wraps, and that link's own target, until a link is
// not a wrapper or its target is not an http(s) link. Each target is a strict part of
// the link around it, so this ends.
func innermost(l link) link {
	for {
		target, ok := wrapped(l)
		if !ok {
			return l
		}
		in, err := parse(target)
		if err != nil {
			return l
		}
		l = in
	}
}

// wrapped returns the target of a wrapper link: an absolute http(s) link, or a path on
// the wrapper's own host ("/login/?next=%2Fgroups%2F…").
func wrapped(l link) (string, bool) {
	host := foldHost(l.host)
	path := strings.ToLower(canonPath(l.u))
	for _, w := range wrappers {
		if w.host != host || !slices.Contains(w.paths, path) {
			continue
		}
		params := parseQuery(l.u.RawQuery)
		for _, key := range w.keys {
			for _, p := range params {
				if strings.ToLower(p.key) != key {
					continue
				}
				v := strings.TrimSpace(p.value)
				if scheme, rest, ok := splitScheme(v); ok && (scheme == "http" || scheme == "https") && strings.HasPrefix(rest, "//") {
					return v, true
				}
				if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") && len(v) > 1 {
					return l.scheme + "://" + l.u.Host + v, true
				}
			}
		}
	}
	return "", false
}

// rewrite turns the spellings of one post into one: the same video as /watch?v=,
// video.php?v=, /{page}/videos/ID and /reel/ID; the same Instagram post as /p/, /reel/,
// /reels/, /tv/ or /{user}/p/; the same YouTube video as youtu.be, shorts, embed, live
// or /v/; the same TikTok video with or without its author's name.
func rewrite(host, path string, params []param) (string, string, []param) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	lower := strings.ToLower(path)
	switch host {
	case "facebook.com":
		switch {
		case lower == "/story.php":
			// The mobile share form of a permalink: same parameters, same post.
			return host, "/permalink.php", params
		case (lower == "/video.php" || lower == "/watch/live") && hasParam(params, "v"):
			// Only with the video's id: without it the page is the Watch home, which
			// no post may become.
			return host, "/watch", params
		case len(segs) == 2 && strings.EqualFold(segs[0], "reel") && allDigits(segs[1]):
			return host, "/watch", setParam(params, "v", segs[1])
		case len(segs) >= 3 && strings.EqualFold(segs[1], "videos") && allDigits(segs[len(segs)-1]):
			return host, "/watch", setParam(params, "v", segs[len(segs)-1])
		case len(segs) == 2 && strings.EqualFold(segs[0], "groups"):
			if v, ok := getParam(params, "multi_permalinks"); ok && v != "" && !strings.ContainsAny(v, ",/?#") && allSafe(v) {
				return host, path + "/posts/" + v, nil
			}
		case len(segs) == 4 && strings.EqualFold(segs[0], "groups") && strings.EqualFold(segs[2], "permalink"):
			return host, "/groups/" + segs[1] + "/posts/" + segs[3], params
		}
	case "instagram.com":
		// "/p/ID", "/reel/ID", "/reels/ID", "/tv/ID", and the same after a user name.
		for i := 0; i <= 1 && i+1 < len(segs); i++ {
			id := segs[i+1]
			if id != "" && id != "audio" && (i == 0 || !strings.EqualFold(segs[0], "share")) && slices.Contains([]string{"p", "reel", "reels", "tv"}, strings.ToLower(segs[i])) {
				return host, "/p/" + id, params
			}
		}
	case "youtube.com":
		switch {
		case lower == "/embed/videoseries" || lower == "/watch" && !hasParam(params, "v") && hasParam(params, "list"):
			if hasParam(params, "list") {
				return host, "/playlist", params
			}
		case len(segs) >= 2 && segs[1] != "" && slices.Contains([]string{"shorts", "live", "embed", "v", "e"}, strings.ToLower(segs[0])):
			if id, ok := firstSegment("/" + segs[1]); ok {
				return host, "/watch", setParam(params, "v", id)
			}
		}
	case "youtu.be":
		if id, ok := firstSegment(path); ok {
			return "youtube.com", "/watch", setParam(params, "v", id)
		}
	case "tiktok.com":
		switch {
		case len(segs) >= 3 && strings.HasPrefix(segs[0], "@") && (segs[1] == "video" || segs[1] == "photo") && allDigits(segs[2]):
			// A video id is unique on TikTok and the author may rename; the name in
			// the link is only decoration (TikTok serves /@/video/ID).
			return host, "/@/" + segs[1] + "/" + segs[2], params
		case len(segs) == 3 && segs[0] == "embed" && segs[1] == "v2" && allDigits(segs[2]),
			len(segs) == 2 && segs[0] == "embed" && allDigits(segs[1]):
			return host, "/@/video/" + segs[len(segs)-1], params
		case len(segs) == 2 && segs[0] == "v" && allDigits(strings.TrimSuffix(segs[1], ".html")):
			return host, "/@/video/" + strings.TrimSuffix(segs[1], ".html"), params
		case len(segs) >= 1 && strings.HasPrefix(segs[0], "@") && !strings.Contains(segs[0], "%"):
			// A profile: TikTok user names are case-insensitive.
			segs[0] = strings.ToLower(segs[0])
			return host, "/" + strings.Join(segs, "/"), params
		}
	}
	return host, path, params
}

// contentParams is the table of query parameters that name the content, per host and
// path (lower case; a path ending in "/" matches every path under it, "*" every path
// of the host). On a listed host every other parameter is dropped; on other hosts
// (news sites) only known tracking parameters are (isTracking).
var contentParams = []struct {
	host, path string
	keep       []string
}{
	{"facebook.com", "/permalink.php", []string{"story_fbid", "id"}},
	{"facebook.com", "/photo.php", []string{"fbid", "set"}},
	{"facebook.com", "/photo", []string{"fbid", "set"}},
	{"facebook.com", "/watch", []string{"v"}},
	{"facebook.com", "/media/set", []string{"set"}},
	{"facebook.com", "/profile.php", []string{"id"}},
	{"facebook.com", "/events/", []string{"event_time_id"}},
	{"facebook.com", "/plugins/", []string{"href"}},
	{"facebook.com", "*", nil},
	{"youtube.com", "/watch", []string{"v"}},
	{"youtube.com", "/playlist", []string{"list"}},
	{"instagram.com", "*", nil},
	{"tiktok.com", "*", nil},
	{"threads.net", "*", nil},
	{"x.com", "*", nil},
	{"zalo.me", "*", nil},
}

func filterParams(params []param, host, path, platform string) []param {
	if len(params) == 0 {
		return nil
	}
	lower := strings.ToLower(path)
	listed := false
	var keep []string
	for _, c := range contentParams {
		if c.host != host {
			continue
		}
		if c.path == "*" || c.path == lower || strings.HasSuffix(c.path, "/") && strings.HasPrefix(lower, c.path) {
			listed, keep = true, c.keep
			break
		}
	}
	return slices.DeleteFunc(params, func(p param) bool {
		key := strings.ToLower(p.key)
		if listed {
			return !slices.Contains(keep, key)
		}
		return isTracking(key, platform)
	})
}

// trackingPrefixes start the names of parameters that analytics and mailing tools add
// (Google, Matomo/Piwik, HubSpot, internal campaign codes).
var trackingPrefixes = []string{"utm_", "__cft__", "mtm_", "pk_", "itm_", "__hs", "_hs", "matomo_", "piwik_", "fb_action_"}

// trackingKeys are parameters that only record how a link was shared or clicked.
var trackingKeys = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "gbraid": true, "wbraid": true, "yclid": true,
	"ttclid": true, "twclid": true, "li_fat_id": true, "igshid": true, "igsh": true, "mibextid": true, "si": true,
	"ref": true, "ref_src": true, "ref_url": true, "__tn__": true, "_rdc": true, "_rdr": true, "share_id": true,
	"sharer_id": true, "rdid": true, "is_from_webapp": true, "sender_device": true, "zarsrc": true, "gidzl": true,
	"_ga": true, "_gl": true, "_gac": true, "srsltid": true, "fb_source": true, "fb_ref": true, "mc_cid": true,
	"mc_eid": true, "hsctatracking": true, "cmpid": true, "s_cid": true, "mkt_tok": true, "oly_anon_id": true,
	"oly_enc_id": true, "vero_id": true, "vero_conv": true, "_openstat": true, "rb_clickid": true, "wickedid": true,
	"epik": true, "ncid": true, "spm": true,
}

// isTracking reports whether a lower-cased query key only records how a link
// was shared or clicked, never which post it is.
func isTracking(key, platform string) bool {
	if trackingKeys[key] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	switch key {
	case "s":
		// On X "s" is the share source; on news sites it is often a search.
		return platform == X
	case "feature", "pp", "t":
		// "t" is a YouTube timestamp: the same video from a later second is
		// still the same post.
		return platform == YouTube
	}
	return false
}

// shortLinks are the hosts, or host and path prefix, of links that only redirect to a
// post: the canonical form cannot tell which post until the redirect is followed.
var shortLinks = []struct{ host, prefix string }{
	{"fb.watch", "/"}, {"fb.me", "/"}, {"facebook.com", "/share/"},
	{"vt.tiktok.com", "/"}, {"vm.tiktok.com", "/"}, {"tiktok.com", "/t/"},
	{"instagram.com", "/share/"}, {"t.co", "/"},
	{"bit.ly", "/"}, {"tinyurl.com", "/"}, {"goo.gl", "/"}, {"t.ly", "/"}, {"rb.gy", "/"}, {"cutt.ly", "/"},
	{"is.gd", "/"}, {"ow.ly", "/"}, {"shorturl.at", "/"},
}

// IsShortLink reports whether link (canonical or not) is a short or share link
// (fb.watch, facebook.com/share/p/…, vt.tiktok.com, tiktok.com/t/…, bit.ly…) that names
// no post until its redirect is followed. Such a post is "unresolved": the same post
// shared in full counts apart until enrichment resolves it.
func IsShortLink(link string) bool {
	l, err := parse(link)
	if err != nil {
		return false
	}
	l = innermost(l)
	host := foldHost(l.host)
	path := strings.ToLower(canonPath(l.u))
	for _, s := range shortLinks {
		if s.host == host && strings.HasPrefix(path+"/", s.prefix) && len(path) > len(s.prefix) {
			return true
		}
	}
	return false
}

func getParam(params []param, key string) (string, bool) {
	for _, p := range params {
		if strings.EqualFold(p.key, key) {
			return p.value, true
		}
	}
	return "", false
}

func hasParam(params []param, key string) bool {
	_, ok := getParam(params, key)
	return ok
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// allSafe reports whether s can be a path segment as it is (letters, digits, - _ .).
func allSafe(s string) bool {
	return url.PathEscape(s) == s && s != "." && s != ".."
}
