// Command golive is an evidence-backed go-live gate for production-readiness checklists.
package main

import (
	"context"
	"os"
	"os/signal"

	"golive.dev/golive/internal/cli"
	"golive.dev/golive/internal/gcpolicy"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	stopGC := gcpolicy.Start(gcpolicy.Default(os.Getenv))
	code := cli.Main(ctx, version, os.Args[1:], os.Stdout, os.Stderr)
	stopGC()
	stop()
	os.Exit(code)
}
