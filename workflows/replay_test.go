package workflows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup/workflows"
)

// TestReplayRecordedHistories replays every history recorded from a real run
// (testdata/histories) against today's workflow code: a change that would
// break running follow-ups fails here. To add one, see the README
// ("Replay tests").
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := sdkworker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.FollowUp, workflows.RegisterOptions())
			if err := r.ReplayWorkflowHistoryFromJSONFile(quietLogger(), f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join("testdata", "histories")); err != nil {
		t.Fatal(err)
	}
}

// TestReplayDetectsChangedCommandOrder proves the replay test can fail: a
// workflow that starts with a timer instead of loading state does not
// replay a recorded history.
func TestReplayDetectsChangedCommandOrder(t *testing.T) {
	changed := func(ctx workflow.Context, in workflows.Input) (workflows.State, error) {
		_ = workflow.Sleep(ctx, time.Minute)
		return workflows.State{}, nil
	}
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(changed, workflows.RegisterOptions())
	err := r.ReplayWorkflowHistoryFromJSONFile(quietLogger(), filepath.Join("testdata", "histories", "whatsapp_template_close.json"))
	if err == nil || !strings.Contains(err.Error(), "TMPRL1100") {
		t.Fatalf("want a nondeterminism error, got %v", err)
	}
}
