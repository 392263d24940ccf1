package devserver_test

import (
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/followup-dev/followup/devserver"
)

// TestWebUI: with UI set, the server serves the Web UI and records its URL
// for clients that share the data directory, and removes it when it stops;
// a leftover URL (a killed server) is ignored. A UI port that is taken
// fails Start with a *UIPortError before the server starts.
func TestWebUI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	dir := t.TempDir()
	srv, err := devserver.Start(t.Context(), devserver.Config{DataDir: dir, UI: true, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ui := srv.UIURL()
	if got, ok := devserver.UIURL(dir); !ok || got != ui || ui == "" {
		t.Fatalf("UIURL: %q %v, want the server's %q", got, ok, ui)
	}
	wantPerm(t, filepath.Join(dir, devserver.UIURLFile), 0o600)
	resp, err := http.Get(ui + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html" {
		t.Errorf("GET %s/: %s %s, want the UI's page", ui, resp.Status, resp.Header.Get("Content-Type"))
	}

	_, port, _ := net.SplitHostPort(ui[len("http://"):])
	p, _ := strconv.Atoi(port)
	_, err = devserver.Start(t.Context(), devserver.Config{DataDir: t.TempDir(), UI: true, UIPort: p, Logger: quiet()})
	var portErr *devserver.UIPortError
	if !errors.As(err, &portErr) || !errors.Is(err, syscall.EADDRINUSE) || portErr.Addr != "127.0.0.1:"+port {
		t.Errorf("second server with the UI on port %d: %v, want a UIPortError wrapping EADDRINUSE", p, err)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, devserver.UIURLFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after Stop: %v, want it removed", devserver.UIURLFile, err)
	}
	if conn, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
		conn.Close()
		t.Errorf("the UI's port %s is open after Stop", port)
	}
	// What a killed server leaves behind.
	if err := os.WriteFile(filepath.Join(dir, devserver.UIURLFile), []byte(ui+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok := devserver.UIURL(dir); ok {
		t.Errorf("UIURL with no server running: %q", got)
	}
}
