// Package demo is the bundled demo of newsdesk: a regional news site, "News
// On Iran & Its Neighbours", fed by seven fictional sources whose feeds and
// article pages are embedded in the binary. Nothing here writes articles to
// the database: Setup registers the sources and sections, Transport answers
// the sources' URLs in-process, and the real ingest pipeline (fetch, parse,
// extract, sanitize, enrich, store) reads them like any other site. Every
// report, name and quote in the demo was written for newsdesk and is
// fictional.
package demo

import (
	"context"
	"fmt"
	"time"

	"newsdesk"
)

// DomainSuffix ends the host name of every demo source. The host names are
// never resolved: Transport answers them in-process.
const DomainSuffix = ".demo.newsdesk.test"

// EditorUsername is the account the demo's picks are credited to, when it
// exists.
const EditorUsername = "demo-editor"

// SiteName is the demo site's name.
const SiteName = "News On Iran & Its Neighbours"

// SectionSpec describes one section of the demo's tree.
type SectionSpec struct {
	Slug       string
	Name       string
	ParentSlug string // "" for a region
	// Code is the ISO 3166 alpha-2 code, lowercase, for a country; "" for
	// a region.
	Code        string
	Description string
}

// Sections is the demo's section tree, parents before children, siblings
// in display order.
func Sections() []SectionSpec {
	const region = "iran-and-its-neighbours"
	return []SectionSpec{
		{Slug: region, Name: "Iran & its neighbours", Description: "Iran and the countries around it, from the Caucasus to the Gulf and South Asia."},
		{Slug: "iran", Name: "Iran", ParentSlug: region, Code: "ir", Description: "Politics, economy and society in Iran."},
		{Slug: "iraq", Name: "Iraq", ParentSlug: region, Code: "iq", Description: "News from Baghdad, Basra, Erbil and the rest of Iraq."},
		{Slug: "afghanistan", Name: "Afghanistan", ParentSlug: region, Code: "af", Description: "Reports from Kabul and the provinces."},
		{Slug: "pakistan", Name: "Pakistan", ParentSlug: region, Code: "pk", Description: "Islamabad, Karachi, Peshawar and the border regions."},
		{Slug: "turkey", Name: "Turkey", ParentSlug: region, Code: "tr", Description: "Ankara, Istanbul and Turkey's eastern provinces."},
		{Slug: "syria", Name: "Syria", ParentSlug: region, Code: "sy", Description: "Damascus, Aleppo and the humanitarian situation."},
		{Slug: "saudi-arabia", Name: "Saudi Arabia", ParentSlug: region, Code: "sa", Description: "Riyadh, energy policy and the kingdom's diplomacy."},
		{Slug: "united-arab-emirates", Name: "United Arab Emirates", ParentSlug: region, Code: "ae", Description: "Abu Dhabi, Dubai, trade and shipping."},
		{Slug: "qatar", Name: "Qatar", ParentSlug: region, Code: "qa", Description: "Doha, gas and mediation."},
		{Slug: "azerbaijan", Name: "Azerbaijan", ParentSlug: region, Code: "az", Description: "Baku, the Caspian and the South Caucasus."},
		{Slug: "armenia", Name: "Armenia", ParentSlug: region, Code: "am", Description: "Yerevan and the South Caucasus."},
		{Slug: "world", Name: "World", Description: "The rest of the world, as it touches the region."},
	}
}

// Sources are the demo's sources, not yet stored. Their URLs are answered
// by Transport.
func Sources() []*newsdesk.Source {
	defs := catalogue()
	out := make([]*newsdesk.Source, 0, len(defs))
	for _, d := range defs {
		out = append(out, d.source())
	}
	return out
}

// Setup prepares an empty database for the demo: it creates the section
// tree when there are no sections and the demo sources when there are no
// sources. A database that already has either keeps it as it is, so Setup
// may run at every start.
func Setup(ctx context.Context, st newsdesk.Store) error {
	secs, err := st.Sections(ctx)
	if err != nil {
		return fmt.Errorf("demo setup: %w", err)
	}
	if len(secs) == 0 {
		ids := map[string]int64{}
		pos := map[string]int{}
		for _, spec := range Sections() {
			s := &newsdesk.Section{
				ParentID:    ids[spec.ParentSlug],
				Slug:        spec.Slug,
				Name:        spec.Name,
				Description: spec.Description,
				Code:        spec.Code,
				Position:    pos[spec.ParentSlug],
			}
			pos[spec.ParentSlug]++
			if err := st.CreateSection(ctx, s); err != nil {
				return fmt.Errorf("demo setup section %s: %w", spec.Slug, err)
			}
			ids[spec.Slug] = s.ID
		}
	}
	_, n, err := st.Sources(ctx, newsdesk.SourceFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("demo setup: %w", err)
	}
	if n == 0 {
		for _, s := range Sources() {
			if err := st.CreateSource(ctx, s); err != nil && newsdesk.ErrorCode(err) != newsdesk.ECONFLICT {
				return fmt.Errorf("demo setup source %s: %w", s.Name, err)
			}
		}
	}
	return nil
}

// pickSpec names a "Must read" pick by the original URL of its article, as
// an editor would choose it.
type pickSpec struct {
	source string // source directory
	slug   string // article slug
	days   int    // days the pick stays up
}

// picks are the demo's editors' picks, in order.
func picks() []pickSpec {
	return []pickSpec{
		{"tigrisdaily", "mek-camp-deadline", 4},
		{"gulfwire", "iaea-inspectors-isfahan", 5},
		{"caspianpost", "quake-van-khoy", 6},
		{"kabuldispatch", "torkham-reopens", 7},
	}
}

// PinPicks pins the demo's "Must read" picks, in order, each expiring some
// days after now. Articles not ingested yet and articles already picked are
// skipped, so PinPicks may run after every ingest round.
func PinPicks(ctx context.Context, st newsdesk.Store, now time.Time) error {
	existing, err := st.AllPicks(ctx)
	if err != nil {
		return fmt.Errorf("demo picks: %w", err)
	}
	picked := map[int64]bool{}
	for _, p := range existing {
		picked[p.ArticleID] = true
	}
	var editor int64
	if u, err := st.UserByUsername(ctx, EditorUsername); err == nil {
		editor = u.ID
	}
	defs := map[string]*sourceDef{}
	for _, d := range catalogue() {
		defs[d.Dir] = d
	}
	pos := 0
	for _, spec := range picks() {
		d := defs[spec.source]
		feedURL := d.FeedURL()
		srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{URL: &feedURL, Limit: 1})
		if err != nil {
			return fmt.Errorf("demo picks source %s: %w", d.Name, err)
		}
		if len(srcs) == 0 {
			continue
		}
		u := d.ArticleURL(spec.slug)
		id, err := st.ArticleExists(ctx, srcs[0].ID, u, u)
		if err != nil {
			return fmt.Errorf("demo picks %s: %w", u, err)
		}
		if id == 0 {
			continue
		}
		if picked[id] {
			pos++
			continue
		}
		p := &newsdesk.Pick{
			ArticleID: id,
			Position:  pos,
			ExpiresAt: now.Add(time.Duration(spec.days) * 24 * time.Hour),
			CreatedBy: editor,
			CreatedAt: now,
		}
		if err := st.CreatePick(ctx, p); err != nil && newsdesk.ErrorCode(err) != newsdesk.ECONFLICT {
			return fmt.Errorf("demo picks %s: %w", u, err)
		}
		picked[id] = true
		pos++
	}
	return nil
}
