package devserver_test

import (
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/followup-dev/followup/devserver"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func wantPerm(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}

// TestAddressAndInUse: a running server records its address for clients
// that share the data directory, and removes it when it stops; a leftover
// address (a killed server) is ignored. A second server says who holds the
// directory, and that the port is taken.
func TestAddressAndInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	dir := t.TempDir()
	if addr, ok := devserver.Address(dir); ok {
		t.Fatalf("Address of an empty directory: %q", addr)
	}
	srv, err := devserver.Start(t.Context(), devserver.Config{DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if addr, ok := devserver.Address(dir); !ok || addr != srv.FrontendHostPort() {
		t.Errorf("Address: %q %v, want %q", addr, ok, srv.FrontendHostPort())
	}
	addrFile := filepath.Join(dir, devserver.AddressFile)
	wantPerm(t, addrFile, 0o600)

	_, err = devserver.Start(t.Context(), devserver.Config{DataDir: dir, Logger: quiet()})
	var inUse *devserver.InUseError
	if !errors.As(err, &inUse) || inUse.PID != os.Getpid() || inUse.Dir != dir {
		t.Errorf("second server on the directory: %v, want an InUseError naming pid %d", err, os.Getpid())
	}
	_, port, _ := net.SplitHostPort(srv.FrontendHostPort())
	p, _ := strconv.Atoi(port)
	_, err = devserver.Start(t.Context(), devserver.Config{DataDir: t.TempDir(), FrontendPort: p, Logger: quiet()})
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("second server on port %d: %v, want EADDRINUSE", p, err)
	}
	// The failed starts left the running server's address alone.
	if addr, ok := devserver.Address(dir); !ok || addr != srv.FrontendHostPort() {
		t.Errorf("Address after failed starts: %q %v", addr, ok)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(addrFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after Stop: %v, want it removed", devserver.AddressFile, err)
	}
	// What a killed server leaves behind.
	if err := os.WriteFile(addrFile, []byte(srv.FrontendHostPort()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if addr, ok := devserver.Address(dir); ok {
		t.Errorf("Address with no server running: %q", addr)
	}
}

// TestDataDirIsPrivate: the data directory and the database (whose
// histories hold message bodies) are readable by their owner only, whether
// Start creates them or finds them open to others.
func TestDataDirIsPrivate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, devserver.DatabaseFile)
	check := func() {
		t.Helper()
		wantPerm(t, dir, 0o700)
		for _, p := range []string{db, db + "-wal", db + "-shm"} {
			if _, err := os.Stat(p); err == nil || p == db {
				wantPerm(t, p, 0o600)
			}
		}
	}
	for i := range 2 {
		srv, err := devserver.Start(t.Context(), devserver.Config{DataDir: dir, Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		check()
		if err := srv.Stop(); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// As an earlier release left them.
			for _, p := range []string{dir, db, db + "-wal", db + "-shm"} {
				mode := fs.FileMode(0o644)
				if p == dir {
					mode = 0o755
				}
				if err := os.Chmod(p, mode); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
		}
	}
}
