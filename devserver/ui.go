package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// UIURLFile is the name of the file inside Config.DataDir where a running
// server with the Web UI records the UI's base URL (UIURL reads it).
const UIURLFile = "ui.url"

// UIPortError is Start's error when the Web UI cannot listen on its port:
// most often the port is taken, and the error then wraps
// syscall.EADDRINUSE.
type UIPortError struct {
	// Addr is the host:port the UI was to listen on.
	Addr string
	Err  error
}

func (e *UIPortError) Error() string {
	return fmt.Sprintf("devserver: web UI on %s: %v", e.Addr, e.Err)
}

func (e *UIPortError) Unwrap() error { return e.Err }

// UIURL returns the base URL of the Web UI of the server running on
// dataDir, as Start recorded it in UIURLFile, and whether one is running
// with its UI. As with Address, a URL left behind by a server that was
// killed is ignored.
func UIURL(dataDir string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, UIURLFile))
	if err != nil {
		return "", false
	}
	u := strings.TrimSpace(string(b))
	if !strings.HasPrefix(u, "http://") || !locked(filepath.Join(dataDir, DatabaseFile+lockSuffix)) {
		return "", false
	}
	return u, true
}

// UIURL is the base URL of the server's Web UI (http://host:port), or ""
// when it runs without one.
func (s *Server) UIURL() string { return s.uiURL }

// uiListenAddr returns where the Web UI is to listen, having made sure it
// can: a taken port fails here, before the Temporal server starts, rather
// than in the UI server, which would end the process. Port 0 picks a free
// port.
func uiListenAddr(host string, port int) (string, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", &UIPortError{Addr: addr, Err: err}
	}
	addr = l.Addr().String()
	_ = l.Close()
	return addr, nil
}

// startUI serves the Temporal Web UI and its HTTP API on listen, against
// the frontend, as `temporal server start-dev` does, and returns once it
// answers.
func (s *Server) startUI(ctx context.Context, listen string) error {
	host, p, _ := net.SplitHostPort(listen)
	port, _ := strconv.Atoi(p)
	// Checked again just before the UI server binds it: that server ends
	// the process (log.Fatal) when it cannot listen, and takes no listener.
	if _, err := uiListenAddr(host, port); err != nil {
		return err
	}
	// The UI server listens on Host + ":" + Port: an IPv6 host needs its
	// brackets.
	uiHost := host
	if strings.Contains(host, ":") {
		uiHost = "[" + host + "]"
	}
	srv := uiserver.NewServer(server_options.WithConfigProvider(&uiconfig.Config{
		Host:                uiHost,
		Port:                port,
		TemporalGRPCAddress: s.hostPort,
		EnableUI:            true,
		DefaultNamespace:    s.namespace,
		HideLogs:            true,
		// As the Temporal CLI's dev server: the CSRF cookie, which the UI's
		// actions (signal, cancel, terminate) need, is not marked Secure, so
		// that it works over plain HTTP on any address.
		CORS: uiconfig.CORS{CookieInsecure: true},
	}))
	go func() { _ = srv.Start() }() // returns when Stop closes it
	s.ui = srv
	base := "http://" + net.JoinHostPort(dialHost(host), p)

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readyTimeout)
		defer cancel()
	}
	hc := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if err != nil {
			return fmt.Errorf("devserver: web UI: %w", err)
		}
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			err = errors.New(resp.Status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: web UI on %s not ready: %w", listen, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.uiURL = base
	if err := writeFileAtomic(filepath.Join(s.dir, UIURLFile), []byte(base+"\n")); err != nil {
		return fmt.Errorf("devserver: record the web UI's URL: %w", err)
	}
	return nil
}
