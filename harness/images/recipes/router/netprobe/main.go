// Command netprobe is the NAT tests' probe: echo servers that tell each client the address and
// port they saw it come from, and a UDP client that sends from a chosen port and prints the answer.
//
//	netprobe serve -tcp 8080 -udp 9000     answer "<addr> <port>\n" to every TCP connection and datagram
//	netprobe udp -bind 42000 198.51.100.7:9000
//	                                       send from local port 42000, print the first answer; resend on
//	                                       the same socket (the same NAT flow) until -tries are used up
//
// Every datagram and connection the server sees is logged to stderr, so a test can tell "never
// arrived" from "arrived but the answer was lost".
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

type ports []int

func (p *ports) String() string { return fmt.Sprint(*p) }
func (p *ports) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("bad port %q", s)
	}
	*p = append(*p, n)
	return nil
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "udp":
		err = udpProbe(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "netprobe: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: netprobe serve [-tcp PORT]... [-udp PORT]...\n       netprobe udp [-bind PORT] [-timeout 1s] [-tries 3] ADDR:PORT")
	os.Exit(2)
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var tcp, udp ports
	fs.Var(&tcp, "tcp", "TCP port to answer on (repeatable)")
	fs.Var(&udp, "udp", "UDP port to answer on (repeatable)")
	_ = fs.Parse(args)
	if len(tcp)+len(udp) == 0 {
		return errors.New("serve: give at least one -tcp or -udp port")
	}
	errs := make(chan error, len(tcp)+len(udp))
	for _, p := range tcp {
		l, err := net.ListenTCP("tcp4", &net.TCPAddr{Port: p})
		if err != nil {
			return err
		}
		go func() { errs <- serveTCP(l) }()
	}
	for _, p := range udp {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{Port: p})
		if err != nil {
			return err
		}
		go func() { errs <- serveUDP(c) }()
	}
	fmt.Fprintf(os.Stderr, "netprobe: serving tcp %v udp %v\n", tcp, udp)
	return <-errs
}

func serveTCP(l *net.TCPListener) error {
	for {
		c, err := l.AcceptTCP()
		if err != nil {
			return err
		}
		from := c.RemoteAddr().(*net.TCPAddr)
		fmt.Fprintf(os.Stderr, "tcp %s from %s\n", l.Addr(), from)
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = fmt.Fprintf(c, "%s %d\n", from.IP, from.Port)
		}()
	}
}

func serveUDP(c *net.UDPConn) error {
	buf := make([]byte, 2048)
	for {
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "udp %s from %s: %q\n", c.LocalAddr(), from, strings.TrimSpace(string(buf[:n])))
		if _, err := c.WriteToUDP([]byte(fmt.Sprintf("%s %d\n", from.IP, from.Port)), from); err != nil {
			fmt.Fprintf(os.Stderr, "udp answer to %s: %v\n", from, err)
		}
	}
}

func udpProbe(args []string) error {
	fs := flag.NewFlagSet("udp", flag.ExitOnError)
	bind := fs.Int("bind", 0, "local port to send from (0: any)")
	timeout := fs.Duration("timeout", time.Second, "how long to wait for an answer to each try")
	tries := fs.Int("tries", 3, "how many datagrams to send before giving up")
	message := fs.String("message", "probe", "what to send")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	to, err := net.ResolveUDPAddr("udp4", fs.Arg(0))
	if err != nil {
		return err
	}
	c, err := net.ListenUDP("udp4", &net.UDPAddr{Port: *bind})
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 2048)
	for try := 1; try <= *tries; try++ {
		if _, err := c.WriteToUDP([]byte(*message+"\n"), to); err != nil {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(*timeout))
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break
				}
				return err
			}
			if from.IP.Equal(to.IP) && from.Port == to.Port {
				fmt.Print(string(buf[:n]))
				return nil
			}
			fmt.Fprintf(os.Stderr, "netprobe: ignoring a datagram from %s\n", from)
		}
		fmt.Fprintf(os.Stderr, "netprobe: no answer from %s to try %d\n", to, try)
	}
	return fmt.Errorf("no answer from %s after %d tries", to, *tries)
}
