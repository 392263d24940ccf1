package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/workflows"
)

// get fetches url and returns its body, failing the test unless the answer
// is 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%.300s", url, resp.Status, b)
	}
	return string(b)
}

var statusWebUI = regexp.MustCompile(`(?m)^  web UI: (\S+)$`)

// TestDevWebUI: followup dev serves the Temporal Web UI beside its server,
// as temporal server start-dev does. The banner links the namespace's
// workflows; followup status links a follow-up the CLI started, in text and
// JSON; that page is served, and the UI's API behind it finds the running
// follow-up. TEMPORAL_UI_URL links an external Temporal's UI instead.
func TestDevWebUI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	t.Parallel()
	c := newCLI(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	uiPort := strconv.Itoa(freePort(t))
	_, out := startDevArgs(t, c, "--temporal-port", strconv.Itoa(freePort(t)), "--ui-port", uiPort)
	base := "http://127.0.0.1:" + uiPort
	if want := "\n  Web UI     " + base + "/namespaces/default/workflows\n"; !strings.Contains(out.String(), want) {
		t.Errorf("the banner lacks %q:\n%s", want, out.String())
	}
	wantPerm(t, filepath.Join(c.env["FOLLOWUP_DATA_DIR"], devserver.UIURLFile), 0o600)

	// The UI's page, and the script it starts from, embedded in the binary.
	index := get(t, base+"/")
	start := regexp.MustCompile(`/_app/immutable/entry/start\.[^"]+\.js`).FindString(index)
	if !strings.HasPrefix(index, "<!doctype html>") || start == "" {
		t.Fatalf("GET %s/ is not the Web UI's page:\n%.500s", base, index)
	}
	get(t, base+start)

	c.ok("later", "Liam Murphy", "1h", "Checking in")
	status := c.ok("status", "Liam Murphy")
	m := statusWebUI.FindStringSubmatch(status)
	if m == nil {
		t.Fatalf("status prints no web UI link:\n%s", status)
	}
	page := m[1]
	wid, ok := strings.CutPrefix(page, base+"/namespaces/default/workflows/")
	if !ok || !strings.HasPrefix(wid, "followup-") {
		t.Fatalf("status links %s, not a follow-up's page in %s", page, base)
	}
	if body := get(t, page); !strings.Contains(body, start) {
		t.Errorf("GET %s is not the Web UI's page:\n%.500s", page, body)
	}
	// What the page asks the UI's API for.
	var d struct {
		Info struct {
			Execution struct {
				WorkflowID string `json:"workflowId"`
			} `json:"execution"`
			Type struct {
				Name string `json:"name"`
			} `json:"type"`
			Status string `json:"status"`
		} `json:"workflowExecutionInfo"`
	}
	api := base + "/api/v1/namespaces/default/workflows/" + wid
	if err := json.Unmarshal([]byte(get(t, api)), &d); err != nil {
		t.Fatalf("GET %s: %v", api, err)
	}
	if d.Info.Execution.WorkflowID != wid || d.Info.Type.Name != workflows.FollowUpName || d.Info.Status != "WORKFLOW_EXECUTION_STATUS_RUNNING" {
		t.Errorf("GET %s: %+v, want the running %s %s", api, d.Info, workflows.FollowUpName, wid)
	}

	var states []map[string]any
	if err := json.Unmarshal([]byte(c.ok("status", "Liam Murphy", "--json")), &states); err != nil || len(states) != 1 {
		t.Fatalf("status --json: %v %v", states, err)
	}
	if states[0]["WebUI"] != page || states[0]["Scheduled"] == nil {
		t.Errorf("status --json: WebUI %v, want %s, beside the state", states[0]["WebUI"], page)
	}

	// TEMPORAL_UI_URL is another Temporal's: the server status talks to,
	// the embedded one, has its own.
	c.env["TEMPORAL_UI_URL"] = "https://temporal.example.com"
	if m := statusWebUI.FindStringSubmatch(c.ok("status", "Liam Murphy")); m == nil || m[1] != page {
		t.Errorf("status with TEMPORAL_UI_URL links %v, want %s", m, page)
	}
}

// TestDevWebUIOffOrTaken: --no-ui leaves the UI's port closed and status
// links nothing, or TEMPORAL_UI_URL's UI when set; a UI port that is taken
// stops dev with a message that names the flags to change.
func TestDevWebUIOffOrTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	t.Parallel()
	c := newCLI(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	other := &cli{t: t, env: map[string]string{"DATABASE_URL": c.env["DATABASE_URL"], "FOLLOWUP_DATA_DIR": t.TempDir(),
		"HTTP_ADDR": "127.0.0.1:" + strconv.Itoa(freePort(t))}}
	code, out, errs := other.runWithin(time.Minute, "dev", "--temporal-port", strconv.Itoa(freePort(t)), "--ui-port", port)
	if want := "cannot start the Temporal Web UI: " + taken.Addr().String() + " is already in use"; code != 1 || !strings.Contains(errs, want) ||
		!strings.Contains(errs, "--ui-port") || !strings.Contains(errs, "--no-ui") {
		t.Errorf("dev with the UI's port taken: exit %d, want 1 and %q naming --ui-port and --no-ui\n%s%s", code, want, out, errs)
	}
	if code, _, errs := other.run("", "dev", "--ui-port", "70000"); code != 2 || !strings.Contains(errs, "--ui-port") {
		t.Errorf("dev --ui-port 70000: exit %d %s", code, errs)
	}

	uiPort := strconv.Itoa(freePort(t))
	_, devOut := startDevArgs(t, c, "--temporal-port", strconv.Itoa(freePort(t)), "--ui-port", uiPort, "--no-ui")
	if strings.Contains(devOut.String(), "Web UI") {
		t.Errorf("the banner mentions a Web UI:\n%s", devOut.String())
	}
	if conn, err := net.Dial("tcp", "127.0.0.1:"+uiPort); err == nil {
		conn.Close()
		t.Errorf("with --no-ui, port %s is open", uiPort)
	}
	if _, err := os.Stat(filepath.Join(c.env["FOLLOWUP_DATA_DIR"], devserver.UIURLFile)); err == nil {
		t.Errorf("with --no-ui, %s exists", devserver.UIURLFile)
	}
	c.ok("later", "Liam Murphy", "1h", "Checking in")
	if status := c.ok("status", "Liam Murphy"); strings.Contains(status, "web UI") {
		t.Errorf("with --no-ui, status links a UI:\n%s", status)
	}
	if status := c.ok("status", "Liam Murphy", "--json"); strings.Contains(status, "WebUI") {
		t.Errorf("with --no-ui, status --json links a UI:\n%s", status)
	}

	c.env["TEMPORAL_UI_URL"] = "https://temporal.example.com/ui/"
	m := statusWebUI.FindStringSubmatch(c.ok("status", "Liam Murphy"))
	if m == nil || !strings.HasPrefix(m[1], "https://temporal.example.com/ui/namespaces/default/workflows/followup-") {
		t.Errorf("status with TEMPORAL_UI_URL links %v", m)
	}
	c.env["TEMPORAL_UI_URL"] = "temporal.example.com"
	if code, _, errs := c.run("", "status", "Liam Murphy"); code != 2 || !strings.Contains(errs, "TEMPORAL_UI_URL") {
		t.Errorf("a TEMPORAL_UI_URL that is not a URL: exit %d %s", code, errs)
	}
}
