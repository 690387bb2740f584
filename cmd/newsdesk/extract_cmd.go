package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"newsdesk"
)

// extract prints the article of one page: read from stdin, or fetched with
// --url when stdin is a terminal or --fetch is given.
func (m *Main) extract(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	pageURL := fs.String("url", "", "page URL: the base URL of the HTML on stdin, or the page to fetch")
	format := fs.String("format", "text", "output: text (plain main text), json, or html (sanitized body)")
	doFetch := fs.Bool("fetch", false, "fetch --url even when stdin is not a terminal")
	_ = fs.Bool("stdin", true, "read the page from stdin (the default unless stdin is a terminal)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pageURL == "" {
		*pageURL = m.Getenv("PAGE_URL")
	}
	switch *format {
	case "text", "json", "html":
	default:
		return &exitError{2, fmt.Errorf("extract: unknown --format %q (text, json or html)", *format)}
	}
	log, err := cfg.logger(m)
	if err != nil {
		return err
	}
	useFetch := *doFetch || (*pageURL != "" && stdinIsTerminal(m.Stdin))
	var art *newsdesk.Article
	if useFetch {
		fc, err := newFetcher(cfg, log, nil)
		if err != nil {
			return err
		}
		if art, err = newPipeline(fc, nil, nil, log).RunURL(ctx, *pageURL); err != nil {
			return fmt.Errorf("extract: %w", err)
		}
	} else {
		html, err := io.ReadAll(io.LimitReader(m.Stdin, 32<<20))
		if err != nil {
			return fmt.Errorf("extract: read stdin: %w", err)
		}
		base := &url.URL{Scheme: "https", Host: "localhost", Path: "/"}
		if *pageURL != "" {
			if base, err = url.Parse(*pageURL); err != nil {
				return fmt.Errorf("extract: --url: %w", err)
			}
		}
		if art, err = newPipeline(nil, nil, nil, log).BuildFromHTML(base, html); err != nil {
			return fmt.Errorf("extract: %w", err)
		}
	}
	return printArticle(m.Stdout, art, *format)
}

func printArticle(w io.Writer, art *newsdesk.Article, format string) error {
	switch format {
	case "text":
		_, err := fmt.Fprintln(w, art.Text)
		return err
	case "html":
		_, err := fmt.Fprintln(w, art.Body)
		return err
	}
	out := struct {
		URL       string    `json:"url"`
		Title     string    `json:"title"`
		Byline    string    `json:"byline,omitempty"`
		Lede      string    `json:"lede,omitempty"`
		Language  string    `json:"language,omitempty"`
		Image     string    `json:"image,omitempty"`
		Published time.Time `json:"published,omitzero"`
		Updated   time.Time `json:"updated,omitzero"`
		HTML      string    `json:"html"`
		Text      string    `json:"text"`
	}{art.URL, art.Headline, art.Author, art.Lede, art.Language, art.ImageURL, art.PublishedAt, art.UpdatedAt, art.Body, art.Text}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func stdinIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
