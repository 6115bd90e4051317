package main

import (
	"encoding/json"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

type api struct {
	home    string
	storage string
	ctl     *control
	sup     *supervisor
	git     string

	versionOnce sync.Once
	version     string
}

func newAPI(home string, sup *supervisor) *api {
	git, err := exec.LookPath("git")
	if err != nil {
		git = "/usr/bin/git"
	}
	return &api{home: home, storage: filepath.Join(home, "storage"), ctl: newControl(home), sup: sup, git: git}
}

func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /api/v1", a.root)
	mux.HandleFunc("GET /api/v1/node", a.node)
	mux.HandleFunc("GET /api/v1/repos", a.repos)
	mux.HandleFunc("GET /api/v1/repos/{rid}", a.repo)
	mux.Handle("/", a.gitHTTP())
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (a *api) nodeVersion() string {
	a.versionOnce.Do(func() {
		out, err := exec.Command("radicle-node", "--version").Output()
		if err == nil {
			a.version = strings.TrimSpace(string(out))
		}
	})
	return a.version
}

// healthz is 200 only when radicle-node answers on its control socket.
func (a *api) healthz(w http.ResponseWriter, _ *http.Request) {
	if _, err := a.ctl.nodeID(); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "node": "stopped", "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "node": "running"})
}

func (a *api) root(w http.ResponseWriter, _ *http.Request) {
	nid, _ := nidFromPublicKey(a.home)
	writeJSON(w, http.StatusOK, map[string]any{
		"message": "oneclick org-node API (radicle-httpd compatible subset)",
		"service": "oneclick-orgnode-api",
		"nid":     nid,
		"path":    "/api/v1",
		"links": []map[string]string{
			{"href": "/api/v1/node", "rel": "node", "type": "GET"},
			{"href": "/api/v1/repos", "rel": "repos", "type": "GET"},
		},
	})
}

func (a *api) node(w http.ResponseWriter, _ *http.Request) {
	id, keyErr := nidFromPublicKey(a.home)
	state := "stopped"
	if nid, err := a.ctl.nodeID(); err == nil {
		state, id = "running", nid
	}
	var config any
	if state == "running" {
		var c json.RawMessage
		if a.ctl.call("config", nil, &c, 2*time.Second) == nil {
			config = c
		}
	}
	if id == "" && keyErr != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no node identity yet: " + keyErr.Error()})
		return
	}
	pid, restarts, startedAt, lastExit := a.sup.status()
	version := a.nodeVersion()
	agent := "radicle-node"
	if fields := strings.Fields(version); len(fields) >= 2 {
		agent = "radicle-node/" + fields[1]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":      id,
		"agent":   agent,
		"version": version,
		"config":  config,
		"state":   state,
		"supervisor": map[string]any{
			"pid":       pid,
			"restarts":  restarts,
			"startedAt": startedAt.UTC().Format(time.RFC3339Nano),
			"lastExit":  lastExit,
		},
	})
}

var ridPattern = regexp.MustCompile(`^z[1-9A-HJ-NP-Za-km-z]{20,60}$`)

func (a *api) repos(w http.ResponseWriter, r *http.Request) {
	show := r.URL.Query().Get("show")
	if show == "" {
		show = "pinned"
	}
	if show != "all" && show != "pinned" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "show must be all or pinned"})
		return
	}
	entries, err := os.ReadDir(a.storage)
	if err != nil && !os.IsNotExist(err) {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	pinned := map[string]bool{}
	if show == "pinned" {
		for _, rid := range a.pinned() {
			pinned[strings.TrimPrefix(rid, "rad:")] = true
		}
	}
	out := []map[string]any{}
	for _, e := range entries {
		if !e.IsDir() || !ridPattern.MatchString(e.Name()) || (show == "pinned" && !pinned[e.Name()]) {
			continue
		}
		info, err := a.repoInfo(e.Name())
		if err != nil || info == nil {
			continue // not (yet) a complete repository, or a private one
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) repo(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.PathValue("rid"), "rad:")
	if !ridPattern.MatchString(id) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not a repository id"})
		return
	}
	info, err := a.repoInfo(id)
	if err != nil || info == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "repository not found"})
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// pinned reads web.pinned.repositories from config.json, as radicle-httpd does.
func (a *api) pinned() []string {
	raw, err := os.ReadFile(filepath.Join(a.home, "config.json"))
	if err != nil {
		return nil
	}
	var cfg struct {
		Web struct {
			Pinned struct {
				Repositories []string `json:"repositories"`
			} `json:"pinned"`
		} `json:"web"`
	}
	_ = json.Unmarshal(raw, &cfg)
	return cfg.Web.Pinned.Repositories
}

type identityDoc struct {
	Payload    map[string]json.RawMessage `json:"payload"`
	Delegates  []string                   `json:"delegates"`
	Threshold  int                        `json:"threshold"`
	Visibility *struct {
		Type string `json:"type"`
	} `json:"visibility"`
}

type project struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	DefaultBranch string `json:"defaultBranch"`
}

// repoInfo reads a repository the way radicle-httpd shows it: the canonical identity document
// (refs/rad/id), the canonical default branch head, and how many seeds the node knows.
func (a *api) repoInfo(id string) (map[string]any, error) {
	dir := filepath.Join(a.storage, id)
	raw, err := a.gitOut(dir, "show", "refs/rad/id:embeds/radicle.json")
	if err != nil {
		return nil, err
	}
	var doc identityDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	visibility := map[string]string{"type": "public"}
	if doc.Visibility != nil && doc.Visibility.Type != "" {
		visibility["type"] = doc.Visibility.Type
	}
	if visibility["type"] != "public" {
		return nil, nil
	}
	payloads := map[string]any{}
	if p, ok := doc.Payload["xyz.radicle.project"]; ok {
		var proj project
		_ = json.Unmarshal(p, &proj)
		meta := map[string]any{"head": nil}
		if proj.DefaultBranch != "" {
			if out, err := a.gitOut(dir, "log", "-1", "--format=%H %ct", "refs/heads/"+proj.DefaultBranch, "--"); err == nil {
				if f := strings.Fields(string(out)); len(f) == 2 {
					meta["head"] = f[0]
					var secs int64
					_ = json.Unmarshal([]byte(f[1]), &secs)
					meta["lastCommit"] = secs * 1000
				}
			}
		}
		payloads["xyz.radicle.project"] = map[string]any{"data": json.RawMessage(p), "meta": meta}
	}
	delegates := []map[string]string{}
	for _, d := range doc.Delegates {
		delegates = append(delegates, map[string]string{"id": d})
	}
	seeding := 0
	var seeds []json.RawMessage
	if a.ctl.call("seedsFor", map[string]any{"rid": "rad:" + id, "namespaces": []string{}}, &seeds, 2*time.Second) == nil {
		seeding = len(seeds)
	}
	return map[string]any{
		"rid":        "rad:" + id,
		"payloads":   payloads,
		"delegates":  delegates,
		"threshold":  doc.Threshold,
		"visibility": visibility,
		"seeding":    seeding,
	}, nil
}

func (a *api) gitOut(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(a.git, append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), gitSafeEnv...)
	return cmd.Output()
}

// Storage may belong to another uid than the API's: trust it explicitly.
var gitSafeEnv = []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*"}

// gitHTTP serves read-only git smart HTTP over storage: /<rid without rad:>[.git]/info/refs etc.
func (a *api) gitHTTP() http.Handler {
	backend := &cgi.Handler{
		Path: a.git,
		Args: []string{"http-backend"},
		Env: append([]string{
			"GIT_PROJECT_ROOT=" + a.storage,
			"GIT_HTTP_EXPORT_ALL=1",
		}, gitSafeEnv...),
		InheritEnv: []string{"PATH", "HOME"},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/")
		repo, rest, _ := strings.Cut(path, "/")
		repo = strings.TrimSuffix(strings.TrimPrefix(repo, "rad:"), ".git")
		if !ridPattern.MatchString(repo) || rest == "" {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		if strings.Contains(rest, "git-receive-pack") || r.URL.Query().Get("service") == "git-receive-pack" {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "read-only: push through radicle"})
			return
		}
		if _, err := os.Stat(filepath.Join(a.storage, repo)); err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "repository not found"})
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + repo + "/" + rest
		backend.ServeHTTP(w, r2)
	})
}
