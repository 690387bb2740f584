package story

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/enrich"
)

// Whole articles, as extraction gives them: a headline, a lede, several
// paragraphs and the entities found in them.
var (
	quakeReuters = &newsdesk.Article{
		ID: 101, StoryID: 1001, Source: "Reuters",
		URL:      "https://www.reuters.example/world/americas/strong-earthquake-strikes-southern-peru-2024-05-01/",
		Headline: "Strong earthquake strikes southern Peru, killing at least 12",
		Lede:     "A magnitude 6.9 earthquake struck southern Peru on Wednesday, killing at least 12 people and damaging homes and churches in the Arequipa region, officials said.",
		Text: `A magnitude 6.9 earthquake struck southern Peru on Wednesday, killing at least 12 people and damaging homes and churches in the Arequipa region, officials said.

The quake hit at 3:41 a.m. local time at a depth of 36 km, about 40 km south of the town of Chala, the U.S. Geological Survey said. Peru's Geophysical Institute put its magnitude at 7.0.

Civil defence officials said most of the dead were in the province of Caravelí, where adobe houses collapsed on sleeping families. Rescue teams were digging through rubble in the village of Acarí, and dozens of injured were taken to hospital in Arequipa.

"We have teams on the ground and we are sending tents, blankets and water," Prime Minister Gustavo Adrianzén told reporters in Lima, adding that the government would declare a state of emergency in the affected districts.

The Pan-American Highway was blocked by landslides in two places, cutting road access to several coastal towns. The navy said there was no tsunami threat.

Peru sits on the Pacific "Ring of Fire" and is struck by thousands of tremors a year. A magnitude 8.0 quake in 2007 killed more than 500 people near Pisco.`,
		Entities: []newsdesk.EntityRef{{ID: 1, Name: "Peru"}, {ID: 2, Name: "Arequipa"}, {ID: 3, Name: "Caravelí"}, {ID: 4, Name: "USGS"}},
	}
	quakeAP = &newsdesk.Article{
		ID: 102, Source: "AP",
		URL:      "https://apnews.example/article/peru-quake-arequipa-dead-rescue-7f3a9c",
		Headline: "Rescuers dig through rubble after deadly quake in Peru's Arequipa",
		Lede:     "Rescuers dug through collapsed adobe homes in southern Peru on Wednesday after a powerful earthquake killed at least 13 people, authorities said.",
		Text: `Rescuers dug through collapsed adobe homes in southern Peru on Wednesday after a powerful earthquake killed at least 13 people, authorities said.

The magnitude 6.9 quake struck before dawn off the coast of the Arequipa region, according to the U.S. Geological Survey, shaking buildings as far away as Lima, more than 600 kilometres to the north.

Most victims were in Caravelí province, where the walls of mud-brick houses gave way. In Acarí, residents used their bare hands to search for neighbours. The regional governor said 80 people had been injured and more than 300 homes were uninhabitable.

Landslides blocked stretches of the Pan-American Highway, and power was cut in several towns. The government said it would declare a state of emergency and fly aid to the area.

Peru's Geophysical Institute recorded more than 40 aftershocks in the first hours.`,
		Entities: []newsdesk.EntityRef{{ID: 1, Name: "Peru"}, {ID: 2, Name: "Arequipa"}, {ID: 3, Name: "Caravelí"}, {ID: 5, Name: "Lima"}},
	}
	// Same country, same region even, another event.
	peruCopper = &newsdesk.Article{
		ID: 103, Source: "Bloomberg",
		URL:      "https://www.bloomberg.example/news/articles/2024-05-01/peru-copper-output-rises-as-las-bambas-protests-ease",
		Headline: "Peru copper output rises as protests at mines ease",
		Lede:     "Peru's copper production rose 9% in March from a year earlier as road blockades that had halted shipments from big mines eased, the energy and mines ministry said.",
		Text: `Peru's copper production rose 9% in March from a year earlier as road blockades that had halted shipments from big mines eased, the energy and mines ministry said.

Output from Las Bambas, the mine owned by China's MMG, recovered after communities lifted a blockade of the road used to truck concentrate to the coast. Cerro Verde, in the Arequipa region, also raised production.

Peru is the world's third-largest copper producer, and mining accounts for about 60% of its exports. The central bank expects the economy to grow about 3% this year, helped by higher metal prices.

Analysts in Lima said new protests remained a risk ahead of next year's elections.`,
		Entities: []newsdesk.EntityRef{{ID: 1, Name: "Peru"}, {ID: 6, Name: "Las Bambas"}, {ID: 2, Name: "Arequipa"}, {ID: 5, Name: "Lima"}},
	}
	// A report that only has a headline and a link, as many feeds give.
	quakeBrief = &newsdesk.Article{
		ID: 104, URL: "https://news.example/2024/05/01/peru-earthquake-arequipa-death-toll-rises.html",
		Headline: "Death toll from Peru earthquake rises to 15",
	}
)

// fullTextBackground is other news of the day, so that document
// frequencies mean something.
func fullTextBackground() []*newsdesk.Article {
	heads := []struct{ h, lede string }{
		{"Chile's central bank cuts interest rate by half a point", "Chile's central bank cut its benchmark rate to 6% on Tuesday as inflation slowed, and said more cuts were likely this year."},
		{"Brazil floods: thousands flee as rivers burst their banks in Rio Grande do Sul", "Heavy rain in southern Brazil forced thousands of people from their homes and killed at least 10, the state governor said."},
		{"Colombia and ELN rebels extend ceasefire", "Colombia's government and the ELN guerrilla group agreed to extend a ceasefire by six months, negotiators said in Caracas."},
		{"Argentina's inflation slows for a third month", "Monthly inflation in Argentina slowed to 8.8% in April, the statistics agency said, as the government's austerity plan took hold."},
		{"Mexico election: candidates clash over security in final debate", "Mexico's presidential candidates traded accusations over cartel violence in the last televised debate before the June vote."},
		{"Ecuador declares energy emergency as drought hits hydropower", "Ecuador ordered power cuts of up to eight hours a day as a drought drained the reservoirs of its hydroelectric dams."},
	}
	var out []*newsdesk.Article
	for i, x := range heads {
		out = append(out, &newsdesk.Article{ID: int64(200 + i), StoryID: int64(2000 + i), Headline: x.h, Lede: x.lede, Text: x.lede,
			PublishedAt: t0.Add(-time.Duration(i+1) * time.Hour), Status: newsdesk.StatusPublished})
	}
	return out
}

func TestFullArticles(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	c.Stored(ctx, fullTextBackground())
	reuters := *quakeReuters
	reuters.PublishedAt = t0
	c.Stored(ctx, []*newsdesk.Article{&reuters})
	tests := []struct {
		name string
		a    *newsdesk.Article
		want int64
	}{
		{"second source on the same earthquake", quakeAP, 1001},
		{"same country, another event", peruCopper, 0},
		{"headline-only report of the earthquake", quakeBrief, 1001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := *tt.a
			a.PublishedAt = t0.Add(2 * time.Hour)
			ex := &enrich.Explanation{}
			if err := c.Enrich(ctx, &a, ex); err != nil {
				t.Fatal(err)
			}
			if a.StoryID != tt.want {
				t.Errorf("StoryID = %d, want %d\n%s", a.StoryID, tt.want, ex)
			}
			t.Logf("%s", ex)
		})
	}
}

// TestScoreScale checks that a headline and a whole article are judged on
// the same scale: two reports of one event score well above the threshold
// whether or not they carry their text, and two whole reports on one
// country score below it.
func TestScoreScale(t *testing.T) {
	headlineOnly := func(a *newsdesk.Article) *newsdesk.Article {
		return &newsdesk.Article{ID: a.ID, URL: a.URL, Headline: a.Headline}
	}
	score := func(stored, probe *newsdesk.Article) float64 {
		c := New(Options{})
		c.Stored(context.Background(), fullTextBackground())
		s := *stored
		s.StoryID, s.PublishedAt, s.Status = 1001, t0, newsdesk.StatusPublished
		c.Stored(context.Background(), []*newsdesk.Article{&s})
		for _, cd := range c.Decide(ArticleVector(probe), t0) {
			if cd.StoryID == 1001 {
				return cd.Score
			}
		}
		return 0
	}
	th := defaultParams().threshold
	tests := []struct {
		name          string
		stored, probe *newsdesk.Article
		join          bool
	}{
		{"same event, whole articles", quakeReuters, quakeAP, true},
		{"same event, headlines", headlineOnly(quakeReuters), headlineOnly(quakeAP), true},
		{"same event, whole story, headline report", quakeReuters, headlineOnly(quakeAP), true},
		{"same event, headline story, whole report", headlineOnly(quakeReuters), quakeAP, true},
		{"same country, whole articles", quakeReuters, peruCopper, false},
	}
	for _, tt := range tests {
		s := score(tt.stored, tt.probe)
		t.Logf("%-42s %.3f (threshold %.3f)", tt.name, s, th)
		if tt.join && s < 1.5*th {
			t.Errorf("%s: score %.3f, want ≥ %.3f", tt.name, s, 1.5*th)
		}
		if !tt.join && s >= th {
			t.Errorf("%s: score %.3f, want < %.3f", tt.name, s, th)
		}
	}
}

// demoReport reads one demo report (demo/sources/DIR/articles/NAME.txt) as
// an article: the headline, the first paragraph as lede, the text.
func demoReport(t *testing.T, file, lang string, at time.Time, ents ...newsdesk.EntityRef) *newsdesk.Article {
	t.Helper()
	dir, name, _ := strings.Cut(file, "/")
	data, err := os.ReadFile(filepath.Join("..", "..", "demo", "sources", dir, "articles", name))
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(data), "\n---\n")
	a := &newsdesk.Article{URL: "https://" + dir + ".example/news/" + strings.TrimSuffix(name, ".txt"),
		Language: lang, PublishedAt: at, Status: newsdesk.StatusPublished, Entities: ents}
	for _, l := range strings.Split(head, "\n") {
		if v, ok := strings.CutPrefix(l, "title: "); ok {
			a.Headline = v
		}
	}
	a.Text = strings.TrimSpace(body)
	a.Lede, _, _ = strings.Cut(a.Text, "\n")
	return a
}

// TestBodyWordsNeedBacking: three port reports of the same hours, three
// events, share the words of shipping (port, cargo, berths, Europe, Suez)
// and no name; none joins another. A second report of one of them joins.
func TestBodyWordsNeedBacking(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	c.Stored(ctx, fullTextBackground())
	place := func(id int64, name string) newsdesk.EntityRef {
		return newsdesk.EntityRef{ID: id, Name: name, Kind: newsdesk.EntityPlace}
	}
	alat := demoReport(t, "caspianpost/alat-port-ferries.txt", "en", t0, place(10, "Baku"), place(11, "Azerbaijan"), place(12, "Aktau"))
	alat.ID, alat.StoryID = 1, 501
	c.Stored(ctx, []*newsdesk.Article{alat})
	faw := demoReport(t, "tigrisdaily/basra-port-faw.txt", "en", t0, place(13, "Basra"), place(14, "Iraq"), place(15, "Turkey"))
	dubai := demoReport(t, "gulfwire/uae-port-volumes.txt", "en", t0, place(16, "Dubai"), place(17, "United Arab Emirates"), place(14, "Iraq"))
	for _, a := range []*newsdesk.Article{faw, dubai} {
		ex := &enrich.Explanation{}
		if err := c.Enrich(ctx, a, ex); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s", a.Headline, ex)
		if a.StoryID != 0 {
			t.Errorf("%q joins story %d, want a story of its own\n%s", a.Headline, a.StoryID, ex)
		}
		a.ID, a.StoryID = int64(len(a.Headline)), 600+int64(len(a.Headline))
		c.Stored(ctx, []*newsdesk.Article{a})
	}
	// The Faw report again, as another paper would write it.
	again := &newsdesk.Article{Headline: "Iraq to open first berths of Grand Faw port next year", Language: "en",
		Lede:     "Iraq's transport ministry said the first five berths of the Grand Faw port near Basra would open next year.",
		Text:     "Iraq's transport ministry said the first five berths of the Grand Faw port near Basra would open next year, the start of the Development Road to the Turkish border.",
		Entities: []newsdesk.EntityRef{place(13, "Basra"), place(14, "Iraq")}, PublishedAt: t0.Add(3 * time.Hour)}
	ex := &enrich.Explanation{}
	if err := c.Enrich(ctx, again, ex); err != nil {
		t.Fatal(err)
	}
	if again.StoryID != faw.StoryID {
		t.Errorf("second Faw report joins story %d, want %d\n%s", again.StoryID, faw.StoryID, ex)
	}
}

// TestAcrossLanguages: a Persian report of an event joins its English
// story on the entities the two share (resolved to one ID whatever the
// script) and the words of its URL; a Persian report sharing only a
// country and a generic slug word with an English story does not.
func TestAcrossLanguages(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	c.Stored(ctx, fullTextBackground())
	mek := newsdesk.EntityRef{ID: 49, Name: "Mujahedeen-e-Khalq", Kind: newsdesk.EntityOrganisation}
	icrc := newsdesk.EntityRef{ID: 51, Name: "International Committee of the Red Cross", Kind: newsdesk.EntityOrganisation}
	iraq := newsdesk.EntityRef{ID: 50, Name: "Iraq", Kind: newsdesk.EntityPlace}
	iran := newsdesk.EntityRef{ID: 2, Name: "Iran", Kind: newsdesk.EntityPlace}
	diyala := newsdesk.EntityRef{ID: 52, Name: "Diyala", Kind: newsdesk.EntityPlace}
	en := demoReport(t, "gulfwire/mko-camp-deadline-iraq.txt", "en", t0, mek, iraq, icrc, diyala, iran)
	en.ID, en.StoryID = 1, 700
	water := demoReport(t, "kabuldispatch/kabul-karez-water.txt", "en", t0, newsdesk.EntityRef{ID: 58, Name: "Afghanistan", Kind: newsdesk.EntityPlace})
	water.ID, water.StoryID = 2, 701
	c.Stored(ctx, []*newsdesk.Article{en, water})

	fa := demoReport(t, "persianservice/mojahedin-khalq-camp.txt", "fa", t0.Add(2*time.Hour), iraq, mek, icrc, iran)
	dams := demoReport(t, "persianservice/tehran-dams-water.txt", "fa", t0.Add(2*time.Hour), iran)
	dams.URL = "https://persianservice.example/fa/news/tehran-water-reserves-low"
	tests := []struct {
		a    *newsdesk.Article
		want int64
	}{
		{fa, 700},
		{dams, 0},
	}
	for _, tt := range tests {
		ex := &enrich.Explanation{}
		if err := c.Enrich(ctx, tt.a, ex); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s", tt.a.URL, ex)
		if tt.a.StoryID != tt.want {
			t.Errorf("%s: StoryID = %d, want %d\n%s", tt.a.URL, tt.a.StoryID, tt.want, ex)
		}
	}
}

// TestLateArrival: a report published long before a story's reports but
// arriving after them, as a new source's backlog does, is judged by the
// time between them, not let in as if it were as recent.
func TestLateArrival(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	c.Stored(ctx, []*newsdesk.Article{{ID: 1, StoryID: 100, Headline: "Iraq gives MEK two months to remove property from former camp",
		PublishedAt: t0, Status: newsdesk.StatusPublished}})
	tests := []struct {
		name string
		at   time.Time
		want int64
	}{
		{"an hour before the story", t0.Add(-time.Hour), 100},
		{"five days before the story", t0.Add(-120 * time.Hour), 0},
	}
	for _, tt := range tests {
		a := &newsdesk.Article{Headline: "Iraq gives the MEK two months to clear its former camp", PublishedAt: tt.at}
		ex := &enrich.Explanation{}
		if err := c.Enrich(ctx, a, ex); err != nil {
			t.Fatal(err)
		}
		if a.StoryID != tt.want {
			t.Errorf("%s: StoryID = %d, want %d\n%s", tt.name, a.StoryID, tt.want, ex)
		}
	}
}
