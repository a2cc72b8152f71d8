// Package cli is golive's command line: cobra commands, flags, settings and
// exit codes. It wires the other packages and holds no logic of its own.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/checks/all"
	"golive.dev/golive/internal/pack"
)

// Exit codes, documented in docs/exit-codes.md.
const (
	ExitOK       = 0 // the gate passed (or the command succeeded)
	ExitGateFail = 1 // the gate failed
	ExitBadInput = 2 // bad input or usage: the message names the file:line or flag
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func badInput(err error) error { return &exitError{code: ExitBadInput, err: err} }

// app is what every command shares.
type app struct {
	version  string
	stdout   io.Writer
	stderr   io.Writer
	getenv   func(string) string
	registry *check.Registry
	loader   *pack.Loader
}

// Main runs golive with args and returns the process exit code.
func Main(ctx context.Context, version string, args []string, stdout, stderr io.Writer) int {
	return run(ctx, all.Registry(), os.Getenv, version, args, stdout, stderr)
}

func run(ctx context.Context, reg *check.Registry, getenv func(string) string, version string, args []string, stdout, stderr io.Writer) int {
	a := &app{version: version, stdout: stdout, stderr: stderr, getenv: getenv, registry: reg}
	a.loader = newLoader(reg)
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != ExitGateFail {
			fmt.Fprintln(stderr, "golive:", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself rejects (unknown flag, bad args) is usage.
	fmt.Fprintln(stderr, "golive:", err)
	return ExitBadInput
}

func newLoader(reg *check.Registry) *pack.Loader { return &pack.Loader{Registry: reg} }

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "golive",
		Short: "An evidence-backed go-live gate for production-readiness checklists",
		Long: `golive reads production-readiness checklists as data (packs), gathers evidence
from a repository and from the running system, and gives every item a verdict
with its evidence: pass, fail, unverified, manual, attested, waived, na or error.

Exit codes: 0 gate passed, 1 gate failed, 2 bad input or usage.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		a.checkCommand(),
		a.packsCommand(),
		a.explainCommand(),
		a.attestCommand(),
		a.waiveCommand(),
		a.initCommand(),
		a.docsCommand(),
		a.versionCommand(),
	)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return badInput(err) })
	return root
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print golive's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, "golive", a.version)
			return nil
		},
	}
}
