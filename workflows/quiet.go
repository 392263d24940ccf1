package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/window"
)

// hold puts a due scheduled send off until the contact's quiet hours end
// and tells the agent. When the window would close before then, the agent
// is asked: it still waits for the morning (and goes in the form allowed
// then, its fallback included) unless they send it now.
func (f *followUp) hold(ctx workflow.Context, req SendRequest, s Scheduled) SendOutcome {
	now := workflow.Now(ctx)
	f.refreshWindow(ctx, false)
	s.At, s.Held = f.quietUntil, true
	f.Scheduled = append(f.Scheduled, s)
	f.Status = StatusScheduled
	f.upsertAttrs(ctx)
	what := say("Your scheduled message")
	if s.Touch > 0 && f.Cadence != nil {
		what = say("Touch %d of the cadence %s", s.Touch, f.Cadence.Name)
	}
	msg := say("%s to %s on %s falls in their night (%s, quiet hours %s): it waits until %s.",
		what, f.name(), f.title(), f.quietZone, f.Settings.QuietHours, s.At)
	nowDecision := window.Decide(f.input(now, req))
	later := window.Window(f.input(s.At, SendRequest{}))
	if nowDecision.Allowed && !f.Window.OpenUntil.IsZero() && f.Window.OpenUntil.Before(s.At) {
		msg = msg.Then(say("But the window closes first, at %s; then: %s. Send it now (/followup send) if it should go as %s tonight; otherwise it goes in the morning as the rules allow then.",
			f.Window.OpenUntil, followup.Term(later.Allowance.Label()), modeLabel(nowDecision.Mode, nowDecision.Tag)))
	}
	f.notify(ctx, followup.NotifyScheduled, msg)
	return SendOutcome{Outcome: OutcomeScheduled, ScheduleID: s.ID, At: s.At}.tell(msg)
}
