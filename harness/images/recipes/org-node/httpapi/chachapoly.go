package main

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"math/big"
	"math/bits"
)

// ChaCha20-Poly1305 (RFC 8439), the AEAD of radicle's Noise handshake. The standard library keeps its
// own copy internal, and the image builds offline from the standard library alone; a handshake
// seals one 32-byte key, so plain code beats speed here.

func chachaBlock(key *[32]byte, counter uint32, nonce *[12]byte) [64]byte {
	var s [16]uint32
	s[0], s[1], s[2], s[3] = 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
	for i := 0; i < 8; i++ {
		s[4+i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	s[12] = counter
	for i := 0; i < 3; i++ {
		s[13+i] = binary.LittleEndian.Uint32(nonce[4*i:])
	}
	w := s
	quarter := func(a, b, c, d int) {
		w[a] += w[b]
		w[d] = bits.RotateLeft32(w[d]^w[a], 16)
		w[c] += w[d]
		w[b] = bits.RotateLeft32(w[b]^w[c], 12)
		w[a] += w[b]
		w[d] = bits.RotateLeft32(w[d]^w[a], 8)
		w[c] += w[d]
		w[b] = bits.RotateLeft32(w[b]^w[c], 7)
	}
	for i := 0; i < 10; i++ {
		quarter(0, 4, 8, 12)
		quarter(1, 5, 9, 13)
		quarter(2, 6, 10, 14)
		quarter(3, 7, 11, 15)
		quarter(0, 5, 10, 15)
		quarter(1, 6, 11, 12)
		quarter(2, 7, 8, 13)
		quarter(3, 4, 9, 14)
	}
	var out [64]byte
	for i := range w {
		binary.LittleEndian.PutUint32(out[4*i:], w[i]+s[i])
	}
	return out
}

func chachaXor(key *[32]byte, counter uint32, nonce *[12]byte, in []byte) []byte {
	out := make([]byte, len(in))
	for i := 0; i < len(in); i += 64 {
		block := chachaBlock(key, counter, nonce)
		counter++
		for j := i; j < len(in) && j < i+64; j++ {
			out[j] = in[j] ^ block[j-i]
		}
	}
	return out
}

var poly1305P = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 130), big.NewInt(5))

func poly1305(key [32]byte, msg []byte) [16]byte {
	le := func(b []byte) *big.Int {
		r := make([]byte, len(b))
		for i := range b {
			r[len(b)-1-i] = b[i]
		}
		return new(big.Int).SetBytes(r)
	}
	rb := key[:16]
	for _, i := range []int{3, 7, 11, 15} {
		rb[i] &= 15
	}
	for _, i := range []int{4, 8, 12} {
		rb[i] &= 252
	}
	r, acc := le(rb), new(big.Int)
	for i := 0; i < len(msg); i += 16 {
		end := min(i+16, len(msg))
		n := le(append(append([]byte{}, msg[i:end]...), 1))
		acc.Add(acc, n).Mul(acc, r).Mod(acc, poly1305P)
	}
	acc.Add(acc, le(key[16:]))
	var tag [16]byte
	b := acc.Bytes()
	for i := 0; i < 16 && i < len(b); i++ {
		tag[i] = b[len(b)-1-i]
	}
	return tag
}

func aeadTag(key *[32]byte, nonce *[12]byte, ad, ciphertext []byte) [16]byte {
	block := chachaBlock(key, 0, nonce)
	var polyKey [32]byte
	copy(polyKey[:], block[:32])
	pad := func(b []byte) []byte { return append(b, make([]byte, (16-len(b)%16)%16)...) }
	mac := pad(append([]byte{}, ad...))
	mac = pad(append(mac, ciphertext...))
	mac = binary.LittleEndian.AppendUint64(mac, uint64(len(ad)))
	mac = binary.LittleEndian.AppendUint64(mac, uint64(len(ciphertext)))
	return poly1305(polyKey, mac)
}

func chachaPolySeal(key *[32]byte, nonce *[12]byte, ad, plaintext []byte) []byte {
	ct := chachaXor(key, 1, nonce, plaintext)
	tag := aeadTag(key, nonce, ad, ct)
	return append(ct, tag[:]...)
}

func chachaPolyOpen(key *[32]byte, nonce *[12]byte, ad, sealed []byte) ([]byte, error) {
	if len(sealed) < 16 {
		return nil, errors.New("chacha20-poly1305: message too short")
	}
	ct, tag := sealed[:len(sealed)-16], sealed[len(sealed)-16:]
	want := aeadTag(key, nonce, ad, ct)
	if subtle.ConstantTimeCompare(want[:], tag) != 1 {
		return nil, errors.New("chacha20-poly1305: message authentication failed")
	}
	return chachaXor(key, 1, nonce, ct), nil
}
