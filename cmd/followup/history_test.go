package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup/workflows"
)

// recorded is where the workflow's recorded histories are.
var recorded = filepath.Join("..", "..", "workflows", "testdata", "histories")

// noDB runs commands that need neither Postgres nor Temporal.
func noDB(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{"FOLLOWUP_DATA_DIR": t.TempDir()}}
}

// TestReplayRecordedHistoriesFromTheCLI: `followup replay DIR` replays every
// recorded history, as the workflows package's replay test does, and files
// and directories mix.
func TestReplayRecordedHistoriesFromTheCLI(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(recorded, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in %s (%v)", recorded, err)
	}
	c := noDB(t)
	code, out, errs := c.run("", "replay", recorded)
	if code != 0 {
		t.Fatalf("replay %s: exit %d\n%s%s", recorded, code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(files) {
		t.Fatalf("%d lines for %d histories:\n%s", len(lines), len(files), out)
	}
	for i, f := range files { // in name order
		if !strings.HasPrefix(lines[i], "ok   "+f+" (") {
			t.Errorf("line %d: %q, want ok for %s", i+1, lines[i], f)
		}
	}
	// At the default log level the SDK says nothing when all is well.
	if errs != "" {
		t.Errorf("stderr: %s", errs)
	}
	if out := c.ok("replay", files[0], recorded); strings.Count(out, "ok   ") != len(files)+1 {
		t.Errorf("a file and a directory:\n%s", out)
	}
}

// corruptHistory writes a recorded history whose first timer has another
// id: this build's workflow no longer produces it, as after a change that
// should have gone behind workflow.GetVersion.
func corruptHistory(t *testing.T, dir string) (path, workflowID string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(recorded, "viber_chatbot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	workflowID = h.Events[0]["workflowExecutionStartedEventAttributes"].(map[string]any)["workflowId"].(string)
	changed := false
	for _, e := range h.Events {
		if attrs, ok := e["timerStartedEventAttributes"].(map[string]any); ok {
			attrs["timerId"] = "999"
			changed = true
			break
		}
	}
	if !changed {
		t.Fatal("viber_chatbot.json starts no timer")
	}
	if b, err = json.Marshal(h); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "changed.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, workflowID
}

// TestReplayFailuresAreClear: a history this build does not replay gets a
// FAIL line naming the nondeterminism, the SDK's error with the workflow id
// on stderr, and exit status 1; bad input is named.
func TestReplayFailuresAreClear(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	changed, id := corruptHistory(t, dir)
	c := noDB(t)
	code, out, errs := c.run("", "replay", changed, filepath.Join(recorded, "viber_chatbot.json"))
	if code != 1 || !strings.Contains(out, "FAIL "+changed+": does not replay: [TMPRL1100]") ||
		!strings.Contains(out, "ok   "+filepath.Join(recorded, "viber_chatbot.json")) || !strings.Contains(errs, "1 of 2 histories do not replay") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	// Item 5: the SDK logs through the product's logger, with the id.
	if !strings.Contains(errs, "level=ERROR") || !strings.Contains(errs, "WorkflowID="+id) || !strings.Contains(errs, "TMPRL1100") {
		t.Errorf("no SDK error line with WorkflowID=%s on stderr:\n%s", id, errs)
	}
	if strings.Contains(out, "level=") {
		t.Errorf("log lines on stdout:\n%s", out)
	}

	garbage := filepath.Join(dir, "garbage.json")
	other := filepath.Join(dir, "package.json")
	os.WriteFile(garbage, []byte("not json"), 0o600)
	os.WriteFile(other, []byte(`{"name": "x", "events": []}`), 0o600)
	empty := t.TempDir()
	cases := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"replay", garbage}, 1, "FAIL " + garbage + ": not a workflow history in JSON", "1 of 1 histories do not replay"},
		{[]string{"replay", other}, 1, "FAIL " + other + ": not a workflow history: no \"events\"", "1 of 1"},
		{[]string{"replay", filepath.Join(dir, "missing.json")}, 1, "", "missing.json: no such file or directory"},
		{[]string{"replay", empty}, 1, "", empty + " has no *.json histories"},
		{[]string{"replay"}, 2, "", "give history files, directories or --workflow-id"},
		{[]string{"replay", "--run-id", "x", garbage}, 2, "", "--run-id goes with --workflow-id"},
		{[]string{"history"}, 2, "", "accepts 1 arg"},
		{[]string{"history", "followup-1-whatsapp", "--via", "sms"}, 2, "", "--via goes with a contact"},
	}
	for _, tc := range cases {
		code, out, errs := c.run("", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.err) {
			t.Errorf("followup %s: exit %d\n%s%s\nwant exit %d, %q and %q", strings.Join(tc.args, " "), code, out, errs, tc.code, tc.out, tc.err)
		}
	}
	c.env["FOLLOWUP_LOG_LEVEL"] = "loud"
	if code, _, errs := c.run("", "replay", recorded); code != 2 || !strings.Contains(errs, "FOLLOWUP_LOG_LEVEL") {
		t.Errorf("bad log level: exit %d %s", code, errs)
	}
	// At error, the SDK's error line stays; at a level above it, nothing.
	c.env["FOLLOWUP_LOG_LEVEL"] = "error"
	if _, _, errs := c.run("", "replay", changed); !strings.Contains(errs, "WorkflowID="+id) {
		t.Errorf("FOLLOWUP_LOG_LEVEL=error hid the error:\n%s", errs)
	}
}

// TestHistoryJSONIsTheCLIs: what followup history writes has the shape of
// the recorded histories (the API's proto JSON, as `temporal workflow show
// --output json` writes it), reads back with the SDK's HistoryFromJSON, and
// replays from a file.
func TestHistoryJSONIsTheCLIs(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(recorded, "*.json"))
	dir := t.TempDir()
	for _, f := range files {
		h, err := readHistory(f)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := writeHistory(&buf, h); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("{\n  \"events\": [\n    {\n      \"eventId\": \"1\",")) || !bytes.HasSuffix(buf.Bytes(), []byte("}\n")) {
			t.Errorf("%s: not the CLI's indented form:\n%.200s", f, buf.String())
		}
		orig, _ := os.ReadFile(f)
		var want, got any
		if err := json.Unmarshal(orig, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: written again, it differs from the recorded file", f)
		}
		back, err := client.HistoryFromJSON(bytes.NewReader(buf.Bytes()), client.HistoryJSONOptions{})
		if err != nil || len(back.Events) != len(h.Events) {
			t.Fatalf("%s: HistoryFromJSON: %d events, %v", f, len(back.GetEvents()), err)
		}
		out := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		r := sdkworker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(workflows.FollowUp, workflows.RegisterOptions())
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, out); err != nil {
			t.Errorf("%s written again does not replay: %v", f, err)
		}
	}
}

// TestHistoryAndReplayAgainstDev exports follow-ups from a running
// `followup dev` and replays them: from the files, from their directory,
// and fetched by workflow id, running and closed; mistakes are named.
func TestHistoryAndReplayAgainstDev(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	t.Parallel()
	c := newCLI(t)
	port := freePort(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	startDev(t, c, &port)
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:" + strconv.Itoa(port)

	// At the default log level the SDK adds nothing to a command's output.
	if code, out, errs := c.run("", "send", "jane.doe@demo.followup.dev", "Your refund has landed"); code != 0 || errs != "" {
		t.Fatalf("send: exit %d\n%s%s", code, out, errs)
	}
	c.ok("later", "Liam Murphy", "--via", "telegram", "1h", "Checking in")
	c.ok("send", "zoe.martin@demo.followup.dev", "--via", "email", "Hello")
	c.ok("send", "zoe.martin@demo.followup.dev", "--via", "sms", "Hello")

	dir := t.TempDir()
	export := func(name string, args ...string) (path, workflowID string) {
		t.Helper()
		code, out, errs := c.run("", append([]string{"history"}, args...)...)
		if code != 0 || errs != "" {
			t.Fatalf("followup history %s: exit %d\n%s", strings.Join(args, " "), code, errs)
		}
		h, err := client.HistoryFromJSON(strings.NewReader(out), client.HistoryJSONOptions{})
		if err != nil || len(h.Events) < 3 {
			t.Fatalf("history %s does not load: %v\n%.300s", name, err, out)
		}
		started := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
		if started.GetWorkflowType().GetName() != workflows.FollowUpName {
			t.Fatalf("history %s starts with %v", name, h.Events[0])
		}
		path = filepath.Join(dir, name+".json")
		if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		return path, started.GetWorkflowId()
	}
	jane, janeID := export("jane", "jane.doe@demo.followup.dev")
	liam, _ := export("liam", "Liam Murphy")
	zoe, zoeID := export("zoe-sms", "zoe.martin@demo.followup.dev", "--via", "sms")
	if !strings.HasSuffix(janeID, "-whatsapp") || !strings.HasSuffix(zoeID, "-sms") {
		t.Fatalf("workflow ids %q %q", janeID, zoeID)
	}
	// By workflow id, as Temporal shows it.
	export("jane-by-id", janeID)

	if out := c.ok("replay", jane); !strings.HasPrefix(out, "ok   "+jane+" (") {
		t.Errorf("replay %s: %s", jane, out)
	}
	if out := c.ok("replay", dir); strings.Count(out, "ok   ") != 4 || !strings.Contains(out, liam) || !strings.Contains(out, zoe) {
		t.Errorf("replay %s:\n%s", dir, out)
	}
	// Running, then closed.
	if out := c.ok("replay", "--workflow-id", janeID); !strings.HasPrefix(out, "ok   workflow "+janeID+" (") {
		t.Errorf("replay --workflow-id %s (running): %s", janeID, out)
	}
	c.ok("close", "jane.doe@demo.followup.dev")
	code, out, errs := c.run("", "replay", "--workflow-id", janeID, jane)
	if code != 0 || strings.Count(out, "ok   ") != 2 || errs != "" {
		t.Errorf("replay --workflow-id %s (closed) and a file: exit %d\n%s%s", janeID, code, out, errs)
	}

	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"history", "zoe.martin@demo.followup.dev"}, 1, "has follow-ups on SMS, Email: choose one with --via"},
		{[]string{"history", "zoe.martin@demo.followup.dev", "--via", "line"}, 1, "has no LINE address"},
		{[]string{"history", "zoe.martin@demo.followup.dev", "--via", "fax"}, 2, "unknown channel"},
		{[]string{"history", "Carlos Ruiz"}, 1, "has no follow-up on Temporal"},
		{[]string{"history", "nobody@nowhere.example"}, 1, "no contact matches"},
		{[]string{"history", "followup-999999-whatsapp"}, 1, "has no follow-up followup-999999-whatsapp"},
		{[]string{"replay", "--workflow-id", "followup-999999-whatsapp"}, 1, "has no follow-up followup-999999-whatsapp"},
		{[]string{"history", janeID, "--run-id", "not-a-run"}, 1, "Temporal refused to read"},
	}
	for _, tc := range cases {
		code, out, errs := c.run("", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("followup %s: exit %d\n%s%s\nwant exit %d and %q", strings.Join(tc.args, " "), code, out, errs, tc.code, tc.want)
		}
	}

	t.Run("SDKLogsCarryWorkflowID", func(t *testing.T) { sdkLogsCarryWorkflowID(t, c) })
}

// sdkLogsCarryWorkflowID runs a worker with the client options every
// command uses, against the dev server: what a workflow and an activity
// log reaches the product's logger with the workflow's id, at warn and
// above by default.
func sdkLogsCarryWorkflowID(t *testing.T, c *cli) {
	cfg, err := loadConfig(func(k string) string { return c.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	cfg.logger = newLogger(&logs, cfg.LogLevel, cfg.LogFormat)
	o, err := temporalOptions(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	tc, err := client.Dial(o)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	queue := "log-test-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	w := sdkworker.New(tc, queue, sdkworker.Options{})
	w.RegisterActivityWithOptions(func(ctx context.Context) error {
		activity.GetLogger(ctx).Warn("activity warns")
		activity.GetLogger(ctx).Info("activity informs")
		return nil
	}, activity.RegisterOptions{Name: "LogTestActivity"})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		workflow.GetLogger(ctx).Warn("workflow warns")
		workflow.GetLogger(ctx).Info("workflow informs")
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
		return workflow.ExecuteActivity(ctx, "LogTestActivity").Get(ctx, nil)
	}, workflow.RegisterOptions{Name: "LogTest"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue, TaskQueue: queue}, "LogTest")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"workflow warns", "activity warns"} {
		found := false
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, msg) {
				found = true
				if !strings.Contains(line, "level=WARN") || !strings.Contains(line, "WorkflowID="+queue) || !strings.Contains(line, "RunID="+run.GetRunID()) {
					t.Errorf("%q logged without level or ids: %s", msg, line)
				}
			}
		}
		if !found {
			t.Errorf("%q not logged:\n%s", msg, logs.String())
		}
	}
	if strings.Contains(logs.String(), "informs") || strings.Contains(logs.String(), "level=INFO") {
		t.Errorf("info lines at the default level:\n%s", logs.String())
	}
}
