package ingest

import (
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// not a document. They are dropped from canonical URLs.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "igshid": true,
	"cmpid": true, "ocid": true, "ncid": true, "src": false, "ito": true,
	"__twitter_impression": true, "wt_mc": true, "wt.mc_id": true, "spm": true,
	"rss": true, "feed": false, "smid": true, "smtyp": true, "mbid": true,
	"cid": false, "at_medium": true, "at_campaign": true, "at_custom1": true,
	"oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "mkt_tok": true,
}

// trackingPrefixes are prefixes of tracking parameter families.
var trackingPrefixes = []string{"utm_", "pk_", "mtm_", "hsa_", "__hs", "_hs", "ga_"}

func isTrackingParam(name string) bool {
	n := strings.ToLower(name)
	if trackingParams[n] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// CanonicalURL normalises an article URL so that the same document reached
// through different links compares equal: scheme and host lower-cased,
// default ports and fragments dropped, tracking parameters removed, the
// remaining query sorted. It returns raw unchanged when it does not parse
// as an absolute http(s) URL.
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return raw
	}
	u.Scheme = scheme
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = strings.TrimSuffix(host, ".")
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
		u.RawPath = ""
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err == nil {
			keys := make([]string, 0, len(q))
			for k := range q {
				if !isTrackingParam(k) {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			var b strings.Builder
			for _, k := range keys {
				vs := q[k]
				sort.Strings(vs)
				for _, v := range vs {
					if b.Len() > 0 {
						b.WriteByte('&')
					}
					b.WriteString(url.QueryEscape(k))
					b.WriteByte('=')
					b.WriteString(url.QueryEscape(v))
				}
			}
			u.RawQuery = b.String()
		}
	}
	u.ForceQuery = false
	return u.String()
}
