package devserver

import (
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
)

// TestStartPicksOtherPortsWhenOneWasTaken: a port picked for one of the
// server's services and taken by another process before the server binds
// it costs a retry with new ports, not a failed start.
func TestStartPicksOtherPortsWhenOneWasTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	real := freePort
	var mu sync.Mutex
	calls := 0
	freePort = func(host string) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 2 { // the frontend's HTTP port of the first try
			return taken.Addr().(*net.TCPAddr).Port, nil
		}
		return real(host)
	}
	defer func() { freePort = real }()
	var logs strings.Builder
	var logMu sync.Mutex
	srv, err := Start(t.Context(), Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))})
	if err != nil {
		t.Fatalf("start with a taken port: %v", err)
	}
	defer srv.Stop()
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(logs.String(), "trying other ports") {
		t.Fatalf("the retry was not logged (%d ports picked):\n%s", calls, logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
