// Package testenv starts real servers (Prometheus, PostgreSQL) for tests, on
// free loopback ports and in temporary directories. A test whose server
// binary is missing is skipped with the reason, unless CI is set: CI installs
// the servers, so a missing binary there is a failure, not a skip.
package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// InCI reports whether the tests run under continuous integration.
func InCI() bool {
	v := os.Getenv("CI")
	b, err := strconv.ParseBool(v)
	return err == nil && b || v != "" && err != nil
}

// missing skips t outside CI and fails it in CI.
func missing(t testing.TB, what, install string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s not found and CI is set: install it (%s)", what, install)
	}
	t.Skipf("%s not found: install it (%s) to run this test; it is required when CI is set", what, install)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lookBinary finds name on PATH or in the given glob patterns (the highest
// match wins, so the newest PostgreSQL version is used).
func lookBinary(name string, globs ...string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, g := range globs {
		m, _ := filepath.Glob(g)
		sort.Strings(m)
		for i := len(m) - 1; i >= 0; i-- {
			if st, err := os.Stat(m[i]); err == nil && !st.IsDir() {
				return m[i]
			}
		}
	}
	return ""
}
