package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// client is a keep-alive HTTP client of one control plane.
type client struct {
	hc   *fasthttp.HostClient
	base string
	// accept, when set, is sent as Accept-Encoding; answers are kept as
	// sent (compressed), and those that came with a Content-Encoding are
	// counted in encoded.
	accept  string
	encoded atomic.Int64
}

// newClient connects to base (http://host:port) with up to conns
// keep-alive connections.
func newClient(base string, conns int) (*client, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("--url %q: want http://host:port", base)
	}
	return &client{
		hc: &fasthttp.HostClient{
			Addr: u.Host, MaxConns: conns, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second,
			MaxIdleConnDuration: time.Minute, MaxResponseBodySize: 512 << 20,
		},
		base: "http://" + u.Host,
	}, nil
}

// do sends one request; status 0 with err means a transport error. The
// response body is appended to dst.
func (c *client) do(method, path, bearer string, body, dst []byte) (int, []byte, error) {
	req := fasthttp.AcquireRequest()
	res := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(c.base + path)
	req.Header.SetMethod(method)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if c.accept != "" {
		req.Header.Set("Accept-Encoding", c.accept)
	}
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
	}
	if err := c.hc.Do(req, res); err != nil {
		return 0, dst, err
	}
	if c.accept != "" && len(res.Header.ContentEncoding()) > 0 {
		c.encoded.Add(1)
	}
	return res.StatusCode(), append(dst, res.Body()...), nil
}

// login returns an admin JWT.
func (c *client) login(email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	st, b, err := c.do("POST", "/api/login", "", body, nil)
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	if st != 200 {
		return "", fmt.Errorf("login: status %d: %s", st, b)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &tok); err != nil || tok.Token == "" {
		return "", errors.New("login: no token in the answer")
	}
	return tok.Token, nil
}

// target is the flags naming the control plane and its credentials.
type target struct {
	url, email, password string
}

func (t *target) bind(fs *flag.FlagSet) {
	fs.StringVar(&t.url, "url", "http://127.0.0.1:8080", "control plane base URL")
	fs.StringVar(&t.email, "email", "", "admin email, for the endpoints that need a user token")
	fs.StringVar(&t.password, "password", "", "that admin's password")
}
