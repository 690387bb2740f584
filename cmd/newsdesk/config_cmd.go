package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
)

const configUsage = `usage:
  newsdesk config check [--config FILE]   validate the configuration (file, environment, flags); list every problem
  newsdesk config print [--config FILE]   the resolved configuration as TOML, secrets masked`

// configVerb checks or prints the configuration. Unlike the other verbs it
// does not stop at the first problem: check lists them all.
func (m *Main) configVerb(_ context.Context, args []string) error {
	if len(args) == 0 {
		return &exitError{2, errors.New(configUsage)}
	}
	verb, args := args[0], args[1:]
	if verb != "check" && verb != "print" {
		return &exitError{2, fmt.Errorf("config: unknown verb %q\n%s", verb, configUsage)}
	}
	r := m.resolveConfig(args)
	m.conf = r
	fs := flag.NewFlagSet("config "+verb, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "public URL of the site")
	fs.StringVar(&cfg.SiteName, "site-name", cfg.SiteName, "name of the site")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "sources fetched concurrently")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	final := &resolved{cfg: *cfg, path: r.path, origin: r.origin, problems: r.problems}
	for name := range set {
		if name != "config" {
			final.origin[flagKey(name)] = "--" + name
		}
	}
	final.validate()
	switch verb {
	case "check":
		if len(final.problems) > 0 {
			fmt.Fprintf(m.Stderr, "configuration has %s:\n", plural(len(final.problems), "problem"))
			for _, p := range final.problems {
				fmt.Fprintln(m.Stderr, "  "+p)
			}
			return &exitError{1, errors.New("configuration is not valid")}
		}
		from := "defaults and environment"
		if r.path != "" {
			from = r.path + ", environment and flags"
		}
		fmt.Fprintf(m.Stdout, "configuration OK (%s)\n", from)
		return nil
	default:
		printConfig(m.Stdout, final)
		if len(final.problems) > 0 {
			return &exitError{1, &configError{final.problems}}
		}
		return nil
	}
}

// masked is what config print shows instead of a secret.
const masked = "********"

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return masked
}

// maskDSN hides the password of a database URL (user:password@ or
// ?password=).
func maskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return dsn
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// printConfig writes the resolved configuration as TOML that newsdesk reads
// back, with the origin of every value that is not a default.
func printConfig(w io.Writer, r *resolved) {
	c := r.cfg
	fmt.Fprintln(w, "# newsdesk configuration, resolved: defaults < config file < environment < flags")
	if r.path != "" {
		fmt.Fprintf(w, "# config file: %s\n", r.path)
	}
	fmt.Fprintln(w, "# secrets are masked")
	line := func(key, value string) {
		origin := r.origin[key]
		if origin == "" {
			origin = "default"
		}
		name := key[strings.LastIndexByte(key, '.')+1:]
		fmt.Fprintf(w, "%-22s = %s  # %s\n", name, value, origin)
	}
	list := func(v []string) string {
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = tomlString(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	line("db", tomlString(maskDSN(c.DB)))
	line("addr", tomlString(c.Addr))
	line("base_url", tomlString(c.BaseURL))
	line("site_name", tomlString(c.SiteName))
	line("allow_private", list(c.AllowPrivate))
	line("log_format", tomlString(c.LogFormat))
	line("log_level", tomlString(c.LogLevel))
	line("user_agent", tomlString(c.UserAgent))
	line("secret", tomlString(maskSecret(c.Secret)))
	line("workers", fmt.Sprint(c.Workers))
	line("per_host_interval", tomlString(formatDays(c.PerHostInterval)))
	line("per_host_concurrency", fmt.Sprint(c.PerHostConcurrency))
	line("sqlite_cache_mib", fmt.Sprint(c.SQLiteCacheMiB))
	fmt.Fprintln(w, "\n[metrics]")
	line("metrics.addr", tomlString(c.MetricsAddr))
	line("metrics.token", tomlString(maskSecret(c.MetricsToken)))
	fmt.Fprintln(w, "\n[retention]")
	line("retention.bodies", tomlString(formatDays(c.Retention.Bodies)))
	line("retention.read_events", tomlString(formatDays(c.Retention.ReadEvents)))
	for i, s := range c.Retention.Sections {
		fmt.Fprintln(w, "\n[[retention.sections]]")
		key := fmt.Sprintf("retention.sections[%d]", i+1)
		origin := r.origin[key]
		fmt.Fprintf(w, "%-22s = %s  # %s\n", "section", tomlString(s.Section), origin)
		fmt.Fprintf(w, "%-22s = %s  # %s\n", "bodies", tomlString(formatDays(s.Bodies)), origin)
	}
}
