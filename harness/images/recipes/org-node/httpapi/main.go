// orgnode-api: the org-node image's supervisor and HTTP API (Go standard library only).
//
//	orgnode-api serve -- radicle-node --force   supervise radicle-node and serve the HTTP API
//	orgnode-api probe <url>                      exit 0 when <url> answers 200 (an operator's health check)
//	orgnode-api ready [seconds]                  wait until radicle-node answers, print its NID (exit 1 at the deadline)
//	orgnode-api ctl '<json command>'             one control-socket command, response on stdout
//	orgnode-api nid                              the node ID from $RAD_HOME/keys/radicle.pub
//	orgnode-api handshake <addr> <nid> [ms]      radicle's Noise handshake with nid@addr, JSON on stdout (exit 1 unless ok)
package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "serve":
		args := os.Args[2:]
		if len(args) > 0 && args[0] == "--" {
			args = args[1:]
		}
		if len(args) == 0 {
			usage()
		}
		os.Exit(serve(args))
	case "probe":
		if len(os.Args) != 3 {
			usage()
		}
		os.Exit(probe(os.Args[2]))
	case "ready":
		timeout := 60 * time.Second
		if len(os.Args) == 3 {
			secs, err := strconv.Atoi(os.Args[2])
			if err != nil || secs < 1 {
				usage()
			}
			timeout = time.Duration(secs) * time.Second
		} else if len(os.Args) > 3 {
			usage()
		}
		os.Exit(ready(newControl(radHome()), timeout))
	case "ctl":
		if len(os.Args) != 3 {
			usage()
		}
		out, err := newControl(radHome()).raw([]byte(os.Args[2]), 30*time.Second)
		if err != nil {
			fmt.Fprintln(os.Stderr, "orgnode-api ctl:", err)
			os.Exit(2)
		}
		os.Stdout.Write(out)
	case "handshake":
		os.Exit(handshakeCommand(os.Args[2:]))
	case "nid":
		nid, err := nidFromPublicKey(radHome())
		if err != nil {
			fmt.Fprintln(os.Stderr, "orgnode-api nid:", err)
			os.Exit(2)
		}
		fmt.Println(nid)
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: orgnode-api serve -- <radicle-node args...> | probe <url> | ready [seconds] | ctl <json> | nid | handshake <addr> <nid> [ms]")
	os.Exit(64)
}

func radHome() string {
	if h := os.Getenv("RAD_HOME"); h != "" {
		return h
	}
	return "/radicle"
}

func probe(url string) int {
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "probe:", resp.Status)
		return 1
	}
	return 0
}

// ready waits inside the container until the control socket answers: one exec for the whole wait,
// where polling `rad node status` from outside costs an exec (and a rad process) per attempt.
func ready(c *control, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for {
		nid, err := c.nodeID()
		if err == nil && nid != "" {
			fmt.Println(nid)
			return 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "ready: radicle-node not answering after %s: %v\n", timeout, err)
			return 1
		}
		time.Sleep(50 * time.Millisecond)
	}
}
