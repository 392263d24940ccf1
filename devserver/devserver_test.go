package devserver_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup/devserver"
)

const (
	taskQueue  = "devserver-test"
	workflowID = "devserver-test-waiter"
	signalName = "reply"
	contactID  = "contact-1"

	// firstRunEnv makes TestFirstRunHelper, run in a child process, do the
	// first run in the data directory it names.
	firstRunEnv = "DEVSERVER_TEST_FIRST_RUN_DIR"
)

var (
	contactKey = temporal.NewSearchAttributeKeyKeyword("FollowupContactID")
	vipKey     = temporal.NewSearchAttributeKeyBool("FollowupVIP")
	windowKey  = temporal.NewSearchAttributeKeyTime("FollowupWindowClosesAt")

	// firstRunAttrs are registered when the database is created.
	firstRunAttrs = map[string]enumspb.IndexedValueType{
		contactKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		vipKey.GetName():     enumspb.INDEXED_VALUE_TYPE_BOOL,
	}
	// allAttrs adds one attribute on restart, as a new release of followup
	// would.
	allAttrs = map[string]enumspb.IndexedValueType{
		contactKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		vipKey.GetName():     enumspb.INDEXED_VALUE_TYPE_BOOL,
		windowKey.GetName():  enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
)

// waitForReply tags itself with the first run's search attributes, waits for
// one signal, then sets the attribute only the restarted server knows.
func waitForReply(ctx workflow.Context, contact string) (string, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, contactKey.ValueSet(contact), vipKey.ValueSet(true)); err != nil {
		return "", err
	}
	var reply string
	workflow.GetSignalChannel(ctx, signalName).Receive(ctx, &reply)
	if err := workflow.UpsertTypedSearchAttributes(ctx, windowKey.ValueSet(workflow.Now(ctx))); err != nil {
		return "", err
	}
	return "reply: " + reply, nil
}

// TestRestartKeepsWorkflows starts a workflow in one process, restarts the
// server on the same directory in another, and finishes the workflow there:
// a fresh process has only the SQLite file to go on.
func TestRestartKeepsWorkflows(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three Temporal servers")
	}
	dir := t.TempDir()

	begin := time.Now()
	cold, firstLogs := firstRunInChild(t, dir)
	t.Logf("first run, in a child process: %v", time.Since(begin))

	logs := &recordingLogger{}
	begin = time.Now()
	srv, err := devserver.Start(t.Context(), devserver.Config{
		DataDir:          dir,
		SearchAttributes: allAttrs,
		Logger:           logs.slog(),
	})
	if err != nil {
		t.Fatal(err)
	}
	restart := time.Since(begin)
	stopped := false
	defer func() {
		if !stopped {
			_ = srv.Stop()
		}
	}()
	t.Logf("start: cold %v; restart, adding one search attribute, %v", cold, restart)

	t.Run("data dir is locked", func(t *testing.T) {
		_, err := devserver.Start(t.Context(), devserver.Config{DataDir: dir, Logger: logs.slog()})
		if err == nil || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("second server on %s: got %v, want an in-use error", dir, err)
		}
	})

	c := dial(t, srv)

	t.Run("search attributes", func(t *testing.T) {
		resp, err := c.OperatorService().ListSearchAttributes(t.Context(), &operatorservice.ListSearchAttributesRequest{Namespace: srv.Namespace()})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range allAttrs {
			if got := resp.GetCustomAttributes()[name]; got != want {
				t.Errorf("search attribute %s: got %v, want %v", name, got, want)
			}
		}
	})

	t.Run("workflow still running", func(t *testing.T) {
		desc, err := c.DescribeWorkflowExecution(t.Context(), workflowID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("status after restart: %v", got)
		}
		// Visibility rows persisted too.
		waitForCount(t, c, fmt.Sprintf("%s = %q AND %s = true", contactKey.GetName(), contactID, vipKey.GetName()), 1)
	})

	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(waitForReply)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.SignalWorkflow(t.Context(), workflowID, "", signalName, "hello"); err != nil {
		t.Fatal(err)
	}
	var result string
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	if result != "reply: hello" {
		t.Fatalf("result: got %q", result)
	}
	// The attribute added on restart was usable at once: no workflow task
	// failed for want of it.
	waitForCount(t, c, windowKey.GetName()+" IS NOT NULL", 1)
	history := c.GetWorkflowHistory(t.Context(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for history.HasNext() {
		ev, err := history.Next()
		if err != nil {
			t.Fatal(err)
		}
		if f := ev.GetWorkflowTaskFailedEventAttributes(); f != nil {
			t.Errorf("workflow task failed: %v", f.GetFailure().GetMessage())
		}
	}

	w.Stop()
	c.Close()
	begin = time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	t.Logf("stop: %v", time.Since(begin))

	t.Run("changed attribute type is refused", func(t *testing.T) {
		srv, err := devserver.Start(t.Context(), devserver.Config{
			DataDir:          dir,
			SearchAttributes: map[string]enumspb.IndexedValueType{vipKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD},
			Logger:           logs.slog(),
		})
		if err == nil {
			_ = srv.Stop()
			t.Fatal("Start accepted FollowupVIP as Keyword after it was registered as Bool")
		}
		t.Log(err)
	})

	lines := logs.Lines()
	t.Logf("server log records at warn or above: %d in the first run, %d after", len(firstLogs), len(lines))
	for _, l := range append(firstLogs, lines...) {
		t.Log(l)
	}
}

// TestFirstRunHelper is the first run of TestRestartKeepsWorkflows, in a
// child process. It starts the server on a new directory, starts the
// workflow and stops once the workflow waits for its signal.
func TestFirstRunHelper(t *testing.T) {
	dir := os.Getenv(firstRunEnv)
	if dir == "" {
		t.Skip("run by TestRestartKeepsWorkflows")
	}
	logs := &recordingLogger{}
	begin := time.Now()
	srv, err := devserver.Start(t.Context(), devserver.Config{
		DataDir:          dir,
		SearchAttributes: firstRunAttrs,
		Logger:           logs.slog(),
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("cold-start %d\n", time.Since(begin).Nanoseconds())
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
		for _, l := range logs.Lines() {
			fmt.Printf("server-log %s\n", l)
		}
	}()

	c := dial(t, srv)
	defer c.Close()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(waitForReply)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	_, err = c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: workflowID, TaskQueue: taskQueue}, waitForReply, contactID)
	if err != nil {
		t.Fatal(err)
	}
	// The workflow has run its first task and is waiting for the signal.
	waitForCount(t, c, fmt.Sprintf("%s = %q AND %s = true", contactKey.GetName(), contactID, vipKey.GetName()), 1)
}

// firstRunInChild runs TestFirstRunHelper on dir in a new process and
// returns how long its server took to start, and the server's log lines.
func firstRunInChild(t *testing.T, dir string) (time.Duration, []string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestFirstRunHelper$", "-test.v")
	cmd.Env = append(os.Environ(), firstRunEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	var start time.Duration
	var logs []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if l, ok := strings.CutPrefix(line, "server-log "); ok {
			logs = append(logs, l)
			continue
		}
		var ns int64
		if _, err := fmt.Sscanf(line, "cold-start %d", &ns); err == nil {
			start = time.Duration(ns)
		}
	}
	if start == 0 {
		t.Fatalf("first run printed no start time:\n%s", out)
	}
	return start, logs
}

func dial(t *testing.T, srv *devserver.Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.FrontendHostPort(),
		Namespace: srv.Namespace(),
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitForCount waits until query matches want workflows; SQL visibility is
// written asynchronously.
func waitForCount(t *testing.T, c client.Client, query string, want int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := c.CountWorkflow(t.Context(), &workflowservice.CountWorkflowExecutionsRequest{Query: query})
		if err == nil && resp.GetCount() == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("count %q: got %v (err %v), want %d", query, resp.GetCount(), err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordingLogger keeps the server's log lines. They are not written to
// t.Log directly: the server may still log after a test has returned.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) slog() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, nil))
}

func (l *recordingLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (l *recordingLogger) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}
