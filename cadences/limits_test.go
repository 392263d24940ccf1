package cadences_test

import (
	"testing"

	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/workflows"
)

// The workflow schedules each touch when the cadence starts: a step later
// than it schedules would be refused only when an agent starts the cadence.
func TestMaxAfterIsTheWorkflowsLimit(t *testing.T) {
	if cadences.MaxAfter != workflows.MaxScheduleAhead {
		t.Fatalf("cadences.MaxAfter %v, workflows.MaxScheduleAhead %v", cadences.MaxAfter, workflows.MaxScheduleAhead)
	}
}
