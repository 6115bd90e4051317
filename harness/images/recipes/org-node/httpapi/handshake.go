package main

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A stateless handshake prober: the initiator side of radicle's Noise XK handshake on a fresh TCP
// connection, with a fresh key of its own each time. The radicle node's own `connect` cannot judge
// "the node at addr holds NID": it answers connected before the responder has checked anything,
// and keeps session state that spoils the next dial. As radicle-node 0.21 builds it (wire.rs,
// cyphernet's noise-framework 0.4):
//
//	name  "Noise_XL_Edwards25519_ChaChaPoly_SHA256" (the crate prints XK's responder "K" as "L")
//	<- s  (pre-message: the NID's key)   -> e, es   <- e, ee   -> s, se
//	DH    compressed Edwards point of secret scalar × ed25519 public key (edDH)
//	an empty payload encrypts to nothing (no tag), so the messages are 32, 32 and 48 bytes
//
// Message 2 carries no proof. The responder proves its key by decrypting message 3, sealed under
// a key mixed from DH(e, NID): one without the NID's secret fails, and radicle drops the
// connection. One that holds it completes the session and at once sends its (plaintext) first
// wire messages, each frame opening with "rad" and the protocol version: that after message 3 is
// the proof (and no echo of our own bytes passes for it).

const noiseName = "Noise_XL_Edwards25519_ChaChaPoly_SHA256"

// Error kinds, distinct so a report can say which check failed.
const (
	hsRefused     = "refused"     // nothing listens at addr
	hsTimeout     = "timeout"     // no TCP connection, or no answer in time
	hsUnreachable = "unreachable" // another failure to connect
	hsNotRadicle  = "not-radicle" // the port took the connection but no Noise responder answered
	hsWrongNID    = "wrong-nid"   // a Noise responder answered but does not hold the NID's key
	hsBadInput    = "bad-input"
)

type handshakeResult struct {
	OK    bool    `json:"ok"`
	Kind  string  `json:"kind,omitempty"`
	Error string  `json:"error,omitempty"`
	Ms    float64 `json:"ms"`
}

type noiseState struct {
	ck, h [32]byte
	k     [32]byte
	n     uint64
}

func newNoiseState(rs [32]byte) *noiseState {
	s := &noiseState{}
	s.h = sha256.Sum256([]byte(noiseName)) // longer than HASHLEN: hashed
	s.ck = s.h
	s.mixHash(nil) // empty prologue
	s.mixHash(rs[:])
	return s
}

func (s *noiseState) mixHash(data []byte) {
	s.h = sha256.Sum256(append(s.h[:], data...))
}

func hmacSHA256(key []byte, data ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

func (s *noiseState) mixKey(ikm []byte) {
	temp := hmacSHA256(s.ck[:], ikm)
	o1 := hmacSHA256(temp, []byte{1})
	o2 := hmacSHA256(temp, o1, []byte{2})
	copy(s.ck[:], o1)
	copy(s.k[:], o2)
	s.n = 0
}

func (s *noiseState) nonce() *[12]byte {
	var n [12]byte
	binary.LittleEndian.PutUint64(n[4:], s.n)
	return &n
}

// encryptAndHash as noise-framework does it: an empty plaintext gives an empty ciphertext (no tag),
// and the nonce still advances.
func (s *noiseState) encryptAndHash(plaintext []byte) []byte {
	var ct []byte
	if len(plaintext) > 0 {
		ct = chachaPolySeal(&s.k, s.nonce(), s.h[:], plaintext)
	}
	s.n++
	s.mixHash(ct)
	return ct
}

func (s *noiseState) decryptAndHash(ciphertext []byte) ([]byte, error) {
	var pt []byte
	if len(ciphertext) > 0 {
		var err error
		if pt, err = chachaPolyOpen(&s.k, s.nonce(), s.h[:], ciphertext); err != nil {
			return nil, err
		}
	}
	s.n++
	s.mixHash(ciphertext)
	return pt, nil
}

// nidKey is the ed25519 public key of a NID (z + base58btc of 0xed 0x01 ‖ key).
func nidKey(nid string) ([32]byte, error) {
	var key [32]byte
	if !strings.HasPrefix(nid, "z") {
		return key, fmt.Errorf("NID %q: expected multibase base58btc (z...)", nid)
	}
	n := new(big.Int)
	for _, c := range nid[1:] {
		i := strings.IndexRune(alphabet, c)
		if i < 0 {
			return key, fmt.Errorf("NID %q: %q is not base58", nid, c)
		}
		n.Mul(n, big.NewInt(58)).Add(n, big.NewInt(int64(i)))
	}
	b := n.Bytes()
	if len(b) != 34 || b[0] != 0xed || b[1] != 0x01 {
		return key, fmt.Errorf("NID %q: expected an ed25519 key (multicodec 0xed01, 32 bytes)", nid)
	}
	copy(key[:], b[2:])
	if _, err := edDecompress(key); err != nil {
		return key, fmt.Errorf("NID %q: %v", nid, err)
	}
	return key, nil
}

// initiator is the Noise XK initiator with fresh keys (seeds; the public keys are ed25519's).
type initiator struct {
	state        *noiseState
	rs           [32]byte
	eSeed, sSeed []byte
}

func newInitiator(rs [32]byte) *initiator {
	e, s := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(e)
	_, _ = rand.Read(s)
	return &initiator{state: newNoiseState(rs), rs: rs, eSeed: e, sSeed: s}
}

func edPublic(seed []byte) []byte { return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey) }

// message1 is -> e, es.
func (in *initiator) message1() ([]byte, error) {
	e := edPublic(in.eSeed)
	in.state.mixHash(e)
	dh, err := edDH(in.eSeed, in.rs)
	if err != nil {
		return nil, err
	}
	in.state.mixKey(dh[:])
	return append(e, in.state.encryptAndHash(nil)...), nil
}

// message3 reads <- e, ee (32 bytes) and answers -> s, se.
func (in *initiator) message3(message2 []byte) ([]byte, error) {
	var re [32]byte
	copy(re[:], message2)
	in.state.mixHash(re[:])
	ee, err := edDH(in.eSeed, re)
	if err != nil {
		return nil, fmt.Errorf("responder's ephemeral key: %v", err)
	}
	in.state.mixKey(ee[:])
	if _, err := in.state.decryptAndHash(nil); err != nil {
		return nil, err
	}
	out := in.state.encryptAndHash(edPublic(in.sSeed))
	se, err := edDH(in.sSeed, re)
	if err != nil {
		return nil, err
	}
	in.state.mixKey(se[:])
	return append(out, in.state.encryptAndHash(nil)...), nil
}

func handshake(addr, nid string, timeout time.Duration) handshakeResult {
	start := time.Now()
	done := func(kind, format string, a ...any) handshakeResult {
		r := handshakeResult{OK: kind == "", Kind: kind, Ms: float64(time.Since(start).Microseconds()) / 1000}
		if kind != "" {
			r.Error = kind + ": " + fmt.Sprintf(format, a...)
		}
		return r
	}
	rs, err := nidKey(nid)
	if err != nil {
		return done(hsBadInput, "%v", err)
	}
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return done(dialKind(err), "%v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(start.Add(timeout))
	in := newInitiator(rs)
	m1, err := in.message1()
	if err != nil {
		return done(hsBadInput, "%v", err)
	}
	if _, err := conn.Write(m1); err != nil {
		return done(ioKind(err, hsNotRadicle), "sending message 1: %v", err)
	}
	m2 := make([]byte, 32)
	if _, err := io.ReadFull(conn, m2); err != nil {
		return done(ioKind(err, hsNotRadicle), "%s took the connection but sent no Noise message 2 (not radicle, or over its inbound limits): %v", addr, err)
	}
	m3, err := in.message3(m2)
	if err != nil {
		return done(hsNotRadicle, "%v", err)
	}
	if _, err := conn.Write(m3); err != nil {
		return done(ioKind(err, hsWrongNID), "sending message 3: %v", err)
	}
	first := make([]byte, 4)
	if _, err := io.ReadFull(conn, first); err != nil {
		return done(ioKind(err, hsWrongNID), "the node at %s rejected message 3: it does not hold the NID's key (%v)", addr, err)
	}
	if string(first[:3]) != "rad" {
		return done(hsNotRadicle, "%s completed the handshake but sent %x, not a radicle frame", addr, first)
	}
	return done("", "")
}

func dialKind(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return hsRefused
	case isTimeout(err):
		return hsTimeout
	}
	return hsUnreachable
}

// ioKind is timeout for a deadline, else what a closed or reset connection means at this step.
func ioKind(err error, closed string) string {
	if isTimeout(err) {
		return hsTimeout
	}
	return closed
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// handshakeCommand is `orgnode-api handshake <addr> <nid> [timeout-ms]`: the same judgement by exec
// (a peer the harness cannot reach over HTTP). Prints the JSON answer; exit 0 only when ok.
func handshakeCommand(args []string) int {
	timeout := 3 * time.Second
	if len(args) == 3 {
		ms, err := strconv.Atoi(args[2])
		if err != nil || ms < 1 {
			usage()
		}
		timeout = time.Duration(ms) * time.Millisecond
	} else if len(args) != 2 {
		usage()
	}
	r := handshake(args[0], args[1], timeout)
	_ = json.NewEncoder(os.Stdout).Encode(r)
	if !r.OK {
		return 1
	}
	return 0
}
