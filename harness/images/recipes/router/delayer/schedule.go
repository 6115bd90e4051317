package main

import (
	"math/rand"
	"time"
)

// schedule decides when each queued packet is released. Release times never go backwards, so a
// single FIFO releaser keeps packet order: with jitter a packet waits at least until the one before
// it has gone (as a real link would, instead of netem's reordering).
type schedule struct {
	delay  time.Duration
	jitter time.Duration
	rnd    *rand.Rand
	last   time.Time
}

func newSchedule(delay, jitter time.Duration, seed int64) *schedule {
	return &schedule{delay: delay, jitter: jitter, rnd: rand.New(rand.NewSource(seed))}
}

// releaseAt returns the release time of a packet that arrived at now.
func (s *schedule) releaseAt(now time.Time) time.Time {
	d := s.delay
	if s.jitter > 0 {
		// Uniform in [-jitter, +jitter], never below zero.
		d += time.Duration(s.rnd.Int63n(int64(2*s.jitter)+1)) - s.jitter
		if d < 0 {
			d = 0
		}
	}
	at := now.Add(d)
	if at.Before(s.last) {
		at = s.last
	}
	s.last = at
	return at
}
