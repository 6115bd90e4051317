package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// control talks to radicle-node's control socket: one JSON command per connection, one JSON line back.
type control struct{ path string }

func newControl(home string) *control {
	return &control{path: filepath.Join(home, "node", "control.sock")}
}

func (c *control) raw(cmd []byte, timeout time.Duration) ([]byte, error) {
	conn, err := net.DialTimeout("unix", c.path, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(append(cmd, '\n')); err != nil {
		return nil, err
	}
	line, err := bufio.NewReaderSize(conn, 1<<20).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return nil, err
	}
	return line, nil
}

// call sends {"command": name, ...args} and decodes the answer into out; {"error": ...} becomes an error.
func (c *control) call(name string, args map[string]any, out any, timeout time.Duration) error {
	cmd := map[string]any{"command": name}
	for k, v := range args {
		cmd[k] = v
	}
	body, _ := json.Marshal(cmd)
	line, err := c.raw(body, timeout)
	if err != nil {
		return err
	}
	var failure struct {
		Error *string `json:"error"`
	}
	if json.Unmarshal(line, &failure) == nil && failure.Error != nil {
		return errors.New(*failure.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(line, out); err != nil {
		return fmt.Errorf("control socket answered %q: %w", string(line), err)
	}
	return nil
}

func (c *control) nodeID() (string, error) {
	var nid string
	err := c.call("nodeId", nil, &nid, 2*time.Second)
	return nid, err
}
