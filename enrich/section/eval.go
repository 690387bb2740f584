package section

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"newsdesk"
	"newsdesk/gazetteer"
)

// reutersDoc is one line of the Reuters-21578 JSONL export.
type reutersDoc struct {
	NewID    int      `json:"newid"`
	Title    string   `json:"title"`
	Dateline string   `json:"dateline"`
	Body     string   `json:"body"`
	Places   []string `json:"places"`
	TextType string   `json:"text_type"`
}

// Folds is the number of folds EvalReuters uses when the training file
// holds documents it also predicts.
const Folds = 5

// EvalReuters files every document of r, a Reuters-21578 JSONL file (newid,
// title, dateline, body, places …), with the same scoring as the step, and
// writes one line {"newid": N, "places": [...]} per document to w, with
// Reuters place codes. The gold places column is never read to predict;
// it only scores the predictions, written to scoreTo as micro- and
// macro-averaged F1.
//
// dev, when not nil, is a training file in the same format: its documents
// are learned from as if an editor had filed them. A document is never
// predicted by a filer that learned from it: r is split into Folds folds
// by newid, and each fold is predicted after learning from the training
// documents not in it. scoreTo then shows the score without any learning
// and the score with it.
func EvalReuters(r io.Reader, w io.Writer, scoreTo io.Writer, dev io.Reader) error {
	g := gazetteer.New()
	docs, err := readReuters(r)
	if err != nil {
		return fmt.Errorf("eval reuters: %w", err)
	}
	tree := reutersTree(g)
	treeFn := func(context.Context) (*newsdesk.SectionTree, error) { return tree, nil }
	opts := Options{Gazetteer: g}

	plain := New(treeFn, opts)
	untrained := make([][]string, len(docs))
	for i, d := range docs {
		if untrained[i], err = predict(plain, tree, g, d); err != nil {
			return err
		}
	}
	final := untrained
	var trained [][]string
	if dev != nil {
		train, err := readReuters(dev)
		if err != nil {
			return fmt.Errorf("eval reuters training file: %w", err)
		}
		trained = make([][]string, len(docs))
		for fold := range Folds {
			held := map[int]bool{}
			for _, d := range docs {
				if d.NewID%Folds == fold {
					held[d.NewID] = true
				}
			}
			filer := New(treeFn, opts)
			var arts []*newsdesk.Article
			for _, d := range train {
				if !held[d.NewID] {
					a := reutersArticle(d)
					a.SectionsLocked = true
					a.Sections = goldRefs(tree, g, d.Places)
					arts = append(arts, a)
				}
			}
			filer.Learn(arts)
			for i, d := range docs {
				if d.NewID%Folds == fold {
					if trained[i], err = predict(filer, tree, g, d); err != nil {
						return err
					}
				}
			}
		}
		final = trained
	}
	bw := bufio.NewWriter(w)
	for i, d := range docs {
		line, err := json.Marshal(struct {
			NewID  int      `json:"newid"`
			Places []string `json:"places"`
		}{d.NewID, final[i]})
		if err != nil {
			return fmt.Errorf("eval reuters: %w", err)
		}
		bw.Write(line)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("eval reuters: write predictions: %w", err)
	}
	if scoreTo != nil {
		fmt.Fprintf(scoreTo, "documents: %d\n", len(docs))
		fmt.Fprintf(scoreTo, "no learning:        %s\n", scorePlaces(docs, untrained))
		if trained != nil {
			fmt.Fprintf(scoreTo, "learned (%d-fold):   %s\n", Folds, scorePlaces(docs, trained))
		}
	}
	return nil
}

func readReuters(r io.Reader) ([]reutersDoc, error) {
	var docs []reutersDoc
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var d reutersDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return docs, nil
}

// reutersArticle makes the article the pipeline would have: the dateline
// place ("NEW YORK" of "NEW YORK, March 3 -"), the title as headline, the
// first paragraph as lede. Places are not read.
func reutersArticle(d reutersDoc) *newsdesk.Article {
	a := &newsdesk.Article{Headline: d.Title, Text: d.Body}
	// "COMMACK, N.Y., Feb 26 -": the parts before the date.
	if parts := strings.Split(d.Dateline, ","); len(parts) > 1 {
		for i := range parts[:len(parts)-1] {
			parts[i] = strings.TrimSpace(parts[i])
		}
		a.DatelinePlace = strings.Join(parts[:len(parts)-1], ", ")
	}
	if d.TextType == "BRIEF" {
		a.Text = "" // the "Blah blah blah." filler
	}
	lede := a.Text
	if i := strings.Index(lede, "\n    "); i >= 0 {
		lede = lede[:i]
	}
	a.Lede = lede
	return a
}

func predict(f *Filer, tree *newsdesk.SectionTree, g *gazetteer.Gazetteer, d reutersDoc) ([]string, error) {
	a := reutersArticle(d)
	if err := f.Enrich(context.Background(), a, nil); err != nil {
		return nil, err
	}
	places := []string{}
	for _, ref := range a.Sections {
		s := tree.ByID(ref.ID)
		if s == nil {
			continue
		}
		if c := g.Country(s.Code); c != nil && c.Reuters != "" {
			places = append(places, c.Reuters)
		}
	}
	return places, nil
}

// reutersTree is a section tree of every region with its countries under
// it, IDs in gazetteer order.
func reutersTree(g *gazetteer.Gazetteer) *newsdesk.SectionTree {
	var secs []*newsdesk.Section
	regionID := map[string]int64{}
	for _, r := range g.Regions {
		id := int64(len(secs) + 1)
		regionID[r] = id
		secs = append(secs, &newsdesk.Section{ID: id, Slug: r, Name: r, Code: r})
	}
	for _, c := range g.Countries {
		secs = append(secs, &newsdesk.Section{ID: int64(len(secs) + 1), ParentID: regionID[c.Region], Slug: c.Code, Name: c.Name, Code: c.Code})
	}
	return newsdesk.NewSectionTree(secs)
}

func goldRefs(tree *newsdesk.SectionTree, g *gazetteer.Gazetteer, places []string) []newsdesk.SectionRef {
	var refs []newsdesk.SectionRef
	for _, p := range places {
		if c := g.ByReuters(p); c != nil {
			if s := tree.ByCode(c.Code); s != nil {
				refs = append(refs, newsdesk.SectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name})
			}
		}
	}
	return refs
}

// PlaceScore is multi-label precision, recall and F1.
type PlaceScore struct {
	Precision, Recall, MicroF1, MacroF1 float64
	ExactMatch                          float64 // share of documents whose set is exactly right
}

func (s PlaceScore) String() string {
	return fmt.Sprintf("micro P %.4f R %.4f F1 %.4f  macro-F1 %.4f  exact %.4f", s.Precision, s.Recall, s.MicroF1, s.MacroF1, s.ExactMatch)
}

func scorePlaces(docs []reutersDoc, pred [][]string) PlaceScore {
	type prf struct{ tp, fp, fn float64 }
	per := map[string]*prf{}
	get := func(c string) *prf {
		if per[c] == nil {
			per[c] = &prf{}
		}
		return per[c]
	}
	var all prf
	exact := 0
	for i, d := range docs {
		gold, p := d.Places, pred[i]
		same := len(gold) == len(p)
		for _, c := range p {
			if slices.Contains(gold, c) {
				get(c).tp++
				all.tp++
			} else {
				get(c).fp++
				all.fp++
				same = false
			}
		}
		for _, c := range gold {
			if !slices.Contains(p, c) {
				get(c).fn++
				all.fn++
				same = false
			}
		}
		if same {
			exact++
		}
	}
	f1 := func(x prf) float64 {
		if x.tp == 0 {
			return 0
		}
		return 2 * x.tp / (2*x.tp + x.fp + x.fn)
	}
	var s PlaceScore
	if all.tp+all.fp > 0 {
		s.Precision = all.tp / (all.tp + all.fp)
	}
	if all.tp+all.fn > 0 {
		s.Recall = all.tp / (all.tp + all.fn)
	}
	s.MicroF1 = f1(all)
	codes := make([]string, 0, len(per))
	for c := range per {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		s.MacroF1 += f1(*per[c])
	}
	if len(codes) > 0 {
		s.MacroF1 /= float64(len(codes))
	}
	if len(docs) > 0 {
		s.ExactMatch = float64(exact) / float64(len(docs))
	}
	return s
}
