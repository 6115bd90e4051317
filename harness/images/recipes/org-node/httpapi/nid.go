package main

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

// nidFromPublicKey derives the Node ID (did:key without the prefix) from the OpenSSH public key:
// multibase base58btc ("z") of the multicodec ed25519-pub prefix 0xed 0x01 and the 32-byte key.
func nidFromPublicKey(home string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(home, "keys", "radicle.pub"))
	if err != nil {
		return "", err
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 2 || fields[0] != "ssh-ed25519" {
		return "", errors.New("keys/radicle.pub is not an ssh-ed25519 public key")
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return "", err
	}
	var parts [][]byte
	for len(blob) >= 4 {
		n := binary.BigEndian.Uint32(blob)
		if int(n) > len(blob)-4 {
			break
		}
		parts = append(parts, blob[4:4+n])
		blob = blob[4+n:]
	}
	if len(parts) != 2 || len(parts[1]) != 32 {
		return "", fmt.Errorf("unexpected ssh-ed25519 key layout")
	}
	return "z" + base58(append([]byte{0xed, 0x01}, parts[1]...)), nil
}

const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58(b []byte) string {
	n := new(big.Int).SetBytes(b)
	radix := big.NewInt(58)
	mod := new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, radix, mod)
		out = append(out, alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}
