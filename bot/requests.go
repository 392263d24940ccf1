package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/i18n"
)

// Requests is where the bot keeps what it acknowledged (a *store.Store):
// a command that starts or changes a follow-up is written there before
// the agent hears "working on it", carried out by the process that holds
// it, and resumed by any process once its holder stops renewing the claim
// (a crash, a kill -9).
type Requests interface {
	AddRequest(ctx context.Context, r followup.Request, lease time.Duration) (bool, error)
	RenewRequest(ctx context.Context, id string, lease time.Duration) error
	FinishRequest(ctx context.Context, id, answer string) error
	ClaimRequests(ctx context.Context, lease time.Duration, limit int) ([]followup.Request, error)
	PruneRequests(ctx context.Context, keep time.Duration) (int, error)
}

// requestsKept is how long a carried-out request is kept (to answer "was
// it done?" when someone asks, and to recognise a button pressed again).
const requestsKept = 7 * 24 * time.Hour

// maxCarryingOut bounds the requests one process carries out at once.
const maxCarryingOut = 16

// requestLease is how long a process holds a request without renewing it:
// after a crash, another process (or the restarted one) resumes it then.
const requestLease = 15 * time.Second

// responseURLLife is how long Slack accepts answers on a response_url (30
// minutes); past it the answer goes by direct message.
const responseURLLife = 25 * time.Minute

// job is what a durable request carries out: a parsed slash command (or a
// Pick button's), or a Follow up modal's send.
type job struct {
	Command *Command  `json:"command,omitempty"`
	Modal   *modalJob `json:"modal,omitempty"`
}

// modalJob is a validated Follow up modal submission.
type modalJob struct {
	ContactID int64               `json:"contact_id"`
	Channel   followup.Channel    `json:"channel"`
	Request   actions.SendRequest `json:"request"`
}

// accept records a job for agent under id, then carries it out in the
// background and answers through responseURL (or by DM). It returns the
// immediate answer: the acknowledgement once the job is durable, or why it
// could not be recorded (nothing was done).
func (b *Bot) accept(ctx context.Context, p i18n.Printer, id string, agent followup.Agent, j job, responseURL string) *slack.Msg {
	payload, err := json.Marshal(j)
	if err != nil {
		return b.errorMsg(p, fmt.Errorf("encode the request: %w", err), "")
	}
	r := followup.Request{ID: id, AgentSlack: agent.SlackUserID, Payload: payload, ResponseURL: responseURL, CreatedAt: time.Now()}
	var added bool
	// Had an insert landed before its connection dropped, the request is
	// resumed when its claim runs out. The budget leaves time to answer
	// within Slack's 3 s when the pool must reconnect under load.
	err = dropped(ctx, 2200*time.Millisecond, func(ctx context.Context) (err error) {
		added, err = b.reqs.AddRequest(ctx, r, requestLease)
		return err
	})
	if err != nil {
		b.log.Warn("a request was not recorded; the agent is told to try again", "request", id, "err", err)
		return b.errorMsg(p, &followup.Error{Code: followup.EUnavailable, Message: "The database is unavailable, so your request was not recorded", Err: err}, "")
	}
	if !added {
		m := textMsg(p.Sprintf("⏳ This request was already received; its answer follows."))
		m.Type = msgReceived
		return m
	}
	b.work.Add(1)
	go b.carryOut(r, agent, j)
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: p.Text(ackText), Type: msgAck}
}

// Marks in slack.Msg.Type, which is never posted.
const (
	// msgUnavailable marks an answer saying the database or Temporal did
	// not answer, so nothing was done: a recorded request is run again
	// rather than answered so.
	msgUnavailable = "followup-unavailable"
	// msgAck marks the acknowledgement of a request recorded now, and
	// msgReceived the answer to one recorded before: either way it will
	// be carried out.
	msgAck      = "followup-ack"
	msgReceived = "followup-received"
)

// ackText acknowledges a recorded request.
const ackText = "⏳ Working on it…"

// carryOut runs a claimed request, answers it and marks it done, renewing
// the claim meanwhile. A crash at any point leaves it to be resumed: the
// follow-up recognises a request it already has by its id.
func (b *Bot) carryOut(r followup.Request, agent followup.Agent, j job) {
	defer b.work.Done()
	// At most maxCarryingOut at once: a burst's acknowledgements must not
	// wait for database connections and CPU behind the work they queue
	// (which is durable, and waits its turn).
	// The claim is renewed from now on, also while the request waits for
	// a slot.
	hold, release := context.WithCancel(context.Background())
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(requestLease / 3)
		defer t.Stop()
		for {
			select {
			case <-hold.Done():
				return
			case <-t.C:
				if err := b.reqs.RenewRequest(hold, r.ID, requestLease); err != nil && hold.Err() == nil {
					b.log.Warn("slack: renew a request", "request", r.ID, "err", err)
				}
			}
		}
	}()
	b.carrying <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.WorkTimeout)
	// The request is recorded: a database or Temporal that does not
	// answer is waited for (the request id makes running it again
	// harmless), and only said when it does not come back in time.
	if r.Tries > 1 {
		ctx = context.WithValue(ctx, resumedKey{}, true)
	}
	m := b.runJob(ctx, agent, j, r.ID)
	for wait := 500 * time.Millisecond; m != nil && m.Type == msgUnavailable; wait = min(2*wait, 8*time.Second) {
		if dl, _ := ctx.Deadline(); time.Until(dl) < wait+5*time.Second {
			break
		}
		time.Sleep(wait)
		m = b.runJob(ctx, agent, j, r.ID)
	}
	cancel()
	<-b.carrying
	if m != nil {
		m.Type = ""
		b.deliver(r, m)
	}
	release()
	<-renewed
	// The answer is out; if this does not reach the database the request
	// is resumed and answered again with the same outcome.
	for try := 0; try < 5; try++ {
		fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := b.reqs.FinishRequest(fctx, r.ID, clip(answerText(m), 2000))
		fcancel()
		if err == nil {
			return
		}
		b.log.Warn("slack: mark a request done", "request", r.ID, "err", err)
		time.Sleep(time.Second << try)
	}
}

// runJob carries out a job; nil means there is nothing to answer (a modal
// send whose outcome the follow-up tells the agent itself).
func (b *Bot) runJob(ctx context.Context, agent followup.Agent, j job, id string) *slack.Msg {
	// Answered in the agent's language as it is when the answer is
	// written (after a restart too).
	p := b.printer(ctx, agent.SlackUserID)
	switch {
	case j.Command != nil:
		cmd := *j.Command
		cmd.RequestID = id
		return b.run(ctx, p, agent, cmd)
	case j.Modal != nil:
		return b.sendModal(ctx, p, agent, *j.Modal, id)
	}
	return b.errorMsg(p, followup.Errorf(followup.EInvalid, "this request is empty"), "")
}

// sendModal sends a validated modal submission (or starts its cadence).
// A send's outcome reaches the agent as the follow-up's own notification;
// what the follow-up does not notify (a send scheduled, a cadence started)
// and a failure before it are answered here.
func (b *Bot) sendModal(ctx context.Context, p i18n.Printer, agent followup.Agent, mj modalJob, id string) *slack.Msg {
	c, err := b.act.Contact(ctx, mj.ContactID)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	ids, err := b.act.Identities(ctx, c.ID)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	t := actions.Target{Contact: c, Identities: ids, Channel: mj.Channel}
	out, err := b.act.Send(ctx, actor(agent), t, mj.Request, id)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	if out.Outcome == actions.OutcomeScheduled {
		return outcomeMsg(p, t, out)
	}
	return nil
}

// deliver answers a request: through its response_url while Slack takes
// answers there, else (or when that fails) by direct message.
func (b *Bot) deliver(r followup.Request, m *slack.Msg) {
	if r.ResponseURL != "" && time.Since(r.CreatedAt) < responseURLLife {
		err := b.respond(r.ResponseURL, m)
		if err == nil {
			return
		}
		b.log.Warn("slack: answer through response_url; sending a direct message instead", "request", r.ID, "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	b.dm(ctx, r.AgentSlack, m)
}

// Resume carries out requests whose holder died, at once and then every
// interval until ctx ends. Every process that serves Slack runs it.
func (b *Bot) Resume(ctx context.Context, every time.Duration) {
	var pruned time.Time
	for {
		if time.Since(pruned) > time.Hour {
			pruned = time.Now()
			if _, err := b.reqs.PruneRequests(ctx, requestsKept); err != nil && ctx.Err() == nil {
				b.log.Warn("slack: prune requests", "err", err)
			}
		}
		if _, err := b.ResumeOnce(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("slack: resume requests", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// ResumeOnce claims the requests nobody holds and carries them out in the
// background; it returns how many it took.
func (b *Bot) ResumeOnce(ctx context.Context) (int, error) {
	rs, err := b.reqs.ClaimRequests(ctx, requestLease, 50)
	if err != nil {
		return 0, err
	}
	for _, r := range rs {
		var j job
		if err := json.Unmarshal(r.Payload, &j); err != nil {
			b.log.Error("slack: a recorded request cannot be read; dropped", "request", r.ID, "err", err)
			_ = b.reqs.FinishRequest(ctx, r.ID, "unreadable: "+err.Error())
			continue
		}
		agent, err := b.act.AgentBySlackUser(ctx, r.AgentSlack)
		if err != nil {
			if followup.ErrorCodeOf(err) == followup.ENotFound {
				// No longer an agent: say so instead of acting for them.
				m := b.errorMsg(b.printer(ctx, r.AgentSlack), followup.Errorf(followup.EUnauthorized, "You are no longer registered as a followup agent, so your earlier request was not carried out."), "")
				b.deliver(r, m)
				_ = b.reqs.FinishRequest(ctx, r.ID, m.Text)
				continue
			}
			return 0, err // the claim runs out; tried again later
		}
		b.mu.Lock()
		if b.stopping {
			// Shutting down: its claim runs out, and the next process
			// resumes it.
			b.mu.Unlock()
			return 0, nil
		}
		b.work.Add(1)
		b.mu.Unlock()
		b.log.Info("slack: resuming a request a stopped process had acknowledged", "request", r.ID, "tries", r.Tries)
		go b.carryOut(r, agent, j)
	}
	return len(rs), nil
}

// resumedKey marks the context of a request run again after a restart.
type resumedKey struct{}

// resumed reports whether the request may have been carried out before,
// by a process that stopped before it answered.
func resumed(ctx context.Context) bool { v, _ := ctx.Value(resumedKey{}).(bool); return v }

func answerText(m *slack.Msg) string {
	if m == nil {
		return ""
	}
	return m.Text
}

// dropped runs f, and again while it fails because the database dropped
// its connection (a restart, a failover, an administrator terminating
// backends), within budget: every idle connection of the pool may have
// been dropped at once, and each is found out only when used.
func dropped(ctx context.Context, budget time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	err := f(ctx)
	for try := 1; followup.ErrorCodeOf(err) == followup.EUnavailable && ctx.Err() == nil && try < 8; try++ {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(try) * 20 * time.Millisecond):
		}
		err = f(ctx)
	}
	return err
}
