package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// supervisor keeps radicle-node running: a crash is restarted after a short pause, SIGTERM or
// SIGINT stops it cleanly (and then the supervisor exits).
type supervisor struct {
	args      []string
	mu        sync.Mutex
	cmd       *exec.Cmd
	restarts  int
	startedAt time.Time
	lastExit  string
	stopping  bool
}

func (s *supervisor) status() (pid int, restarts int, startedAt time.Time, lastExit string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && s.cmd.Process != nil {
		pid = s.cmd.Process.Pid
	}
	return pid, s.restarts, s.startedAt, s.lastExit
}

func (s *supervisor) run(done chan<- int) {
	restartPolicy := os.Getenv("ONECLICK_NODE_RESTART") // "always" (default) or "never"
	for {
		cmd := exec.Command(s.args[0], s.args[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			done <- 0
			return
		}
		err := cmd.Start()
		if err == nil {
			s.cmd, s.startedAt = cmd, time.Now()
		}
		s.mu.Unlock()
		if err != nil {
			log.Printf("[supervisor] cannot start %s: %v", s.args[0], err)
			done <- 127
			return
		}
		log.Printf("[supervisor] started %s (pid %d)", strings.Join(s.args, " "), cmd.Process.Pid)
		err = cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		s.mu.Lock()
		s.lastExit = cmd.ProcessState.String()
		stopping := s.stopping
		s.mu.Unlock()
		if stopping {
			log.Printf("[supervisor] radicle-node stopped (%s)", cmd.ProcessState)
			done <- 0
			return
		}
		log.Printf("[supervisor] radicle-node exited unexpectedly (%v)", err)
		if restartPolicy == "never" {
			if code <= 0 {
				code = 1
			}
			done <- code
			return
		}
		time.Sleep(time.Second)
		s.mu.Lock()
		s.restarts++
		s.mu.Unlock()
	}
}

func (s *supervisor) stop(grace time.Duration) {
	s.mu.Lock()
	s.stopping = true
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	go func() {
		time.Sleep(grace)
		_ = cmd.Process.Kill()
	}()
}

func serve(args []string) int {
	log.SetFlags(0)
	log.SetPrefix("")
	home := radHome()
	listen := os.Getenv("ONECLICK_HTTP_LISTEN")
	if listen == "" {
		listen = "0.0.0.0:8080"
	}
	sup := &supervisor{args: args}
	api := newAPI(home, sup)
	server := &http.Server{Addr: listen, Handler: api.routes(), ReadHeaderTimeout: 10 * time.Second}
	serverErr := make(chan error, 2)
	go func() {
		log.Printf("[api] listening on http://%s", listen)
		if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			serverErr <- err
		}
	}()
	var remote *http.Server
	if at := os.Getenv("ONECLICK_CONTROL_LISTEN"); at != "" {
		remote = remoteControl(at, api.ctl)
		go func() {
			log.Printf("[control] listening on http://%s", at)
			if err := remote.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serverErr <- err
			}
		}()
	}
	done := make(chan int, 1)
	go sup.run(done)

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	code := 0
	select {
	case sig := <-signals:
		log.Printf("[supervisor] %s: stopping radicle-node", sig)
		sup.stop(8 * time.Second)
		code = <-done
	case code = <-done:
	case err := <-serverErr:
		log.Printf("[api] %v", err)
		sup.stop(8 * time.Second)
		<-done
		code = 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
	if remote != nil {
		_ = remote.Shutdown(ctx)
	}
	return code
}
