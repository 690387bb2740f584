package sanitize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcosm-cc/bluemonday"
)

// benchArticle is a realistic article body of about 10 KB, built from the
// benign test inputs.
func benchArticle(b *testing.B) string {
	var sb strings.Builder
	for _, name := range []string{"article.html", "persian.html", "lazy.html"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		sb.Write(src)
	}
	one := sb.String()
	for sb.Len() < 10<<10 {
		sb.WriteString(one)
	}
	return sb.String()
}

func BenchmarkHTML(b *testing.B) {
	in := benchArticle(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		HTML(testBase, in)
	}
}

func BenchmarkText(b *testing.B) {
	in := benchArticle(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Text(in)
	}
}

// BenchmarkBluemondayBaseline measures bluemonday with a comparable
// allow-list on the same input, the alternative this package was weighed
// against. It does less (no URL resolution, lazy images, tracker removal
// or paragraph repair).
func BenchmarkBluemondayBaseline(b *testing.B) {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowAttrs("dir", "lang").Globally()
	in := benchArticle(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		p.Sanitize(in)
	}
}
