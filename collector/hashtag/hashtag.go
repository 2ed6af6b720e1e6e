// Package hashtag finds hashtags in post text and decides whether they belong to a
// campaign. Vietnamese posts spell the same campaign tag many ways — with or without
// diacritics, in any case, typed as NFC on one phone and NFD on another — so every
// comparison goes through Key, which folds those differences away, while the tags
// handed back to callers keep the spelling the author used (normalised to NFC).
package hashtag

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxTags bounds Extract's result so a spam post made of thousands of tags cannot
// blow up what the collector stores per post.
const maxTags = 64

// Extract returns the hashtags in text, in order of first appearance, each without its '#'
// and converted to NFC, de-duplicated by Key (first spelling wins). At most 64 tags.
// The returned strings may share memory with text.
func Extract(text string) []string {
	var (
		tags []string
		seen map[string]struct{}
		buf  [128]byte
	)
	for s := (scanner{text: text}); ; {
		raw, ok := s.next()
		if !ok {
			break
		}
		k := appendKey(buf[:0], raw)
		if _, dup := seen[string(k)]; dup {
			continue
		}
		if seen == nil {
			seen = make(map[string]struct{})
		}
		seen[string(k)] = struct{}{}
		tags = append(tags, norm.NFC.String(raw))
		if len(tags) == maxTags {
			break
		}
	}
	return tags
}

// Key returns the comparison form of a tag (with or without a leading '#'):
// NFC/NFD-insensitive, case-insensitive, Vietnamese diacritics removed, đ/Đ → d.
// "#TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố", "TuoitreDakLakTienphongChuyendoiso" and the NFD
// form of the first all give "tuoitredaklaktienphongchuyendoiso". Returns "" for an empty tag.
//
// Every leading '#' is removed, and invalid UTF-8 bytes become U+FFFD, so that a key is
// valid UTF-8 and Key(Key(x)) == Key(x) for any input.
func Key(tag string) string {
	var buf [128]byte
	return string(appendKey(buf[:0], tag))
}

// appendKey appends Key(tag) to dst. It is the allocation-free core of Key: Matcher.Has
// runs it for every tag of every post, and the key is only needed long enough for a
// map lookup.
//
// It computes what transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)),
// runes.Map(fold), norm.NFC) computes (the tests hold it to exactly that), but a Chain
// carries buffers, so it would allocate on every call and could not be shared between
// goroutines, and norm.Iter is large enough that zeroing it dominated the benchmarks.
// NFD's canonical reordering is skipped: it only reorders marks, most of which are
// dropped, and the final NFC orders whatever is left.
func appendKey(dst []byte, tag string) []byte {
	start := len(dst)
	needNFC := false
	appendFolded := func(r rune) {
		if unicode.Is(unicode.Mn, r) {
			return
		}
		pos := len(dst)
		dst = utf8.AppendRune(dst, fold(r))
		// Only a rune that can combine with the one before it (a spacing mark, a
		// Hangul vowel jamo) can make the result non-NFC.
		if !needNFC && dst[pos] >= utf8.RuneSelf && !norm.NFC.Properties(dst[pos:]).BoundaryBefore() {
			needNFC = true
		}
	}
	for i := 0; i < len(tag); {
		if c := tag[i]; c < utf8.RuneSelf {
			// Most campaign tags are typed without diacritics, and ASCII is its own NFD.
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(tag[i:])
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			i++
			continue
		}
		d := norm.NFD.PropertiesString(tag[i:]).Decomposition()
		i += size
		if d == nil {
			appendFolded(r)
			continue
		}
		for len(d) > 0 {
			r, size := utf8.DecodeRune(d)
			d = d[size:]
			appendFolded(r)
		}
	}
	if needNFC {
		// Converting to string copies, which keeps dst (often a caller's stack array)
		// from escaping into norm's API.
		nfc := norm.NFC.String(string(dst[start:]))
		dst = append(dst[:start], nfc...)
	}
	// Every leading '#' goes, and only after marks are stripped: otherwise "##x" or
	// "\u0301#x" would key to "#x", and Key of that to "x" — Key must be idempotent.
	n := 0
	for start+n < len(dst) && dst[start+n] == '#' {
		n++
	}
	if n > 0 {
		dst = append(dst[:start], dst[start+n:]...)
	}
	return dst
}

// fold maps a rune with its diacritics already removed to its comparison form.
func fold(r rune) rune {
	switch r {
	// Đ has no canonical decomposition, so stripping marks cannot turn it into d.
	// Ð/ð (Icelandic eth) look identical to Đ in capitals and still turn up in
	// Vietnamese text converted from legacy encodings ("ÐẮK LẮK").
	case 'đ', 'Đ', 'Ð', 'ð':
		return 'd'
	}
	// Upper then lower, rather than lower alone, so that letters that are case variants
	// without one being the other's lower case (ſ/s, ς/σ) meet.
	return unicode.ToLower(unicode.ToUpper(r))
}

// Matcher matches text against a campaign's accepted tags (primary tag plus variants).
// It is read-only after NewMatcher, so one Matcher may be shared by goroutines.
type Matcher struct {
	keys map[string]struct{}
}

// NewMatcher returns a Matcher for the given tags, each with or without '#'. Tags whose
// Key is empty are ignored.
func NewMatcher(tags ...string) *Matcher {
	m := &Matcher{keys: make(map[string]struct{}, len(tags))}
	for _, t := range tags {
		if k := Key(t); k != "" {
			m.keys[k] = struct{}{}
		}
	}
	return m
}

// Match returns the campaign tags found in text, as written in the text (NFC), in order
// of first appearance and de-duplicated by Key; nil if none. Unlike Extract it has no
// cap, so a campaign tag late in a tag-stuffed post is still found.
func (m *Matcher) Match(text string) []string {
	if m == nil || len(m.keys) == 0 {
		return nil
	}
	var (
		found []string
		keys  []string
		buf   [128]byte
	)
	for s := (scanner{text: text}); ; {
		raw, ok := s.next()
		if !ok {
			break
		}
		k := appendKey(buf[:0], raw)
		if _, ok := m.keys[string(k)]; !ok {
			continue
		}
		// A campaign has a handful of keys, so a linear scan beats a second map.
		dup := false
		for _, seen := range keys {
			if seen == string(k) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		keys = append(keys, string(k))
		found = append(found, norm.NFC.String(raw))
	}
	return found
}

// MatchTags reports whether any of tags (e.g. a feed's categories, with or without '#')
// is a campaign tag. Surrounding whitespace is ignored because feeds often pad
// categories.
func (m *Matcher) MatchTags(tags []string) bool {
	if m == nil || len(m.keys) == 0 {
		return false
	}
	var buf [128]byte
	for _, t := range tags {
		k := appendKey(buf[:0], strings.TrimSpace(t))
		if len(k) == 0 {
			continue
		}
		if _, ok := m.keys[string(k)]; ok {
			return true
		}
	}
	return false
}

// Has reports whether text contains a campaign tag; it is len(m.Match(text)) > 0
// without building the slice.
func (m *Matcher) Has(text string) bool {
	if m == nil || len(m.keys) == 0 {
		return false
	}
	var buf [128]byte
	for s := (scanner{text: text}); ; {
		raw, ok := s.next()
		if !ok {
			return false
		}
		if _, ok := m.keys[string(appendKey(buf[:0], raw))]; ok {
			return true
		}
	}
}

// scanner walks text once, left to right, and yields raw hashtags (without '#', in the
// text's own normal form). It never backtracks, so it is linear in len(text).
type scanner struct {
	text string
	pos  int
	// blocks is true when the last rune seen would glue a following '#' to a word
	// ("C#", "abc#def", "/#frag", "&#35;"), so that '#' does not start a tag.
	blocks bool
	// afterTag is true right after a tag: a '/' there separates two tags
	// ("#ChuyenDoiSo/#TuoiTre"), where elsewhere it would be a link's "/#frag".
	afterTag bool
}

func (s *scanner) next() (string, bool) {
	text := s.text
	for s.pos < len(text) {
		i := s.pos
		c := text[i]
		switch {
		case c == '#':
			if s.blocks {
				// A run of '#' after a word character stays glued to it ("a##b").
				s.pos++
				continue
			}
			j := i + 1
			hasAlnum := false
			for j < len(text) {
				r, size := utf8.DecodeRuneInString(text[j:])
				if size == 1 && r == utf8.RuneError || !isTagRune(r) {
					break
				}
				if (r == 'h' || r == 'H') && schemePrefix(text[j:]) {
					// "#Taghttps://…": a link pasted right after the tag ends it.
					break
				}
				// '_' and marks may sit inside a tag but cannot make one on their own ("#_").
				if r != '_' && !unicode.IsMark(r) {
					hasAlnum = true
				}
				j += size
			}
			s.pos = j
			if j > i+1 {
				// The tag (or the "#_" that failed to be one) ended on a word rune.
				s.blocks = true
			}
			s.afterTag = hasAlnum
			if hasAlnum {
				return text[i+1 : j], true
			}
		case (c == 'h' || c == 'H' || c == 'w' || c == 'W') && urlPrefix(text[i:]):
			// A fragment or query in a link ("…/page#section", "?b=1#Tag") is not a
			// hashtag even when it reads like one, so skip the whole link.
			j := i
			for j < len(text) {
				r, size := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(r) {
					break
				}
				j += size
			}
			s.pos = j
			s.blocks, s.afterTag = false, false
		default:
			r, size := utf8.DecodeRuneInString(text[i:])
			s.pos += size
			afterTag := s.afterTag
			s.afterTag = false
			switch {
			case r == '/' && afterTag:
				s.blocks = false
			case size == 1 && r == utf8.RuneError:
				s.blocks = false
			case r == '\u20e3':
				// COMBINING ENCLOSING KEYCAP turns "1" into the emoji 1️⃣, and a tag may
				// follow an emoji directly.
				s.blocks = false
			case unicode.IsMark(r):
				// A mark belongs to the rune before it: "é" in NFD keeps blocking, while
				// the variation selector in "❤️" must not start blocking.
			default:
				s.blocks = r == '/' || r == '&' || r == '=' || isTagRune(r)
			}
		}
	}
	return "", false
}

// isTagRune reports whether r may appear in a tag after the '#'. Marks are included so
// NFD text ("e" + U+0301) does not end a tag mid-letter.
func isTagRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	if isEmojiMark(r) {
		// A variation selector or keycap turns what precedes it into an emoji ("#️⃣",
		// the keycap people use as a bullet), and a tag ends where an emoji starts:
		// so neither starts or continues a tag.
		return false
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// isEmojiMark reports whether r is a variation selector or the enclosing keycap.
func isEmojiMark(r rune) bool {
	return r == '\u20e3' || '\ufe00' <= r && r <= '\ufe0f' || '\U000e0100' <= r && r <= '\U000e01ef'
}

// schemePrefix reports whether s starts with http:// or https://, in any case.
func schemePrefix(s string) bool {
	return hasPrefixASCIIFold(s, "http://") || hasPrefixASCIIFold(s, "https://")
}

// urlPrefix reports whether s starts a link: http://, https:// or www., in any case.
func urlPrefix(s string) bool {
	for _, p := range [...]string{"http://", "https://", "www."} {
		if hasPrefixASCIIFold(s, p) {
			return true
		}
	}
	return false
}

// hasPrefixASCIIFold is strings.HasPrefix ignoring ASCII case only; strings.EqualFold
// would also let look-alikes such as 'ſ' or the Kelvin sign stand in for letters.
func hasPrefixASCIIFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
