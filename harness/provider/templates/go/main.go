// A oneclick provider skeleton: it reads the harness's environment (SPEC.md §3), answers readiness
// on $PROVIDER_HTTP_PORT/healthz and stops on SIGTERM. Everything a provider must make observable
// (SPEC.md §4) is still to be written: see the TODOs below and the guide, docs/writing-a-provider.md.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// The thirteen variables the harness always sets (SPEC.md §3).
var required = []string{
	"ONECLICK_RPC_URL", "ONECLICK_WS_URL", "ONECLICK_CHAIN_ID",
	"ONECLICK_PROVIDER_ADDRESS", "ONECLICK_ORG_FACTORY_ADDRESS",
	"ONECLICK_CONFIRMATIONS", "ONECLICK_GRACE_BLOCKS",
	"ONECLICK_DNS_SERVER", "ONECLICK_DNS_ZONE", "ONECLICK_DNS_TSIG",
	"ONECLICK_ORGNODE_IMAGE", "ONECLICK_PUBLIC_NETWORK", "ONECLICK_RUN_ID",
}

// ONECLICK_DNS_TSIG holds a secret: it is read, never printed.
var secret = map[string]bool{"ONECLICK_DNS_TSIG": true}

func main() {
	config, err := readConfig()
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range required {
		if !secret[name] {
			log.Printf("%s=%s", name, config[name])
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// TODO(CHAIN-*, PROV-CONFIRMATIONS, PROV-FOREIGN, PROV-REORG): follow NewTopUp and DeploymentStopped
	// logs of ONECLICK_PROVIDER_ADDRESS only, acting on a log once it is ONECLICK_CONFIRMATIONS deep.
	// TODO(PROV-CONTROLLER-RESTART): keep that state on disk; the container may be SIGKILLed.
	// TODO(PROV-PROVISION, PROV-P2P, PROV-NAT, PROV-NODE-RESTART): run one ONECLICK_ORGNODE_IMAGE container
	// per org (labels oneclick.run and oneclick.org, a volume on /radicle, a public p2p port).
	// TODO(PROV-DNS): publish A, SRV and TXT (nid=, expiry=) with RFC 2136 + TSIG.
	// TODO(PROV-HTTP, PROV-ISOLATION): route http://<label>.<zone>/ on port 80 by Host to the org's node.
	// TODO(PROV-EXTEND, PROV-GRACE, PROV-EXPIRY, PROV-STOP, PROV-RENEWAL): extend in place, remove at
	// expiry + grace or on DeploymentStopped, keep the volume for a renewal.
	log.Printf("skeleton: ready, serving no org yet (see the TODOs in main.go)")

	if err := serveReadiness(ctx, ":"+envOr("PROVIDER_HTTP_PORT", "9100")); err != nil {
		log.Fatal(err)
	}
	log.Printf("stopped")
}

func readConfig() (map[string]string, error) {
	config := map[string]string{}
	var missing []string
	for _, name := range required {
		value, ok := os.LookupEnv(name)
		if !ok || value == "" {
			missing = append(missing, name)
		}
		config[name] = value
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("not set: %s (the harness sets them, SPEC.md §3)", strings.Join(missing, ", "))
	}
	return config, nil
}

// serveReadiness answers the manifest's readiness probe until ctx ends.
func serveReadiness(ctx context.Context, addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	server := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	if err := server.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
