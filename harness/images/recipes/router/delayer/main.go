// Command delayer adds latency on kernels without sch_netem. It holds the packets that an iptables
// NFQUEUE rule hands it for a fixed delay (plus optional jitter), then accepts them in arrival order:
//
//	iptables -t mangle -I FORWARD -i eth1 -j NFQUEUE --queue-num 100 --queue-bypass
//	delayer -queue 100 -delay 50ms -jitter 5ms
//
// The queue is bounded (-max-queue): past it, packets are dropped and counted, as a full link buffer
// would. With --queue-bypass on the rule, traffic passes undelayed whenever no delayer is bound.
// Counters go to stderr every -stats-interval and at exit. On SIGTERM or SIGINT it accepts every
// held packet at once, unbinds, prints its counters and exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	nfqueue "github.com/florianl/go-nfqueue/v2"
	"github.com/mdlayher/netlink"
)

type options struct {
	queue      uint
	delay      time.Duration
	jitter     time.Duration
	maxQueue   int
	statsEvery time.Duration
	seed       int64
}

type packet struct {
	id uint32
	at time.Time
}

type counters struct {
	received      atomic.Uint64
	released      atomic.Uint64
	overflow      atomic.Uint64
	verdictErrors atomic.Uint64
	recvErrors    atomic.Uint64
	maxHeld       atomic.Int64
}

func main() {
	var o options
	flag.UintVar(&o.queue, "queue", 0, "NFQUEUE number to bind (the rule's --queue-num)")
	flag.DurationVar(&o.delay, "delay", 0, "time each packet is held, e.g. 50ms")
	flag.DurationVar(&o.jitter, "jitter", 0, "uniform jitter around the delay, e.g. 5ms (order is kept)")
	flag.IntVar(&o.maxQueue, "max-queue", 8192, "most packets held at once; more are dropped")
	flag.DurationVar(&o.statsEvery, "stats-interval", 10*time.Second, "how often counters go to stderr (0: only at exit)")
	flag.Int64Var(&o.seed, "seed", time.Now().UnixNano(), "seed of the jitter")
	flag.Parse()
	if err := validate(o); err != nil {
		fmt.Fprintf(os.Stderr, "delayer: %v\n", err)
		flag.Usage()
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "delayer: %v\n", err)
		os.Exit(1)
	}
}

func validate(o options) error {
	switch {
	case o.queue > 65535:
		return fmt.Errorf("-queue %d is out of range 0..65535", o.queue)
	case o.delay < 0 || o.jitter < 0:
		return errors.New("-delay and -jitter must not be negative")
	case o.maxQueue < 1:
		return errors.New("-max-queue must be at least 1")
	}
	return nil
}

func run(o options) error {
	nf, err := nfqueue.Open(&nfqueue.Config{
		NfQueue: uint16(o.queue),
		// The kernel keeps every packet we hold until its verdict: leave room above our own bound so
		// that overflow is ours to count.
		MaxQueueLen: uint32(o.maxQueue) + 1024,
		Copymode:    nfqueue.NfQnlCopyMeta,
		// Big GSO packets are queued whole: we never read payloads.
		Flags:        nfqueue.NfQaCfgFlagGSO,
		WriteTimeout: 100 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("open nfqueue: %w", err)
	}
	defer nf.Close()
	if err := nf.SetOption(netlink.NoENOBUFS, true); err != nil {
		fmt.Fprintf(os.Stderr, "delayer: could not set NoENOBUFS: %v\n", err)
	}

	var c counters
	sched := newSchedule(o.delay, o.jitter, o.seed)
	held := make(chan packet, o.maxQueue)
	flush := make(chan struct{})
	var mu sync.Mutex
	closing := false

	verdict := func(id uint32, v int) {
		if err := nf.SetVerdict(id, v); err != nil {
			c.verdictErrors.Add(1)
		}
	}

	released := make(chan struct{})
	go func() {
		defer close(released)
		timer := time.NewTimer(time.Hour)
		timer.Stop()
		for p := range held {
			if wait := time.Until(p.at); wait > 0 {
				timer.Reset(wait)
				select {
				case <-timer.C:
				case <-flush:
					if !timer.Stop() {
						<-timer.C
					}
				}
			}
			verdict(p.id, nfqueue.NfAccept)
			c.released.Add(1)
		}
	}()

	onPacket := func(a nfqueue.Attribute) int {
		if a.PacketID == nil {
			return 0
		}
		id := *a.PacketID
		c.received.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if closing {
			verdict(id, nfqueue.NfAccept)
			c.released.Add(1)
			return 0
		}
		select {
		case held <- packet{id: id, at: sched.releaseAt(time.Now())}:
			if n := int64(len(held)); n > c.maxHeld.Load() {
				c.maxHeld.Store(n)
			}
		default:
			c.overflow.Add(1)
			verdict(id, nfqueue.NfDrop)
		}
		return 0
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fatal := make(chan error, 1)
	onError := func(e error) int {
		if ctx.Err() != nil {
			return 1
		}
		var opErr *netlink.OpError
		if errors.As(e, &opErr) && (opErr.Timeout() || errors.Is(opErr.Err, syscall.ENOBUFS)) {
			c.recvErrors.Add(1)
			return 0
		}
		select {
		case fatal <- e:
		default:
		}
		return 1
	}
	if err := nf.RegisterWithErrorFunc(ctx, onPacket, onError); err != nil {
		return fmt.Errorf("bind queue %d: %w", o.queue, err)
	}
	fmt.Fprintf(os.Stderr, "delayer: ready queue=%d delay=%s jitter=%s max_queue=%d\n", o.queue, o.delay, o.jitter, o.maxQueue)

	stats := func(event string) {
		fmt.Fprintf(os.Stderr, "delayer: %s queue=%d received=%d released=%d held=%d max_held=%d dropped_overflow=%d verdict_errors=%d recv_errors=%d\n",
			event, o.queue, c.received.Load(), c.released.Load(), len(held), c.maxHeld.Load(), c.overflow.Load(), c.verdictErrors.Load(), c.recvErrors.Load())
	}
	var tick <-chan time.Time
	if o.statsEvery > 0 {
		ticker := time.NewTicker(o.statsEvery)
		defer ticker.Stop()
		tick = ticker.C
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)

	var runErr error
loop:
	for {
		select {
		case <-tick:
			stats("stats")
		case s := <-signals:
			fmt.Fprintf(os.Stderr, "delayer: %s: releasing held packets\n", s)
			break loop
		case e := <-fatal:
			runErr = fmt.Errorf("receive from queue %d: %w", o.queue, e)
			break loop
		}
	}

	// Accept everything still held, right now, before unbinding: an unbound queue drops its packets.
	mu.Lock()
	closing = true
	close(flush)
	close(held)
	mu.Unlock()
	<-released
	cancel()
	stats("exit")
	return runErr
}
