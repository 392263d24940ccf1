package workflows_test

import (
	"testing"
	"time"

	"github.com/followup-dev/followup/workflows"
)

// TestCadenceStatus: where a cadence is, as status (CLI and Slack) and
// App Home show it.
func TestCadenceStatus(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 1, 15, 4, 0, 0, time.UTC)
	touch := func(n int, at time.Time) workflows.Scheduled {
		return workflows.Scheduled{ID: n, At: at, Touch: n, Request: workflows.SendRequest{Text: "t"}}
	}
	for _, c := range []struct {
		name  string
		state workflows.State
		want  string
	}{
		{"none", workflows.State{}, ""},
		{"not yet", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3, StartedAt: start},
			Scheduled: []workflows.Scheduled{touch(3, start.Add(96*time.Hour)), touch(1, start.Add(24*time.Hour)), touch(2, start.Add(48*time.Hour))}},
			"cadence renewal: 3 touch(es), none yet; next Dec 2 15:04 UTC"},
		{"one sent", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3, Reached: 1, StartedAt: start},
			Scheduled: []workflows.Scheduled{{ID: 9, At: start, Request: workflows.SendRequest{Text: "not a touch"}}, touch(2, start.Add(48*time.Hour)), touch(3, start.Add(96*time.Hour))},
			Attempts:  []workflows.Attempt{{Outcome: workflows.OutcomeSent, Touch: 1}}},
			"cadence renewal: touch 1 of 3 sent; next Dec 3 15:04 UTC"},
		{"fallback sent", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3, Reached: 2},
			Scheduled: []workflows.Scheduled{touch(3, start.Add(96*time.Hour))},
			Attempts:  []workflows.Attempt{{Outcome: workflows.OutcomeSent, Touch: 1}, {Outcome: workflows.OutcomeSent, Fallback: true, Touch: 2}}},
			"cadence renewal: touch 2 of 3 sent (the fallback); next Dec 5 15:04 UTC"},
		{"refused", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3, Reached: 1},
			Scheduled: []workflows.Scheduled{touch(2, start.Add(48*time.Hour))},
			Attempts:  []workflows.Attempt{{Outcome: workflows.OutcomeRefused, Touch: 1}}},
			"cadence renewal: touch 1 of 3 refused; next Dec 3 15:04 UTC"},
		{"being sent", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 2, Reached: 1},
			Scheduled: []workflows.Scheduled{touch(2, start.Add(48*time.Hour))}},
			"cadence renewal: touch 1 of 2 reached; next Dec 3 15:04 UTC"},
		{"finished", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 2, Reached: 2, Ended: "finished"},
			Attempts: []workflows.Attempt{{Outcome: workflows.OutcomeSent, Touch: 1}, {Outcome: workflows.OutcomeUndeliverable, Touch: 2}}},
			"cadence renewal: touch 2 of 2 undeliverable; ended: finished"},
		{"stopped by a reply", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3, Reached: 1, Ended: "stopped by the customer's reply"},
			Attempts: []workflows.Attempt{{Outcome: workflows.OutcomeSent, Touch: 1}}},
			"cadence renewal: touch 1 of 3 sent; ended: stopped by the customer's reply"},
		{"cancelled before any", workflows.State{Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3, Ended: "cancelled"}},
			"cadence renewal: 3 touch(es), none reached; ended: cancelled"},
	} {
		if got := c.state.CadenceStatus(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
