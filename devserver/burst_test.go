package devserver_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup/devserver"
)

func sleepBriefly(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Second) }

// TestBurstAndRestartLogNoLockErrors: a burst of workflows on several task
// queues, then a restart on the same file, log no "database is locked"
// (SQLITE_BUSY) errors: the server's services share one SQLite connection.
// With four connections this logged dozens.
func TestBurstAndRestartLogNoLockErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal twice")
	}
	dir := t.TempDir()
	logs := &recordingLogger{}
	start := func() *devserver.Server {
		srv, err := devserver.Start(t.Context(), devserver.Config{DataDir: dir, Logger: logs.slog()})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	c := dial(t, srv)
	var workers []worker.Worker
	for q := range 4 {
		w := worker.New(c, fmt.Sprintf("burst-%d", q), worker.Options{})
		w.RegisterWorkflow(sleepBriefly)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("burst-%d", i), TaskQueue: fmt.Sprintf("burst-%d", i%4)}, sleepBriefly)
			if err == nil {
				err = run.Get(ctx, nil)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, w := range workers {
		w.Stop()
	}
	c.Close()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	srv = start()
	time.Sleep(3 * time.Second) // the task queues' user data are written at start
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	locked := 0
	for _, l := range logs.Lines() {
		if strings.Contains(l, "database is locked") || strings.Contains(l, "SQLITE_BUSY") {
			locked++
			if locked <= 3 {
				t.Log(l)
			}
		}
	}
	if locked > 0 {
		t.Fatalf("%d log lines say the database was locked", locked)
	}
}
