package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup/devserver"
)

// runWithin is run with a deadline, for commands such as dev that run until
// stopped when they do not fail.
func (c *cli) runWithin(d time.Duration, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out, errb bytes.Buffer
	code = run(ctx, args, func(k string) string { return c.env[k] }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// wantPerm fails unless path has exactly the permissions want.
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

// TestDevDataDir: `followup dev --temporal-port N` records where it listens
// in FOLLOWUP_DATA_DIR, so send, later, status and cancel find it without
// TEMPORAL_ADDRESS; the directory (created too open by someone else here)
// is made private and the database, which holds message bodies, too.
func TestDevDataDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	t.Parallel()
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c.env["FOLLOWUP_DATA_DIR"] = dir
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	port := freePort(t)
	stop, _ := startDev(t, c, &port)
	if _, set := c.env["TEMPORAL_ADDRESS"]; set {
		t.Fatal("TEMPORAL_ADDRESS is set")
	}

	addr := "127.0.0.1:" + strconv.Itoa(port)
	if b, err := os.ReadFile(filepath.Join(dir, devserver.AddressFile)); err != nil || string(b) != addr+"\n" {
		t.Errorf("%s: %q %v, want %q", devserver.AddressFile, b, err, addr)
	}
	for _, tc := range []struct{ args []string }{
		{[]string{"send", "jane.doe@demo.followup.dev", "Your refund has landed"}},
		{[]string{"later", "Liam Murphy", "1h", "Checking in"}},
		{[]string{"status", "Liam Murphy"}},
		{[]string{"cancel", "Liam Murphy"}},
	} {
		code, out, errs := c.run("", tc.args...)
		if code != 0 {
			t.Errorf("followup %s: exit %d %s%s", strings.Join(tc.args, " "), code, out, errs)
		}
	}

	wantPerm(t, dir, 0o700)
	db := filepath.Join(dir, devserver.DatabaseFile)
	wantPerm(t, db, 0o600)
	for _, p := range []string{db + "-wal", db + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			wantPerm(t, p, 0o600)
		}
	}
	wantPerm(t, filepath.Join(dir, devserver.AddressFile), 0o600)

	stop()
	if _, err := os.Stat(filepath.Join(dir, devserver.AddressFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after dev stopped: %v, want it removed", devserver.AddressFile, err)
	}
}

// TestSecondDevSaysWhy: a second dev (or temporal) that cannot start says
// why without FOLLOWUP_DEBUG: the data directory is in use by the first
// one's pid, or the port is taken.
func TestSecondDevSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	t.Parallel()
	c := newCLI(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	port := freePort(t)
	startDev(t, c, &port)
	dir := c.env["FOLLOWUP_DATA_DIR"]
	pid, err := os.ReadFile(filepath.Join(dir, devserver.DatabaseFile+".lock"))
	if err != nil || strings.TrimSpace(string(pid)) == "" {
		t.Fatalf("the lock file names no pid: %q %v", pid, err)
	}
	inUse := "FOLLOWUP_DATA_DIR) is in use by pid " + strings.TrimSpace(string(pid)) + " (another followup dev or followup temporal)"
	addr := "127.0.0.1:" + strconv.Itoa(port)

	other := &cli{t: t, env: map[string]string{"DATABASE_URL": c.env["DATABASE_URL"], "FOLLOWUP_DATA_DIR": t.TempDir(),
		"HTTP_ADDR": "127.0.0.1:" + strconv.Itoa(freePort(t))}}
	for _, tc := range []struct {
		c    *cli
		args []string
		want []string
	}{
		{c, []string{"dev", "--temporal-port", strconv.Itoa(freePort(t))}, []string{inUse}},
		{other, []string{"dev", "--temporal-port", strconv.Itoa(port)}, []string{addr + " is already in use", "--temporal-port"}},
		{c, []string{"temporal", "--address", "127.0.0.1:0"}, []string{inUse}},
		{other, []string{"temporal", "--address", addr}, []string{addr + " is already in use", "--address"}},
	} {
		code, out, errs := tc.c.runWithin(time.Minute, tc.args...)
		if code != 1 {
			t.Errorf("followup %s: exit %d, want 1\n%s%s", strings.Join(tc.args, " "), code, out, errs)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, "cannot start the embedded Temporal server") || !strings.Contains(errs, w) {
				t.Errorf("followup %s: %q lacks %q", strings.Join(tc.args, " "), errs, w)
			}
		}
	}
}

// TestTemporalCommandRecordsItsAddress: the other commands find `followup
// temporal` on any port through FOLLOWUP_DATA_DIR, as they find dev, and
// its Web UI too.
func TestTemporalCommandRecordsItsAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	t.Parallel()
	c := newCLI(t)
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	ui := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	tp := startProc(t, "followup temporal", c.env, "Temporal is running", "temporal", "--address", addr, "--ui-port", strings.TrimPrefix(ui, "http://127.0.0.1:"))
	if want := "  web UI     " + ui + "/namespaces/default/workflows\n"; !strings.Contains(tp.out.String(), want) {
		t.Errorf("followup temporal's banner lacks %q:\n%s", want, tp.out.String())
	}
	if got, ok := devserver.UIURL(c.env["FOLLOWUP_DATA_DIR"]); !ok || got != ui {
		t.Errorf("devserver.UIURL: %q %v, want %q", got, ok, ui)
	}
	if body := get(t, ui+"/"); !strings.Contains(body, "<html") {
		t.Errorf("GET %s/: %.200s", ui, body)
	}
	// status dials Temporal before it looks the contact up.
	code, out, errs := c.run("", "status", "nobody@nowhere.example")
	if code != 1 || !strings.Contains(errs, "no contact matches") {
		t.Errorf("status against followup temporal on %s: exit %d %s%s", addr, code, out, errs)
	}
	tp.stop(os.Interrupt)
	for _, name := range []string{devserver.AddressFile, devserver.UIURLFile} {
		if _, err := os.Stat(filepath.Join(c.env["FOLLOWUP_DATA_DIR"], name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after temporal stopped: %v, want it removed", name, err)
		}
	}
}
