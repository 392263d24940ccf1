package workflows_test

import (
	"crypto/sha256"
	"fmt"
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
	t.Parallel()
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
	t.Parallel()
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

// TestRecordedHistoriesAreAppendOnly: a recorded history is never edited
// or removed (a running follow-up may be at any point of it), and every
// history is in testdata/histories/SHA256SUMS, which only grows. A change
// in the workflow's commands goes behind workflow.GetVersion with a new
// history (README, "Changing the workflow"); to add one, append its line:
// sha256sum NEW.json >> testdata/histories/SHA256SUMS
func TestRecordedHistoriesAreAppendOnly(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "histories")
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		want, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: malformed line %q", line)
		}
		listed[name] = true
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s was removed: recorded histories are append-only (%v)", name, err)
			continue
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != want {
			t.Errorf("%s was changed (sha256 %s, recorded %s): recorded histories are never re-recorded; put the change behind workflow.GetVersion and record a new history", name, got, want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not in SHA256SUMS: append `sha256sum %s` to it", filepath.Base(f), filepath.Base(f))
		}
	}
}
