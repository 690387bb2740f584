package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"newsdesk/parse"
	"newsdesk/sanitize"
)

type feedReport struct {
	Bozo    bool         `json:"bozo"`
	Error   string       `json:"error"`
	Feed    *feedMeta    `json:"feed,omitempty"`
	Entries []*feedEntry `json:"entries,omitempty"`
}

type feedMeta struct {
	Title       string `json:"title"`
	Link        string `json:"link"`
	Description string `json:"description"`
	Language    string `json:"language"`
	Updated     string `json:"updated"`
	Published   string `json:"published"`
}

type feedEntry struct {
	Title      string          `json:"title"`
	Link       string          `json:"link"`
	ID         string          `json:"id"`
	Published  string          `json:"published"`
	Updated    string          `json:"updated"`
	Author     string          `json:"author"`
	Summary    string          `json:"summary"`
	Content    string          `json:"content"`
	Categories []string        `json:"categories"`
	Enclosures []feedEnclosure `json:"enclosures"`
}

type feedEnclosure struct {
	URL    string `json:"url"`
	Type   string `json:"type"`
	Length int64  `json:"length"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// feed handles "newsdesk feed parse": a feed document on stdin, one JSON
// object out, with summaries and contents sanitized as they would be stored.
func (m *Main) feed(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "parse" {
		return &exitError{2, errors.New(`feed: usage: newsdesk feed parse [--url URL] < feed.xml`)}
	}
	fs := flag.NewFlagSet("feed parse", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	rawURL := fs.String("url", "", "URL the feed was fetched from (base for relative links)")
	contentType := fs.String("content-type", "", "Content-Type the feed was served with (charset hint)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetEscapeHTML(false)
	fail := func(err error) error {
		_ = enc.Encode(feedReport{Bozo: true, Error: err.Error()})
		return &exitError{1, err}
	}
	base := &url.URL{}
	if *rawURL != "" {
		u, err := url.Parse(*rawURL)
		if err != nil {
			return fail(fmt.Errorf("--url: %w", err))
		}
		base = u
	}
	body, err := io.ReadAll(io.LimitReader(m.Stdin, 64<<20))
	if err != nil {
		return fail(fmt.Errorf("read stdin: %w", err))
	}
	f, err := parse.Feed(base, body, *contentType)
	if err != nil {
		return fail(err)
	}
	htmlBase := base
	if f.Link != "" {
		if u, err := base.Parse(f.Link); err == nil && u.IsAbs() {
			htmlBase = u
		}
	}
	rep := feedReport{Bozo: f.Bozo, Error: f.BozoReason, Feed: &feedMeta{
		Title: f.Title, Link: f.Link, Description: f.Description, Language: f.Language,
		Updated: rfc3339(f.Updated), Published: rfc3339(f.Published),
	}, Entries: []*feedEntry{}}
	for _, it := range f.Items {
		itemBase := htmlBase
		if u, err := htmlBase.Parse(it.Link); err == nil && u.IsAbs() {
			itemBase = u
		}
		e := &feedEntry{Title: it.Title, Link: it.Link, ID: it.GUID, Published: rfc3339(it.Published),
			Updated: rfc3339(it.Updated), Author: it.Author,
			Summary: sanitize.HTML(itemBase, it.Summary), Content: sanitize.HTML(itemBase, it.Content),
			Categories: append([]string{}, it.Categories...), Enclosures: []feedEnclosure{}}
		for _, en := range it.Enclosures {
			e.Enclosures = append(e.Enclosures, feedEnclosure{URL: en.URL, Type: en.Type, Length: en.Length})
		}
		rep.Entries = append(rep.Entries, e)
	}
	return enc.Encode(rep)
}
