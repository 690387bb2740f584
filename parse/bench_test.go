package parse

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// benchDoc builds a realistic feed of n items, about 1.4 KB each: the size
// and shape of a busy news site's RSS 2.0 or Atom feed.
func benchDoc(format string, n int) []byte {
	words := strings.Fields("the council minister report market investors energy policy election court ruling budget economy bank workers company technology hospital housing transport storm border trade talks summit leaders")
	para := func(seed, k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[(seed*7+i*13)%len(words)])
		}
		return b.String()
	}
	var b strings.Builder
	if format == "atom" {
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Evening Ledger</title><link rel="alternate" href="https://example.com/"/>
<link rel="self" href="https://example.com/atom.xml"/><id>urn:x:feed</id><updated>2025-06-01T11:51:18Z</updated>
`)
	} else {
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Evening Ledger</title><link>https://example.com/</link><description>Latest stories</description>
<language>en-us</language><atom:link href="https://example.com/rss.xml" rel="self" type="application/rss+xml"/>
<lastBuildDate>Sun, 01 Jun 2025 11:46:09 +0000</lastBuildDate>
`)
	}
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`<p><img src="https://example.com/img/%d.png" alt="" width="600" height="300"></p><p>%s. %s. <a href="https://example.com/articles/%d.html">%s</a>.</p><p>%s. %s.</p><p><strong>Read more:</strong> <a href="https://example.com/articles/%d.html">continue reading</a></p>`,
			i, para(i, 30), para(i+1, 25), i+1, para(i+2, 4), para(i+3, 40), para(i+4, 30), i)
		if format == "atom" {
			fmt.Fprintf(&b, `<entry><title>%s</title><link rel="alternate" type="text/html" href="https://example.com/articles/%d.html"/>
<id>urn:x:%d</id><published>2025-06-01T%02d:51:18Z</published><updated>2025-06-01T%02d:51:18Z</updated>
<author><name>Alex Novak</name><email>alex@example.invalid</email></author><category term="Sport"/><category term="Opinion"/>
<summary type="html">%s</summary></entry>
`, para(i, 7), i, i, i%24, i%24, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(body))
		} else {
			fmt.Fprintf(&b, `<item><title>%s</title><link>https://example.com/articles/%d.html</link>
<guid isPermaLink="false">urn:x:%d</guid><pubDate>Sun, 01 Jun 2025 %02d:46:09 +0000</pubDate>
<author>ravi.costa@example.invalid (Ravi Costa)</author><dc:creator>Ravi Costa</dc:creator>
<category>Health</category><category>Politics</category>
<description><![CDATA[%s]]></description></item>
`, para(i, 7), i, i, i%24, body)
		}
	}
	if format == "atom" {
		b.WriteString("</feed>\n")
	} else {
		b.WriteString("</channel></rss>\n")
	}
	return []byte(b.String())
}

func BenchmarkFeed(b *testing.B) {
	base, _ := url.Parse("https://example.com/rss.xml")
	for _, format := range []string{"rss", "atom"} {
		doc := benchDoc(format, 50)
		b.Run(fmt.Sprintf("%s-%dKB-50items", format, len(doc)/1024), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				f, err := Feed(base, doc, "application/xml")
				if err != nil || len(f.Items) != 50 || f.Bozo {
					b.Fatalf("feed: %v (%d items, bozo %q)", err, len(f.Items), f.BozoReason)
				}
			}
		})
	}
}

func BenchmarkDate(b *testing.B) {
	for _, s := range []string{"Sun, 01 Jun 2025 11:46:09 +0000", "2025-06-01T11:51:18Z", "Tues, 3 Jun 25 10:00 EST"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Date(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
