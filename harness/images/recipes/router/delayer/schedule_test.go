package main

import (
	"testing"
	"time"
)

func TestReleaseAtAddsTheDelayWithoutJitter(t *testing.T) {
	s := newSchedule(50*time.Millisecond, 0, 1)
	now := time.Unix(1000, 0)
	if got := s.releaseAt(now); !got.Equal(now.Add(50 * time.Millisecond)) {
		t.Fatalf("release at %v, want %v", got, now.Add(50*time.Millisecond))
	}
}

func TestReleaseTimesNeverGoBackwardsSoOrderIsKept(t *testing.T) {
	s := newSchedule(20*time.Millisecond, 19*time.Millisecond, 7)
	now := time.Unix(1000, 0)
	prev := time.Time{}
	for i := 0; i < 10000; i++ {
		now = now.Add(100 * time.Microsecond)
		at := s.releaseAt(now)
		if at.Before(prev) {
			t.Fatalf("packet %d released at %v before the previous one at %v", i, at, prev)
		}
		if at.Before(now.Add(time.Millisecond)) || at.After(now.Add(39*time.Millisecond+20*time.Millisecond)) {
			t.Fatalf("packet %d released %v after arrival, outside delay±jitter", i, at.Sub(now))
		}
		prev = at
	}
}

func TestJitterLargerThanDelayNeverReleasesBeforeArrival(t *testing.T) {
	s := newSchedule(5*time.Millisecond, 50*time.Millisecond, 3)
	now := time.Unix(1000, 0)
	for i := 0; i < 1000; i++ {
		now = now.Add(time.Second)
		if at := s.releaseAt(now); at.Before(now) {
			t.Fatalf("packet %d released %v before arrival", i, now.Sub(at))
		}
	}
}

func TestJitterSpreadsDelaysAroundTheMean(t *testing.T) {
	s := newSchedule(50*time.Millisecond, 10*time.Millisecond, 11)
	now := time.Unix(1000, 0)
	var lo, hi int
	var sum time.Duration
	const n = 2000
	for i := 0; i < n; i++ {
		now = now.Add(time.Second) // far apart: no ordering clamp
		d := s.releaseAt(now).Sub(now)
		sum += d
		if d < 45*time.Millisecond {
			lo++
		}
		if d > 55*time.Millisecond {
			hi++
		}
	}
	mean := sum / n
	if mean < 48*time.Millisecond || mean > 52*time.Millisecond {
		t.Fatalf("mean delay %v, want about 50ms", mean)
	}
	if lo < n/10 || hi < n/10 {
		t.Fatalf("jitter too narrow: %d below 45ms, %d above 55ms of %d", lo, hi, n)
	}
}
