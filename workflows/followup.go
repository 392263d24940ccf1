package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/metrics"
	"github.com/followup-dev/followup/window"
)

// Change ids for workflow.GetVersion: each names one change in the
// workflow's commands; recorded histories of both branches replay in CI.
const (
	// versionRecordSentApart: a message the provider accepted and the
	// database did not record in time is recorded by its own activity.
	versionRecordSentApart = "record-sent-apart"
	// versionFallback: a send whose text the channel no longer takes
	// sends its fallback (a template, a tag) instead of being refused.
	versionFallback = "send-fallback"
	// versionCadence: a send request may start a cadence of touches.
	versionCadence = "cadence"
	// versionStaleLoad: a load that a send overtook leaves the counts to
	// the send.
	versionStaleLoad = "stale-load-counts"
	// versionQuiet: a scheduled send that falls in the contact's quiet
	// hours waits for the morning.
	versionQuiet = "quiet-hours"
)

// Limits of one follow-up.
const (
	// IdleTimeout ends a follow-up that has nothing left to track: no
	// scheduled send and no window that will change.
	IdleTimeout = 14 * 24 * time.Hour
	// MaxScheduleAhead bounds `later`.
	MaxScheduleAhead = 90 * 24 * time.Hour
	// MaxTouches bounds a cadence.
	MaxTouches = 10
	// MaxTextLen bounds a message's text (Messenger's limit is 2,000,
	// WhatsApp's 4,096; the provider has the final word).
	MaxTextLen = 4096
	// defaultHistoryLimit is where a follow-up continues as new, well
	// below Temporal's advice of ~4,096 events.
	defaultHistoryLimit = 2000
)

// followUp is the workflow's private state and its steps.
type followUp struct {
	State
	finished     bool
	kick         workflow.Channel
	mu           workflow.Mutex
	key          string // idempotency prefix: workflow id and first run id
	historyLimit int
	// Read by the latest load, for the send that follows it.
	externalID   string
	other        []followup.Channel
	template     *window.Template
	templateLang string
	fallback     loadedFallback
	// quietUntil is when the quiet hours the latest due load fell in end
	// (zero: none), in zone.
	quietUntil time.Time
	quietZone  string
}

// loadedFallback is the fallback template the latest load read.
type loadedFallback struct {
	template *window.Template
	name     string
	language string
	missing  string
}

// FollowUp is the follow-up workflow of PRODUCT.md §4.
func FollowUp(ctx workflow.Context, in Input) (State, error) {
	info := workflow.GetInfo(ctx)
	f := &followUp{
		kick:         workflow.NewBufferedChannel(ctx, 1),
		mu:           workflow.NewMutex(ctx),
		key:          info.WorkflowExecution.ID + "/" + info.FirstRunID,
		historyLimit: defaultHistoryLimit,
	}
	if in.Carry != nil {
		f.State = *in.Carry
	} else {
		f.State = State{ContactID: in.ContactID, Channel: in.Channel, AgentID: in.AgentID, AgentSlack: in.AgentSlack,
			VIP: in.VIP, Status: StatusWaiting, LastEventAt: workflow.Now(ctx)}
	}
	if in.HistoryLimit > 0 {
		f.historyLimit = in.HistoryLimit
	}
	if in.Carry == nil {
		f.count(ctx, metrics.FollowupsStarted, map[string]string{})
	}
	if err := f.register(ctx); err != nil {
		return f.State, err
	}
	return f.run(ctx, in)
}

func (f *followUp) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (State, error) { return f.State, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSend, f.handleSend,
		workflow.UpdateHandlerOptions{Validator: f.validateSend}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateTakeOver, f.handleTakeOver,
		workflow.UpdateHandlerOptions{Validator: f.validateTakeOver}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSnooze, f.handleSnooze,
		workflow.UpdateHandlerOptions{Validator: f.validateSnooze}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCancel, f.handleCancel,
		workflow.UpdateHandlerOptions{Validator: f.validateOpen}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateClose, f.handleClose,
		workflow.UpdateHandlerOptions{Validator: f.validateOpen})
}

func (f *followUp) run(ctx workflow.Context, in Input) (State, error) {
	replies := workflow.GetSignalChannel(ctx, SignalReply)
	failures := workflow.GetSignalChannel(ctx, SignalDeliveryFailed)
	if !f.Loaded {
		if err := f.load(ctx, nil, false, ""); err != nil {
			f.finish(ctx, StatusDone, "cannot follow up: "+errorText(err))
		}
	}
	f.refreshWindow(ctx, false)
	for !f.finished {
		now := workflow.Now(ctx)
		f.runDue(ctx, now)
		if f.finished {
			break
		}
		f.refreshWindow(ctx, true)
		f.remind(ctx, now)
		f.escalate(ctx, now)
		w := f.Window
		switch {
		case w.Allowance == window.Nothing && w.Reason != window.ReasonViberQuota && len(f.Scheduled) == 0:
			// Nothing is possible until the customer writes (Instagram after
			// 7 days, WeChat after 48 hours or the count). A Viber quota can
			// change (next month, commercial terms), so that one waits.
			f.notify(ctx, followup.NotifyFinished, say("%s allows no further outbound message to %s until they write again. The follow-up has ended.", f.title(), f.name()))
			f.finish(ctx, StatusDone, "no further outbound possible")
			continue
		case len(f.Scheduled) == 0 && w.OpenUntil.IsZero() && !now.Before(f.LastEventAt.Add(IdleTimeout)):
			f.finish(ctx, StatusDone, "idle")
			continue
		}
		info := workflow.GetInfo(ctx)
		if (info.GetCurrentHistoryLength() > f.historyLimit || info.GetContinueAsNewSuggested()) && workflow.AllHandlersFinished(ctx) {
			for {
				var r Reply
				if !replies.ReceiveAsync(&r) {
					break
				}
				f.onReply(ctx, r)
			}
			for {
				var d DeliveryFailure
				if !failures.ReceiveAsync(&d) {
					break
				}
				f.onDeliveryFailed(ctx, d)
			}
			carry := f.State
			return f.State, workflow.NewContinueAsNewError(ctx, FollowUpName, Input{
				ContactID: f.ContactID, Channel: f.Channel, AgentID: f.AgentID, AgentSlack: f.AgentSlack,
				VIP: f.VIP, Carry: &carry, HistoryLimit: in.HistoryLimit,
			})
		}
		f.wait(ctx, replies, failures)
	}
	// Let in-flight updates answer their callers before the run ends.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return f.State, err
	}
	f.endEscalation(ctx)
	return f.State, nil
}

// wait sleeps until the next thing the follow-up must do, a reply, or an
// update that changed the plan: the updatable-timer pattern.
func (f *followUp) wait(ctx workflow.Context, replies, failures workflow.ReceiveChannel) {
	// Now, not the loop's start: sends and notifications may have taken time.
	now := workflow.Now(ctx)
	next := f.nextWake(now)
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	sel := workflow.NewSelector(ctx)
	if !next.IsZero() {
		sel.AddFuture(workflow.NewTimer(timerCtx, next.Sub(now)), func(workflow.Future) {})
	}
	sel.AddReceive(replies, func(c workflow.ReceiveChannel, _ bool) {
		var r Reply
		c.Receive(ctx, &r)
		f.onReply(ctx, r)
	})
	sel.AddReceive(failures, func(c workflow.ReceiveChannel, _ bool) {
		var d DeliveryFailure
		c.Receive(ctx, &d)
		f.onDeliveryFailed(ctx, d)
	})
	sel.AddReceive(f.kick, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
	sel.Select(ctx)
}

func (f *followUp) nextWake(now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, s := range f.Scheduled {
		consider(s.At)
	}
	if w := f.Window; !w.OpenUntil.IsZero() {
		consider(w.OpenUntil)
		if lead := f.Settings.ReminderLead; lead > 0 && !f.RemindedFor.Equal(w.OpenUntil) && f.hasSent() {
			consider(w.OpenUntil.Add(-lead))
		}
	} else if len(f.Scheduled) == 0 {
		consider(f.LastEventAt.Add(IdleTimeout))
	}
	if e := f.Escalation; e != nil && !e.Due.IsZero() {
		consider(e.Due)
	}
	return next
}

// runDue performs scheduled sends whose time has come.
func (f *followUp) runDue(ctx workflow.Context, now time.Time) {
	for {
		i := -1
		for j, s := range f.Scheduled {
			if !s.At.After(now) && (i < 0 || s.At.Before(f.Scheduled[i].At)) {
				i = j
			}
		}
		if i < 0 {
			return
		}
		s := f.Scheduled[i]
		f.Scheduled = append(f.Scheduled[:i:i], f.Scheduled[i+1:]...)
		c := f.Cadence
		var was CadenceProgress
		if s.Touch > 0 && c != nil {
			was = *c
			c.Reached = s.Touch
			if s.Touch == c.Touches {
				c.Ended = "finished"
			}
		}
		if out := f.send(ctx, s.Request, s.Key, &s); out.Outcome == OutcomeScheduled && s.Touch > 0 && c != nil {
			*c = was // held for the morning: not reached yet
		}
		if f.finished {
			return
		}
	}
}

// remind tells the agent once per window end that it is near.
func (f *followUp) remind(ctx workflow.Context, now time.Time) {
	w := f.Window
	lead := f.Settings.ReminderLead
	if w.OpenUntil.IsZero() || lead <= 0 || f.RemindedFor.Equal(w.OpenUntil) || !f.hasSent() {
		return
	}
	if now.Before(w.OpenUntil.Add(-lead)) || !now.Before(w.OpenUntil) {
		return
	}
	f.RemindedFor = w.OpenUntil
	left := w.OpenUntil.Sub(now).Round(time.Minute)
	f.notify(ctx, followup.NotifyWindowClosing, say("%s window with %s closes in %s (at %s); after that: %s.",
		f.title(), f.name(), left, w.OpenUntil, followup.Term(w.Next.Label())))
	f.raise(ctx, followup.EscalateWindowClosing, say("The window closes at %s; after that: %s.", w.OpenUntil, followup.Term(w.Next.Label())))
}

// refreshWindow recomputes what may be sent now; announce tells the agent
// when that changed because time passed.
func (f *followUp) refreshWindow(ctx workflow.Context, announce bool) {
	now := workflow.Now(ctx)
	prev := f.Window
	st := window.Window(f.input(now, SendRequest{}))
	f.Window = WindowView{Allowance: st.Allowance, OpenUntil: st.OpenUntil, Next: st.Next, Remaining: st.Remaining, ClosedSince: prev.ClosedSince, Reason: st.Reason}
	free := st.Allowance == window.FreeText || st.Allowance == window.HumanAgent
	switch {
	case free:
		f.Window.ClosedSince = time.Time{}
	case f.Window.ClosedSince.IsZero() && !prev.OpenUntil.IsZero():
		// It closed when its time ran out, or now, when the provider said
		// so before then (a window error, WhatsApp's late 131047).
		f.Window.ClosedSince = prev.OpenUntil
		if prev.OpenUntil.After(now) {
			f.Window.ClosedSince = now
		}
	}
	if announce && prev.Allowance != "" && prev.Allowance != st.Allowance && st.Allowance != window.Nothing && f.hasSent() &&
		!f.AnnouncedFor.Equal(prev.OpenUntil) {
		f.AnnouncedFor = prev.OpenUntil
		f.notify(ctx, followup.NotifyWindowClosed, say("%s with %s: %s is no longer possible; now: %s.",
			f.title(), f.name(), followup.Term(prev.Allowance.Label()), followup.Term(st.Allowance.Label())))
	}
	if prev != f.Window {
		f.upsertAttrs(ctx)
	}
}

func (f *followUp) input(now time.Time, req SendRequest) window.Input {
	in := window.Input{
		Channel: f.Channel, Now: now, LastInbound: f.LastInbound, SentInWindow: f.SentInWindow,
		ChatbotThisMonth: f.ChatbotThisMonth, Settings: f.Settings, Text: req.Text != "", Tag: req.Tag,
		WindowClosed: f.ProviderClosed, Automated: req.Automated,
	}
	return in
}

// validateSend rejects, before anything enters history, a request that
// cannot be carried out whatever the channel's rules say: the follow-up
// has ended, or the request itself is malformed.
func (f *followUp) validateSend(ctx workflow.Context, req SendRequest) error {
	if err := f.validateOpen(ctx); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	if req.Cadence != nil {
		if req.AgentID == 0 {
			return refused(say("a cadence needs the agent who starts it"))
		}
		return f.validateCadence(*req.Cadence)
	}
	switch {
	case req.AgentID == 0:
		return refused(say("a send needs the sending agent"))
	case strings.TrimSpace(req.Text) == "" && req.Template == nil:
		return refused(say("nothing to send: give a text or a template"))
	case len(req.Text) > MaxTextLen:
		return refused(say("the text is %d bytes; the limit is %d", len(req.Text), MaxTextLen))
	case req.Tag != "" && !validTag(req.Tag):
		return refused(say("%q is not a message tag an agent may pick (one of ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)", req.Tag))
	case req.At.After(now.Add(MaxScheduleAhead)):
		return refused(say("a follow-up can be scheduled at most %d days ahead", int(MaxScheduleAhead.Hours()/24)))
	case req.Else != nil && req.Else.Tag != "" && !validTag(req.Else.Tag):
		return refused(say("%q is not a message tag an agent may pick (one of ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)", req.Else.Tag))
	case req.Else != nil && req.Else.Template == nil && req.Else.Tag == "":
		return refused(say("a fallback needs a template or a tag"))
	case req.Else != nil && req.Else.Template == nil && strings.TrimSpace(req.Text) == "":
		return refused(say("a tag fallback sends the text with the tag: give a text"))
	}
	// The rules are not applied here: their inputs (settings, a template's
	// approval, Viber's account-wide quota, the window a webhook just
	// moved) change outside the follow-up, and a validator cannot read
	// them. The send decides after a fresh read, and a refusal is recorded
	// and told to the agent like any other outcome.
	return nil
}

// ErrRefused is the error type of an update the rules or the follow-up's
// state refuse (the validator's answer); callers show its message.
const ErrRefused = "Refused"

// refused is a validator's rejection: the English for the log and for
// older clients, and the phrase (its details) for the reader's language.
func refused(msg followup.Phrase) error {
	return temporal.NewNonRetryableApplicationError(msg.String(), ErrRefused, nil, msg)
}

func (f *followUp) validateOpen(workflow.Context) error {
	if f.finished {
		return refused(say("this follow-up has ended (%s); start a new one", followup.Term(f.Result)))
	}
	return nil
}

func (f *followUp) handleSend(ctx workflow.Context, req SendRequest) (SendOutcome, error) {
	defer f.wake()
	now := workflow.Now(ctx)
	key := f.requestKey(ctx)
	if req.Cadence != nil {
		return f.startCadence(ctx, req, key)
	}
	if req.At.After(now) {
		f.NextScheduleID++
		s := Scheduled{ID: f.NextScheduleID, At: req.At, Request: req, Key: key}
		f.Scheduled = append(f.Scheduled, s)
		f.Status = StatusScheduled
		f.adopt(req)
		f.upsertAttrs(ctx)
		return SendOutcome{Outcome: OutcomeScheduled, ScheduleID: s.ID, At: s.At}.
			tell(say("Scheduled for %s. A reply from the customer before then cancels it.", s.At)), nil
	}
	return f.send(ctx, req, key, nil), nil
}

// validateCadence rejects a cadence that cannot run: no touches, touches
// out of order or too far ahead, a touch with nothing to send, or another
// cadence still running on this follow-up.
func (f *followUp) validateCadence(c Cadence) error {
	if c.Name == "" {
		return refused(say("a cadence needs a name"))
	}
	if n := len(c.Touches); n == 0 || n > MaxTouches {
		return refused(say("a cadence has 1 to %d touches; %s has %d", MaxTouches, c.Name, n))
	}
	if r := f.Cadence; r != nil && r.Ended == "" {
		return refused(say("the cadence %s is running on this follow-up (touch %d of %d reached); cancel the follow-up first to start another", r.Name, r.Reached, r.Touches))
	}
	var prev time.Duration
	for i, t := range c.Touches {
		switch {
		case t.After <= prev:
			return refused(say("touch %d of %s comes no later than the one before it", i+1, c.Name))
		case t.After > MaxScheduleAhead:
			return refused(say("touch %d of %s is more than %d days ahead", i+1, c.Name, int(MaxScheduleAhead.Hours()/24)))
		case strings.TrimSpace(t.Text) == "" && t.Template == nil:
			return refused(say("touch %d of %s has nothing to send", i+1, c.Name))
		case len(t.Text) > MaxTextLen:
			return refused(say("touch %d of %s: the text is %d bytes; the limit is %d", i+1, c.Name, len(t.Text), MaxTextLen))
		case t.Tag != "" && !validTag(t.Tag), t.Else != nil && t.Else.Tag != "" && !validTag(t.Else.Tag):
			return refused(say("touch %d of %s has a tag an agent may not pick", i+1, c.Name))
		}
		prev = t.After
	}
	return nil
}

// startCadence schedules a cadence's touches from now; each is decided by
// the rules when its time comes, and a reply stops the rest.
func (f *followUp) startCadence(ctx workflow.Context, req SendRequest, key string) (SendOutcome, error) {
	if workflow.GetVersion(ctx, versionCadence, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		// Unreachable in a history: no build before cadences accepted one.
		return SendOutcome{Outcome: OutcomeRefused, Reason: "unsupported"}.tell(say("this follow-up cannot run cadences")), nil
	}
	now := workflow.Now(ctx)
	c := *req.Cadence
	f.Cadence = &CadenceProgress{Name: c.Name, Touches: len(c.Touches), StartedAt: now}
	var first Scheduled
	plan := make([]time.Time, len(c.Touches))
	for i, t := range c.Touches {
		f.NextScheduleID++
		s := Scheduled{ID: f.NextScheduleID, At: now.Add(t.After), Touch: i + 1,
			Request: SendRequest{AgentID: req.AgentID, AgentSlack: req.AgentSlack, Text: t.Text, Template: t.Template,
				Tag: t.Tag, Else: t.Else, Automated: true}}
		if key != "" {
			s.Key = fmt.Sprintf("%s/t%d", key, i+1)
		}
		if i == 0 {
			first = s
		}
		f.Scheduled = append(f.Scheduled, s)
		plan[i] = s.At
	}
	f.Status = StatusScheduled
	f.adopt(req)
	f.upsertAttrs(ctx)
	return SendOutcome{Outcome: OutcomeScheduled, ScheduleID: first.ID, At: first.At}.
		tell(say("Cadence %s started: %d touch(es), at %s. Each is sent in the form the channel allows then; a reply from the customer stops the rest.",
			c.Name, len(c.Touches), times(plan))), nil
}

// requestKey is the idempotency key of the message an update asks for:
// the follow-up's id and the update's id (the request id the bot, the CLI
// or the dispatcher gave it). It belongs to that one request, so a retried
// request finds its own message and another request never reuses it, also
// after a crash lost the workflow task that numbered messages.
func (f *followUp) requestKey(ctx workflow.Context) string {
	if u := workflow.GetCurrentUpdateInfo(ctx); u != nil && u.ID != "" {
		return workflow.GetInfo(ctx).WorkflowExecution.ID + "/r/" + u.ID
	}
	return ""
}

// CancelResult answers a cancel.
type CancelResult struct {
	CancelledScheduled int
}

func (f *followUp) handleCancel(ctx workflow.Context) (CancelResult, error) {
	defer f.wake()
	n := len(f.Scheduled)
	f.Scheduled = nil
	msg := say("Follow-up with %s on %s cancelled (%d scheduled message(s) dropped).", f.name(), f.title(), n)
	if c := f.Cadence; c != nil && c.Ended == "" {
		c.Ended = "cancelled"
		msg = msg.Then(say("The cadence %s stopped after touch %d of %d.", c.Name, c.Reached, c.Touches))
	}
	f.notify(ctx, followup.NotifyCancelled, msg)
	f.finish(ctx, StatusCancelled, "cancelled by agent")
	return CancelResult{CancelledScheduled: n}, nil
}

// CloseResult answers a close.
type CloseResult struct {
	WasOpen  bool
	Unassign bool
}

func (f *followUp) handleClose(ctx workflow.Context) (CloseResult, error) {
	defer f.wake()
	// Under the send lock: a send in flight finishes first, and none
	// starts (and reopens) after the close.
	if err := f.mu.Lock(ctx); err != nil {
		return CloseResult{}, err
	}
	defer f.mu.Unlock()
	if f.finished {
		return CloseResult{}, fmt.Errorf("this follow-up has ended (%s)", f.Result)
	}
	res, err := runLocal(ctx, localOptions, acts.Close, activities.CloseInput{ContactID: f.ContactID})
	if err != nil {
		return CloseResult{}, fmt.Errorf("close the conversation: %s", errorText(err))
	}
	f.Scheduled = nil
	if c := f.Cadence; c != nil && c.Ended == "" {
		c.Ended = "conversation closed"
	}
	f.notify(ctx, followup.NotifyClosed, say("Conversation with %s closed; the follow-up on %s has ended.", f.name(), f.title()))
	f.finish(ctx, StatusClosed, "conversation closed")
	return CloseResult(res), nil
}

func (f *followUp) onReply(ctx workflow.Context, r Reply) {
	if f.seen(r.Key) {
		return // a redelivered webhook: already handled
	}
	if r.At.IsZero() {
		r.At = workflow.Now(ctx)
	}
	if r.At.After(f.LastInbound) {
		f.LastInbound = r.At
		f.SentInWindow = 0
		f.ProviderClosed = false
		f.RemindedFor = time.Time{}
	}
	f.LastEventAt = workflow.Now(ctx)
	dropped, touches := 0, 0
	for _, s := range f.Scheduled {
		if s.Touch > 0 {
			touches++
		} else {
			dropped++
		}
	}
	f.Scheduled = nil
	f.refreshWindow(ctx, false)
	msg := say("%s replied on %s.", f.name(), f.title())
	if p := strings.TrimSpace(r.Preview); p != "" {
		if len([]rune(p)) > 140 {
			p = string([]rune(p)[:140]) + "…"
		}
		msg = say("%s replied on %s: “%s”.", f.name(), f.title(), p)
	}
	if now := followup.Term(f.Window.Allowance.Label()); f.Window.OpenUntil.IsZero() {
		msg = msg.Then(say("Now: %s.", now))
	} else {
		msg = msg.Then(say("Now: %s until %s.", now, f.Window.OpenUntil))
	}
	if dropped > 0 {
		msg = msg.Then(say("Your %d scheduled follow-up(s) were cancelled; send again if still needed.", dropped))
	}
	if c := f.Cadence; c != nil && c.Ended == "" && touches > 0 {
		c.Ended = "stopped by the customer's reply"
		msg = msg.Then(say("The cadence %s stopped after touch %d of %d; the other %d will not be sent.", c.Name, c.Reached, c.Touches, touches))
	}
	if f.Status == StatusScheduled {
		f.Status = StatusWaiting
	}
	f.notify(ctx, followup.NotifyReplied, msg)
	f.upsertAttrs(ctx)
	if f.Escalation != nil && f.Escalation.Trigger != followup.EscalateUnanswered {
		f.clearEscalation(ctx, "the customer replied")
	}
	f.raise(ctx, followup.EscalateUnanswered, replyDetail(r.Preview))
}

// onDeliveryFailed handles a provider's late refusal like the synchronous
// one: the provider has the final word.
func (f *followUp) onDeliveryFailed(ctx workflow.Context, d DeliveryFailure) {
	if d.ProviderMessageID != "" && f.seen("failed:"+d.ProviderMessageID) {
		return
	}
	f.LastEventAt = workflow.Now(ctx)
	defer f.raise(ctx, followup.EscalateDeliveryFailed, say("%s did not deliver a message (%s %s).", f.title(), d.Code, d.Message))
	switch d.Class {
	case followup.WindowClosed:
		f.ProviderClosed = true
		f.refreshWindow(ctx, false)
		f.notify(ctx, followup.NotifyDeliveryFailed, say("%s could not deliver your message to %s: the window is closed (%s %s). Now: %s.",
			f.title(), f.name(), d.Code, d.Message, followup.Term(f.Window.Allowance.Label())))
	case followup.RecipientGone:
		f.notify(ctx, followup.NotifyDeliveryFailed, say("%s cannot be reached on %s any more (%s %s). The follow-up has ended; try another channel.",
			f.name(), f.title(), d.Code, d.Message))
		f.finish(ctx, StatusDone, "recipient gone")
	default:
		f.notify(ctx, followup.NotifyDeliveryFailed, say("%s could not deliver your message to %s (%s %s).", f.title(), f.name(), d.Code, d.Message))
	}
}

// send decides, and sends or refuses, one request. Sends are serialised so
// that counts (WeChat, Viber) stay exact.
//
// due is the scheduled send (or cadence touch) whose time came, nil for a
// send asked for now.
func (f *followUp) send(ctx workflow.Context, req SendRequest, key string, due *Scheduled) SendOutcome {
	if err := f.mu.Lock(ctx); err != nil {
		return SendOutcome{Outcome: OutcomeRefused, Reason: "cancelled"}.tell(say("the follow-up is ending"))
	}
	defer f.mu.Unlock()
	f.adopt(req)
	f.LastEventAt = workflow.Now(ctx)
	if key == "" {
		// A request recorded before keys named their request.
		key = fmt.Sprintf("%s/%d", f.key, f.Seq+1)
	}
	if err := f.load(ctx, &req, due != nil, key); err != nil {
		return f.record(ctx, SendOutcome{Outcome: OutcomeRefused, Reason: "load_failed"}.tell(errorPhrase(err)), followup.NotifyRefused, due)
	}
	if due != nil && !due.Held && !f.quietUntil.IsZero() && workflow.GetVersion(ctx, versionQuiet, workflow.DefaultVersion, 1) == 1 {
		return f.hold(ctx, req, *due)
	}
	now := workflow.Now(ctx)
	in := f.input(now, req)
	if req.Template != nil && f.template != nil {
		t := *f.template
		t.ParamsGiven = len(req.Template.Params)
		in.Template = &t
	}
	d := window.Decide(in)
	// fb is the fallback sent instead of the text, nil when none is.
	var fb *fallbackUse
	if !d.Allowed && fallbackable(d.Reason) && f.hasFallback(req) &&
		workflow.GetVersion(ctx, versionFallback, workflow.DefaultVersion, 1) == 1 {
		fd, use, why := f.decideFallback(in, req)
		if !fd.Allowed {
			return f.refuse(ctx, SendOutcome{Outcome: OutcomeRefused, Reason: string(d.Reason)}.
				tell(say("Nothing was sent: %s. %s", reasonTerm(string(d.Reason)), why)), due)
		}
		d, fb = fd, &use
	}
	if !d.Allowed {
		return f.refuse(ctx, SendOutcome{Outcome: OutcomeRefused, Reason: string(d.Reason)}.tell(say("%s", followup.Term(d.Message))), due)
	}
	conv, err := runLocal(ctx, localOptions, acts.Reopen, activities.ReopenInput{ContactID: f.ContactID, AgentID: req.AgentID})
	if err != nil {
		return f.record(ctx, SendOutcome{Outcome: OutcomeRefused, Reason: "reopen_failed"}.
			tell(say("Could not reopen the conversation: %s", errorPhrase(err))), followup.NotifyRefused, due)
	}
	f.Seq++
	msg := channels.Outbound{
		Channel: f.Channel, To: f.externalID, Mode: d.Mode, Tag: d.Tag, Text: req.Text,
		IdempotencyKey: key,
	}
	switch {
	case fb != nil && fb.template != nil:
		msg.Template, msg.Text = fb.template, ""
	case d.Mode == followup.ModeTemplate && req.Template != nil:
		lang := req.Template.Language
		if lang == "" {
			lang = f.templateLang
		}
		msg.Template = &channels.TemplateRef{Name: req.Template.Name, Language: lang, Params: req.Template.Params}
		msg.Text = ""
	}
	// A local activity too: the first send completes in the workflow task
	// that received the request. Retries still back off (timers past the
	// local retry threshold). A crash before the task completes runs it
	// again: the message recorded under its key tells the new run whether
	// the provider may already have it (activities.Send).
	res, err := runLocal(ctx, sendOptions, acts.Send, activities.SendInput{
		ContactID: f.ContactID, ConversationID: conv.ConversationID, AgentID: req.AgentID, Message: msg,
	})
	if err != nil {
		return f.providerRefused(ctx, err, res, d, due)
	}
	if res.Unrecorded {
		// The provider took it; the database did not take the record in
		// time. Record it apart, retrying until the database is back:
		// never by sending again.
		if workflow.GetVersion(ctx, versionRecordSentApart, workflow.DefaultVersion, 1) == 1 {
			_, _ = runLocal(ctx, recordOptions, acts.RecordSent, activities.RecordSentInput{MessageID: res.MessageID, ProviderID: res.ProviderID})
		}
	}
	f.SentInWindow++
	if d.Mode == followup.ModeChatbot {
		f.ChatbotThisMonth++
	}
	f.Status = StatusWaiting
	f.refreshWindow(ctx, false)
	f.clearEscalation(ctx, "a message was sent")
	out := SendOutcome{Outcome: OutcomeSent, Mode: d.Mode, Tag: d.Tag, MessageID: res.MessageID, ProviderID: res.ProviderID}
	said := say("Sent to %s on %s as %s.", f.name(), f.title(), modeLabel(d.Mode, d.Tag))
	if fb != nil {
		out.Fallback = true
		said = say("Sent to %s on %s as %s (the fallback; %s).", f.name(), f.title(), fb.label, fb.because)
	}
	if !f.Window.OpenUntil.IsZero() {
		said = said.Then(say("%s until %s, then %s.", followup.Term(capitalize(f.Window.Allowance.Label())), f.Window.OpenUntil, followup.Term(f.Window.Next.Label())))
	}
	out = out.tell(said)
	return f.record(ctx, out, followup.NotifySent, due)
}

// refuse records a send the rules refused, naming the contact's other
// channels.
func (f *followUp) refuse(ctx workflow.Context, out SendOutcome, due *Scheduled) SendOutcome {
	if len(f.other) > 0 {
		names := make([]followup.Term, len(f.other))
		for i, c := range f.other {
			names[i] = followup.Term(c.Title())
		}
		out = out.tell(out.phrase().Then(say("%s can also be reached on %s.", f.name(), list(names))))
	}
	out = f.record(ctx, out, followup.NotifyRefused, due)
	f.raise(ctx, followup.EscalateRefused, out.phrase())
	return out
}

// fallbackUse is a fallback chosen for a send.
type fallbackUse struct {
	template *channels.TemplateRef // nil: the text goes out with a tag
	label    followup.Phrase       // what went out, in words
	because  followup.Term         // why the text could not go, in words
}

// fallbackable says whether a refusal is one a fallback answers: the
// window no longer takes free text, but a template or a tag may go.
func fallbackable(r window.Reason) bool {
	switch r {
	case window.ReasonTemplateRequired, window.ReasonTagRequired, window.ReasonHumanAgentAutomated:
		return true
	}
	return false
}

// hasFallback says whether the send has a fallback to try: its own, or,
// when it was scheduled, the workspace's default template (which the load
// read, or found missing).
func (f *followUp) hasFallback(req SendRequest) bool {
	return req.Template == nil && (req.Else != nil || f.fallback.name != "")
}

// decideFallback decides the send's fallback with the rules as they are:
// its tag (the text with the tag), else its template (the agent's, or
// the workspace's default). why says why none may go.
func (f *followUp) decideFallback(in window.Input, req SendRequest) (window.Decision, fallbackUse, followup.Phrase) {
	why := say("No fallback fits.")
	if e := req.Else; e != nil && e.Tag != "" {
		tin := in
		tin.Tag = e.Tag
		d := window.Decide(tin)
		if d.Allowed {
			return d, fallbackUse{label: say("your text with the %s tag", string(d.Tag)), because: reasonTerm(string(window.Decide(in).Reason))}, followup.Phrase{}
		}
		why = say("The fallback tag %s cannot be used either: %s", string(e.Tag), followup.Term(d.Message))
	}
	fb := f.fallback
	if fb.name == "" {
		return window.Decision{}, fallbackUse{}, why
	}
	if fb.template == nil {
		return window.Decision{}, fallbackUse{}, say("The fallback template cannot be used: %s", followup.Term(fb.missing))
	}
	params := []string(nil)
	if req.Else != nil && req.Else.Template != nil {
		params = req.Else.Template.Params
	}
	t := *fb.template
	t.ParamsGiven = len(params)
	tin := in
	tin.Text, tin.Tag, tin.Template = false, "", &t
	d := window.Decide(tin)
	if !d.Allowed {
		return d, fallbackUse{}, say("The fallback template %s cannot be used either: %s", fb.name, reasonTerm(string(d.Reason)))
	}
	return d, fallbackUse{template: &channels.TemplateRef{Name: fb.name, Language: fb.language, Params: params},
		label: say("the approved template %s instead of your text", fb.name), because: reasonTerm(string(window.Decide(in).Reason))}, followup.Phrase{}
}

// providerRefused handles a send the provider refused: the provider has
// the final word, and a window error is never retried as free text.
func (f *followUp) providerRefused(ctx workflow.Context, err error, res activities.SendResult, d window.Decision, due *Scheduled) SendOutcome {
	var ae *temporal.ApplicationError
	typ := ""
	if errors.As(err, &ae) {
		typ = ae.Type()
	}
	out := SendOutcome{Outcome: OutcomeUndeliverable, Reason: typ, MessageID: res.MessageID}
	if typ != activities.ErrUnconfirmed {
		defer func() { f.raise(ctx, followup.EscalateDeliveryFailed, out.phrase()) }()
	}
	switch typ {
	case activities.ErrUnconfirmed:
		// It may have arrived: count it, as the provider would.
		f.SentInWindow++
		if d.Mode == followup.ModeChatbot {
			f.ChatbotThisMonth++
		}
		f.Status = StatusWaiting
		f.refreshWindow(ctx, false)
		out.Outcome, out.Reason, out.Mode, out.Tag = OutcomeUnconfirmed, "unconfirmed", d.Mode, d.Tag
		out = out.tell(say("Your message to %s on %s may not have been sent: %s, so it was not sent again. "+
			"Check the conversation; if it did not arrive, send it again (a new request sends it once more).", f.name(), f.title(), errorPhrase(err)))
		return f.record(ctx, out, followup.NotifyUnconfirmed, due)
	case activities.ErrWindowClosed:
		f.ProviderClosed = true
		f.refreshWindow(ctx, false)
		out = out.tell(say("%s refused the message: the window is closed (%s). Now: %s.", f.title(), errorPhrase(err), followup.Term(f.Window.Allowance.Label())))
		return f.record(ctx, out, followup.NotifyDeliveryFailed, due)
	case activities.ErrRecipientGone:
		out = out.tell(say("%s cannot be reached on %s any more (%s). The follow-up has ended; try another channel.", f.name(), f.title(), errorPhrase(err)))
		out = f.record(ctx, out, followup.NotifyDeliveryFailed, due)
		f.finish(ctx, StatusDone, "recipient gone")
		return out
	case activities.ErrPermanent:
		out = out.tell(say("%s did not accept the message: %s.", f.title(), errorPhrase(err)))
	default:
		out.Reason = "send_failed"
		out = out.tell(say("The message to %s on %s could not be sent after retrying (%s). Nothing was sent; try again later.", f.name(), f.title(), errorPhrase(err)))
	}
	return f.record(ctx, out, followup.NotifyDeliveryFailed, due)
}

// record keeps the attempt, tells the agent, and returns the outcome.
func (f *followUp) record(ctx workflow.Context, out SendOutcome, kind followup.NotificationKind, due *Scheduled) SendOutcome {
	at := Attempt{At: workflow.Now(ctx), Outcome: out.Outcome, Mode: out.Mode, Tag: out.Tag, Reason: out.Reason,
		MessageID: out.MessageID, ProviderID: out.ProviderID, Fallback: out.Fallback}
	if due != nil && due.Touch > 0 && f.Cadence != nil {
		at.Touch = due.Touch
		msg := say("Cadence %s, touch %d of %d: %s", f.Cadence.Name, due.Touch, f.Cadence.Touches, out.phrase())
		if due.Touch == f.Cadence.Touches {
			msg = msg.Then(say("That was the cadence's last touch."))
		}
		out = out.tell(msg)
	}
	f.count(ctx, metrics.MessagesTotal, map[string]string{metrics.LabelMode: string(out.Mode),
		metrics.LabelOutcome: string(out.Outcome), metrics.LabelReason: out.Reason})
	f.Attempts = append(f.Attempts, at)
	if n := len(f.Attempts); n > maxAttemptsKept {
		f.Attempts = append([]Attempt(nil), f.Attempts[n-maxAttemptsKept:]...)
	}
	f.notify(ctx, kind, out.phrase())
	f.upsertAttrs(ctx)
	return out
}

// load reads the contact's channel state (and a template's approval).
// The send's fallback template is read too: its own, or when scheduled
// (due) the workspace's default.
func (f *followUp) load(ctx workflow.Context, req *SendRequest, due bool, sendingKey string) error {
	in := activities.LoadInput{ContactID: f.ContactID, Channel: f.Channel, Since: f.LastInbound, SendingKey: sendingKey}
	var t *TemplateRequest
	if req != nil {
		t = req.Template
		if e := req.Else; e != nil && e.Template != nil {
			in.FallbackName, in.FallbackLanguage = e.Template.Name, e.Template.Language
		}
		in.DefaultFallback = due && req.Template == nil && (req.Else == nil || req.Else.Template == nil)
	}
	if t != nil {
		in.TemplateName, in.TemplateLanguage = t.Name, t.Language
	}
	if due {
		in.QuietAt = workflow.Now(ctx)
	}
	seq := f.Seq
	r, err := runLocal(ctx, localOptions, acts.Load, in)
	if err != nil {
		return err
	}
	if r.LastInbound.After(f.LastInbound) {
		f.LastInbound = r.LastInbound
		f.ProviderClosed = false
	}
	// A send that began while this load ran (the first run's load, when an
	// update-with-start's send overtakes it) may be in the database's
	// counts already and is counted by the send itself when it completes:
	// taking the counts from this load too counted it twice (WeChat's
	// limit, Viber's quota and status one too high).
	if f.Seq != seq && workflow.GetVersion(ctx, versionStaleLoad, workflow.DefaultVersion, 1) == 1 {
		return f.loaded(r, req, t)
	}
	// The database counts what was sent since the last inbound message
	// (the later of its own and this run's); never fewer than this run
	// knows it sent since then.
	f.SentInWindow = max(f.SentInWindow, r.SentInWindow)
	// The database counts this month's chatbot messages, pending ones
	// included, so it never lags what this run sent.
	f.ChatbotThisMonth = r.ChatbotThisMonth
	return f.loaded(r, req, t)
}

// loaded keeps what a load read besides the counts.
func (f *followUp) loaded(r activities.LoadResult, req *SendRequest, t *TemplateRequest) error {
	f.Settings, f.VIP, f.Loaded = r.Settings, r.VIP, true
	f.quietUntil, f.quietZone = r.QuietUntil, r.ContactZone
	f.externalID, f.ContactName, f.other = r.ExternalID, r.ContactName, r.OtherChannels
	// Only a load for a template says anything about one: the first run's
	// load (without) may complete after a send's load (with) when an
	// update-with-start carries a template, and must not erase it.
	if t != nil {
		f.template, f.templateLang = r.Template, r.TemplateLanguage
	}
	if req != nil {
		f.fallback = loadedFallback{template: r.Fallback, name: r.FallbackName, language: r.FallbackLanguage, missing: r.FallbackMissing}
	}
	return nil
}

func (f *followUp) adopt(req SendRequest) {
	if req.AgentID != 0 {
		f.AgentID = req.AgentID
	}
	if req.AgentSlack != "" {
		f.AgentSlack = req.AgentSlack
	}
}

func (f *followUp) notify(ctx workflow.Context, kind followup.NotificationKind, msg followup.Phrase) {
	f.NotifySeq++
	in := activities.NotifyInput{AgentID: f.AgentID, ContactID: f.ContactID, Channel: f.Channel, Kind: kind, Text: msg.String(), Say: &msg,
		Key: fmt.Sprintf("%s/n%d", f.key, f.NotifySeq)}
	// A local activity: telling the agent costs no extra round trip through
	// the server. One that cannot be delivered must not stop the follow-up.
	_, _ = runLocal(ctx, notifyOptions, acts.Notify, in)
}

func (f *followUp) finish(ctx workflow.Context, s Status, result string) {
	if f.finished {
		return
	}
	f.finished, f.Status, f.Result = true, s, result
	f.count(ctx, metrics.FollowupsEnded, map[string]string{metrics.LabelOutcome: string(s)})
	f.upsertAttrs(ctx)
	f.wake()
}

// count increments one of the follow-up's counters (package metrics)
// with the follow-up's channel and tags. The SDK's workflow metrics
// handler records nothing while the workflow replays, so each attempt
// counts once however often its history is replayed; it adds no command.
func (f *followUp) count(ctx workflow.Context, name string, tags map[string]string) {
	tags[metrics.LabelChannel] = string(f.Channel)
	workflow.GetMetricsHandler(ctx).WithTags(tags).Counter(name).Inc(1)
}

func (f *followUp) wake() { f.kick.SendAsync(struct{}{}) }

// seen records key and reports whether it was seen before, so a webhook
// the provider delivers twice is acted on once. The last few keys are kept.
func (f *followUp) seen(key string) bool {
	if key == "" {
		return false
	}
	for _, k := range f.SeenKeys {
		if k == key {
			return true
		}
	}
	f.SeenKeys = append(f.SeenKeys, key)
	if n := len(f.SeenKeys); n > maxSeenKeys {
		f.SeenKeys = append([]string(nil), f.SeenKeys[n-maxSeenKeys:]...)
	}
	return false
}

func (f *followUp) hasSent() bool {
	for _, at := range f.Attempts {
		if at.Outcome == OutcomeSent {
			return true
		}
	}
	return false
}

// title is the follow-up's channel, in the reader's language.
func (f *followUp) title() followup.Term { return followup.Term(f.Channel.Title()) }

// errorPhrase is an activity's error for the agent: a provider's or the
// database's words, as they are.
func errorPhrase(err error) followup.Phrase { return say("%s", errorText(err)) }

func (f *followUp) name() string {
	if f.ContactName != "" {
		return f.ContactName
	}
	return fmt.Sprintf("contact %d", f.ContactID)
}

// upsertAttrs updates the search attributes when they changed: each
// upsert is an event and a visibility write.
func (f *followUp) upsertAttrs(ctx workflow.Context) {
	now := AttrValues{Status: f.Status, Agent: f.AgentSlack, VIP: f.VIP, ClosesAt: f.Window.OpenUntil}
	if now == f.Attrs {
		return
	}
	f.Attrs = now
	closes := AttrWindowClosesAt.ValueUnset()
	if !now.ClosesAt.IsZero() {
		closes = AttrWindowClosesAt.ValueSet(now.ClosesAt)
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		AttrStatus.ValueSet(string(now.Status)), AttrAgent.ValueSet(now.Agent), AttrVIP.ValueSet(now.VIP), closes)
}

// AttrValues are the search attribute values a follow-up last upserted.
type AttrValues struct {
	Status   Status
	Agent    string
	VIP      bool
	ClosesAt time.Time
}

// acts names the activities: the workflow calls them as method values of
// a nil *Activities, one typed input and result each; the worker
// registered a real one, whose methods' names ("Load", "Send", …) are what
// Temporal records. Renaming a method breaks running follow-ups.
var acts *activities.Activities

// runLocal runs an activity as a local activity (no round trip through the
// server; its result is a marker in history) and returns its typed result.
func runLocal[I, O any](ctx workflow.Context, opts workflow.LocalActivityOptions, fn func(context.Context, I) (O, error), in I) (O, error) {
	var out O
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, opts), fn, in).Get(ctx, &out)
	return out, err
}

func validTag(t followup.Tag) bool {
	_, err := followup.ParseTag(string(t))
	return err == nil
}

func modeLabel(m followup.Mode, t followup.Tag) followup.Phrase {
	switch m {
	case followup.ModeFreeText:
		return say("free text")
	case followup.ModeHumanAgent:
		return say("free text with the HUMAN_AGENT tag")
	case followup.ModeMessageTag:
		return say("a message with the %s tag", string(t))
	case followup.ModeTemplate:
		return say("an approved template")
	case followup.ModeChatbot:
		return say("a chatbot-initiated (billable) message")
	}
	return say("%s", string(m))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func errorText(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
}

// Activity options. Store activities retry until Postgres is back; sends
// retry provider hiccups (429, 5xx) with backoff but never errors a retry
// cannot fix.
var (
	localOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second,
			NonRetryableErrorTypes: []string{string(followup.ENotFound), string(followup.EInvalid), string(followup.ERefused)}},
	}
	sendOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 30 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrWindowClosed, activities.ErrRecipientGone, activities.ErrPermanent}},
	}
	// A notification that cannot be delivered within two minutes is given
	// up: it must not hold the follow-up (or its send lock) for longer.
	// Recording a message the provider accepted waits out a database
	// outage: giving up would leave it pending.
	recordOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second},
	}
	notifyOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 2 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
)
