package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"newsdesk/logging"
)

// defaultConfigFile is read when neither --config nor NEWSDESK_CONFIG names
// a file and it exists in the working directory.
const defaultConfigFile = "newsdesk.toml"

// fileConfig is the TOML form of Config (docs/newsdesk.example.toml).
// Durations are strings: Go durations ("90m", "720h") or whole days ("30d").
type fileConfig struct {
	DB                 string   `toml:"db"`
	Addr               string   `toml:"addr"`
	BaseURL            string   `toml:"base_url"`
	SiteName           string   `toml:"site_name"`
	AllowPrivate       []string `toml:"allow_private"`
	LogFormat          string   `toml:"log_format"`
	LogLevel           string   `toml:"log_level"`
	UserAgent          string   `toml:"user_agent"`
	Secret             string   `toml:"secret"`
	Workers            int      `toml:"workers"`
	PerHostInterval    string   `toml:"per_host_interval"`
	PerHostConcurrency int      `toml:"per_host_concurrency"`
	SQLiteCacheMiB     int      `toml:"sqlite_cache_mib"`
	Metrics            struct {
		Addr  string `toml:"addr"`
		Token string `toml:"token"`
	} `toml:"metrics"`
	Retention struct {
		Bodies     string `toml:"bodies"`
		ReadEvents string `toml:"read_events"`
		Sections   []struct {
			Section string `toml:"section"`
			Bodies  string `toml:"bodies"`
		} `toml:"sections"`
	} `toml:"retention"`
}

// resolved is the configuration before a verb's flags: defaults, then the
// file, then the environment, with where each setting came from.
type resolved struct {
	cfg      Config
	path     string            // the file read, "" for none
	origin   map[string]string // setting key → "newsdesk.toml:7", "NEWSDESK_ADDR" or "--addr"
	problems []string          // every problem found, each naming where
}

func (r *resolved) set(key, where string) { r.origin[key] = where }

func (r *resolved) problem(key, format string, args ...any) {
	where := r.origin[key]
	if where == "" || where == "default" {
		where = key
	} else {
		where += ": " + key
	}
	r.problems = append(r.problems, where+": "+fmt.Sprintf(format, args...))
}

// configPathArg finds --config PATH (or --config=PATH) among a verb's
// arguments, before the flags are parsed, so that the file can supply the
// flags' defaults.
func configPathArg(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, name := range []string{"--config", "-config"} {
			if a == name && i+1 < len(args) {
				return args[i+1], true
			}
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				return v, true
			}
		}
	}
	return "", false
}

// resolveConfig layers the defaults, the config file (from args, else
// NEWSDESK_CONFIG, else ./newsdesk.toml if present) and the environment.
func (m *Main) resolveConfig(args []string) *resolved {
	r := &resolved{cfg: DefaultConfig(), origin: map[string]string{}}
	path, named := configPathArg(args)
	if !named {
		if path = m.Getenv("NEWSDESK_CONFIG"); path != "" {
			named = true
		}
	}
	if !named {
		if _, err := os.Stat(defaultConfigFile); err == nil {
			path = defaultConfigFile
		}
	}
	if path != "" {
		r.path = path
		r.readFile(path)
	}
	r.readEnv(m.Getenv)
	return r
}

// readFile applies the TOML file at path over r.cfg.
func (r *resolved) readFile(path string) {
	doc, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.problems = append(r.problems, fmt.Sprintf("%s: no such config file", path))
		} else {
			r.problems = append(r.problems, fmt.Sprintf("%s: %v", path, err))
		}
		return
	}
	lines, err := keyLines(doc)
	if err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			r.problems = append(r.problems, fmt.Sprintf("%s:%d: %s", path, row, err))
		} else {
			r.problems = append(r.problems, fmt.Sprintf("%s: %v", path, err))
		}
		return
	}
	var fc fileConfig
	dec := toml.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		var strict *toml.StrictMissingError
		var de *toml.DecodeError
		switch {
		case errors.As(err, &strict):
			for _, e := range strict.Errors {
				row, _ := e.Position()
				r.problems = append(r.problems, fmt.Sprintf("%s:%d: unknown key %q", path, row, strings.Join(e.Key(), ".")))
			}
		case errors.As(err, &de):
			row, _ := de.Position()
			r.problems = append(r.problems, fmt.Sprintf("%s:%d: %s: %s", path, row, strings.Join(de.Key(), "."), de.Error()))
			return
		default:
			r.problems = append(r.problems, fmt.Sprintf("%s: %v", path, err))
			return
		}
	}
	at := func(key string) string {
		if n, ok := lines[key]; ok {
			return fmt.Sprintf("%s:%d", path, n)
		}
		return path
	}
	c := &r.cfg
	str := func(key, v string, dst *string) {
		if _, ok := lines[key]; ok {
			*dst = v
			r.set(key, at(key))
		}
	}
	str("db", fc.DB, &c.DB)
	str("addr", fc.Addr, &c.Addr)
	str("base_url", fc.BaseURL, &c.BaseURL)
	str("site_name", fc.SiteName, &c.SiteName)
	str("log_format", fc.LogFormat, &c.LogFormat)
	str("log_level", fc.LogLevel, &c.LogLevel)
	str("user_agent", fc.UserAgent, &c.UserAgent)
	str("secret", fc.Secret, &c.Secret)
	str("metrics.addr", fc.Metrics.Addr, &c.MetricsAddr)
	str("metrics.token", fc.Metrics.Token, &c.MetricsToken)
	if _, ok := lines["allow_private"]; ok {
		c.AllowPrivate = fc.AllowPrivate
		r.set("allow_private", at("allow_private"))
	}
	if _, ok := lines["workers"]; ok {
		c.Workers = fc.Workers
		r.set("workers", at("workers"))
	}
	if _, ok := lines["per_host_concurrency"]; ok {
		c.PerHostConcurrency = fc.PerHostConcurrency
		r.set("per_host_concurrency", at("per_host_concurrency"))
	}
	if _, ok := lines["sqlite_cache_mib"]; ok {
		c.SQLiteCacheMiB = fc.SQLiteCacheMiB
		r.set("sqlite_cache_mib", at("sqlite_cache_mib"))
	}
	dur := func(key, v string, dst *time.Duration) {
		if _, ok := lines[key]; !ok {
			return
		}
		r.set(key, at(key))
		d, err := parseDays(v)
		if err != nil {
			r.problem(key, "%v", err)
			return
		}
		*dst = d
	}
	dur("per_host_interval", fc.PerHostInterval, &c.PerHostInterval)
	dur("retention.bodies", fc.Retention.Bodies, &c.Retention.Bodies)
	dur("retention.read_events", fc.Retention.ReadEvents, &c.Retention.ReadEvents)
	for i, s := range fc.Retention.Sections {
		key := fmt.Sprintf("retention.sections[%d]", i+1)
		r.set(key, at(key))
		rule := SectionRetention{Section: s.Section}
		if _, ok := lines[key+".bodies"]; !ok {
			r.problem(key, "a section rule needs bodies (how long to keep them; \"0\" for ever)")
		} else if d, err := parseDays(s.Bodies); err != nil {
			r.problem(key, "bodies: %v", err)
		} else {
			rule.Bodies = d
		}
		c.Retention.Sections = append(c.Retention.Sections, rule)
	}
}

// keyLines maps every key of a TOML document ("metrics.addr",
// "retention.sections[2].bodies") to its line, so that problems found in
// values can name it.
func keyLines(doc []byte) (map[string]int, error) {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(doc)
	var table string
	arrays := map[string]int{}
	keyOf := func(it unstable.Iterator) (string, int) {
		var parts []string
		line := 0
		for it.Next() {
			n := it.Node()
			if line == 0 {
				line = p.Shape(n.Raw).Start.Line
			}
			parts = append(parts, string(n.Data))
		}
		return strings.Join(parts, "."), line
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			name, line := keyOf(e.Key())
			if e.Kind == unstable.ArrayTable {
				arrays[name]++
				name = fmt.Sprintf("%s[%d]", name, arrays[name])
			}
			table = name
			lines[name] = line
		case unstable.KeyValue:
			name, line := keyOf(e.Key())
			if table != "" {
				name = table + "." + name
			}
			lines[name] = line
		}
	}
	if err := p.Error(); err != nil {
		// Let the decoder word it, with its position.
		var v map[string]any
		if derr := toml.Unmarshal(doc, &v); derr != nil {
			return nil, derr
		}
		return nil, err
	}
	return lines, nil
}

// readEnv applies the environment over r.cfg.
func (r *resolved) readEnv(getenv func(string) string) {
	c := &r.cfg
	str := func(name, key string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
			r.set(key, name)
		}
	}
	str("NEWSDESK_DB", "db", &c.DB)
	str("NEWSDESK_DATABASE_URL", "db", &c.DB)
	str("NEWSDESK_ADDR", "addr", &c.Addr)
	str("NEWSDESK_BASE_URL", "base_url", &c.BaseURL)
	str("NEWSDESK_SITE_NAME", "site_name", &c.SiteName)
	str("NEWSDESK_LOG_FORMAT", "log_format", &c.LogFormat)
	str("NEWSDESK_LOG_LEVEL", "log_level", &c.LogLevel)
	str("NEWSDESK_USER_AGENT", "user_agent", &c.UserAgent)
	str("NEWSDESK_SECRET", "secret", &c.Secret)
	str("NEWSDESK_METRICS_ADDR", "metrics.addr", &c.MetricsAddr)
	str("NEWSDESK_METRICS_TOKEN", "metrics.token", &c.MetricsToken)
	if v := getenv("NEWSDESK_ALLOW_PRIVATE"); v != "" {
		c.AllowPrivate = nil
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				c.AllowPrivate = append(c.AllowPrivate, p)
			}
		}
		r.set("allow_private", "NEWSDESK_ALLOW_PRIVATE")
	}
	num := func(name, key string, dst *int) {
		if v := getenv(name); v != "" {
			r.set(key, name)
			n, err := strconv.Atoi(v)
			if err != nil {
				r.problem(key, "%q is not a whole number", v)
				return
			}
			*dst = n
		}
	}
	num("NEWSDESK_WORKERS", "workers", &c.Workers)
	num("NEWSDESK_PER_HOST_CONCURRENCY", "per_host_concurrency", &c.PerHostConcurrency)
	num("NEWSDESK_SQLITE_CACHE_MIB", "sqlite_cache_mib", &c.SQLiteCacheMiB)
	dur := func(name, key string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			r.set(key, name)
			d, err := parseDays(v)
			if err != nil {
				r.problem(key, "%v", err)
				return
			}
			*dst = d
		}
	}
	dur("NEWSDESK_PER_HOST_INTERVAL", "per_host_interval", &c.PerHostInterval)
	dur("NEWSDESK_RETENTION_BODIES", "retention.bodies", &c.Retention.Bodies)
	dur("NEWSDESK_RETENTION_READ_EVENTS", "retention.read_events", &c.Retention.ReadEvents)
}

// parseDays parses a Go duration ("90m", "720h") or whole days ("30d").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad duration %q: use whole days (\"30d\") or a Go duration (\"720h\")", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: use whole days (\"30d\") or a Go duration (\"720h\")", s)
	}
	return d, nil
}

// formatDays writes a duration as parseDays reads it, in days when whole.
func formatDays(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}

// validate checks the values of a resolved configuration, adding every
// problem to r.problems.
func (r *resolved) validate() {
	c := &r.cfg
	if c.DB == "" {
		r.problem("db", "a database is required")
	} else if isPostgres(c.DB) {
		if u, err := url.Parse(c.DB); err != nil || u.Host == "" {
			r.problem("db", "not a postgres://user:password@host/database URL")
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		r.problem("addr", "%q is not host:port (e.g. \":8080\", \"127.0.0.1:8080\")", c.Addr)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			r.problem("base_url", "%q is not the site's public http(s) URL (e.g. \"https://news.example\")", c.BaseURL)
		}
	}
	if strings.TrimSpace(c.SiteName) == "" {
		r.problem("site_name", "the site needs a name")
	}
	for _, p := range c.AllowPrivate {
		for _, f := range strings.Split(p, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			var err error
			if strings.Contains(f, "/") {
				_, err = netip.ParsePrefix(f)
			} else {
				_, err = netip.ParseAddr(f)
			}
			if err != nil {
				r.problem("allow_private", "%q is not a CIDR (e.g. \"10.0.0.0/8\") or an IP address", f)
			}
		}
	}
	if _, err := logging.New(&bytes.Buffer{}, c.LogFormat, "info"); err != nil {
		r.problem("log_format", "%q: use text or json", c.LogFormat)
	}
	if _, err := logging.New(&bytes.Buffer{}, "text", c.LogLevel); err != nil {
		r.problem("log_level", "%q: use debug, info, warn or error", c.LogLevel)
	}
	if c.Secret != "" && len(c.Secret) < 16 {
		r.problem("secret", "must have at least 16 characters")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			r.problem("metrics.addr", "%q is not host:port (e.g. \"127.0.0.1:9090\")", c.MetricsAddr)
		}
	}
	if strings.ContainsAny(c.MetricsToken, " \t\r\n") {
		r.problem("metrics.token", "must not contain spaces")
	}
	if c.Workers < 1 || c.Workers > 256 {
		r.problem("workers", "%d: use 1 to 256", c.Workers)
	}
	if c.PerHostConcurrency < 0 {
		r.problem("per_host_concurrency", "%d: must not be negative", c.PerHostConcurrency)
	}
	if c.SQLiteCacheMiB < 0 || c.SQLiteCacheMiB > 1<<20 {
		r.problem("sqlite_cache_mib", "%d: use 0 (the default, 16) to 1048576", c.SQLiteCacheMiB)
	}
	if c.Retention.Bodies < 0 {
		r.problem("retention.bodies", "must not be negative")
	}
	if c.Retention.ReadEvents < 0 {
		r.problem("retention.read_events", "must not be negative")
	}
	seen := map[string]bool{}
	for i, s := range c.Retention.Sections {
		key := fmt.Sprintf("retention.sections[%d]", i+1)
		switch {
		case s.Section == "":
			r.problem(key, "section (the section's slug) is required")
		case seen[s.Section]:
			r.problem(key, "section %q has two rules", s.Section)
		}
		if s.Bodies < 0 {
			r.problem(key, "bodies must not be negative")
		}
		seen[s.Section] = true
	}
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// configError lists every problem of a configuration.
type configError struct{ problems []string }

func (e *configError) Error() string {
	return "configuration has " + plural(len(e.problems), "problem") + ":\n  " + strings.Join(e.problems, "\n  ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// loadConfig resolves the configuration of a verb's run before its flags
// are parsed; the flags' defaults come from it. A configuration with
// problems stops the verb with all of them listed.
func (m *Main) loadConfig(args []string) error {
	r := m.resolveConfig(args)
	r.validate()
	if len(r.problems) > 0 {
		return &exitError{2, &configError{r.problems}}
	}
	m.conf = r
	return nil
}

// baseConfig is the configuration the flags start from.
func (m *Main) baseConfig() Config {
	r := m.conf
	if r == nil {
		r = m.resolveConfig(nil)
	}
	c := r.cfg
	c.AllowPrivate = slices.Clone(c.AllowPrivate)
	c.Retention.Sections = slices.Clone(c.Retention.Sections)
	return c
}

// checkFlags validates the configuration again once a verb's flags are
// parsed, naming the flags that set bad values.
func (m *Main) checkFlags(cfg *Config, set map[string]bool) error {
	r := &resolved{cfg: *cfg, origin: map[string]string{}}
	if m.conf != nil {
		for k, v := range m.conf.origin {
			r.origin[k] = v
		}
	}
	for name := range set {
		r.origin[flagKey(name)] = "--" + name
	}
	r.validate()
	if len(r.problems) > 0 {
		return &exitError{2, &configError{r.problems}}
	}
	return nil
}

// tomlString writes s as a TOML basic string.
func tomlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// visited returns the names of the flags set on the command line.
func visited(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// flagKey is the config file key a flag sets.
func flagKey(name string) string {
	switch name {
	case "metrics-addr":
		return "metrics.addr"
	}
	return strings.ReplaceAll(name, "-", "_")
}
