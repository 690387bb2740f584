package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// PostForm sends form as application/x-www-form-urlencoded to rawURL (a
// WebSub subscription request to a hub, say) under the same rules as Fetch:
// the URL and every dialled address pass the guard, the host's slots,
// spacing and back-off apply, the whole exchange is bounded by the timeout
// and the answer's body by the size caps. Redirects are not followed (a form
// is not sent on to another place): a 3xx answer is a status error like any
// other non-2xx answer, which is returned as an *Error.
func (c *Client) PostForm(ctx context.Context, rawURL string, form url.Values) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, &Error{URL: rawURL, Kind: KindBadURL, Err: fmt.Errorf("URL does not parse: %w", err)}
	}
	u, err = c.checkURL(u)
	if err != nil {
		return nil, err
	}
	h := c.hosts.get(hostKey(u))
	if err := h.checkBackoff(c.now()); err != nil {
		return nil, &Error{URL: u.String(), Kind: KindBackoff, RetryAfter: err.(*backoffError).wait, Err: err}
	}
	release, err := h.acquire(ctx, c.opts.PerHostInterval)
	if err != nil {
		return nil, c.classify(u.String(), err)
	}
	defer release()
	if err := h.checkBackoff(c.now()); err != nil {
		return nil, &Error{URL: u.String(), Kind: KindBackoff, RetryAfter: err.(*backoffError).wait, Err: err}
	}

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &Error{URL: rawURL, Kind: KindBadURL, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Accept", "*/*")
	client := &http.Client{
		Transport:     c.http.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, c.classify(u.String(), err)
	}
	defer resp.Body.Close()
	final := u.String()
	c.log.DebugContext(ctx, "posted", "url", final, "status", resp.StatusCode, "duration", time.Since(start))

	out := &Response{URL: final, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type")}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		wait := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
		if wait <= 0 {
			wait = DefaultBackoff
		}
		wait = min(wait, MaxBackoff)
		h.setBackoff(c.now().Add(wait))
		c.log.InfoContext(ctx, "host asked to wait", "host", hostKey(u), "status", resp.StatusCode, "wait", wait)
		return nil, &Error{URL: final, Kind: KindStatus, StatusCode: resp.StatusCode, RetryAfter: wait}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, &Error{URL: final, Kind: KindStatus, StatusCode: resp.StatusCode}
	}
	body, err := c.readBody(resp)
	if err != nil {
		if fe, ok := err.(*Error); ok {
			fe.URL = final
			return nil, fe
		}
		return nil, c.classify(final, err)
	}
	out.Body = body
	return out, nil
}
