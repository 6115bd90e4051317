package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// The control socket over HTTP, for the harness's own peers (ONECLICK_CONTROL_LISTEN; off unless
// set): one HTTP request per command instead of one `docker exec` each, which at hundreds of checks
// a minute is most of the engine's work. Never set on a provider's org-node: whoever reaches this
// port controls the node.
//
//	POST /control?timeout=<s>   body: one control-socket command; answer: its JSON line, and the
//	                            time the node took in the Control-Elapsed-Ms header
//	GET  /reach?addr=<h:p>&timeout=<ms>   200 when a TCP connection to addr opens from here, else 504
//	GET  /http?addr=<h:p>&path=<p>&host=<Host>&timeout=<ms>   one GET from here on a fresh
//	                            connection: {"status", "body"} (body cut at 1 MiB), else 504
//	GET  /handshake?addr=<h:p>&nid=<NID>&timeout=<ms>   radicle's Noise handshake from here on a
//	                            fresh connection with a fresh key (handshake.go), the node's own
//	                            state untouched: {"ok", "kind", "error", "ms"}, always 200
func remoteControl(listen string, c *control) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /control", func(w http.ResponseWriter, r *http.Request) {
		timeout := 30 * time.Second
		if s, err := strconv.Atoi(r.URL.Query().Get("timeout")); err == nil && s > 0 {
			timeout = time.Duration(s) * time.Second
		}
		cmd, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		start := time.Now()
		out, err := c.raw(bytes.TrimSpace(cmd), timeout)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Control-Elapsed-Ms", strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 3, 64))
		_, _ = w.Write(out)
	})
	mux.HandleFunc("GET /reach", func(w http.ResponseWriter, r *http.Request) {
		timeout := 3 * time.Second
		if ms, err := strconv.Atoi(r.URL.Query().Get("timeout")); err == nil && ms > 0 {
			timeout = time.Duration(ms) * time.Millisecond
		}
		conn, err := net.DialTimeout("tcp", r.URL.Query().Get("addr"), timeout)
		if err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		_ = conn.Close()
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /http", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		timeout := 5 * time.Second
		if ms, err := strconv.Atoi(q.Get("timeout")); err == nil && ms > 0 {
			timeout = time.Duration(ms) * time.Millisecond
		}
		req, err := http.NewRequest(http.MethodGet, "http://"+q.Get("addr")+q.Get("path"), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if h := q.Get("host"); h != "" {
			req.Host = h
		}
		// A fresh connection each time, as a first visitor from here would make.
		client := http.Client{
			Timeout:       timeout,
			Transport:     &http.Transport{DisableKeepAlives: true, Proxy: nil},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		writeJSON(w, http.StatusOK, map[string]any{"status": resp.StatusCode, "body": string(body)})
	})
	mux.HandleFunc("GET /handshake", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		timeout := 3 * time.Second
		if ms, err := strconv.Atoi(q.Get("timeout")); err == nil && ms > 0 {
			timeout = time.Duration(ms) * time.Millisecond
		}
		writeJSON(w, http.StatusOK, handshake(q.Get("addr"), q.Get("nid"), timeout))
	})
	return &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}
