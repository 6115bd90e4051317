package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 8439 §2.8.2.
func TestChaChaPolyRFC8439(t *testing.T) {
	var key [32]byte
	copy(key[:], unhex(t, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"))
	var nonce [12]byte
	copy(nonce[:], unhex(t, "070000004041424344454647"))
	ad := unhex(t, "50515253c0c1c2c3c4c5c6c7")
	pt := []byte("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")
	want := unhex(t, "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"+
		"1ae10b594f09e26a7e902ecbd0600691")
	sealed := chachaPolySeal(&key, &nonce, ad, pt)
	if !bytes.Equal(sealed, want) {
		t.Fatalf("seal:\n got %x\nwant %x", sealed, want)
	}
	opened, err := chachaPolyOpen(&key, &nonce, ad, sealed)
	if err != nil || !bytes.Equal(opened, pt) {
		t.Fatalf("open: %v %q", err, opened)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := chachaPolyOpen(&key, &nonce, ad, sealed); err == nil {
		t.Fatal("a flipped tag bit opened")
	}
}

// RFC 8439 §2.5.2.
func TestPoly1305RFC8439(t *testing.T) {
	var key [32]byte
	copy(key[:], unhex(t, "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b"))
	tag := poly1305(key, []byte("Cryptographic Forum Research Group"))
	if want := unhex(t, "a8061dc1305136c6c22b8baf0c0127a9"); !bytes.Equal(tag[:], want) {
		t.Fatalf("got %x want %x", tag, want)
	}
}

// The secret scalar times the base point is ed25519's own public key.
func TestEdScalarMultMatchesEd25519(t *testing.T) {
	base, err := edDecompress([32]byte{0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		seed := make([]byte, 32)
		_, _ = rand.Read(seed)
		got := edCompress(edScalarMult(edSecretScalar(seed), base))
		if want := edPublic(seed); !bytes.Equal(got[:], want) {
			t.Fatalf("seed %x: got %x want %x", seed, got, want)
		}
	}
}

// radicle-crypto 0.19's diffie_hellman_fixture: both sides agree on its fixed output.
func TestEdDHRadicleFixture(t *testing.T) {
	a := unhex(t, "5c88125870cdc9446dc582d3b38ac5717837688bd0b8b29d780b3c0d5b1ed526")
	b := unhex(t, "ca98e1c9a951d910eb685bfc347151be44fa5615cae47bc18cfc3f48058924f5")
	want := unhex(t, "9f83a91b84ca2ffa70f7b0ded5dc93d8350721e8e84dfe697ded3df3d1ac5d64")
	var pa, pb [32]byte
	copy(pa[:], edPublic(a))
	copy(pb[:], edPublic(b))
	ab, err := edDH(a, pb)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := edDH(b, pa)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ab[:], want) || !bytes.Equal(ba[:], want) {
		t.Fatalf("got %x and %x, want %x", ab, ba, want)
	}
}

func TestNidKey(t *testing.T) {
	seed := make([]byte, 32)
	_, _ = rand.Read(seed)
	pub := edPublic(seed)
	nid := "z" + base58(append([]byte{0xed, 0x01}, pub...))
	key, err := nidKey(nid)
	if err != nil || !bytes.Equal(key[:], pub) {
		t.Fatalf("%s: %v %x", nid, err, key)
	}
	for _, bad := range []string{"", "6Mk", nid[:20], "z0OIl", "z" + base58(append([]byte{0xec, 0x01}, pub...))} {
		if _, err := nidKey(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}
