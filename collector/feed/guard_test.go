package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// guardXMLReference is the encoding/xml guard the byte scanner replaced, kept as the
// reference its fuzz target compares with on well-formed XML.
func guardXMLReference(body []byte, maxItems int) ([]byte, bool, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) { return in, nil }
	var stack []xml.Name
	items := 0
	for {
		before := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			return body, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("invalid XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			local := strings.ToLower(t.Name.Local)
			if (local == "item" || local == "entry") && items == maxItems {
				var b bytes.Buffer
				b.Write(body[:before])
				for i := len(stack) - 1; i >= 0; i-- {
					b.WriteString("</")
					if stack[i].Space != "" {
						b.WriteString(stack[i].Space + ":")
					}
					b.WriteString(stack[i].Local + ">")
				}
				return b.Bytes(), true, nil
			}
			stack = append(stack, t.Name)
			if len(stack) > MaxDepth {
				return nil, false, fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			local := strings.ToLower(t.Name.Local)
			if local == "item" || local == "entry" {
				items++
			}
		}
	}
}

// wellFormed reports whether encoding/xml reads the whole document strictly.
func wellFormed(body []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) { return in, nil }
	for {
		_, err := d.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

func TestGuardXML(t *testing.T) {
	tricky := `<?xml version="1.0"?>` +
		`<!DOCTYPE rss [ <!ENTITY x "<item>"> <!-- ] > <item> --> <!ATTLIST a b CDATA "]>"> ]>` +
		`<rss a='<item>' b="x > <entry>"><!-- <item><item> --><channel><![CDATA[<item></item>]]>` +
		`<?pi <item> ?><Item/><x:ENTRY attr="1"></x:ENTRY><item><br/><title>t</title></item><item>cut here</item></channel></rss>`
	for _, tc := range []struct {
		name      string
		body      string
		max       int
		want      string
		truncated bool
		err       error
	}{
		{"under the cap", "<rss><channel><item></item></channel></rss>", 1, "<rss><channel><item></item></channel></rss>", false, nil},
		{"cut after two", "<rss><channel><item>a</item><ENTRY>b</ENTRY>\n<a:Item>c</a:Item></channel></rss>", 2,
			"<rss><channel><item>a</item><ENTRY>b</ENTRY>\n</channel></rss>", true, nil},
		{"skipped markup", tricky, 3, tricky[:strings.Index(tricky, "<item>cut here")] + "</channel></rss>", true, nil},
		{"prefixed open elements closed", `<a:feed xmlns:a="u"><a:entry/><a:entry/></a:feed>`, 1, `<a:feed xmlns:a="u"><a:entry/></a:feed>`, true, nil},
		{"depth 200 self-closing is 201", strings.Repeat("<x>", MaxDepth) + "<y/>" + strings.Repeat("</x>", MaxDepth), 10, "", false, ErrTooDeep},
		{"depth 200 is fine", strings.Repeat("<x>", MaxDepth) + strings.Repeat("</x>", MaxDepth) + strings.Repeat("<y/>", 300), 10,
			strings.Repeat("<x>", MaxDepth) + strings.Repeat("</x>", MaxDepth) + strings.Repeat("<y/>", 300), false, nil},
		{"deep", strings.Repeat("<x a='>'>", MaxDepth+1), 10, "", false, ErrTooDeep},
		{"unterminated comment goes to the parser", "<rss><!-- <x>", 1, "<rss><!-- <x>", false, nil},
		{"unterminated tag goes to the parser", `<rss><item a="`, 1, `<rss><item a="`, false, nil},
		{"lone <", "<rss>a < b<item/><item/></rss>", 1, "<rss>a < b<item/><item/></rss>", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, truncated, err := guardXML([]byte(tc.body), tc.max)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || truncated != tc.truncated || string(got) != tc.want {
				t.Fatalf("got %q truncated=%v err=%v\nwant %q truncated=%v", got, truncated, err, tc.want, tc.truncated)
			}
		})
	}
}

// FuzzGuardXML compares the byte scanner with the encoding/xml reference on
// well-formed XML: same depth verdict, same cut position and closing tags.
func FuzzGuardXML(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><rss><channel><item><title>a</title></item><item/><ITEM>x</ITEM></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">&lt;b&gt;</title></entry><a:entry xmlns:a="u"/></feed>`,
		`<!DOCTYPE r [<!ENTITY e "v"><!-- ]> -->]><r a='>' b="<item>"><!-- <item> --><![CDATA[<item>]]><?p <item>?><item/></r>`,
		strings.Repeat("<x>", MaxDepth) + strings.Repeat("</x>", MaxDepth),
		strings.Repeat("<x>", MaxDepth+1) + strings.Repeat("</x>", MaxDepth+1),
	} {
		f.Add([]byte(s), 1)
	}
	f.Fuzz(func(t *testing.T, body []byte, max int) {
		if max < 0 || max > 1000 {
			return
		}
		got, gotCut, gotErr := guardXML(body, max)
		if !wellFormed(body) {
			return // only that it neither panics nor loops
		}
		want, wantCut, wantErr := guardXMLReference(body, max)
		if errors.Is(gotErr, ErrTooDeep) != errors.Is(wantErr, ErrTooDeep) {
			t.Fatalf("depth: scanner %v, reference %v", gotErr, wantErr)
		}
		if wantErr != nil {
			return
		}
		if gotErr != nil || gotCut != wantCut || !bytes.Equal(got, want) {
			t.Fatalf("scanner %q cut=%v err=%v\nreference %q cut=%v", got, gotCut, gotErr, want, wantCut)
		}
	})
}

// BenchmarkGuardXML compares the byte scanner with the encoding/xml reference on a
// 2,000-item feed cut at the default cap.
func BenchmarkGuardXML(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`)
	for i := range 2000 {
		fmt.Fprintf(&sb, `<item><title>Tin %d</title><link>https://x.example.vn/%d</link><description>&lt;p&gt;Nội dung #TuoitreDakLakTienphongChuyendoiso&lt;/p&gt;</description><category domain="x">a</category></item>`, i, i)
	}
	sb.WriteString("</channel></rss>")
	body := []byte(sb.String())
	for _, g := range []struct {
		name  string
		guard func([]byte, int) ([]byte, bool, error)
	}{{"scanner", guardXML}, {"encoding-xml", guardXMLReference}} {
		b.Run(g.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, cut, err := g.guard(body, DefaultMaxItems); err != nil || !cut {
					b.Fatal(cut, err)
				}
			}
		})
	}
}
