package sheet

import (
	"bytes"
	"encoding/binary"
)

// csvScanner splits CSV text into records the way encoding/csv does with LazyQuotes
// (a quote opens a field only as its first byte; `""` inside is one quote; a quote
// followed by anything but a separator or the line's end is kept; CRLF reads as LF,
// also inside quoted fields; empty lines are skipped), but keeps at most maxFields
// fields of a record: the ones after are scanned and dropped. encoding/csv keeps every
// field of a record, and one line of 67 million commas took 5.4 GB.
type csvScanner struct {
	data      []byte
	pos       int
	line      int // lines consumed so far
	comma     byte
	maxFields int
	buf       []byte
	width     int // fields kept of the previous record: the next one's likely size
}

func newCSVScanner(data []byte, comma byte, maxFields int) *csvScanner {
	return &csvScanner{data: data, comma: comma, maxFields: maxFields}
}

// next returns the next record, the line it starts on and how many fields it had in
// all (more than len(rec) when some were dropped); ok is false at the end.
func (s *csvScanner) next() (rec []string, line, fields int, ok bool) {
	// Skip empty lines ("\n", "\r\n", and a lone "\r" before the end).
	for {
		if s.pos >= len(s.data) {
			return nil, 0, 0, false
		}
		rest := s.data[s.pos:]
		switch {
		case rest[0] == '\n':
			s.pos++
			s.line++
			continue
		case rest[0] == '\r' && (len(rest) == 1 || rest[1] == '\n'):
			s.pos += min(2, len(rest))
			s.line++
			continue
		}
		break
	}
	s.line++
	line = s.line
	if s.width > 0 {
		// Rows of a sheet are as wide as each other: one allocation per record, not
		// one per doubling.
		rec = make([]string, 0, s.width)
	}
	defer func() { s.width = len(rec) }()
	for {
		var end bool
		var field string
		keep := len(rec) < s.maxFields
		if !keep && s.data[s.pos] == s.comma {
			// Past the cap, a run of separators is a run of empty fields, all dropped:
			// counted at once, not one call each (a line of 67 million commas).
			n := sameBytes(s.data[s.pos:], s.comma)
			fields += n
			s.pos += n
			if s.pos >= len(s.data) {
				// A separator at the very end: one more, empty, field.
				fields++
				return rec, line, fields, true
			}
			continue
		}
		if s.data[s.pos] == '"' {
			field, end = s.quoted(keep)
		} else {
			field, end = s.unquoted(keep)
		}
		fields++
		if keep {
			rec = append(rec, field)
		}
		if end {
			return rec, line, fields, true
		}
		if s.pos >= len(s.data) {
			// A separator at the very end: one more, empty, field.
			fields++
			if len(rec) < s.maxFields {
				rec = append(rec, "")
			}
			return rec, line, fields, true
		}
	}
}

// sameBytes counts the bytes at the start of b equal to c, eight at a time.
func sameBytes(b []byte, c byte) int {
	n := 0
	eight := uint64(c) * 0x0101010101010101
	for n+8 <= len(b) && binary.LittleEndian.Uint64(b[n:]) == eight {
		n += 8
	}
	for n < len(b) && b[n] == c {
		n++
	}
	return n
}

// lineEnd reports whether data[i:] starts with the end of a line ("\n", "\r\n", or a
// "\r" that ends the input) or is the end of the input, and its length.
func (s *csvScanner) lineEnd(i int) (bool, int) {
	d := s.data
	switch {
	case i >= len(d):
		return true, 0
	case d[i] == '\n':
		return true, 1
	case d[i] == '\r' && i+1 < len(d) && d[i+1] == '\n':
		return true, 2
	case d[i] == '\r' && i+1 == len(d):
		return true, 1
	}
	return false, 0
}

// unquoted reads a field up to the separator (consumed) or the end of the line
// (consumed; end is true). A field not kept is not copied.
func (s *csvScanner) unquoted(keep bool) (field string, end bool) {
	d := s.data
	start := s.pos
	for i := start; ; i++ {
		nl, n := s.lineEnd(i)
		if nl || d[i] == s.comma {
			if keep {
				field = string(d[start:i])
			}
			if nl {
				s.pos = i + n
				return field, true
			}
			s.pos = i + 1
			return field, false
		}
	}
}

// quoted reads a field that starts with a quote. A field not kept is not copied.
func (s *csvScanner) quoted(keep bool) (field string, end bool) {
	d := s.data
	s.buf = s.buf[:0]
	i := s.pos + 1
	text := func() string {
		if !keep {
			return ""
		}
		return string(s.buf)
	}
	for {
		j := bytes.IndexByte(d[i:], '"')
		if j < 0 {
			// No closing quote: the field runs to the end of the input, as
			// encoding/csv's LazyQuotes reads it (without a last CR).
			s.appendText(bytes.TrimSuffix(d[i:], []byte("\r")), keep)
			s.pos = len(d)
			return text(), true
		}
		s.appendText(d[i:i+j], keep)
		i += j + 1
		switch {
		case i < len(d) && d[i] == '"':
			s.appendText([]byte{'"'}, keep)
			i++
		case i < len(d) && d[i] == s.comma:
			s.pos = i + 1
			return text(), false
		default:
			if nl, n := s.lineEnd(i); nl {
				s.pos = i + n
				return text(), true
			}
			s.appendText([]byte{'"'}, keep) // a bare quote, kept
		}
	}
}

// appendText adds quoted text to the field (when kept), counting its lines and
// reading CRLF as LF.
func (s *csvScanner) appendText(t []byte, keep bool) {
	for len(t) > 0 {
		k := bytes.IndexByte(t, '\n')
		if k < 0 {
			if keep {
				s.buf = append(s.buf, t...)
			}
			return
		}
		if keep {
			seg := t[:k]
			if len(seg) > 0 && seg[len(seg)-1] == '\r' {
				seg = seg[:len(seg)-1]
			}
			s.buf = append(s.buf, seg...)
			s.buf = append(s.buf, '\n')
		}
		s.line++
		t = t[k+1:]
	}
}
