package main

import (
	"crypto/sha512"
	"errors"
	"math/big"
)

// radicle's Noise DH is not X25519: it multiplies the Edwards point of an ed25519 public key by the
// other side's ed25519 secret scalar and takes the compressed Edwards point (radicle-crypto's
// SigningKey::diffie_hellman). The standard library hides its Edwards arithmetic, so this is the
// textbook affine form over math/big: a probe does two multiplications.

var (
	edP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	edL = func() *big.Int {
		l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
		return l
	}()
	// d = -121665/121666 mod p
	edD = func() *big.Int {
		d := new(big.Int).ModInverse(big.NewInt(121666), edP)
		return d.Mul(d, big.NewInt(-121665)).Mod(d, edP)
	}()
)

type edPoint struct{ x, y *big.Int }

func edAdd(a, b edPoint) edPoint {
	mod := func(v *big.Int) *big.Int { return v.Mod(v, edP) }
	x1y2 := mod(new(big.Int).Mul(a.x, b.y))
	y1x2 := mod(new(big.Int).Mul(a.y, b.x))
	x1x2 := mod(new(big.Int).Mul(a.x, b.x))
	y1y2 := mod(new(big.Int).Mul(a.y, b.y))
	t := mod(new(big.Int).Mul(edD, mod(new(big.Int).Mul(x1x2, y1y2))))
	// a = -1 twisted Edwards; the addition law is complete (d is not a square).
	xDen := new(big.Int).ModInverse(mod(new(big.Int).Add(big.NewInt(1), t)), edP)
	yDen := new(big.Int).ModInverse(mod(new(big.Int).Sub(big.NewInt(1), t)), edP)
	x := mod(new(big.Int).Mul(mod(new(big.Int).Add(x1y2, y1x2)), xDen))
	y := mod(new(big.Int).Mul(mod(new(big.Int).Add(y1y2, x1x2)), yDen))
	return edPoint{x, y}
}

func edScalarMult(k *big.Int, p edPoint) edPoint {
	r := edPoint{big.NewInt(0), big.NewInt(1)}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = edAdd(r, r)
		if k.Bit(i) == 1 {
			r = edAdd(r, p)
		}
	}
	return r
}

func leInt(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(r)
}

func edDecompress(b [32]byte) (edPoint, error) {
	sign := uint(b[31] >> 7)
	b[31] &= 0x7f
	y := leInt(b[:])
	if y.Cmp(edP) >= 0 {
		return edPoint{}, errors.New("not a canonical Edwards y coordinate")
	}
	yy := new(big.Int).Mul(y, y)
	u := new(big.Int).Sub(yy, big.NewInt(1))
	v := new(big.Int).Add(new(big.Int).Mul(edD, yy), big.NewInt(1))
	xx := new(big.Int).Mul(u, new(big.Int).ModInverse(v.Mod(v, edP), edP))
	x := new(big.Int).ModSqrt(xx.Mod(xx, edP), edP)
	if x == nil {
		return edPoint{}, errors.New("not a point on Edwards25519")
	}
	if x.Bit(0) != sign {
		x.Sub(edP, x)
	}
	return edPoint{x, y}, nil
}

func edCompress(p edPoint) [32]byte {
	var out [32]byte
	be := p.y.Bytes()
	for i := range be {
		out[i] = be[len(be)-1-i]
	}
	out[31] |= byte(p.x.Bit(0)) << 7
	return out
}

// edSecretScalar is ed25519's secret scalar of a 32-byte seed: clamp(SHA-512(seed)[:32]) mod l.
func edSecretScalar(seed []byte) *big.Int {
	h := sha512.Sum512(seed)
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	return new(big.Int).Mod(leInt(h[:32]), edL)
}

// edDH is radicle's Diffie-Hellman of a seed's secret scalar with an ed25519 public key.
func edDH(seed []byte, public [32]byte) ([32]byte, error) {
	p, err := edDecompress(public)
	if err != nil {
		return [32]byte{}, err
	}
	return edCompress(edScalarMult(edSecretScalar(seed), p)), nil
}
