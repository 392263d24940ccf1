package workflows_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// fixedDigest builds the same digest every time.
type fixedDigest struct{ d followup.Digest }

func (f fixedDigest) Digest(context.Context) (followup.Digest, error) { return f.d, nil }

// TestDigestWorkflowPosts: the digest goes to the supervisors' channel (a
// notification with no agent) and each agent's part to them; a second run
// the same day posts nothing again.
func TestDigestWorkflowPosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ann, _, _ := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	if _, _, err := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U2", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	d := followup.Digest{Date: "2026-03-10", TimeZone: "UTC", Running: 2,
		RunningByAgent: []followup.AgentCount{{Agent: "U1", Count: 2}},
		OverdueVIP:     []followup.DigestItem{{ContactID: 7, Contact: "Jane Doe", Channel: followup.WhatsApp, Agent: "U1", VIP: true}}}
	for run := 1; run <= 2; run++ {
		var suite testsuite.WorkflowTestSuite
		suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		env := suite.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(workflows.Digest, workflows.DigestRegisterOptions())
		acts := activities.New(st, nil, activities.NewRecorder(st))
		acts.Digests = fixedDigest{d}
		env.RegisterActivity(acts)
		env.ExecuteWorkflow(workflows.DigestName, workflows.DigestInput{})
		var res workflows.DigestResult
		if err := env.GetWorkflowResult(&res); err != nil || res.Posted != 3 {
			t.Fatalf("run %d: posted %d, err %v; want 3", run, res.Posted, err)
		}
	}
	ns, err := st.Notifications(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 3 {
		t.Fatalf("%d notifications, want 3 (one per agent, one for supervisors): %+v", len(ns), ns)
	}
	var supervisors, mine int
	for _, n := range ns {
		if n.Kind != followup.NotifyDigest {
			t.Errorf("kind %s, want digest", n.Kind)
		}
		switch {
		case n.AgentID == nil:
			supervisors++
		case *n.AgentID == ann.ID:
			mine++
			if n.Text != d.ForAgent("U1").Text() {
				t.Errorf("Ann's digest:\n%s", n.Text)
			}
		}
	}
	if supervisors != 1 || mine != 1 {
		t.Errorf("supervisors %d, Ann %d; want 1 and 1", supervisors, mine)
	}
}

// TestLiveDigestSchedule: syncing at start twice leaves one schedule;
// digest_time off pauses it; a new time and zone update and unpause it.
func TestLiveDigestSchedule(t *testing.T) {
	if server == nil {
		t.Skip("integration test (no -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(client.Options{HostPort: server.FrontendHostPort(), Namespace: server.Namespace(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fc := workflows.NewClient(c, "it-digest")
	h := c.ScheduleClient().GetHandle(ctx, workflows.DigestScheduleID)
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	sync := func(at, tz string) bool {
		t.Helper()
		changed, err := fc.SyncDigestSchedule(ctx, followup.Settings{DigestTime: at, DigestTimeZone: tz})
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	describe := func() *client.ScheduleDescription {
		t.Helper()
		desc, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return desc
	}
	if !sync("09:00", "UTC") {
		t.Fatal("first sync: want the schedule created")
	}
	if sync("09:00", "UTC") {
		t.Fatal("second sync at start changed the schedule")
	}
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == workflows.DigestScheduleID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d digest schedules, want 1", n)
	}
	if !sync("off", "UTC") || !describe().Schedule.State.Paused {
		t.Fatal("digest_time off: want the schedule paused")
	}
	if sync("off", "UTC") {
		t.Fatal("off twice changed the schedule")
	}
	if !sync("17:45", "Europe/Berlin") {
		t.Fatal("a new time: want the schedule updated")
	}
	desc := describe()
	spec := desc.Schedule.Spec
	if desc.Schedule.State.Paused || spec.TimeZoneName != "Europe/Berlin" || len(spec.Calendars) != 1 ||
		spec.Calendars[0].Hour[0].Start != 17 || spec.Calendars[0].Minute[0].Start != 45 {
		t.Fatalf("schedule paused %v, spec %+v; want 17:45 Europe/Berlin, running", desc.Schedule.State.Paused, spec)
	}
	if sync("17:45", "Europe/Berlin") {
		t.Fatal("the same time again changed the schedule")
	}
	if next := desc.Info.NextActionTimes; len(next) == 0 || next[0].In(mustZone(t, "Europe/Berlin")).Format("15:04") != "17:45" {
		t.Fatalf("next digest at %v, want 17:45 in Berlin", next)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
