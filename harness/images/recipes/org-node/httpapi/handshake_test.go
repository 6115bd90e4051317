package main

import (
	"crypto/rand"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// responder plays radicle-node's side of the handshake (noise-framework's responder steps) with
// the static key of `seed`, then sends the opening of a radicle frame; it drops the connection
// when message 3 does not decrypt, as radicle does.
func responder(t *testing.T, seed []byte) (addr string) {
	t.Helper()
	return listen(t, func(c net.Conn) {
		var own [32]byte
		copy(own[:], edPublic(seed))
		st := newNoiseState(own)
		m1 := make([]byte, 32)
		if _, err := io.ReadFull(c, m1); err != nil {
			return
		}
		var re [32]byte
		copy(re[:], m1)
		st.mixHash(re[:])
		es, _ := edDH(seed, re)
		st.mixKey(es[:])
		_, _ = st.decryptAndHash(nil)
		eSeed := make([]byte, 32)
		_, _ = rand.Read(eSeed)
		e := edPublic(eSeed)
		st.mixHash(e)
		ee, _ := edDH(eSeed, re)
		st.mixKey(ee[:])
		_, _ = c.Write(append(e, st.encryptAndHash(nil)...))
		m3 := make([]byte, 48)
		if _, err := io.ReadFull(c, m3); err != nil {
			return
		}
		if _, err := st.decryptAndHash(m3); err != nil {
			return
		}
		_, _ = c.Write([]byte("rad\x01"))
	})
}

func listen(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return l.Addr().String()
}

func newNid(t *testing.T) ([]byte, string) {
	seed := make([]byte, 32)
	_, _ = rand.Read(seed)
	return seed, "z" + base58(append([]byte{0xed, 0x01}, edPublic(seed)...))
}

func TestHandshakeJudgesTheKey(t *testing.T) {
	seed, nid := newNid(t)
	_, other := newNid(t)
	addr := responder(t, seed)
	for i := 0; i < 3; i++ {
		if r := handshake(addr, nid, 2*time.Second); !r.OK {
			t.Fatalf("right NID: %+v", r)
		}
		if r := handshake(addr, other, 2*time.Second); r.OK || r.Kind != hsWrongNID {
			t.Fatalf("wrong NID: %+v", r)
		}
	}
}

func TestHandshakeErrorKinds(t *testing.T) {
	_, nid := newNid(t)
	closed := listen(t, func(net.Conn) {})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := l.Addr().String()
	_ = l.Close()
	silent := listen(t, func(c net.Conn) { time.Sleep(time.Second) })
	echo := listen(t, func(c net.Conn) { _, _ = io.Copy(c, c) })
	for _, c := range []struct{ addr, nid, kind string }{
		{refused, nid, hsRefused},
		{silent, nid, hsTimeout},
		{closed, nid, hsNotRadicle},
		{echo, nid, hsNotRadicle},
		{closed, "z6Mkbad", hsBadInput},
	} {
		r := handshake(c.addr, c.nid, 300*time.Millisecond)
		if r.OK || r.Kind != c.kind || !strings.HasPrefix(r.Error, c.kind+": ") {
			t.Errorf("%s %s: want %s, got %+v", c.addr, c.nid, c.kind, r)
		}
	}
}
